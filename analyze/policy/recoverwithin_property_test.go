package policy_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// late returns the violations of a rule as "node/removed", sorted.
func late(rr policy.RuleResult) []string {
	out := []string{}
	for _, v := range rr.Violations {
		out = append(out, v.Node+"/"+v.Removed)
	}
	slices.Sort(out)
	return out
}

// TestRecoverWithinMatchesRecover holds RecoverWithin equal to a direct
// check of analyze.Recover on random models: lose each site (and region)
// for the repair time, and list every node that is not Up within the
// limit. And a larger within never turns a pass into a fail: its
// violations are a subset of a smaller one's.
func TestRecoverWithinMatchesRecover(t *testing.T) {
	ctx := context.Background()
	found := 0
	defer func() { assert.Positive(t, found, "some model has a late node") }()
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		r := rand.New(rand.NewPCG(uint64(c.Len()), 7))
		repair := []time.Duration{0, 30 * time.Minute, 6 * time.Hour, 48 * time.Hour}[r.IntN(4)]
		w1 := time.Duration(r.IntN(72*60)) * time.Minute
		w2 := w1 + time.Duration(1+r.IntN(72*60))*time.Minute
		for _, region := range []bool{false, true} {
			kind := graph.Site
			if region {
				kind = graph.Region
			}
			res := checkAll(t, c,
				policy.RecoverWithin(policy.Selector{}, repair, policy.RecoverWithinOptions{Within: max(w1, time.Second), Region: region}),
				policy.RecoverWithin(policy.Selector{}, repair, policy.RecoverWithinOptions{Within: w2, Region: region}))

			want := []string{}
			lost := 0
			for v := int32(0); v < int32(c.NodeCount()); v++ {
				if c.Kind(v) != kind {
					continue
				}
				lost++
				tl, err := analyze.Recover(ctx, c, analyze.Scenario{Failures: []analyze.Failure{{ID: c.VertexName(v), For: repair}}}, analyze.RecoverOptions{Horizon: 1 << 62})
				require.NoError(t, err)
				for _, x := range tl.Recoveries {
					if !x.Replica && !x.Removed && x.DegradedUntil > max(w1, time.Second) {
						want = append(want, x.ID+"/"+c.VertexName(v))
					}
				}
			}
			slices.Sort(want)
			found += len(want)
			assert.Equal(t, want, late(res.Rules[0]), "repair %v within %v, region %v", repair, w1, region)
			assert.Equal(t, lost, res.Rules[0].Scenarios)
			assert.Subset(t, late(res.Rules[0]), late(res.Rules[1]), "within %v against %v", w1, w2)
			if res.Rules[0].Passed {
				assert.True(t, res.Rules[1].Passed, "a larger within passes too")
			}
		}
	})
}

// TestSurviveWithinMonotone: a survive rule's tolerance only forgives: its
// violations are a subset of the rule's without one, and of a smaller
// tolerance's.
func TestSurviveWithinMonotone(t *testing.T) {
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		r := rand.New(rand.NewPCG(uint64(c.Len()), 11))
		w1 := time.Duration(1+r.IntN(72*60)) * time.Minute
		w2 := w1 + time.Duration(1+r.IntN(72*60))*time.Minute
		res := checkAll(t, c,
			policy.SurviveSiteLoss(policy.Selector{}),
			policy.SurviveSiteLossWithin(policy.Selector{}, w1),
			policy.SurviveSiteLossWithin(policy.Selector{}, w2))
		assert.Subset(t, late(res.Rules[0]), late(res.Rules[1]))
		assert.Subset(t, late(res.Rules[1]), late(res.Rules[2]))
		for i := 1; i < 3; i++ {
			if res.Rules[i-1].Passed {
				assert.True(t, res.Rules[i].Passed, "rule %d passes where %d did", i, i-1)
			}
		}
	})
}
