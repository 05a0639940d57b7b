package analyze

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/stretchr/testify/require"
)

func availModel(t *testing.T, m *graph.Model) *graph.Compiled {
	t.Helper()
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func TestAvailabilityByHand(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Datastore, Availability: 0.9},
		graph.Node{ID: "b", Kind: graph.Datastore, Availability: 0.8},
		graph.Node{ID: "c", Kind: graph.Datastore, Availability: 0.7},
		graph.Node{ID: "svc", Kind: graph.Service, Requires: []graph.Dep{graph.On("a"), graph.AnyOf("b", "c")}},
	)
	c := availModel(t, m)
	u, err := Availability(context.Background(), c, "svc", AvailabilityOptions{})
	require.NoError(t, err)
	require.True(t, u.Exact)
	want := 1 - 0.9*(1-0.2*0.3)
	require.InDelta(t, want, u.Probability, 1e-15)
	require.Equal(t, 3, u.Basic)
	byID := map[string]Importance{}
	for _, imp := range u.Importance {
		byID[imp.ID] = imp
	}
	// a: P(·|a) = 1, P(·|¬a) = 0.06.
	require.InDelta(t, 1-0.06, byID["a"].Birnbaum, 1e-15)
	require.InDelta(t, 1/want, byID["a"].RAW, 1e-12)
	require.InDelta(t, want/0.06, byID["a"].RRW, 1e-12)
	// b: P(·|b) = 1 - 0.9*0.7, P(·|¬b) = 0.1.
	require.InDelta(t, 1-0.9*0.7-0.1, byID["b"].Birnbaum, 1e-15)
	require.InDelta(t, 0.2*(1-0.9*0.7)/want, byID["b"].FussellVesely, 1e-12)
}

func TestAvailabilityNoData(t *testing.T) {
	c := availModel(t, (&graph.Model{}).Add(graph.Node{ID: "a", Kind: graph.Service}))
	_, err := Availability(context.Background(), c, "a", AvailabilityOptions{})
	require.ErrorIs(t, err, ErrNoFailureData)
	_, err = Availability(context.Background(), c, "nope", AvailabilityOptions{})
	require.Error(t, err)
}

// withFailureData gives up to max random nodes of m an availability.
func withFailureData(m *graph.Model, r *rand.Rand, most int) {
	perm := r.Perm(len(m.Nodes))
	for i := 0; i < len(perm) && i < most; i++ {
		// Coarse probabilities, so that every combination weighs.
		m.Nodes[perm[i]].Availability = 0.3 + 0.65*r.Float64()
	}
}

// enumerate is the reference: the probability that target is Down, summed
// over every combination of failures of the nodes with failure data, each
// simulated with Simulate; and, per such node, the probability with it
// certainly down and certainly up.
func enumerate(t *testing.T, c *graph.Compiled, target string) (p float64, given map[string][2]float64) {
	t.Helper()
	var basics []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Unavailability(v) > 0 {
			basics = append(basics, v)
		}
	}
	n := len(basics)
	down := make([]bool, 1<<n)
	for a := range down {
		var ids []string
		for i, v := range basics {
			if a>>i&1 == 1 {
				ids = append(ids, c.VertexName(v))
			}
		}
		o, err := Simulate(context.Background(), c, Fail(ids...))
		require.NoError(t, err)
		down[a] = o.State(target) == Down
	}
	prob := func(fixed, val int) float64 {
		sum := 0.0
		for a, d := range down {
			if !d || fixed >= 0 && a>>fixed&1 != val {
				continue
			}
			w := 1.0
			for i, v := range basics {
				if i == fixed {
					continue
				}
				q := c.Unavailability(v)
				if a>>i&1 == 1 {
					w *= q
				} else {
					w *= 1 - q
				}
			}
			sum += w
		}
		return sum
	}
	given = map[string][2]float64{}
	for i, v := range basics {
		given[c.VertexName(v)] = [2]float64{prob(i, 1), prob(i, 0)}
	}
	return prob(-1, 0), given
}

