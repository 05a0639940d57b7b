package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Recover with the region's components taken from the graph's equals
// Recover with Tarjan's algorithm over the region (legacyOrder), to
// the byte: every recovery, its times and its explanation, and the
// totals, on random models with cycles, restarts on cycles, failover and
// repair requirements, and random losses. A failure prints the seed
// (replay it with -seed).
func TestRecoverOrderMatchesLegacy(t *testing.T) {
	randomModels(t, waitCases(3000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withRestarts(t, m, r, false)
		c := withWaits(t, m, r)
		for range 4 {
			sc := randomScenario(c, r)
			opts := RecoverOptions{Horizon: farHorizon}
			want, err := recoverWith(context.Background(), c, sc, opts, legacyOrder)
			require.NoError(t, err)
			got, err := recoverWith(context.Background(), c, sc, opts, nil)
			require.NoError(t, err)
			require.Equal(t, want.Totals, got.Totals, "%v", sc)
			require.Equal(t, want.Recoveries, got.Recoveries, "%v", sc)
		}
	})
}

// RecoverOptions.NoReasons changes nothing but the reasons: the same
// times, user-hours and totals as a Recover that explains, on the random
// models of the test above.
func TestRecoverNoReasons(t *testing.T) {
	randomModels(t, waitCases(1000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withRestarts(t, m, r, false)
		c := withWaits(t, m, r)
		for range 4 {
			sc := randomScenario(c, r)
			want, err := Recover(context.Background(), c, sc, RecoverOptions{Horizon: farHorizon})
			require.NoError(t, err)
			got, err := Recover(context.Background(), c, sc, RecoverOptions{Horizon: farHorizon, NoReasons: true})
			require.NoError(t, err)
			require.Equal(t, want.Totals, got.Totals, "%v", sc)
			for i := range want.Recoveries {
				require.Equal(t, RecoveryReason{}, got.Recoveries[i].Why, "%v", sc)
				want.Recoveries[i].Why = RecoveryReason{}
			}
			require.Equal(t, want.Recoveries, got.Recoveries, "%v", sc)
		}
	})
}

// The same on synthetic catalogs (their cycles are back-edges between
// services, a few vertices each), losing every site and random sets; a
// site's loss in the 8,000-node catalogs is a region large enough for the
// radix sort and the bitmap (over 4,096 vertices).
func TestRecoverOrderMatchesLegacyCatalog(t *testing.T) {
	largest := 0
	for _, seed := range []int64{1, 2, 3} {
		p := synth.Default(3000+2500*int(seed-1), seed)
		p.CycleFrac = 0.2
		c, err := graph.Compile(synth.Services(p))
		require.NoError(t, err)
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		var scs []Scenario
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Kind(v) == graph.Site {
				scs = append(scs, Scenario{Failures: []Failure{{ID: c.VertexName(v), For: repairTimes[r.IntN(len(repairTimes))]}}})
			}
		}
		for range 20 {
			scs = append(scs, randomScenario(c, r))
		}
		for _, sc := range scs {
			opts := RecoverOptions{Horizon: farHorizon}
			want, err := recoverWith(context.Background(), c, sc, opts, legacyOrder)
			require.NoError(t, err)
			got, err := recoverWith(context.Background(), c, sc, opts, nil)
			require.NoError(t, err)
			require.Equal(t, want.Totals, got.Totals, "seed %d, %v", seed, sc)
			require.Equal(t, want.Recoveries, got.Recoveries, "seed %d, %v", seed, sc)
			largest = max(largest, len(got.Recoveries))
		}
	}
	require.Greater(t, largest, 1<<12, "a region for the radix sort")
}

