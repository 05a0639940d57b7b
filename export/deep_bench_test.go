package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Benchmarks of deep outcomes: a 1,000,000-long chain of requires and a
// 200,000-node cycle, each taken Down whole by one removal, through
// Simulate and every outcome format; and SPOFs of a 100,000-node cycle.
// Before chains were cut and SPOF chains made a tree, each of these was
// quadratic (a 20,000-long chain ran out of 4 GB). Run with
//
//	go test ./export -run '^$' -bench 'Deep' -benchmem -count 5

// deepModel is a deep graph: n services s0..s(n-1), each requiring the
// next; the last runs at site dc, or, when cycle is set, requires s0 and
// the first runs at dc too.
func deepModel(n int, cycle bool) *graph.Model {
	m := &graph.Model{Name: fmt.Sprintf("chain-%d", n)}
	if cycle {
		m.Name = fmt.Sprintf("cycle-%d", n)
	}
	m.Add(graph.Node{ID: "dc", Kind: graph.Site})
	for i := range n {
		nd := graph.Node{ID: "s" + strconv.Itoa(i), Kind: graph.Service, Users: 1, Requires: graph.All("s" + strconv.Itoa((i+1)%n))}
		if i == n-1 && !cycle {
			nd.Requires, nd.Site = nil, "dc"
		}
		if cycle && i == 0 {
			nd.Site = "dc"
		}
		m.Add(nd)
	}
	return m
}

