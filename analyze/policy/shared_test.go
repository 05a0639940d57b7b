package policy_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// What a caller hands Finish gives what Check computes itself: the radii
// of a plain ranking (read in Rank's order, where Check reads its
// Ranker's node by node), the outcomes of every site and region loss or of
// some of them (Check finds the states of the others with the batch
// engine, and their chains with analyze.Chain), with the redundancy rate
// or without it (then measured from the outcomes given and the others'
// simulations).
func TestFinishSharedEqualsCheck(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{300, 3_000} {
		for seed := int64(1); seed <= 3; seed++ {
			c, err := graph.Compile(synth.Services(synth.Default(n, seed)))
			require.NoError(t, err)
			p := everyRule()
			p.MaxViolations = 7
			p.Rules = append(p.Rules, policy.SurviveSiteLossWithin(policy.Tier(0), 1))
			want, err := policy.Check(ctx, c, p)
			require.NoError(t, err)

			radii, err := analyze.Rank(ctx, c, analyze.RankOptions{})
			require.NoError(t, err)
			red, err := analyze.RedundancyRate(ctx, c)
			require.NoError(t, err)
			outcomes := map[int32]*analyze.Outcome{}
			for v := range int32(c.NodeCount()) {
				if k := c.Kind(v); k == graph.Site || k == graph.Region {
					outcomes[v], err = analyze.Simulate(ctx, c, analyze.Fail(c.VertexName(v)))
					require.NoError(t, err)
				}
			}
			// The losses as package diff finds them (sites, then regions,
			// in model order), and in a random order among others.
			var sites, regions []int32
			for v := range int32(c.NodeCount()) {
				switch c.Kind(v) {
				case graph.Site:
					sites = append(sites, v)
				case graph.Region:
					regions = append(regions, v)
				}
			}
			ordered, err := analyze.LoseEach(ctx, c, append(slices.Clone(sites), regions...))
			require.NoError(t, err)
			r := rand.New(rand.NewPCG(uint64(seed), uint64(n)))
			mixed := append(append(slices.Clone(regions), sites...), sites[:len(sites)/2]...)
			for v := range int32(c.NodeCount()) {
				if r.IntN(50) == 0 {
					mixed = append(mixed, v)
				}
			}
			r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
			shuffled, err := analyze.LoseEach(ctx, c, mixed)
			require.NoError(t, err)
			sitesOnly, err := analyze.LoseEach(ctx, c, sites[1:])
			require.NoError(t, err)
			every := func(v int32) *analyze.Outcome { return outcomes[v] }
			some := func(v int32) *analyze.Outcome {
				if v%2 == 0 {
					return nil
				}
				return outcomes[v]
			}
			for name, sh := range map[string]policy.Shared{
				"radii":                   {Radii: radii},
				"every loss and the rate": {Lost: every, Redundancy: red},
				"every loss":              {Lost: every},
				"some losses":             {Lost: some},
				"some losses, the rate":   {Radii: radii, Lost: some, Redundancy: red},
				"losses and the rate":     {Losses: ordered, Redundancy: red},
				"losses":                  {Losses: ordered},
				"losses in any order":     {Losses: shuffled},
				"some sites' losses":      {Losses: sitesOnly},
				"some outcomes, losses":   {Lost: some, Losses: shuffled},
			} {
				k, err := policy.Prepare(c, p)
				require.NoError(t, err)
				if sh.Radii != nil {
					// A shared ranking's hits reach the rules through Sink.
					r, err := analyze.NewRanker(c, analyze.RankOptions{}, k.Watch())
					require.NoError(t, err)
					require.NoError(t, r.Run(ctx, r.Candidates(), k.Sink(r.Workers())))
				}
				got, err := k.Finish(ctx, sh)
				require.NoError(t, err)
				require.Equal(t, want.Rules, got.Rules, "%d nodes, seed %d: %s", n, seed, name)
			}
		}
	}
}
