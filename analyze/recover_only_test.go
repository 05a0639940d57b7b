package analyze

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// onlyOf is the full timeline's recoveries that keep says to keep, in
// its order: what Recover with RecoverOptions.Only returns.
func onlyOf(rs []Recovery, keep func(v int32) bool) []Recovery {
	var out []Recovery
	for _, r := range rs {
		if keep(r.Vertex) {
			out = append(out, r)
		}
	}
	return out
}

// checkOnly requires that Recover with Only(keep) gives the full
// timeline's totals, to the bit, and exactly its recoveries that keep
// selects, in its order, with and without reasons; that Only is asked
// about each listed node and replica once, and about nothing else.
func checkOnly(t *testing.T, c *graph.Compiled, sc Scenario, opts RecoverOptions, keep func(v int32) bool) {
	t.Helper()
	full, err := Recover(context.Background(), c, sc, opts)
	require.NoError(t, err)
	for _, noReasons := range []bool{false, true} {
		asked := map[int32]int{}
		o := opts
		o.NoReasons = noReasons
		o.Only = func(v int32) bool { asked[v]++; return keep(v) }
		got, err := Recover(context.Background(), c, sc, o)
		require.NoError(t, err)
		require.Equal(t, full.Totals, got.Totals, "%v", sc)
		want := onlyOf(full.Recoveries, keep)
		if noReasons {
			for i := range want {
				want[i].Why = RecoveryReason{}
			}
		}
		require.Equal(t, want, got.Recoveries, "%v", sc)
		require.Len(t, asked, len(full.Recoveries), "%v", sc)
		for _, r := range full.Recoveries {
			require.Equal(t, 1, asked[r.Vertex], "%s asked once", r.ID)
		}
		for _, r := range got.Recoveries {
			g, ok := got.Recovery(r.ID)
			require.True(t, ok)
			require.Equal(t, r, g)
		}
	}
}

// RecoverOptions.Only builds only the rows it selects, and every total
// and kept row equals a full Recover's: random models with cycles,
// restarts, failover and repair requirements, random losses, each with a
// random selection (sometimes none, sometimes all). A failure prints the
// seed (replay it with -seed).
func TestRecoverOnly(t *testing.T) {
	randomModels(t, waitCases(1500), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withRestarts(t, m, r, false)
		c := withWaits(t, m, r)
		for range 4 {
			sc := randomScenario(c, r)
			keep := make([]bool, c.Len())
			switch p := r.IntN(6); p {
			case 0: // none: totals only
			case 1:
				for v := range keep {
					keep[v] = true
				}
			default:
				for v := range keep {
					keep[v] = r.IntN(p) == 0
				}
			}
			horizon := farHorizon
			if r.IntN(4) == 0 {
				horizon = repairTimes[1+r.IntN(len(repairTimes)-1)] // clips some times
			}
			checkOnly(t, c, sc, RecoverOptions{Horizon: horizon}, func(v int32) bool { return keep[v] })
		}
	})
}

// The same on catalogs large enough for the timer's radix sort and
// bitmap, keeping what diff keeps: the tier-0 nodes, not infrastructure.
func TestRecoverOnlyCatalog(t *testing.T) {
	p := synth.Default(8000, 3)
	p.CycleFrac = 0.2
	c, err := graph.Compile(synth.Services(p))
	require.NoError(t, err)
	tier0 := func(v int32) bool {
		return c.VertexKind(v) == graph.NodeVertex && c.Tier(v) == 0 && !c.Kind(v).Infrastructure()
	}
	largest := 0
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) != graph.Site {
			continue
		}
		sc := Scenario{Failures: []Failure{{ID: c.VertexName(v), For: repairTimes[int(v)%len(repairTimes)]}}}
		checkOnly(t, c, sc, RecoverOptions{}, tier0)
		tl, err := Recover(context.Background(), c, sc, RecoverOptions{})
		require.NoError(t, err)
		largest = max(largest, len(tl.Recoveries))
	}
	require.Greater(t, largest, 1<<12, "a region for the radix sort")
}
