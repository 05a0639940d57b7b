package graph

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// compactOf runs the compact load on src, or reports that it gave up.
func compactOf(src []byte, f Format) (*Compiled, bool) {
	return compactCompile(src, "eq", f, Limits{}.orDefault())
}

// sameGraph requires that DecodeGraph gives what DecodeCompiled gives on
// src: the same graph (every field, and the same binary form) or the same
// error; and that the compact load, when it does not give up, gives that
// graph. It returns whether the compact load read src.
func sameGraph(t testing.TB, src []byte, f Format) bool {
	t.Helper()
	_, want, werr := DecodeCompiled(bytes.NewReader(src), "eq", f, Limits{})
	got, gerr := DecodeGraph(bytes.NewReader(src), "eq", f, Limits{})
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("errors differ on %q:\nDecodeCompiled: %v\nDecodeGraph:    %v", src, werr, gerr)
	}
	c, ok := compactOf(src, f)
	if werr != nil {
		if ok {
			t.Fatalf("the compact load accepts what Decode refuses (%v): %q", werr, src)
		}
		return false
	}
	equalGraphs(t, want, got, src)
	if ok {
		equalGraphs(t, want, c, src)
	}
	return ok
}

func equalGraphs(t testing.TB, want, got *Compiled, src []byte) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("graphs differ on %q", src)
	}
	a, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("binary forms differ on %q", src)
	}
}

// SameGraph is sameGraph for the tests of package graph_test.
func SameGraph(t testing.TB, src []byte, f Format) bool { return sameGraph(t, src, f) }

// SplitAll makes the compact load split every file between two readers
// (see splitAt), counting the loads whose halves both read nodes in
// *split; it returns the function that restores the setting.
func SplitAll(split *int) (restore func()) {
	saved := splitBytes
	splitBytes = 1
	onSplit = func(first, second int) {
		if first > 0 && second > 0 {
			*split++
		}
	}
	return func() { splitBytes, onSplit = saved, nil }
}

// TestCompactLoadCases holds the compact load equal to Decode and Compile
// on the bundled models and the decode tests' cases and fuzz seeds (see
// TestCompactLoad for catalogs and random models).
func TestCompactLoadCases(t *testing.T) {
	t.Run("serial", func(t *testing.T) {
		if compactLoadCases(t) == 0 {
			t.Fatal("the compact load read none of the bundled models")
		}
	})
	t.Run("split", func(t *testing.T) {
		split := 0
		defer SplitAll(&split)()
		if compactLoadCases(t) == 0 {
			t.Fatal("the compact load read none of the bundled models")
		}
		t.Logf("%d loads read by two readers", split)
	})
}

// compactLoadCases returns how many of the bundled models (each with
// references to resolve) the compact load read; the others it gave up on,
// and Decode read.
func compactLoadCases(t *testing.T) (compact int) {
	files, err := filepath.Glob("../testdata/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(src, []byte("policy")) && !bytes.Contains(src, []byte("nodes:")) {
			continue
		}
		if sameGraph(t, src, YAML) {
			compact++
		}
	}
	for _, c := range yamlCases {
		sameGraph(t, []byte(c.yaml()), YAML)
	}
	for _, c := range jsonCases {
		sameGraph(t, []byte(c.src), JSON)
	}
	for _, s := range fuzzSeedsYAML {
		sameGraph(t, []byte(s), YAML)
	}
	for _, s := range fuzzSeedsJSON {
		sameGraph(t, []byte(s), JSON)
	}
	return compact
}

// TestCompactLoadGivesUp: a model with a problem, or with what the
// columns do not hold, is read by Decode.
func TestCompactLoadGivesUp(t *testing.T) {
	for _, src := range []string{
		"nodes:\n  a: {kind: site}\n  a: {kind: site}\n",
		"nodes:\n  a: {kind: service, site: b}\n",
		"nodes:\n  a: {kind: service, site: s}\n  s: {kind: region}\n",
		"nodes:\n  a: {kind: service, requires: [a]}\n",
		"nodes:\n  a: &x {kind: site}\n  b: *x\n",
		"nodes:\n  a: {kind: site, users: 5}\n  b: {kind: site, users: 4000000000000000000}\n",
	} {
		if _, ok := compactOf([]byte(src), YAML); ok {
			t.Errorf("the compact load read %q", src)
		}
		sameGraph(t, []byte(src), YAML)
	}
	if !strings.Contains(fullYAML, "nodes") {
		t.Fatal("fullYAML")
	}
}

// FuzzCompactLoad checks that the compact load, serial and split between
// two readers, never accepts what Decode refuses and never gives another
// graph: DecodeGraph's result is DecodeCompiled's.
func FuzzCompactLoad(f *testing.F) {
	for _, s := range fuzzSeedsYAML {
		f.Add(s, false)
	}
	for _, c := range yamlCases {
		f.Add(c.yaml(), true)
	}
	for _, s := range fuzzSeedsJSON {
		f.Add(s, false)
	}
	for _, c := range jsonCases {
		f.Add(c.src, true)
	}
	f.Fuzz(func(t *testing.T, src string, split bool) {
		format := YAML
		if strings.HasPrefix(strings.TrimLeft(src, " \t\r\n\ufeff"), "{") {
			format = JSON
		}
		if split {
			saved := splitBytes
			splitBytes = 1
			defer func() { splitBytes = saved }()
		}
		sameGraph(t, []byte(src), format)
	})
}

