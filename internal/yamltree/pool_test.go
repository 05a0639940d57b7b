package yamltree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Pool reads each document as ReadFast does, and a tree it returned
// stays as it was while the pool reads the others, those it gives up on
// included.
func TestPool(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.yaml")
	srcs := []string{
		"a: 1\n",
		"a: &x 1\nb: *x\n", // given up on
		"- - a\n  - b\n- {c: [d, e]}\n",
		"a: b: c\n", // given up on halfway
		"a:\n  b:\n    c: [1, 2, {d: e}]\n  f: g\n", // after the stacks were left full
		"a: " + strings.Repeat("[", 99) + strings.Repeat("]", 99) + "\n",
		"k: " + strings.Repeat("x, ", 3000) + "\n",
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(b))
	}
	var p Pool
	var trees []*Value
	var want []string
	for round := range 3 { // enough documents to fill several chunks
		for _, src := range srcs {
			v, ok := p.ReadFast(src, 100)
			w, wok := ReadFast(src, 100)
			if ok != wok {
				t.Fatalf("round %d: Pool read %q: %v, ReadFast %v", round, src, ok, wok)
			}
			if !ok {
				continue
			}
			if d := diff(v, w, "root"); d != "" {
				t.Fatalf("round %d: %s\non %q", round, d, src)
			}
			trees = append(trees, v)
			want = append(want, dump(w))
		}
	}
	for i, v := range trees {
		if got := dump(v); got != want[i] {
			t.Fatalf("tree %d changed once the pool read on:\n%s\nwant\n%s", i, got, want[i])
		}
	}
}

// Thousands of small documents from one pool take their values from
// shared chunks, not one chunk set each.
func TestPoolAllocations(t *testing.T) {
	const doc = "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\nspec:\n  ports: [{port: 80}]\n"
	var p Pool
	allocs := testing.AllocsPerRun(1, func() {
		for range 1000 {
			if _, ok := p.ReadFast(doc, 100); !ok {
				t.Fatal("gave up")
			}
		}
	})
	// 10 values, 8 entries and 1 item each: a chunk per 1024 of each
	// (19 in all) and the stacks; ReadFast alone makes 7 allocations
	// per document, 3 of them chunks.
	if allocs > 30 {
		t.Fatalf("%v allocations for 1000 documents", allocs)
	}
}

// FuzzPool requires that a Pool reads what ReadFast reads, as the
// reference (yaml.v3) does, and gives up where ReadFast does, with the
// pool's earlier trees left as they were.
func FuzzPool(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		"- {name: app, image: shop/svc-1:1, url: http://h:80/p}\n",
		"a: [b:c, d:, e:#f, g :h]\nb: {c:d: e, f: g:}\n",
		"a: {b:c}\n",
		"k: [a, {b: c}, [d]]\n",
	} {
		f.Add(s)
	}
	var p Pool
	first, _ := p.ReadFast("first: [a, {b: c}]\n", 100)
	want := dump(first)
	f.Fuzz(func(t *testing.T, src string) {
		v, ok := p.ReadFast(src, 100)
		if ok != agree(t, src) {
			t.Fatalf("Pool read %q: %v, ReadFast did not", src, ok)
		}
		if ok {
			w, _ := ReadFast(src, 100)
			if d := diff(v, w, "root"); d != "" {
				t.Fatalf("%s\non %q", d, src)
			}
		}
		if got := dump(first); got != want {
			t.Fatalf("the pool's first tree is now %s", got)
		}
	})
}
