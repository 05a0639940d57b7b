package analyze

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var redundantModels sync.Map // n → *graph.Compiled

// redundantCatalog is synth.Redundant(n, 1), compiled once per test binary.
func redundantCatalog(b *testing.B, n int) *graph.Compiled {
	b.Helper()
	if c, ok := redundantModels.Load(n); ok {
		return c.(*graph.Compiled)
	}
	c, err := graph.Compile(synth.Redundant(n, 1))
	if err != nil {
		b.Fatal(err)
	}
	redundantModels.Store(n, c)
	return c
}

// redundantTarget is the last service of tier t of a Redundant catalog:
// the top tier's has the largest ancestry.
func redundantTarget(c *graph.Compiled, tier int) int32 {
	last := int32(-1)
	prefix := "svc-" + strconv.Itoa(tier) + "-"
	for v, id := range c.IDs() {
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			last = int32(v)
		}
	}
	return last
}

// BenchmarkCutSets is the cut sets up to order 2 of one target of a
// catalog with redundancy everywhere (synth.Redundant), after loading.
// The baseline, one Simulate per pair of candidates in the target's
// ancestry, is quadratic in the candidates: it runs on the smaller cone of
// a tier-1 service (cone=tier1), beside CutSets on the same cone.
func BenchmarkCutSets(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		c := redundantCatalog(b, n)
		for _, tier := range []int{1, synth.RedundantTiers - 1} {
			t := redundantTarget(c, tier)
			name := "n=" + strconv.Itoa(n) + "/cone=tier" + strconv.Itoa(tier)
			b.Run(name+"/cutsets", func(b *testing.B) {
				b.ReportAllocs()
				var r []CutSetResult
				for b.Loop() {
					var err error
					if r, err = CutSetsVertices(ctx, c, []int32{t}, CutSetOptions{MaxOrder: 2}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(r[0].Candidates), "candidates")
				b.ReportMetric(float64(len(r[0].Sets)), "cutsets")
				b.ReportMetric(float64(r[0].Tried), "tried")
			})
			if tier == synth.RedundantTiers-1 {
				continue
			}
			b.Run(name+"/simulate-pairs", func(b *testing.B) {
				b.ReportAllocs()
				cands := hardAncestors(c, t)
				var found int
				for b.Loop() {
					found = baselinePairs(b, c, t, cands)
				}
				b.ReportMetric(float64(len(cands)), "candidates")
				b.ReportMetric(float64(found), "cutsets")
			})
		}
	}
}

// baselinePairs finds the cut sets of order ≤ 2 of t by one Simulate per
// candidate and one per pair of candidates that are not SPOFs.
func baselinePairs(b *testing.B, c *graph.Compiled, t int32, cands []int32) int {
	ctx := context.Background()
	target := c.VertexName(t)
	spof := make([]bool, len(cands))
	found := 0
	for i, v := range cands {
		o, err := Simulate(ctx, c, Fail(c.VertexName(v)))
		if err != nil {
			b.Fatal(err)
		}
		if o.State(target) == Down {
			spof[i] = true
			found++
		}
	}
	for i, u := range cands {
		if spof[i] {
			continue
		}
		for j := i + 1; j < len(cands); j++ {
			if spof[j] {
				continue
			}
			o, err := Simulate(ctx, c, Fail(c.VertexName(u), c.VertexName(cands[j])))
			if err != nil {
				b.Fatal(err)
			}
			if o.State(target) == Down {
				found++
			}
		}
	}
	return found
}

// BenchmarkCutSetsScram compares CutSets with SCRAM's ZBDD on the same
// tree (the top target of the 10,000-node catalog, converted by
// openpsa), orders ≤ 2, in the same run. SCRAM's figure includes writing
// the MEF file and starting the process (a few milliseconds).
func BenchmarkCutSetsScram(b *testing.B) {
	if !openpsa.Available() {
		b.Skip("scram is not installed")
	}
	ctx := context.Background()
	c := redundantCatalog(b, 10_000)
	t := redundantTarget(c, synth.RedundantTiers-1)
	b.Run("cutsets", func(b *testing.B) {
		for b.Loop() {
			if _, err := CutSetsVertices(ctx, c, []int32{t}, CutSetOptions{MaxOrder: 2}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// SCRAM's BDD did not finish in 15 minutes on this tree, so only its
	// ZBDD is measured.
	for _, alg := range []openpsa.Algorithm{openpsa.ZBDD} {
		b.Run("scram-"+string(alg), func(b *testing.B) {
			tr, err := openpsa.Convert(c, t, openpsa.Options{})
			if err != nil {
				b.Fatal(err)
			}
			var rep *openpsa.Report
			for b.Loop() {
				if rep, err = openpsa.Run(ctx, tr, openpsa.RunOptions{Algorithm: alg, LimitOrder: 2}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(rep.CutSets)), "cutsets")
		})
	}
}

// BenchmarkCutSetsSeveral is "several targets at once share work": the
// cut sets up to order 2 of the 64 last services of tier 4 of the
// 10,000-node redundant catalog, in one CutSetsVertices call ("together",
// one search of 64 targets: a set their ancestries share is run once)
// beside one call per target ("one-by-one"), in the same run.
func BenchmarkCutSetsSeveral(b *testing.B) {
	ctx := context.Background()
	c := redundantCatalog(b, 10_000)
	var targets []int32
	prefix := "svc-" + strconv.Itoa(synth.RedundantTiers-2) + "-"
	for v, id := range c.IDs() {
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			targets = append(targets, int32(v))
		}
	}
	targets = targets[max(0, len(targets)-64):]
	opts := CutSetOptions{MaxOrder: 2}
	b.Run("together", func(b *testing.B) {
		b.ReportAllocs()
		var rs []CutSetResult
		for b.Loop() {
			var err error
			if rs, err = CutSetsVertices(ctx, c, targets, opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(targets)), "targets")
		b.ReportMetric(float64(rs[0].Tried), "tried")
	})
	b.Run("one-by-one", func(b *testing.B) {
		b.ReportAllocs()
		tried := 0
		for b.Loop() {
			tried = 0
			for _, t := range targets {
				rs, err := CutSetsVertices(ctx, c, []int32{t}, opts)
				if err != nil {
					b.Fatal(err)
				}
				tried += rs[0].Tried
			}
		}
		b.ReportMetric(float64(len(targets)), "targets")
		b.ReportMetric(float64(tried), "tried")
	})
}
