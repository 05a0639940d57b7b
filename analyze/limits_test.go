package analyze_test

import (
	"context"
	"math/big"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// largestModel is a model at every numeric limit of graph: MaxTotalUsers
// spread over nodes of MaxUsers each, replica sets and a capacity group
// summing to MaxCapacity, and restart and recovery times of MaxDuration.
// Half the services run at site a only, half at a and b (each replica
// carrying the whole demand), and one requires a capacity group of two of
// them.
func largestModel(t *testing.T, name string) *graph.Compiled {
	t.Helper()
	m := &graph.Model{Name: name}
	m.Add(
		graph.Node{ID: "r", Kind: graph.Region},
		graph.Node{ID: "a", Kind: graph.Site, Region: "r"},
		graph.Node{ID: "b", Kind: graph.Site, Region: "r"},
	)
	n := int(graph.MaxTotalUsers / graph.MaxUsers)
	for i := range n - 1 {
		nd := graph.Node{ID: "s" + strconv.Itoa(i), Kind: graph.Service, Users: graph.MaxUsers, Tier: graph.TierOf(0)}
		if i%2 == 0 {
			nd.Site = "a"
			nd.Restart = graph.MaxDuration
		} else {
			nd.Demand = graph.MaxCapacity / 2
			nd.Replicas = []graph.Replica{
				{Site: "a", Capacity: graph.MaxCapacity / 2},
				{Site: "b", Capacity: graph.MaxCapacity / 2, Standby: graph.Mirror},
			}
		}
		m.Add(nd)
	}
	m.Add(graph.Node{ID: "top", Kind: graph.Service, Users: graph.MaxUsers, Tier: graph.TierOf(0),
		Requires: []graph.Dep{graph.Capacity(graph.MaxCapacity, 0,
			graph.Member{ID: "s0", Weight: graph.MaxCapacity / 2}, graph.Member{ID: "s1", Weight: graph.MaxCapacity / 2})}},
		graph.Node{ID: "cold", Kind: graph.Service, Demand: graph.MaxCapacity / 2, Replicas: []graph.Replica{
			{Site: "a", Capacity: graph.MaxCapacity / 2},
			{Site: "b", Capacity: graph.MaxCapacity / 2, Standby: graph.Cold, Recovery: graph.MaxDuration},
		}})
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

// usersOf sums the users of ids exactly.
func usersOf(c *graph.Compiled, ids []string) *big.Int {
	sum := new(big.Int)
	for _, id := range ids {
		v, _ := c.Lookup(id)
		sum.Add(sum, big.NewInt(c.Users(v)))
	}
	return sum
}

// The largest accepted numbers go through every analysis, and every total
// equals an exact big.Int (or float) reference computed from the listed
// nodes: no sum overflows.
func TestLargestNumbers(t *testing.T) {
	ctx := context.Background()
	c := largestModel(t, "large")
	var all []string
	for v := range int32(c.NodeCount()) {
		all = append(all, c.VertexName(v))
	}
	total := usersOf(c, all)
	require.Equal(t, big.NewInt(graph.MaxTotalUsers), total)

	// Simulate: the region takes everything.
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("r"))
	require.NoError(t, err)
	var down, degraded []string
	for _, e := range o.Effects() {
		switch {
		case e.Replica:
		case e.State == analyze.Down:
			down = append(down, e.ID)
		case e.State == analyze.Degraded:
			degraded = append(degraded, e.ID)
		}
	}
	assert.Equal(t, usersOf(c, down), big.NewInt(o.Totals.UsersDown))
	assert.Equal(t, total, big.NewInt(o.Totals.UsersDown))
	assert.Equal(t, int64(graph.MaxUsers), o.Totals.MaxUsersDown)
	assert.Equal(t, usersOf(c, degraded), big.NewInt(o.Totals.UsersDegraded))

	// Site a alone: the services at a only, and top (its group loses s0).
	o, err = analyze.Simulate(context.Background(), c, analyze.Fail("a"))
	require.NoError(t, err)
	down = down[:0]
	for _, e := range o.Effects() {
		if !e.Replica && e.State == analyze.Down {
			down = append(down, e.ID)
		}
	}
	assert.Equal(t, usersOf(c, down), big.NewInt(o.Totals.UsersDown))

	// Rank: every radius equals its Simulate, exactly.
	radii, err := analyze.Rank(ctx, c, analyze.RankOptions{})
	require.NoError(t, err)
	for _, r := range radii[:5] {
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail(r.ID))
		require.NoError(t, err)
		var ids []string
		for _, e := range o.Effects() {
			if !e.Replica && e.State == analyze.Down {
				ids = append(ids, e.ID)
			}
		}
		assert.Equal(t, usersOf(c, ids), big.NewInt(r.UsersDown), r.ID)
		assert.Equal(t, o.Totals.UsersDegraded, r.UsersDegraded, r.ID)
	}
	assert.Equal(t, "r", radii[0].ID)
	assert.Equal(t, int64(graph.MaxTotalUsers), radii[0].UsersDown)

	// SPOFs of top: the region, site a, s0, s1 (each half of the group's
	// capacity is needed).
	spofs, err := analyze.SPOFs(ctx, c, "top")
	require.NoError(t, err)
	var ids []string
	for _, s := range spofs {
		ids = append(ids, s.ID)
	}
	assert.ElementsMatch(t, []string{"r", "a", "s0", "s1"}, ids)

	// RedundancyRate: the users measured and those that survive.
	red, err := analyze.RedundancyRate(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, total, big.NewInt(red.Users))
	var survive []string
	for i := 1; i < int(graph.MaxTotalUsers/graph.MaxUsers)-1; i += 2 {
		survive = append(survive, "s"+strconv.Itoa(i))
	}
	assert.Equal(t, usersOf(c, survive), big.NewInt(red.SurviveUsers))
	assert.Equal(t, len(survive), red.Survive)
	require.Len(t, red.Sites, 2)
	for _, l := range red.Sites {
		assert.Equal(t, usersOf(c, l.Down), big.NewInt(l.UsersDown), l.Site)
		assert.Equal(t, usersOf(c, l.Degraded), big.NewInt(l.UsersDegraded), l.Site)
		assert.Equal(t, usersOf(c, l.Exposed), big.NewInt(l.UsersExposed), l.Site)
	}
	assert.Equal(t, new(big.Int).Sub(total, usersOf(c, red.Sites[0].Down)), big.NewInt(int64(graph.MaxTotalUsers)-red.Sites[0].UsersDown))

	// Recover: the region out for the longest time; user-hours against a
	// float reference.
	tl, err := analyze.Recover(ctx, c, analyze.Scenario{Failures: []analyze.Failure{{ID: "r", For: graph.MaxDuration}}},
		analyze.RecoverOptions{Horizon: 3 * graph.MaxDuration})
	require.NoError(t, err)
	var wantDown, wantDegraded float64
	for _, r := range tl.Recoveries {
		if r.Replica {
			continue
		}
		wantDown += float64(r.Users) * r.Down(tl.Horizon).Hours()
		wantDegraded += float64(r.Users) * r.Degraded(tl.Horizon).Hours()
		require.GreaterOrEqual(t, r.DownUserHours, 0.0, r.ID)
	}
	assert.InEpsilon(t, wantDown, tl.Totals.DownUserHours, 1e-9)
	assert.Equal(t, wantDegraded, tl.Totals.DegradedUserHours)
	s0, ok := tl.Recovery("s0")
	require.True(t, ok)
	assert.Equal(t, 2*graph.MaxDuration, s0.DownUntil, "repair, then restart")
	cold, ok := tl.Recovery("cold")
	require.True(t, ok)
	assert.Equal(t, graph.MaxDuration, cold.DownUntil, "the standby and the repair, both at the limit")

	// policy: the rate by users is exactly 1999/4000.
	rate := float64(red.SurviveUsers) / float64(red.Users)
	for _, tc := range []struct {
		want   float64
		passed bool
	}{{rate, true}, {rate + 1e-6, false}} {
		res, err := policy.Check(ctx, c, &policy.Policy{Name: "p", Rules: []policy.Rule{policy.MinRedundancyRate(tc.want, policy.ByUsers)}})
		require.NoError(t, err)
		assert.Equal(t, tc.passed, res.Rules[0].Passed, "min rate %v", tc.want)
	}

	// diff: the same model against itself changes nothing; its rates are
	// the ones above.
	d, err := diff.Models(ctx, c, largestModel(t, "large2"), diff.Options{})
	require.NoError(t, err)
	assert.Empty(t, d.Grew)
	assert.Empty(t, d.Shrank)
	assert.Equal(t, red.SurviveUsers, d.Redundancy.New.SurviveUsers)
	assert.Equal(t, red.Users, d.Redundancy.Old.Users)
}
