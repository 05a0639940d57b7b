package analyze

import (
	"context"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// RankPairs on the 100,000-node catalog with redundancy everywhere (8
// sites in 2 regions, a third of the services replicated), against the
// baseline: one Simulate per candidate and per pair, which gives the same
// figures: the places (10 candidates, 45 pairs).
func BenchmarkRankPairs100k(b *testing.B) {
	c, err := graph.Compile(synth.Services(auditCatalogs[1].p))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		kinds []graph.Kind
	}{
		{"places", nil},
	} {
		b.Run(tt.name+"/batch", func(b *testing.B) {
			var r *PairRanking
			for b.Loop() {
				if r, err = RankPairs(ctx, c, PairOptions{Kinds: tt.kinds}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.Tried), "pairs")
		})
		b.Run(tt.name+"/simulate", func(b *testing.B) {
			kinds := tt.kinds
			if kinds == nil {
				kinds = DefaultPairKinds
			}
			cands, _ := candidates(c, kinds, nil)
			for b.Loop() {
				for i, a := range cands {
					if _, err := Simulate(ctx, c, Fail(c.VertexName(a))); err != nil {
						b.Fatal(err)
					}
					for _, v := range cands[i+1:] {
						if _, err := Simulate(ctx, c, Fail(c.VertexName(a), c.VertexName(v))); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		})
	}
}
