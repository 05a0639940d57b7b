package policy_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var seed = flag.Uint64("seed", 0, "seed for the property tests (0: a fixed set)")

// randomModels runs f on small random models with every feature of the
// model (cycles, groups, capacities, standbys), printing the seed of a
// failing case so that -seed replays it.
func randomModels(t *testing.T, n int, f func(t *testing.T, c *graph.Compiled)) {
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	for _, s := range seeds {
		r := rand.New(rand.NewPCG(s, 0x9011c7))
		c, err := graph.Compile(synth.Random(r, 3+r.IntN(28)))
		require.NoError(t, err)
		if !t.Run("", func(t *testing.T) { f(t, c) }) {
			t.Fatalf("failed with -seed %d", s)
		}
	}
}

func checkAll(t *testing.T, c *graph.Compiled, rules ...policy.Rule) *policy.Result {
	t.Helper()
	res, err := policy.Check(context.Background(), c, &policy.Policy{Rules: rules, MaxViolations: -1})
	require.NoError(t, err)
	return res
}

// Each rule against the analysis it stands for, computed the plain way:
// NoSPOF against analyze.SPOFs of every node, SurviveSiteLoss against one
// Simulate per site, MaxBlastRadius against analyze.Rank and
// MinRedundancyRate against analyze.RedundancyRate.
func TestRulesMatchAnalyses(t *testing.T) {
	ctx := context.Background()
	var found [3]int
	defer func() {
		for i, n := range found {
			assert.Positive(t, n, "rule %d found violations in some model", i)
		}
	}()
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		res := checkAll(t, c,
			policy.NoSPOF(policy.Selector{}),
			policy.SurviveSiteLoss(policy.Selector{}),
			policy.MaxBlastRadius(policy.Limit{Nodes: 2}))
		for i := range found {
			found[i] += res.Rules[i].Total
		}

		var want []string
		chains := make(map[string][]string)
		for _, id := range c.IDs() {
			spofs, err := analyze.SPOFs(ctx, c, id)
			require.NoError(t, err)
			tree := analyze.NewSPOFChains(id, spofs)
			for i, s := range spofs {
				if !s.Kind.Infrastructure() {
					want = append(want, id+"/"+s.ID)
					chains[id+"/"+s.ID] = tree.Chain(i)
				}
			}
		}
		var gotSPOF []string
		for _, v := range res.Rules[0].Violations {
			gotSPOF = append(gotSPOF, v.Node+"/"+v.Removed)
			// Both are chains of causes from the node to the SPOF; SPOFs
			// hangs its chains on a tree, so the links between may differ
			// from the whole simulation's that the rule reports.
			if want := chains[v.Node+"/"+v.Removed]; assert.NotEmpty(t, v.Chain) && assert.NotEmpty(t, want) {
				assert.Equal(t, want[0], v.Chain[0])
				assert.Equal(t, want[len(want)-1], v.Chain[len(v.Chain)-1])
			}
		}
		slices.Sort(want)
		slices.Sort(gotSPOF)
		assert.Equal(t, want, gotSPOF, "no_spof")

		want = nil
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Kind(v) != graph.Site {
				continue
			}
			o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(v)))
			require.NoError(t, err)
			for _, e := range o.Effects() {
				if !e.Replica && !e.Removed && (e.State == analyze.Down || e.State == analyze.Degraded) {
					want = append(want, e.ID+"/"+c.VertexName(v))
				}
			}
		}
		var gotSite []string
		for _, v := range res.Rules[1].Violations {
			gotSite = append(gotSite, v.Node+"/"+v.Removed)
		}
		slices.Sort(want)
		slices.Sort(gotSite)
		assert.Equal(t, want, gotSite, "survive_site_loss")

		radii, err := analyze.Rank(ctx, c, analyze.RankOptions{})
		require.NoError(t, err)
		want = nil
		for _, r := range radii {
			if !r.Kind.Infrastructure() && r.Down-1 > 2 {
				want = append(want, r.ID)
			}
		}
		var gotRadius []string
		for _, v := range res.Rules[2].Violations {
			gotRadius = append(gotRadius, v.Node)
		}
		slices.Sort(want)
		slices.Sort(gotRadius)
		assert.Equal(t, want, gotRadius, "max_blast_radius")

		// The redundancy rate: a rule at the rate passes, one just above it
		// fails, by services and by users; on a model with no site to lose
		// or nothing to measure, every rate fails (closed).
		red, err := analyze.RedundancyRate(ctx, c)
		require.NoError(t, err)
		for _, by := range []policy.By{policy.ByCount, policy.ByUsers} {
			rate, all := red.Rate, int64(red.Services)
			if by == policy.ByUsers {
				rate, all = red.UsersRate, red.Users
			}
			at := checkAll(t, c, policy.MinRedundancyRate(rate, by))
			if len(red.Sites) == 0 || all == 0 {
				assert.False(t, at.Passed(), "rate %v by %v with %d sites, %d measured", rate, by, len(red.Sites), all)
				continue
			}
			assert.True(t, at.Passed(), "rate %v by %v: %+v", rate, by, at.Rules[0].Rate)
			if rate < 1 {
				above := checkAll(t, c, policy.MinRedundancyRate(min(1, rate+1e-9), by))
				assert.False(t, above.Passed(), "rate %v by %v", rate, by)
				assert.Equal(t, red.Services-red.Survive, above.Rules[0].Total)
			}
		}
	})
}

// On the reference models too.
func TestRedundancyRateMatches(t *testing.T) {
	for _, path := range []string{"../../testdata/kakao-2022.yaml", "../../testdata/naver-2022.yaml", "../../testdata/kakao-2022-mirror.yaml"} {
		c := loadT(t, path)
		red, err := analyze.RedundancyRate(context.Background(), c)
		require.NoError(t, err)
		res := checkAll(t, c, policy.MinRedundancyRate(red.UsersRate, policy.ByUsers), policy.MinRedundancyRate(red.Rate, policy.ByCount))
		assert.True(t, res.Passed(), path)
	}
}