// TestSplitInTheMiddleOfANode: where the split guesses a node key inside
// a multi-line value (a flow mapping, a quoted or plain scalar written
// over lines), the first reader does not land on it and the file is read
// serially: the result is Decode's.
func TestSplitInTheMiddleOfANode(t *testing.T) {
	split := 0
	defer SplitAll(&split)()
	pad := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString("  " + prefix + strconv.Itoa(i) + ": {kind: site}\n")
		}
		return b.String()
	}
	for _, middle := range []string{
		"  m: {kind: site,\n  users: 5}\n",
		"  m: {kind: service, site: p0, description: \"one\n  two: three\"}\n",
		"  m:\n    kind: service\n    site: p0\n    description: one\n  two: three\n",
		"  m:\n    kind: service\n    site: p0\n    description: |\n      text\n  q: {kind: site}\n",
		"  m: [p0,\n  p1]\n",
	} {
		src := "nodes:\n" + pad("p", 50) + middle + pad("q", 50)
		sameGraph(t, []byte(src), YAML)
	}
	t.Logf("%d loads read by two readers", split)
}

// TestCompactLoadLimits: the limits refuse a file through DecodeGraph as
// through DecodeCompiled, with the same message, serial or split.
func TestCompactLoadLimits(t *testing.T) {
	src := "nodes:\n  a: {kind: site}\n  b: {kind: site}\n  c: {kind: site}\n  d: {kind: site}\n"
	split := 0
	for _, l := range []Limits{{Nodes: 3}, {Nodes: 4}, {FileSize: 10}, {FileSize: int64(len(src))}} {
		for _, on := range []bool{false, true} {
			restore := func() {}
			if on {
				restore = SplitAll(&split)
			}
			_, _, werr := DecodeCompiled(strings.NewReader(src), "lim", YAML, l)
			_, gerr := DecodeGraph(strings.NewReader(src), "lim", YAML, l)
			restore()
			if fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Errorf("limits %+v (split %v): DecodeCompiled %v, DecodeGraph %v", l, on, werr, gerr)
			}
		}
	}
}

// TestCompactLoadDuplicateAcrossSplit: an id written twice, once in each
// reader's half, is seen by neither reader's decoder; the index finds it,
// and the load gives up, so that the error is Decode's.
func TestCompactLoadDuplicateAcrossSplit(t *testing.T) {
	split := 0
	defer SplitAll(&split)()
	var b strings.Builder
	b.WriteString("nodes:\n  dup: {kind: site}\n")
	for i := range 200 {
		b.WriteString("  s" + strconv.Itoa(i) + ": {kind: site}\n")
	}
	b.WriteString("  dup: {kind: site}\n")
	src := []byte(b.String())
	if _, ok := compactOf(src, YAML); ok {
		t.Fatal("the compact load read a file with a duplicate id")
	}
	if split == 0 {
		t.Fatal("the file was not split between two readers")
	}
	sameGraph(t, src, YAML)
	if _, err := DecodeGraph(bytes.NewReader(src), "eq", YAML, Limits{}); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("DecodeGraph: %v, want a duplicate", err)
	}
}

// TestCompactLoadShared holds the compact load equal to Decode with the
// references resolved in chunks of a few, taken in turn by two
// goroutines across the two readers' references.
func TestCompactLoadShared(t *testing.T) {
	saved := resolveChunk
	resolveChunk = 7
	defer func() { resolveChunk = saved }()
	split := 0
	defer SplitAll(&split)()
	if compactLoadCases(t) == 0 {
		t.Fatal("the compact load read none of the bundled models")
	}
	if split == 0 {
		t.Fatal("no load was read by two readers")
	}
}

// TestCompactLoadProblemInOneHalf: a problem that only validation finds,
// in the nodes of either reader, makes the whole load give up, and the
// error is Decode's.
func TestCompactLoadProblemInOneHalf(t *testing.T) {
	split := 0
	defer SplitAll(&split)()
	catalog := func(bad int) []byte {
		var b strings.Builder
		b.WriteString("nodes:\n  r: {kind: region}\n  s: {kind: site, region: r}\n")
		for i := range 400 {
			// A service placed at a region instead of a site is a
			// problem of validation, not of the decoder.
			site := "s"
			if i == bad {
				site = "r"
			}
			fmt.Fprintf(&b, "  s%d: {kind: service, site: %s}\n", i, site)
		}
		return []byte(b.String())
	}
	if _, ok := compactOf(catalog(-1), YAML); !ok {
		t.Fatal("the compact load gave up on a valid catalog")
	}
	for _, bad := range []int{5, 200, 399} {
		src := catalog(bad)
		before := split
		if _, ok := compactOf(src, YAML); ok {
			t.Fatalf("the compact load read a catalog whose node s%d is invalid", bad)
		}
		if split == before {
			t.Fatal("the file was not split between two readers")
		}
		sameGraph(t, src, YAML)
		if _, err := DecodeGraph(bytes.NewReader(src), "eq", YAML, Limits{}); err == nil || !strings.Contains(err.Error(), "s"+strconv.Itoa(bad)) {
			t.Fatalf("DecodeGraph: %v, want a problem of s%d", err, bad)
		}
	}
}
