package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// LoseEach gives every vertex the state one Simulate per loss gives it,
// on random models, with more losses than one batch holds (each node
// several times, in a random order), through the batch engine and through
// the fallback's function for graphs too large for it (simulate, called
// directly: no graph here reaches the batch engine's limit).
func TestLoseEachMatchesSimulate(t *testing.T) {
	ctx := context.Background()
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		var lost []int32
		for range 1 + r.IntN(3) {
			for v := range int32(c.NodeCount()) {
				lost = append(lost, v)
			}
		}
		r.Shuffle(len(lost), func(i, j int) { lost[i], lost[j] = lost[j], lost[i] })
		ls, err := LoseEach(ctx, c, lost)
		require.NoError(t, err)
		slow := newLosses(c, lost)
		require.NoError(t, slow.simulate(ctx))
		require.Equal(t, len(lost), ls.Len())
		// Worst of a random range of losses is the worst of their states.
		lo := r.IntN(len(lost) + 1)
		hi := lo + r.IntN(len(lost)-lo+1)
		for v := range int32(c.Len()) {
			want, first := Up, -1
			for i := lo; i < hi; i++ {
				if st := slow.State(i, v); st > want {
					want, first = st, i
				}
			}
			st, i := ls.Worst(v, lo, hi)
			require.Equal(t, want, st, "worst of losses %d to %d: %s", lo, hi, c.VertexName(v))
			require.Equal(t, first, i, "first worst of losses %d to %d: %s", lo, hi, c.VertexName(v))
		}
		for i, f := range lost {
			require.Equal(t, f, ls.Lost(i))
			o, err := Simulate(ctx, c, Fail(c.VertexName(f)))
			require.NoError(t, err)
			for v := range int32(c.Len()) {
				want := o.VertexState(v)
				require.Equal(t, want, ls.State(i, v), "loss %d (%s): %s", i, c.VertexName(f), c.VertexName(v))
				require.Equal(t, want, slow.State(i, v), "simulated: loss %d (%s): %s", i, c.VertexName(f), c.VertexName(v))
			}
		}
	})
}

// Survival of the loss of every site counts what RedundancyRate counts.
func TestSurvivalMatchesRedundancyRate(t *testing.T) {
	ctx := context.Background()
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, _ *rand.Rand) {
		for _, by := range []graph.Kind{graph.Site, graph.Region} {
			var lost []int32
			for v := range int32(c.NodeCount()) {
				if c.Kind(v) == by {
					lost = append(lost, v)
				}
			}
			ls, err := LoseEach(ctx, c, lost)
			require.NoError(t, err)
			red, err := RedundancyRateBy(ctx, c, by)
			require.NoError(t, err)
			want := Survival{Services: red.Services, Survive: red.Survive, Users: red.Users,
				SurviveUsers: red.SurviveUsers, Rate: red.Rate, UsersRate: red.UsersRate}
			require.Equal(t, want, ls.Survival(), "by %v", by)
			// Other losses beside them change nothing.
			both, err := LoseEach(ctx, c, append(slices.Clone(lost), removable(c)[:c.NodeCount()]...))
			require.NoError(t, err)
			require.Equal(t, want, both.SurvivalOf(0, len(lost)), "by %v, with other losses", by)
		}
	})
}

// A vertex that is not a model node is refused.
func TestLoseEachRefusesNonNodes(t *testing.T) {
	c, err := graph.Compile(&graph.Model{Nodes: []graph.Node{{ID: "a", Kind: graph.Service}}})
	require.NoError(t, err)
	_, err = LoseEach(context.Background(), c, []int32{int32(c.NodeCount())})
	require.Error(t, err)
	ls, err := LoseEach(context.Background(), c, nil)
	require.NoError(t, err)
	require.Equal(t, Survival{Services: 1, Survive: 1, Rate: 1, UsersRate: 1}, ls.Survival(), "nothing lost: everything survives")
}
