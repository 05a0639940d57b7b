package yamltree

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reference reads src with yaml.v3 as the model decoder does.
func reference(src string, depth int) (*Value, bool) {
	doc, err := Parse([]byte(src))
	if err != nil || doc == nil {
		return nil, false
	}
	root, probs, refused := Convert(doc, Config{MaxDepth: depth, WalkBase: 1_000_000, WalkPerNode: 10, StrictKeys: true})
	if refused != nil || len(probs) > 0 {
		return nil, false
	}
	return root, true
}

// diff describes the first difference between two trees, or "". Empty and
// nil slices are the same.
func diff(a, b *Value, path string) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Line != b.Line || a.Text != b.Text ||
		len(a.Items) != len(b.Items) || len(a.Entries) != len(b.Entries) {
		return fmt.Sprintf("%s: %+v != %+v", path, *a, *b)
	}
	for i := range a.Items {
		if d := diff(a.Items[i], b.Items[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	for i, e := range a.Entries {
		f := b.Entries[i]
		if e.Key != f.Key || e.Line != f.Line {
			return fmt.Sprintf("%s: key %q line %d != %q line %d", path, e.Key, e.Line, f.Key, f.Line)
		}
		if d := diff(e.Val, f.Val, path+"."+e.Key); d != "" {
			return d
		}
	}
	return ""
}

// agree checks that ReadFast gives up or returns the reference tree, and
// reports whether it read src.
func agree(t *testing.T, src string) bool {
	t.Helper()
	fast, ok := ReadFast(src, 100)
	if !ok {
		return false
	}
	ref, rok := reference(src, 100)
	if !rok {
		t.Fatalf("ReadFast read what yaml.v3 refuses: %q", src)
	}
	if d := diff(fast, ref, "root"); d != "" {
		t.Fatalf("%s\non %q", d, src)
	}
	return true
}

// What ReadFast reads, it reads as yaml.v3 does; what it does not, it
// leaves to yaml.v3.
func TestReadFast(t *testing.T) {
	for _, c := range []struct {
		src  string
		read bool
	}{
		{"a: 1\n", true},
		{"\ufeffa: 1\n", true},
		{"---\na: 1\n...\n# end\n", true},
		{"# c\n\na: b # c\nc:\n  - x\n  -\n  - {p: q, r: [s, 't''s', \"u\\tv\"]}\nd:\n- e\n- f: g\n  h: i\n", true},
		{"k:\n  x:\n    y: z\n  w: ~\nnull: null\n", true},
		{"a: [x, ]\nb: {c: d,\n    e: f}\nc: http://x/y?z#w\n", true},
		{"- {name: app, image: shop/svc-1:1, url: http://h:80/p}\n", true},
		{"a: [b:c, d:, e:#f, g :h]\nb: {c:d: e, f: g:}\n", true},
		{"a: [b: c]\n", false},
		{"a: ['b':c]\n", false},
		{"a: {b:c}\n", false},
		{"a: 09\nb: 0x1F\nc: 1_000\nd: -0b11\ne: .5\nf: 1e3\ng: 2022-10-15\nh: true\ni: False\nj: yes\nk: +1\nl: -.inf\nm: .nan\n", true},
		{"- - a\n  - b\n- c\n", true},
		{"a: 'x' # c\n", true},
		{"a: \"\\u00e9\\x41\\N\"\n", true},
		{"{\"a\":1}\n", false}, // ':' after a quoted key in flow, no space
		{"a: &x 1\nb: *x\n", false},
		{"a: {<<: {b: 1}}\n", false},
		{"a: !!str 1\n", false},
		{"a: |\n  x\n", true},
		{"a: >-\n  x\n  y\n\n  z\n\n\nb: |\n   p\n   # q\n\n   r\n# c\nc:\n  - >\n    s\n    t\n  - u\n", true},
		{"a: |+\n  x\n\n", false},
		{"a: |2\n  x\n", false},
		{"a: >\n  x\n    y\n", false},
		{"a: >\n\n  x\n", false},
		{"a: |\n  x", false},
		{"? a\n: b\n", false},
		{"a: b\n  c\n", false},
		{"a:\tb\n", false},
		{"a: b\r\n", false},
		{"a: 1\n---\nb: 2\n", false},
		{"%YAML 1.2\n---\na: 1\n", false},
		{"", false},
		{"a: b: c\n", false},
		{"a: [b, , c]\n", false},
		{"a: {b, c: d}\n", false},
		{"a: {b: }\n", false},
		{"a: \"x\n  y\"\n", false},
		{"a: [x\n  y]\n", false},
		{"  a: 1\nb: 2\n", false},
		{"a:\n    b: 1\n  c: 2\n", false},
		{"a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n", false},
		{"a: " + strings.Repeat("[", 99) + strings.Repeat("]", 99) + "\n", true},
		{"a: \xff\n", false},
		{"a: \u2028\n", false},
	} {
		if got := agree(t, c.src); got != c.read {
			t.Errorf("ReadFast read %q: %v, want %v", c.src, got, c.read)
		}
	}
}

func TestReadFastTestdata(t *testing.T) {
	files, err := filepath.Glob("../../testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no testdata", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !agree(t, string(b)) {
			t.Errorf("%s: ReadFast gave up", file)
		}
	}
}

// dump writes v as text, lines included.
func dump(v *Value) string {
	var b strings.Builder
	var walk func(v *Value)
	walk = func(v *Value) {
		fmt.Fprintf(&b, "(%d %d %d %q", v.Kind, v.Tag, v.Line, v.Text)
		for _, it := range v.Items {
			walk(it)
		}
		for _, e := range v.Entries {
			fmt.Fprintf(&b, " %q@%d:", e.Key, e.Line)
			walk(e.Val)
		}
		b.WriteString(")")
	}
	walk(v)
	return b.String()
}

// Streaming the nodes hands over the entries ReadFast keeps, one at a
// time, and leaves the rest of the tree as it is.
func TestReadFastStream(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.yaml")
	srcs := []string{
		"nodes: {a: {kind: site}, b: [x, {y: z}]}\nnodes: {c: 1}\nmodel: m\n",
		"model: m\nnodes:\n  a:\n    kind: site\n  b: ~\n  c: [1, 2]\nx: {nodes: {d: 1}}\n",
		"nodes: [a, b]\n",
		"x:\n  nodes: {a: 1}\nnodes: {b: 2}\n",
	}
	for _, file := range files {
		b, _ := os.ReadFile(file)
		srcs = append(srcs, string(b))
	}
	for _, src := range srcs {
		whole, ok := ReadFast(src, 100)
		if !ok {
			t.Fatalf("gave up on %q", src)
		}
		var got []string
		s := &Stream{Key: "nodes", Each: func(e Entry) { got = append(got, fmt.Sprintf("%q@%d:%s", e.Key, e.Line, dump(e.Val))) }}
		rest, ok := ReadFastStream(src, 100, s)
		if !ok {
			t.Fatalf("stream gave up on %q", src)
		}
		var want []string
		first := true
		for i, e := range whole.Entries {
			if e.Key == "nodes" && first {
				first = false
				if e.Val.Kind == Mapping {
					for _, n := range e.Val.Entries {
						want = append(want, fmt.Sprintf("%q@%d:%s", n.Key, n.Line, dump(n.Val)))
					}
					whole.Entries[i].Val = &Value{Kind: Mapping, Line: e.Val.Line}
				}
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || s.Count != len(want) {
			t.Fatalf("streamed %d\n%s\nwant\n%s", s.Count, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if dump(rest) != dump(whole) {
			t.Fatalf("tree %s\nwant %s", dump(rest), dump(whole))
		}
	}
}
