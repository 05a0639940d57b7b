package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// slowDecode is far more than any input of the fuzzer should take.
var slowDecode = 2 * time.Second

// fuzzSeedsYAML are valid and broken models, and hostile shapes, on top of
// every case of the decode tests.
var fuzzSeedsYAML = []string{
	fullYAML,
	strings.Replace(fullYAML, "demand: 100, degraded_at: 30, ", "", 1),
	prelude + "  a: &svc {kind: service, site: s1}\n  b: {<<: *svc, users: 5}\n  c: {<<: [*svc, {tier: 1}]}\n",
	prelude + "  a:\n    kind: service\n    replicas:\n      - &r {site: s1, capacity: 10}\n      - {site: s2, capacity: 5, standby: hot, recovery: 1d2h}\n    demand: 10\n    degraded_at: 5\n",
	"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nnodes: {}\n",
	"nodes: {a: &x {kind: site, labels: *x}}\n",
	"nodes: {a: {kind: site, labels: {x: [[[[[[]]]]]]}}}\n",
	"nodes:\n  a: {kind: service, requires: [{capacity: {b: 9223372036854775807, c: 9223372036854775807}, demand: 9223372036854775807}]}\n  b: {kind: site}\n  c: {kind: site}\n",
	"nodes:\n  ? [a]\n  : {kind: site}\n",
	"---\nnodes: {}\n...\n",
	"nodes: !!map {a: !!str {kind: site}}\n",
	"nodes: {a: {kind: site, tier: 0x7fffffffffffffff, users: 0b11}}\n",
	// Inputs that made yaml.v3 panic in the past.
	"#\n-\n{", "#\n-\n-\n0", "#\n - - QI\xd7", "0: [:!00 \xef", "a:\n.\n-\n", "! !00 \xf6",
	"\"\\0\\\r\n", "  0: [\n] 0", "? ? \"\n\" 0", " \ufeff\n", "? \ufeff: \ufeff\n",
}

// fuzzSeedsJSON are the JSON seeds.
var fuzzSeedsJSON = []string{
	fullJSON,
	strings.Replace(fullJSON, `"demand": 100, "degraded_at": 30, `, "", 1),
	`{"nodes": {"a": {"kind": "site"}, "a": {"kind": "site"}}}`,
	`{"nodes": {"a": {"kind": "service", "requires": [{"any_of": []}, {"at_least": 3, "of": ["a"]}]}}}`,
	`{"nodes": {"a": {"kind": "site", "labels": [[[[[[[[[[]]]]]]]]]]}}}`,
	`{"nodes": {"a": {"kind": "site", "users": -0, "tier": 1e3}}} {}`,
	`{"nodes": {"\u0000": {"kind": "site"}, "a\ud800": {"kind": "site"}}}`,
	`[1, "x", null, true]`,
}

func FuzzDecodeYAML(f *testing.F) {
	for _, s := range fuzzSeedsYAML {
		f.Add(s)
	}
	for _, c := range yamlCases {
		f.Add(c.yaml())
	}
	f.Fuzz(func(t *testing.T, src string) { checkDecode(t, src, YAML) })
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range fuzzSeedsJSON {
		f.Add(s)
	}
	for _, c := range jsonCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) { checkDecode(t, src, JSON) })
}

// checkDecode is the property of both fuzz targets: Decode does not panic;
// it returns a model that Validates, or no model and a sorted, non-empty
// *ValidationError.
func checkDecode(t *testing.T, src string, f Format) {
	// Bounded time: a slow input crashes the fuzzing process, which makes
	// the fuzzer keep it.
	watchdog := time.AfterFunc(slowDecode, func() {
		panic(fmt.Sprintf("Decode took more than %v on %q", slowDecode, src))
	})
	m, err := Decode(strings.NewReader(src), "fuzz", f)
	watchdog.Stop()
	if err == nil {
		if m == nil {
			t.Fatal("no model and no error")
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("decoded a model that does not validate: %v", err)
		}
		return
	}
	if m != nil {
		t.Fatalf("a model and an error: %v", err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%T is not a *ValidationError: %v", err, err)
	}
	if len(ve.Problems) == 0 {
		t.Fatal("a ValidationError without problems")
	}
	for _, p := range ve.Problems {
		if p.Msg == "" || p.Pos.File != "fuzz" || p.Pos.Line < 0 {
			t.Fatalf("bad problem %+v", p)
		}
	}
	if !slices.IsSortedFunc(ve.Problems, func(a, b Problem) int { return a.Pos.Line - b.Pos.Line }) {
		t.Fatalf("problems not sorted by line: %v", err)
	}
}

// FuzzFastReaders requires that the fast readers and the reference readers
// (yaml.v3, encoding/json) decode every input the same: the same model,
// positions included, and the same problems.
func FuzzFastReaders(f *testing.F) {
	for _, s := range fuzzSeedsYAML {
		f.Add(s)
	}
	for _, s := range fuzzSeedsJSON {
		f.Add(s)
	}
	for _, c := range yamlCases {
		f.Add(c.yaml())
	}
	f.Fuzz(func(t *testing.T, src string) {
		sameDecode(t, src, YAML)
		sameDecode(t, src, JSON)
	})
}
