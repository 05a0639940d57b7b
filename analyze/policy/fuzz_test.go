package policy

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// fuzzSeeds are valid and broken policies and hostile shapes.
var fuzzSeeds = []string{
	"rules: [{rule: no_spof, select: {tier: 0}, ignore: [{kind: external}, {redundant: true}]}]\n",
	"rules:\n  - {rule: max_blast_radius, nodes: 3, users: 12.5%}\n  - {rule: min_redundancy_rate, rate: 0.9, by: users}\n",
	"rules:\n  - rule: sites_at_least\n    sites: 2\n    select: &s {id: [a, b], label: {team: x}, user_facing: true}\n  - {rule: survive_site_loss, select: *s}\n",
	"rules:\n  - {rule: survive_region_loss, select: {<<: {tier: [0, 1]}, kind: service}}\n",
	"a: &a [x, x]\nb: &b [*a, *a]\nrules: [*b]\n",
	"rules: [{rule: no_spof, select: {tier: 0x7fffffffffffffff}}]\n",
	"rules: [{rule: max_blast_radius, users: 1e-400%}]\n",
	"rules: [{rule: min_redundancy_rate, rate: .nan}]\n",
	"rules: [{rule: sites_at_least, sites: -9223372036854775808, select: {}}]\n",
	"rules: {? [a] : b}\n",
	"max_violations: all\nrules: [{rule: no_spof, select: {id: \"\\0\"}}]\n",
	"rules:\n  - {rule: recover_within, select: {id: x}, repair: 24h, within: 15m, by: region}\n  - {rule: survive_site_loss, select: {}, within: 1h}\n",
	"rules: [{rule: recover_within, select: {tier: 0}, repair: never}, {rule: recover_within, select: {}, repair: 87601h, within: -1s, by: [site]}]\n",
	"#\n-\n{", "#\n - - QI\xd7", "0: [:!00 \xef", "? \ufeff: \ufeff\n",
}

// The model the fuzzer checks decoded policies against.
var fuzzModel = func() *graph.Compiled {
	var m graph.Model
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "login", Kind: graph.Identity, Site: "a"},
		graph.Node{ID: "x", Kind: graph.Service, Users: 5, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}, Requires: graph.All("login")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		panic(err)
	}
	return c
}()

// FuzzDecodePolicy: Decode never panics and stays fast; it returns a policy
// or a *graph.ValidationError with at least one problem, every one naming
// the file; a policy it returns has rules, and Check on it returns a result
// or a *graph.ValidationError, without panicking.
func FuzzDecodePolicy(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	if b, err := os.ReadFile("../../testdata/policy.yaml"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		p, err := Decode(strings.NewReader(src), "f.yaml")
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("decode took %v", d)
		}
		if err != nil {
			var ve *graph.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("want a *graph.ValidationError with problems, got %T %v", err, err)
			}
			for _, pr := range ve.Problems {
				if pr.Pos.File != "f.yaml" {
					t.Fatalf("problem without the file: %v", pr)
				}
			}
			if p != nil {
				t.Fatal("a policy with an error")
			}
			return
		}
		if len(p.Rules) == 0 {
			t.Fatal("a policy without rules")
		}
		res, err := Check(context.Background(), fuzzModel, p)
		if err != nil {
			var ve *graph.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("check: want a *graph.ValidationError, got %T %v", err, err)
			}
			return
		}
		if len(res.Rules) != len(p.Rules) {
			t.Fatalf("%d results for %d rules", len(res.Rules), len(p.Rules))
		}
	})
}
