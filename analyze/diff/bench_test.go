package diff_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Comparing two unrelated 100,000-node synthetic catalogs (seeds 1 and 2),
// without and with the reference policy, as `blastradius diff` does after
// loading. Run with
//
//	go test ./analyze/diff -run '^$' -bench 'Compare100k' -benchtime 3x -count 5

var bigPair = sync.OnceValues(func() ([2]*graph.Compiled, error) {
	var out [2]*graph.Compiled
	for i, seed := range []int64{1, 2} {
		c, err := graph.Compile(synth.Services(synth.Default(100_000, seed)))
		if err != nil {
			return out, err
		}
		out[i] = c
	}
	return out, nil
})

func BenchmarkCompare100k(b *testing.B) {
	pair, err := bigPair()
	if err != nil {
		b.Fatal(err)
	}
	p, err := policy.Load("../../testdata/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchModels(b, pair[0], pair[1], map[string]diff.Options{"no-policy": {}, "policy": {Policy: p}})
}

// benchModels runs diff.Models of from and to once per op, a
// sub-benchmark per named options, in name order.
func benchModels(b *testing.B, from, to *graph.Compiled, cases map[string]diff.Options) {
	ctx := context.Background()
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := diff.Models(ctx, from, to, cases[name]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Two unrelated 1,000,000-node catalogs, with the reference policy:
//
//	go test ./analyze/diff -run '^$' -bench 'Compare1M' -benchtime 1x
func BenchmarkCompare1M(b *testing.B) {
	var pair [2]*graph.Compiled
	for i, seed := range []int64{1, 2} {
		c, err := graph.Compile(synth.Services(synth.Default(1_000_000, seed)))
		if err != nil {
			b.Fatal(err)
		}
		pair[i] = c
	}
	p, err := policy.Load("../../testdata/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := diff.Models(context.Background(), pair[0], pair[1], diff.Options{Policy: p}); err != nil {
			b.Fatal(err)
		}
	}
}

// A pull request that changes three nodes of a 100,000-node catalog: one
// service's users, one service gains a soft dependency, and a new service
// requires an existing one. "scoped" ranks only the failures that can
// reach them, "whole" every failure of both models:
//
//	go test ./analyze/diff -run '^$' -bench 'SmallEdit100k' -benchtime 5x -count 5
func BenchmarkSmallEdit100k(b *testing.B) {
	pair, err := bigPair()
	if err != nil {
		b.Fatal(err)
	}
	m := synth.Services(synth.Default(100_000, 1))
	svc := func(i int) *graph.Node {
		for j := range m.Nodes {
			if n := &m.Nodes[(i+j)%len(m.Nodes)]; n.Kind == graph.Service {
				return n
			}
		}
		return nil
	}
	svc(40_000).Users++
	s := svc(70_000)
	s.Uses = append(s.Uses, graph.On(svc(90_000).ID))
	m.Add(graph.Node{ID: "svc-new", Kind: graph.Service, Users: 10, Tier: graph.TierOf(1),
		Requires: []graph.Dep{graph.On(svc(50_000).ID)}})
	edited, err := graph.Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	benchModels(b, pair[0], edited, map[string]diff.Options{"scoped": {}, "whole": {Whole: true}})
}