// regionComponents, on any set of vertices (not only a lost region), gives
// the components Tarjan's algorithm finds over that set, each one after
// the components its members' inputs in the set belong to. The random
// sets cut the graph's cycles, so the region's part of a cycle of the
// graph is often several components or none; the test requires that it
// met such splits.
func TestRegionComponents(t *testing.T) {
	split := 0
	randomModels(t, waitCases(3000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c, err := graph.Compile(m)
		require.NoError(t, err)
		for range 4 {
			var region []int32
			for v := range int32(c.Len()) {
				if r.IntN(4) != 0 {
					region = append(region, v)
				}
			}
			r.Shuffle(len(region), func(i, j int) { region[i], region[j] = region[j], region[i] })
			for _, soft := range []bool{false, true} {
				legacy := componentsOf(t, c, region, soft, true)
				got := componentsOf(t, c, region, soft, false)
				require.ElementsMatch(t, legacy, got, "soft %v", soft)
				// Inputs first: every input in the region is in this
				// component or an earlier one.
				at := make(map[int32]int)
				for i, comp := range got {
					for _, v := range comp {
						at[v] = i
					}
				}
				for i, comp := range got {
					for _, v := range comp {
						ins, _ := c.Inputs(v)
						if soft {
							ins = append(slices.Clone(ins), c.SoftInputs(v)...)
						}
						for _, u := range ins {
							if j, ok := at[u]; ok {
								require.LessOrEqual(t, j, i, "%s's input %s comes after it", c.VertexName(v), c.VertexName(u))
							}
						}
					}
				}
				split += splits(c, region, got, soft)
			}
		}
	})
	if *seed == 0 {
		require.Greater(t, split, waitCases(3000)/30, "cycles of the graph split by the region")
	}
}

// componentsOf runs the timer's component routine on region and returns
// the components as sorted vertex lists, in the order emitted.
func componentsOf(t *testing.T, c *graph.Compiled, region []int32, soft, legacy bool) [][]int32 {
	t.Helper()
	tr := &timer{c: c, loc: make([]int32, c.Len())}
	tr.region = region
	for i, v := range region {
		tr.loc[v] = int32(i) + 1
	}
	tr.inGroup = fill(tr.inGroup, len(region), -1)
	var comps [][]int32
	emit := func(ms []int32) error {
		var comp []int32
		for _, m := range ms {
			comp = append(comp, region[m])
		}
		slices.Sort(comp)
		comps = append(comps, comp)
		return nil
	}
	var err error
	if legacy {
		err = legacyComponents(tr, soft, emit)
	} else {
		err = tr.regionComponents(soft, emit)
	}
	require.NoError(t, err)
	n := 0
	for _, comp := range comps {
		n += len(comp)
	}
	require.Equal(t, len(region), n, "every vertex in one component")
	return comps
}

// splits counts the graph's cycles whose part in region is not one
// component of the region.
func splits(c *graph.Compiled, region []int32, comps [][]int32, soft bool) int {
	o := &recOrderOf(c).runs[0]
	if soft {
		o = &recOrderOf(c).runs[1]
	}
	parts := map[int32]int{} // graph component → region components in it
	for _, comp := range comps {
		if o.onCycle(comp[0]) {
			parts[o.comp[comp[0]]]++
		}
	}
	n := 0
	for _, k := range parts {
		if k > 1 {
			n++
		}
	}
	return n
}

// sortKeys orders by component, stably, for every size and number of
// components: one radix pass, two, three, none (a single component), and
// the plain sort of a small region.
func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var tr timer
	for _, n := range []int{0, 1, 100, 5000, 70_000} {
		for _, comps := range []int{1, 2, 1000, 1 << 11, 1<<11 + 1, 1 << 16, 1<<16 + 1, 3 << 20, 1<<22 + 1, 1 << 30} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = uint64(r.IntN(comps))<<32 | uint64(i)
			}
			want := slices.Clone(keys)
			slices.SortStableFunc(want, func(a, b uint64) int { return int(a>>32) - int(b>>32) })
			tr.keys = keys
			require.Equal(t, want, tr.sortKeys(keys, comps), "%d keys, %d components", n, comps)
		}
	}
}

// Recover's first calls on a graph, from several goroutines at once, share
// one computation of the graph's components and give the legacy path's
// timelines (run with -race).
func TestRecoverOrderConcurrentFirstUse(t *testing.T) {
	p := synth.Default(3000, 4)
	p.CycleFrac = 0.2
	c, err := graph.Compile(synth.Services(p))
	require.NoError(t, err)
	var scs []Scenario
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if k := c.Kind(v); k == graph.Site || k == graph.Region {
			scs = append(scs, Scenario{Failures: []Failure{{ID: c.VertexName(v), For: 11 * time.Hour}}})
		}
	}
	opts := RecoverOptions{Horizon: farHorizon}
	want := make([]*Timeline, len(scs))
	for i, sc := range scs {
		// The legacy path does not compute the graph's components.
		want[i], err = recoverWith(context.Background(), c, sc, opts, legacyOrder)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	got := make([]*Timeline, 4*len(scs))
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = Recover(context.Background(), c, scs[i%len(scs)], opts) })
	}
	wg.Wait()
	for i, tl := range got {
		require.NoError(t, errs[i])
		require.Equal(t, want[i%len(scs)].Recoveries, tl.Recoveries)
	}
}
