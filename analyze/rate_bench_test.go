package analyze

import (
	"context"
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// BenchmarkRedundancyRate100k computes the redundancy rate of a
// 100,000-node catalog (the CLI's synthetic catalog, 2 sites, and the same
// with 16 sites, as the 1,000,000-node catalog has), past the per-graph
// cache: from the batch engine's states (one LoseEach for every site),
// and, the baseline, from a Simulate per site, the way it was computed
// before. Run with
//
//	go test ./analyze -run '^$' -bench 'RedundancyRate100k' -benchmem -count 5
func BenchmarkRedundancyRate100k(b *testing.B) {
	ctx := context.Background()
	sixteen := synth.Default(100_000, 1)
	sixteen.Sites = 16
	c16, err := graph.Compile(synth.Services(sixteen))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []*graph.Compiled{servicesGraph(b, 100_000), c16} {
		sites := 0
		for v := range int32(c.NodeCount()) {
			if c.Kind(v) == graph.Site {
				sites++
			}
		}
		simulate := func(v int32) *Outcome {
			o, err := Simulate(ctx, c, Fail(c.VertexName(v)))
			if err != nil {
				b.Fatal(err)
			}
			return o
		}
		for _, bc := range []struct {
			name string
			lost func(v int32) *Outcome
		}{{"states", nil}, {"simulated", simulate}} {
			b.Run(fmt.Sprintf("sites=%d/%s", sites, bc.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := redundancyRate(ctx, c, graph.Site, bc.lost, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
