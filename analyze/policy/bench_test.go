package policy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Checking a 100,000-node model against every rule: one Check (one
// ranking pass, one pass of the batch engine for the site and region
// losses, for all rules),
// against the baseline of evaluating each rule separately (a Check per
// rule: its own ranking pass, its own simulations), and against one plain
// analyze.Rank, the cost of the pass alone. Each listed violation costs a
// Simulate of its scenario for the chain of causes, the same either way:
// with one violation listed per rule (listed=1) what remains is the passes.
// Run with
//
//	go test ./analyze/policy -run '^$' -bench 'Check100k' -benchtime 3x -count 6

var bigModel = sync.OnceValues(func() (*graph.Compiled, error) {
	return graph.Compile(synth.Services(synth.Default(100_000, 1)))
})

func everyRule() *policy.Policy {
	return &policy.Policy{Rules: []policy.Rule{
		policy.SurviveSiteLoss(policy.Tier(0)),
		policy.SurviveRegionLoss(policy.Tier(0)),
		policy.NoSPOF(policy.Tier(0), policy.Selector{Redundant: true}),
		policy.MaxBlastRadius(policy.Limit{Nodes: 1000, Users: 0.1}),
		policy.MinRedundancyRate(0.9, policy.ByUsers),
		policy.SitesAtLeast(2, policy.Tier(0)),
	}}
}

func BenchmarkCheck100k(b *testing.B) {
	c, err := bigModel()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, listed := range []int{policy.DefaultMaxViolations, 1} {
		p := everyRule()
		p.MaxViolations = listed
		name := fmt.Sprintf("listed=%d", listed)
		b.Run(name+"/check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.Check(ctx, c, p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/each-rule-separately", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range p.Rules {
					if _, err := policy.Check(ctx, c, &policy.Policy{Rules: []policy.Rule{r}, MaxViolations: listed}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	b.Run("rank-alone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := analyze.Rank(ctx, c, analyze.RankOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Sharing the passes changes nothing: a Check of every rule gives what a
// Check of each rule alone gives, on a synthetic catalog (10,000 nodes;
// 2,000 under the race detector).
func TestCheckSharedEqualsSeparate(t *testing.T) {
	n := 10_000
	if race.Enabled || testing.Short() {
		n = 2_000
	}
	c, err := graph.Compile(synth.Services(synth.Default(n, 2)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := everyRule()
	all, err := policy.Check(ctx, c, p)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range p.Rules {
		alone, err := policy.Check(ctx, c, &policy.Policy{Rules: []policy.Rule{r}})
		if err != nil {
			t.Fatal(err)
		}
		assert.Equal(t, alone.Rules[0], all.Rules[i], r.Name())
		assert.Positive(t, all.Rules[i].Total, "%s: the catalog breaks every rule", r.Name())
	}
}

// The same on a 1,000,000-node catalog, the reference policy, one Check:
//
//	go test ./analyze/policy -run '^$' -bench 'Check1M' -benchtime 1x
func BenchmarkCheck1M(b *testing.B) {
	c, err := graph.Compile(synth.Services(synth.Default(1_000_000, 1)))
	if err != nil {
		b.Fatal(err)
	}
	p, err := policy.Load("../../testdata/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Check(context.Background(), c, p); err != nil {
			b.Fatal(err)
		}
	}
}

// The reference policy (testdata/policy.yaml) on the 100,000-node catalog,
// as `blastradius check` runs it after loading:
//
//	go test ./analyze/policy -run '^$' -bench 'CheckReference100k' -benchtime 3x -count 5
func BenchmarkCheckReference100k(b *testing.B) {
	c, err := bigModel()
	if err != nil {
		b.Fatal(err)
	}
	p, err := policy.Load("../../testdata/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := policy.Check(context.Background(), c, p); err != nil {
			b.Fatal(err)
		}
	}
}

// A shared ranking pass with any number of workers, its hits read through
// Checker.Sink, gives what Check gives: each worker's kept violations
// merge into the same lists and counts.
func TestSinkAnyWorkers(t *testing.T) {
	c, err := graph.Compile(synth.Services(synth.Default(2_000, 3)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := everyRule()
	p.MaxViolations = 7
	want, err := policy.Check(ctx, c, p)
	if err != nil {
		t.Fatal(err)
	}
	assert.Greater(t, want.Rules[2].Total, 2*p.MaxViolations, "no_spof lists some of its violations")
	for _, w := range []int{1, 3, 5} {
		k, err := policy.Prepare(c, p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := analyze.NewRanker(c, analyze.RankOptions{Workers: w}, k.Watch())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(ctx, r.Candidates(), k.Sink(r.Workers())); err != nil {
			t.Fatal(err)
		}
		radii, err := r.Radii()
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Finish(ctx, policy.Shared{Radii: radii})
		if err != nil {
			t.Fatal(err)
		}
		assert.Equal(t, want.Rules, got.Rules, "%d workers", w)
	}
}
