package analyze

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// orderBySCCs is order through the package's general Tarjan (sccs), the
// form order specialises.
func orderBySCCs(c *graph.Compiled) (rank []int32, comps int) {
	n := c.Len()
	comp := make([]int32, n)
	emitted := int32(0)
	var s sccs
	_ = s.run(n, func(v, i int32) (int32, bool) {
		deps, _ := c.Dependents(v)
		if int(i) < len(deps) {
			return deps[i], true
		}
		soft := c.SoftDependents(v)
		if j := int(i) - len(deps); j < len(soft) {
			return soft[j], true
		}
		return 0, false
	}, func(members []int32) error {
		for _, w := range members {
			comp[w] = emitted
		}
		emitted++
		return nil
	})
	for v := range comp {
		comp[v] = emitted - 1 - comp[v]
	}
	return comp, int(emitted)
}

// order gives the numbers the general Tarjan gives, on random models
// (cycles, groups, soft edges) and on catalogs with cycles.
func TestOrderMatchesSCCs(t *testing.T) {
	check := func(t *testing.T, c *graph.Compiled) {
		wantRank, wantComps := orderBySCCs(c)
		rank, comps := order(c)
		require.Equal(t, wantComps, comps)
		require.Equal(t, wantRank, rank)
	}
	randomCases(t, underRace(2000), func(t *testing.T, c *graph.Compiled, _ *rand.Rand) { check(t, c) })
	for seed := range int64(3) {
		check(t, compileT(t, synth.Services(synth.Params{Nodes: 20_000, AvgDeps: 6, Sites: 3, Hubs: 8,
			CycleFrac: 0.2, GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.3, Seed: seed + 1})))
	}
	check(t, compileT(t, synth.Services(synth.Default(20_000, 1))))
}

// BenchmarkOrder times the layout's topological numbering against the
// general Tarjan it specialises, on the catalog of BenchmarkRankScale:
//
//	go test ./analyze -run '^$' -bench 'BenchmarkOrder' -rank.nodes 1000000 -count 5
func BenchmarkOrder(b *testing.B) {
	c, err := graph.Compile(synth.Services(synth.Default(*rankScaleNodes, 1)))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("order", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			order(c)
		}
	})
	b.Run("sccs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			orderBySCCs(c)
		}
	})
}
