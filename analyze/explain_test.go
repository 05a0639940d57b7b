package analyze

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// Explain names the cause, hard or soft, and the group it acted through
// with what was left of it, by the group's rule.
func TestExplain(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "c", Kind: graph.Site},
		// Capacity 60+40 against demand 80, Down below 30.
		graph.Node{ID: "api", Kind: graph.Service, Demand: 80, DegradedAt: 30,
			Replicas: []graph.Replica{{Site: "a", Capacity: 60}, {Site: "b", Capacity: 40}}},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}, {Site: "c"}}},
		graph.Node{ID: "app", Kind: graph.Service, Site: "c", Requires: graph.All("api")},
		graph.Node{ID: "cache", Kind: graph.Service, Site: "a"},
		graph.Node{ID: "web", Kind: graph.Service, Site: "c", Uses: []graph.Dep{graph.AnyOf("cache", "app")}},
		graph.Node{ID: "q", Kind: graph.Service, Site: "c", Requires: []graph.Dep{graph.AtLeast(2, "db", "api", "app")}},
	)
	c := compileT(t, m)
	o, err := Simulate(context.Background(), c, Fail("a"))
	require.NoError(t, err)

	x, ok := o.Explain("api")
	require.True(t, ok)
	assert.Equal(t, Degraded, x.State)
	assert.Equal(t, "api@a", x.Cause)
	require.NotNil(t, x.Group)
	assert.Equal(t, GroupExplanation{Label: "replicas", Replicas: true, Rule: CapacityRule, Live: 40, Up: 40, Need: 80, Floor: 30, Base: 100, Members: 2, LiveMembers: 1}, *x.Group)

	x, _ = o.Explain("app")
	assert.Equal(t, "api", x.Cause)
	assert.False(t, x.Soft)
	assert.Nil(t, x.Group, "a plain requires")

	x, _ = o.Explain("web")
	assert.Equal(t, Degraded, x.State)
	assert.True(t, x.Soft)
	require.NotNil(t, x.Group)
	assert.Equal(t, AnyOfRule, x.Group.Rule)
	assert.Equal(t, "any_of [cache app]", x.Group.Label)

	x, _ = o.Explain("db")
	assert.Equal(t, Up, x.State)
	assert.True(t, x.LostRedundancy)
	require.NotNil(t, x.Group, "the group that lost redundancy")
	assert.Equal(t, AnyOfRule, x.Group.Rule, "replicas without capacities and demand 1")
	assert.Equal(t, int64(2), x.Group.Up)
	assert.Equal(t, []Cause{{ID: "db@a", State: Down, Group: "replicas"}}, x.Lost)

	x, _ = o.Explain("a")
	assert.True(t, x.Removed)
	assert.Empty(t, x.Cause)

	_, ok = o.Explain("c")
	assert.False(t, ok, "Up")
	_, ok = o.Explain("nope")
	assert.False(t, ok)

	// Every effect's explanation agrees with its Effect.
	for _, e := range o.Effects() {
		x := o.ExplainEffect(e)
		assert.Equal(t, e.Via, x.Cause, e.ID)
		assert.Equal(t, e.State, x.State, e.ID)
	}
}

// Chains.Cut and CutChain cut Outcome.Chain, on random graphs with every
// feature (cycles, groups, soft edges, replicas).
func TestCutChainsEqualChain(t *testing.T) {
	randomCases(t, 500, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		from := removable(c)
		o, err := Simulate(context.Background(), c, Fail(c.VertexName(from[r.IntN(len(from))])))
		require.NoError(t, err)
		ch := o.Chains()
		for _, e := range o.Effects() {
			whole := o.Chain(e.ID)[1:]
			require.Equal(t, len(whole), ch.Len(e.ID), e.ID)
			for _, n := range []int{0, 1, 3} {
				want, more := whole, 0
				if n > 0 && n < len(whole) {
					want, more = whole[:n], len(whole)-n
				}
				got, gotMore := ch.Cut(e.ID, n)
				require.Equal(t, want, append([]string{}, got...), "%s cut %d", e.ID, n)
				require.Equal(t, more, gotMore, "%s cut %d", e.ID, n)
				got, gotMore = o.CutChain(e.ID, n)
				require.Equal(t, want, append([]string{}, got...), "%s CutChain %d", e.ID, n)
				require.Equal(t, more, gotMore, "%s CutChain %d", e.ID, n)
			}
		}
	})
}
