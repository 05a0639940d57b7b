package graph_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
)

// BenchmarkReadCompiled measures what a cache hit costs against what it
// saves: reading the binary form of a synthetic catalog ("read") beside
// decoding, validating and compiling its YAML ("load", the baseline), and
// writing the binary form ("marshal", paid once on a miss).
func BenchmarkReadCompiled(b *testing.B) {
	for _, n := range []int{100_000} {
		src := catalog(b, n, graph.YAML)
		_, c, err := graph.DecodeCompiled(bytes.NewReader(src), "bench", graph.YAML, graph.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		data, err := c.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%d/load", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := graph.DecodeCompiled(bytes.NewReader(src), "bench", graph.YAML, graph.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/read", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := graph.ReadCompiled(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes/graph")
		})
		b.Run(fmt.Sprintf("%d/marshal", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.MarshalBinary(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
