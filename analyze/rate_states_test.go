package analyze

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// lostLanes, the rule of redundancy lost on states, marks exactly the
// nodes an Outcome records as Up having lost redundancy (which the engine
// records as it runs): for scenarios of one to four removed nodes and
// replicas, from the outcome's states (one lane), and for the loss of
// every node alone from the batch engine's states (LoseEach, 64 lanes a
// batch).
func TestLostLanesMatchesOutcome(t *testing.T) {
	ctx := context.Background()
	randomCases(t, underRace(3000), func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		from := removable(c)
		for range 4 {
			set := pickSet(r, from)
			o, err := Simulate(ctx, c, Fail(names(c, set)...))
			require.NoError(t, err)
			bad := make([]uint64, c.Len())
			for v := range int32(c.Len()) {
				if o.VertexState(v) != Up {
					bad[v] = 1
				}
			}
			lost := lostLanes(c, bad)
			for v := range int32(c.NodeCount()) {
				require.Equal(t, o.VertexLostRedundancy(v), lost[v] == 1, "fail %v: %s", names(c, set), c.VertexName(v))
			}
			require.Equal(t, o.lostNodes(), laneLists(lost, 1)[0], "fail %v", names(c, set))
		}
		var each []int32
		for v := range int32(c.NodeCount()) {
			each = append(each, v)
		}
		for len(each) < 70 { // more than one batch
			each = append(each, each...)
		}
		ls, err := LoseEach(ctx, c, each)
		require.NoError(t, err)
		for k := range ls.bad {
			lists := laneLists(lostLanes(c, ls.bad[k]), 64)
			for lane, got := range lists {
				i := k*64 + lane
				if i >= len(each) {
					require.Empty(t, got, "lane %d of batch %d holds no loss", lane, k)
					continue
				}
				o, err := Simulate(ctx, c, Fail(c.VertexName(each[i])))
				require.NoError(t, err)
				want := o.lostNodes()
				slices.Sort(want)
				require.Equal(t, want, got, "loss of %s", c.VertexName(each[i]))
			}
		}
	})
}

// simulatedRate is the redundancy rate as it was computed before the
// batch engine's states: a Simulate per site (or region), its states read
// from the outcome, its exposed services from Outcome.exposed. The
// reference of TestRateFromStates.
func simulatedRate(t *testing.T, c *graph.Compiled, by graph.Kind) *Redundancy {
	t.Helper()
	services := Measured(c)
	slices.SortStableFunc(services, func(a, b int32) int { return cmp.Compare(c.Users(b), c.Users(a)) })
	// Sites is never nil, as the rate named for a caller.
	r := &Redundancy{Services: len(services), By: by, Sites: []SiteLoss{}}
	survivesAll, exposedAny := map[int32]bool{}, map[int32]bool{}
	for _, s := range services {
		r.Users += c.Users(s)
		survivesAll[s] = true
	}
	for v := range int32(c.NodeCount()) {
		if c.Kind(v) != by {
			continue
		}
		o, err := Simulate(context.Background(), c, Fail(c.VertexName(v)))
		require.NoError(t, err)
		exposed := o.exposed()
		l := SiteLoss{Site: c.VertexName(v)}
		for _, s := range services {
			users, id := c.Users(s), c.VertexName(s)
			switch o.VertexState(s) {
			case Down:
				l.Down = append(l.Down, id)
				l.UsersDown += users
				survivesAll[s] = false
			case Degraded:
				l.Degraded = append(l.Degraded, id)
				l.UsersDegraded += users
				survivesAll[s] = false
			default:
				l.Survive++
				if exposed[s] {
					l.Exposed = append(l.Exposed, id)
					l.UsersExposed += users
					exposedAny[s] = true
				}
			}
		}
		r.Sites = append(r.Sites, l)
	}
	for _, s := range services {
		if survivesAll[s] {
			r.Survive++
			r.SurviveUsers += c.Users(s)
			if exposedAny[s] {
				r.Exposed++
				r.ExposedUsers += c.Users(s)
			}
		}
	}
	r.Rate, r.UsersRate = 1, 1
	if r.Services > 0 {
		r.Rate = float64(r.Survive) / float64(r.Services)
	}
	if r.Users > 0 {
		r.UsersRate = float64(r.SurviveUsers) / float64(r.Users)
	}
	slices.SortStableFunc(r.Sites, func(a, b SiteLoss) int {
		return cmp.Or(
			cmp.Compare(b.UsersDown, a.UsersDown),
			cmp.Compare(len(b.Down), len(a.Down)),
			cmp.Compare(b.UsersDegraded, a.UsersDegraded),
			cmp.Compare(a.Site, b.Site),
		)
	})
	return r
}

