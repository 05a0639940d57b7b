package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Benchmarks of the drawings of one outcome on a synthetic 100,000-node
// service graph that loses a site, against a baseline that writes one
// fmt.Fprintf line per drawn vertex and edge: the least any DOT writer
// does. Run with
//
//	go test ./export -run '^$' -bench 'Draw100k' -benchmem -count 6

var big100k struct {
	once sync.Once
	o    *analyze.Outcome
	err  error
}

func bigOutcome(b *testing.B) *analyze.Outcome {
	b.Helper()
	big100k.once.Do(func() {
		c, err := graph.Compile(synth.Services(synth.Default(100_000, 1)))
		if err != nil {
			big100k.err = err
			return
		}
		big100k.o, big100k.err = analyze.Simulate(context.Background(), c, analyze.Fail("site-0"))
	})
	if big100k.err != nil {
		b.Fatal(big100k.err)
	}
	return big100k.o
}

// baseline writes the drawn vertices and edges of vw as bare DOT lines.
func baseline(w io.Writer, vw *view) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph {")
	for _, v := range vw.verts {
		fmt.Fprintf(bw, "n%d [label=%q];\n", v, vw.c.VertexName(v))
	}
	for _, e := range vw.edges {
		fmt.Fprintf(bw, "n%d -> n%d;\n", e.from, e.to)
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// countWriter counts bytes, so the size of the output can be reported.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// benchWriter benchmarks writer f as sub-benchmark name, with the
// megabytes it writes.
func benchWriter(b *testing.B, name string, f func(io.Writer) error) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		var cw countWriter
		for b.Loop() {
			cw.n = 0
			if err := f(&cw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cw.n)/1e6, "MB-out")
	})
}

func BenchmarkDraw100k(b *testing.B) {
	o := bigOutcome(b)
	c := o.Compiled()
	full, focus := newView(o, GraphOptions{}), newView(o, GraphOptions{Focus: true})
	b.Logf("%d vertices, %d edges; site-0 affects %d; drawn: %d vertices and %d edges (focus: %d and %d)",
		c.Len(), c.Edges(), o.Len(), len(full.verts), len(full.edges), len(focus.verts), len(focus.edges))
	run := func(name string, f func(io.Writer) error) { benchWriter(b, name, f) }
	run("DOT", func(w io.Writer) error { return DOT(w, o, GraphOptions{}) })
	run("DOT-focus", func(w io.Writer) error { return DOT(w, o, GraphOptions{Focus: true}) })
	run("Mermaid", func(w io.Writer) error { return Mermaid(w, o, GraphOptions{}) })
	run("baseline", func(w io.Writer) error { return baseline(w, newView(o, GraphOptions{})) })

	// One service near the end of the catalog fails: few things need it,
	// and --focus draws only those and their neighbours.
	small, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(int32(c.NodeCount()-1))))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s affects %d; focus draws %d vertices and %d edges",
		small.Scenario.IDs(), small.Len(), len(newView(small, GraphOptions{Focus: true}).verts), len(newView(small, GraphOptions{Focus: true}).edges))
	run("DOT-focus-small", func(w io.Writer) error { return DOT(w, small, GraphOptions{Focus: true}) })
}
