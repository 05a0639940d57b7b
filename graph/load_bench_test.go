package graph_test

import (
	"bytes"
	"flag"
	"fmt"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// catalogs caches the synthetic catalog files of the loading benchmarks.
var catalogs sync.Map

func catalog(b *testing.B, n int, f graph.Format) []byte {
	key := fmt.Sprint(n, f)
	if src, ok := catalogs.Load(key); ok {
		return src.([]byte)
	}
	var buf bytes.Buffer
	if err := graph.Encode(&buf, synth.Services(synth.Default(n, 1)), f); err != nil {
		b.Fatal(err)
	}
	catalogs.Store(key, buf.Bytes())
	return buf.Bytes()
}

// BenchmarkLoad measures what the CLI does with a model file before any
// analysis: decode, validate and compile a synthetic catalog, with the
// fast readers ("fast") and with the reference readers alone ("reference",
// the decoder before them), in both formats.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100_000} {
		for _, f := range []graph.Format{graph.YAML, graph.JSON} {
			for _, fast := range []bool{true, false} {
				name := "fast"
				if !fast {
					name = "reference"
				}
				if fast {
					// The compact load of the CLI (DecodeGraph).
					b.Run(fmt.Sprintf("%s/%d/graph", f, n), func(b *testing.B) {
						src := catalog(b, n, f)
						b.SetBytes(int64(len(src)))
						b.ReportAllocs()
						for b.Loop() {
							if _, err := graph.DecodeGraph(bytes.NewReader(src), "bench", f, graph.Limits{}); err != nil {
								b.Fatal(err)
							}
						}
					})
					// The same, validating once (what the CLI can do).
					b.Run(fmt.Sprintf("%s/%d/fast-once", f, n), func(b *testing.B) {
						src := catalog(b, n, f)
						b.SetBytes(int64(len(src)))
						b.ReportAllocs()
						for b.Loop() {
							if _, _, err := graph.DecodeCompiled(bytes.NewReader(src), "bench", f, graph.Limits{}); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
				b.Run(fmt.Sprintf("%s/%d/%s", f, n, name), func(b *testing.B) {
					src := catalog(b, n, f)
					restore := graph.SetFastRead(fast)
					defer restore()
					b.SetBytes(int64(len(src)))
					b.ReportAllocs()
					for b.Loop() {
						m, err := graph.Decode(bytes.NewReader(src), "bench", f)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := graph.Compile(m); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

var (
	loadFile  = flag.String("load.file", "", "model file for BenchmarkLoadFile (e.g. written by internal/synth/cmd/gen)")
	loadModel = flag.Bool("load.model", false, "BenchmarkLoadFile with LoadCompiled (the Model too) instead of LoadGraph")
)

// BenchmarkLoadFile loads the file given with -load.file, with limits
// raised for large catalogs, and compiles it (LoadGraph, or LoadCompiled
// with -load.model): what "blastradius validate" does, in a process that does nothing else, so that /usr/bin/time -v of
// the test binary shows the peak memory of loading alone.
func BenchmarkLoadFile(b *testing.B) {
	if *loadFile == "" {
		b.Skip("no -load.file")
	}
	b.ReportAllocs()
	l := graph.Limits{FileSize: 8 << 30, Nodes: 50_000_000}
	for b.Loop() {
		var err error
		if *loadModel {
			_, _, err = graph.LoadCompiled(*loadFile, l)
		} else {
			_, err = graph.LoadGraph(*loadFile, l)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