// The redundancy rate from the batch engine's states is the rate of a
// Simulate per site, field by field and list by list, by site and by
// region, through every entry point (each on a graph of its own, since
// the rate is kept per graph): RedundancyRate, RedundancyRateBy,
// RedundancyRateVertices, RedundancyRateFrom with some outcomes given,
// RedundancyRateLosses with the sites among other losses in a random
// order, and the states of LoseEach's fallback for graphs too large for
// the batch engine (one Simulate per loss).
func TestRateFromStates(t *testing.T) {
	ctx := context.Background()
	exposed, lists := 0, 0
	randomModels(t, underRace(2000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		compile := func() *graph.Compiled {
			c, err := graph.Compile(m)
			require.NoError(t, err)
			return c
		}
		c := compile()
		bySite, byRegion := simulatedRate(t, c, graph.Site), simulatedRate(t, c, graph.Region)
		exposed += bySite.Exposed + byRegion.Exposed
		for _, l := range bySite.Sites {
			lists += len(l.Exposed)
		}

		got, err := RedundancyRate(ctx, compile())
		require.NoError(t, err)
		require.Equal(t, bySite, got, "RedundancyRate")
		got, err = RedundancyRateBy(ctx, compile(), graph.Region)
		require.NoError(t, err)
		require.Equal(t, byRegion, got, "RedundancyRateBy(Region)")

		cv := compile()
		counts, vs, err := RedundancyRateVertices(ctx, cv, nil)
		require.NoError(t, err)
		require.Len(t, vs, len(bySite.Sites))
		for i, l := range bySite.Sites {
			require.Equal(t, l.Down, nilNames(cv, vs[i].Down), "site %s", l.Site)
			require.Equal(t, l.Degraded, nilNames(cv, vs[i].Degraded), "site %s", l.Site)
			require.Equal(t, l.Exposed, nilNames(cv, vs[i].Exposed), "site %s", l.Site)
			l.Down, l.Degraded, l.Exposed = nil, nil, nil
			require.Equal(t, l, counts.Sites[i])
		}

		cf := compile()
		got, err = RedundancyRateFrom(ctx, cf, func(v int32) *Outcome {
			if r.IntN(2) == 0 {
				return nil
			}
			o, err := Simulate(ctx, cf, Fail(cf.VertexName(v)))
			require.NoError(t, err)
			return o
		})
		require.NoError(t, err)
		require.Equal(t, bySite, got, "RedundancyRateFrom")

		cl := compile()
		var held []int32
		for v := range int32(cl.NodeCount()) {
			if cl.Kind(v) == graph.Site && r.IntN(4) > 0 {
				held = append(held, v) // some sites not held: lost by the rate
			}
			if r.IntN(3) == 0 {
				held = append(held, v)
			}
		}
		r.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
		ls, err := LoseEach(ctx, cl, held)
		require.NoError(t, err)
		got, vs, err = RedundancyRateLosses(ctx, cl, ls)
		require.NoError(t, err)
		require.Equal(t, bySite, got, "RedundancyRateLosses")
		require.Len(t, vs, len(bySite.Sites))

		cs := compile()
		var sites []int32
		for v := range int32(cs.NodeCount()) {
			if cs.Kind(v) == graph.Site {
				sites = append(sites, v)
			}
		}
		slow := newLosses(cs, sites)
		require.NoError(t, slow.simulate(ctx))
		kept, err := redundancyRate(ctx, cs, graph.Site, nil, slow)
		require.NoError(t, err)
		require.Equal(t, bySite, kept.named(cs), "from the fallback's states")
	})
	require.Positive(t, exposed, "some services are exposed")
	require.Positive(t, lists, "some site loss lists exposed services")
}

// The losses of another graph are refused.
func TestRateLossesOfAnotherGraph(t *testing.T) {
	m := &graph.Model{Nodes: []graph.Node{{ID: "a", Kind: graph.Site}, {ID: "x", Kind: graph.Service, Site: "a"}}}
	a, err := graph.Compile(m)
	require.NoError(t, err)
	b, err := graph.Compile(m)
	require.NoError(t, err)
	ls, err := LoseEach(context.Background(), a, []int32{0})
	require.NoError(t, err)
	_, _, err = RedundancyRateLosses(context.Background(), b, ls)
	require.EqualError(t, err, "redundancy rate: the losses are of another graph")
}

// nilNames is names, nil for nil (as the rate's lists are).
func nilNames(c *graph.Compiled, vs []int32) []string {
	if vs == nil {
		return nil
	}
	return names(c, vs)
}

// byUsers is the stable sort by users it replaces, packed in a word and
// not (vertex bits that leave no room for the users).
func TestByUsersIsStableSortByUsers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		n := 1 + r.IntN(300)
		users := make([]int64, n)
		for i := range users {
			switch r.IntN(3) {
			case 0:
				users[i] = r.Int64N(4) // many ties
			case 1:
				users[i] = r.Int64N(graph.MaxUsers + 1)
			}
		}
		var vs []int32
		for v := range int32(n) {
			if r.IntN(4) > 0 {
				vs = append(vs, v)
			}
		}
		want := slices.Clone(vs)
		slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(users[b], users[a]) })
		of := func(v int32) int64 { return users[v] }
		require.Equal(t, want, sortByUsers(slices.Clone(vs), of, 9), "packed")
		require.Equal(t, want, sortByUsers(slices.Clone(vs), of, 63), "pairs")
	}
}

// exposed marks the vertices that are Up (redundancy lost or not) in the
// outcome but would not survive one more loss among the redundancy they
// have left (exposedFrom), from the nodes the outcome recorded as having
// lost redundancy: the reference's reading of an Outcome.
func (o *Outcome) exposed() []bool {
	out := make([]bool, o.c.Len())
	exposedFrom(o.c, func(v int32) bool { return o.stateOf(v) == Up }, o.lostNodes(), out)
	return out
}
