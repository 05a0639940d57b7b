package policy_test

import (
	"context"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/analyze/policy"
)

// What recovery objectives cost on the 100,000-node catalog: the
// baseline survive_site_loss (the site losses in one pass of the batch
// engine), the same rule with
// a tolerance (one Recover per site, lost for good), recover_within, and
// both with the same repair time, which share their Recovers (so cost
// about one of them). Run with
//
//	go test ./analyze/policy -run '^$' -bench 'RecoverWithin100k' -benchtime 3x -count 5
func BenchmarkRecoverWithin100k(b *testing.B) {
	c, err := bigModel()
	if err != nil {
		b.Fatal(err)
	}
	tier0 := policy.Tier(0)
	for _, bc := range []struct {
		name  string
		rules []policy.Rule
	}{
		{"survive_site_loss", []policy.Rule{policy.SurviveSiteLoss(tier0)}},
		{"survive_site_loss_within", []policy.Rule{policy.SurviveSiteLossWithin(tier0, 15*time.Minute)}},
		{"recover_within", []policy.Rule{policy.RecoverWithin(tier0, 0, policy.RecoverWithinOptions{Within: time.Hour})}},
		{"both_shared", []policy.Rule{
			policy.SurviveSiteLossWithin(tier0, 15*time.Minute),
			policy.RecoverWithin(tier0, 0, policy.RecoverWithinOptions{Within: time.Hour}),
		}},
		{"both_24h", []policy.Rule{
			policy.SurviveSiteLossWithin(tier0, 15*time.Minute),
			policy.RecoverWithin(tier0, 24*time.Hour, policy.RecoverWithinOptions{Within: time.Hour}),
		}},
	} {
		p := &policy.Policy{Rules: bc.rules}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.Check(context.Background(), c, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