// The exact probability and every importance equal enumeration of all
// failure combinations, each simulated, on random models with cycles,
// groups, capacity and standbys.
func TestAvailabilityMatchesEnumeration(t *testing.T) {
	n := underRace(600)
	if testing.Short() {
		n = 100
	}
	randomModels(t, n, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withFailureData(m, r, 9)
		c := availModel(t, m)
		for range 3 {
			target := c.VertexName(int32(r.IntN(c.NodeCount())))
			u, err := Availability(context.Background(), c, target, AvailabilityOptions{})
			require.NoError(t, err)
			require.True(t, u.Exact)
			want, given := enumerate(t, c, target)
			require.InDelta(t, want, u.Probability, 1e-12, "target %s", target)
			for _, imp := range u.Importance {
				g := given[imp.ID]
				require.InDelta(t, g[0]-g[1], imp.Birnbaum, 1e-12, "Birnbaum of %s for %s", imp.ID, target)
				if want > 1e-9 {
					require.InDelta(t, g[0]/want, imp.RAW, 1e-9, "RAW of %s for %s", imp.ID, target)
					if g[1] > 1e-9 {
						require.InDelta(t, want/g[1], imp.RRW, 1e-6*want/g[1], "RRW of %s for %s", imp.ID, target)
					}
				}
			}
			// Nodes with data outside the cone do not matter to target.
			seen := map[string]bool{}
			for _, imp := range u.Importance {
				seen[imp.ID] = true
			}
			for id, g := range given {
				if !seen[id] {
					require.InDelta(t, g[0], g[1], 1e-12, "%s left out of %s's importance but matters", id, target)
				}
			}
		}
	})
}

func TestAvailabilityModules(t *testing.T) {
	// Two independent redundant pairs under one And: each pair a module.
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a1", Kind: graph.Datastore, Availability: 0.9},
		graph.Node{ID: "a2", Kind: graph.Datastore, Availability: 0.9},
		graph.Node{ID: "b1", Kind: graph.Datastore, Availability: 0.8},
		graph.Node{ID: "b2", Kind: graph.Datastore, Availability: 0.8},
		graph.Node{ID: "a", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("a1", "a2")}},
		graph.Node{ID: "b", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("b1", "b2")}},
		graph.Node{ID: "top", Kind: graph.Service, Requires: graph.All("a", "b")},
	)
	c := availModel(t, m)
	u, err := Availability(context.Background(), c, "top", AvailabilityOptions{})
	require.NoError(t, err)
	require.Equal(t, 2, u.Modules)
	require.InDelta(t, 1-(1-0.01)*(1-0.04), u.Probability, 1e-15)
}

func TestAvailabilityBudget(t *testing.T) {
	bounded := 0
	defer func() {
		if !t.Failed() && bounded < 20 {
			t.Errorf("only %d of the cases ran out of nodes: the bounds are hardly tested", bounded)
		}
	}()
	randomModels(t, 200, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withFailureData(m, r, 9)
		c := availModel(t, m)
		target := c.VertexName(int32(r.IntN(c.NodeCount())))
		exact, err := Availability(context.Background(), c, target, AvailabilityOptions{})
		require.NoError(t, err)
		order := 1 + r.IntN(3)
		b, err := Availability(context.Background(), c, target, AvailabilityOptions{MaxBDDNodes: 3, BoundOrder: order})
		require.NoError(t, err)
		if b.Exact {
			require.InDelta(t, exact.Probability, b.Probability, 1e-15)
			return
		}
		bounded++
		require.Equal(t, order, b.BoundOrder)
		require.Nil(t, b.Importance)
		require.LessOrEqual(t, b.Lower, exact.Probability+1e-12, "lower bound above the truth")
		require.GreaterOrEqual(t, b.Upper, exact.Probability-1e-12, "upper bound below the truth")
		require.False(t, math.IsNaN(b.Upper))
	})
}