// deepYAML is deepModel as YAML text, one line per node (a
// 1,000,000-long chain stays under the loader's 64 MiB), for
// whole-process measurements of the CLI on the same graphs:
//
//	DEEP_MODELS=/tmp go test ./export -run TestWriteDeepModels
func deepYAML(n int, cycle bool) []byte {
	var b bytes.Buffer
	m := deepModel(n, cycle)
	fmt.Fprintf(&b, "model: %s\nnodes:\n  dc: {kind: site}\n", m.Name)
	for _, nd := range m.Nodes[1:] {
		fmt.Fprintf(&b, "  %s: {kind: service, users: 1", nd.ID)
		if nd.Site != "" {
			fmt.Fprintf(&b, ", site: %s", nd.Site)
		}
		if len(nd.Requires) > 0 {
			fmt.Fprintf(&b, ", requires: [%s]", nd.Requires[0].Members[0].ID)
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

// TestWriteDeepModels writes the deep models as YAML files into the
// directory $DEEP_MODELS, when it is set.
func TestWriteDeepModels(t *testing.T) {
	dir := os.Getenv("DEEP_MODELS")
	if dir == "" {
		t.Skip("set DEEP_MODELS to a directory to write the deep models")
	}
	for _, g := range []struct {
		name  string
		n     int
		cycle bool
	}{{"chain-1m.yaml", 1_000_000, false}, {"cycle-200k.yaml", 200_000, true}, {"cycle-100k.yaml", 100_000, true}} {
		if err := os.WriteFile(filepath.Join(dir, g.name), deepYAML(g.n, g.cycle), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var deepGraphs sync.Map // fmt.Sprint(n, cycle) → *graph.Compiled

func deepGraph(tb testing.TB, n int, cycle bool) *graph.Compiled {
	tb.Helper()
	key := fmt.Sprint(n, cycle)
	if c, ok := deepGraphs.Load(key); ok {
		return c.(*graph.Compiled)
	}
	c, err := graph.Compile(deepModel(n, cycle))
	if err != nil {
		tb.Fatal(err)
	}
	deepGraphs.Store(key, c)
	return c
}

func BenchmarkDeep(b *testing.B) {
	for _, g := range []struct {
		name  string
		n     int
		cycle bool
	}{{"chain-1M", 1_000_000, false}, {"cycle-200k", 200_000, true}} {
		c := deepGraph(b, g.n, g.cycle)
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail("dc"))
		if err != nil {
			b.Fatal(err)
		}
		if o.Totals.Down != g.n+1 {
			b.Fatalf("%s: %d down, want %d", g.name, o.Totals.Down, g.n+1)
		}
		run := func(name string, f func(io.Writer) error) { benchWriter(b, g.name+"/"+name, f) }
		b.Run(g.name+"/Simulate", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := analyze.Simulate(context.Background(), c, analyze.Fail("dc")); err != nil {
					b.Fatal(err)
				}
			}
		})
		// Each format on a fresh outcome, as the CLI does: the outcome's
		// lazily built index and effects are part of the cost.
		fresh := func(f func(io.Writer, *analyze.Outcome) error) func(io.Writer) error {
			return func(w io.Writer) error {
				o, err := analyze.Simulate(context.Background(), c, analyze.Fail("dc"))
				if err != nil {
					return err
				}
				return f(w, o)
			}
		}
		run("Table", fresh(func(w io.Writer, o *analyze.Outcome) error { return Table(w, o, TableOptions{}) }))
		run("JSON", fresh(func(w io.Writer, o *analyze.Outcome) error { return JSON(w, o) }))
		run("Markdown", fresh(func(w io.Writer, o *analyze.Outcome) error { return Markdown(w, o) }))
		run("DOT", fresh(func(w io.Writer, o *analyze.Outcome) error { return DOT(w, o, GraphOptions{}) }))
		run("Mermaid", fresh(func(w io.Writer, o *analyze.Outcome) error { return Mermaid(w, o, GraphOptions{}) }))
	}
}

func BenchmarkDeepSPOFs(b *testing.B) {
	const n = 100_000
	c := deepGraph(b, n, true)
	target := "s0"
	spofs, err := analyze.SPOFs(context.Background(), c, target)
	if err != nil {
		b.Fatal(err)
	}
	if len(spofs) != n { // s1..s(n-1) and dc
		b.Fatalf("%d SPOFs, want %d", len(spofs), n)
	}
	b.Run("SPOFs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := analyze.SPOFs(context.Background(), c, target); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, f := range map[string]func(io.Writer) error{
		"Table":    func(w io.Writer) error { return SPOFTable(w, c, target, spofs) },
		"JSON":     func(w io.Writer) error { return SPOFJSON(w, c, target, spofs) },
		"Markdown": func(w io.Writer) error { return SPOFMarkdown(w, c, target, spofs) },
	} {
		benchWriter(b, name, f)
	}
}

// The deep models' text is what the benchmarks load.
func TestDeepYAML(t *testing.T) {
	y := string(deepYAML(3, true))
	want := "model: cycle-3\nnodes:\n  dc: {kind: site}\n" +
		"  s0: {kind: service, users: 1, site: dc, requires: [s1]}\n" +
		"  s1: {kind: service, users: 1, requires: [s2]}\n" +
		"  s2: {kind: service, users: 1, requires: [s0]}\n"
	if y != want {
		t.Fatalf("got\n%s", y)
	}
	for _, cycle := range []bool{false, true} {
		m, err := graph.Decode(strings.NewReader(string(deepYAML(20, cycle))), "deep.yaml", graph.YAML)
		if err != nil {
			t.Fatal(err)
		}
		want := deepModel(20, cycle)
		for i, nd := range m.Nodes {
			w := want.Nodes[i]
			if nd.ID != w.ID || nd.Kind != w.Kind || nd.Users != w.Users || nd.Site != w.Site ||
				len(nd.Requires) != len(w.Requires) || len(nd.Requires) > 0 && !reflect.DeepEqual(nd.Requires[0].IDs(), w.Requires[0].IDs()) {
				t.Fatalf("the YAML of deepModel(20, %v) decodes to another node: %+v, want %+v", cycle, nd, w)
			}
		}
	}
	c := deepGraph(t, 50, true)
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("dc"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Totals.Down != 51 || !strings.Contains(Why(o, mustEffect(t, o, "s1")), "… ") {
		t.Fatalf("down %d, why %q", o.Totals.Down, Why(o, mustEffect(t, o, "s1")))
	}
}

func mustEffect(t *testing.T, o *analyze.Outcome, id string) analyze.Effect {
	t.Helper()
	e, ok := o.Effect(id)
	if !ok {
		t.Fatalf("%s is up", id)
	}
	return e
}

// Output is linear in the outcome: the examples were a 20,000-long
// chain of requires whose simulate ran out of 4 GB in every format, and
// spof on a 10,000-node cycle (12 s, 4 GB). Doubling the depth at most
// about doubles every format's output, and per node it stays small.
func TestOutputLinearInDepth(t *testing.T) {
	size := func(n int, cycle bool, f func(io.Writer, *analyze.Outcome) error) int64 {
		o, err := analyze.Simulate(context.Background(), deepGraph(t, n, cycle), analyze.Fail("dc"))
		if err != nil {
			t.Fatal(err)
		}
		var cw countWriter
		if err := f(&cw, o); err != nil {
			t.Fatal(err)
		}
		return cw.n
	}
	formats := map[string]func(io.Writer, *analyze.Outcome) error{
		"table":    func(w io.Writer, o *analyze.Outcome) error { return Table(w, o, TableOptions{}) },
		"json":     func(w io.Writer, o *analyze.Outcome) error { return JSON(w, o) },
		"markdown": func(w io.Writer, o *analyze.Outcome) error { return Markdown(w, o) },
		"dot":      func(w io.Writer, o *analyze.Outcome) error { return DOT(w, o, GraphOptions{}) },
		"mermaid":  func(w io.Writer, o *analyze.Outcome) error { return Mermaid(w, o, GraphOptions{}) },
	}
	for name, f := range formats {
		for _, cycle := range []bool{false, true} {
			a, b := size(10_000, cycle, f), size(20_000, cycle, f)
			if float64(b) > 2.1*float64(a) || b > 20_000*600 {
				t.Errorf("%s (cycle %v): %d bytes at depth 10,000, %d at 20,000", name, cycle, a, b)
			}
		}
	}
	c := deepGraph(t, 10_000, true)
	spofs, err := analyze.SPOFs(context.Background(), c, "s0")
	if err != nil {
		t.Fatal(err)
	}
	if len(spofs) != 10_000 {
		t.Fatalf("%d SPOFs", len(spofs))
	}
	for name, f := range map[string]func(io.Writer) error{
		"table":    func(w io.Writer) error { return SPOFTable(w, c, "s0", spofs) },
		"json":     func(w io.Writer) error { return SPOFJSON(w, c, "s0", spofs) },
		"markdown": func(w io.Writer) error { return SPOFMarkdown(w, c, "s0", spofs) },
	} {
		var cw countWriter
		if err := f(&cw); err != nil {
			t.Fatal(err)
		}
		if cw.n > 10_000*500 {
			t.Errorf("spof %s: %d bytes for 10,000 SPOFs", name, cw.n)
		}
	}
	var b strings.Builder
	if err := SPOFTable(&b, c, "s0", spofs); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "s9999 ") {
			if !strings.HasSuffix(l, "  s0 → … 9,991 more → s9992 → s9993 → s9994 → s9995 → s9996 → s9997 → s9998 → s9999") {
				t.Errorf("the deepest SPOF's row: %q", l)
			}
			return
		}
	}
	t.Error("no row for s9999")
}

// BenchmarkDeepSPOFsNoneOnAChain: the worst case of SPOFs' stopped runs, a
// 100,000-long chain of requires that ends in one member of an any-of the
// target requires: no candidate is a SPOF, and each one's failure reaches
// the rest of the chain.
func BenchmarkDeepSPOFsNoneOnAChain(b *testing.B) {
	const n = 100_000
	m := deepModel(n, false)
	m.Add(graph.Node{ID: "other", Kind: graph.Service},
		graph.Node{ID: "target", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("s0", "other")}})
	c, err := graph.Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		spofs, err := analyze.SPOFs(context.Background(), c, "target")
		if err != nil || len(spofs) != 0 {
			b.Fatal(err, len(spofs))
		}
	}
}
