package policy_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// independent, which explains only the claims whose defeats it can list,
// lists what the audit with every chain gives: the same violations, in
// the same order, with the same chains and the same count, on random
// models, with lists short enough to cut (1 to 3 violations) and ties at
// the cut that only the chain decides. And it builds fewer chains: with
// the list cut, some claim with a defeat to list is left unexplained, and
// every claim a listed violation names is explained.
func TestIndependentListsAsWithEveryChain(t *testing.T) {
	ctx := context.Background()
	cut, ties, fewer := 0, 0, 0
	var seen *analyze.AuditResult
	policy.SetExplainedHook(func(r *analyze.AuditResult) { seen = r })
	t.Cleanup(func() { policy.SetExplainedHook(nil) })
	defer func() {
		require.Positive(t, cut, "some list cut")
		require.Positive(t, ties, "some tie at the cut")
		require.Positive(t, fewer, "some cut list with a claim left unexplained")
	}()
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		for _, k := range []int{2, 3} {
			audit, err := analyze.Audit(ctx, c, analyze.AuditOptions{MaxOrder: k - 1, Limit: -1})
			require.NoError(t, err)
			type hit struct {
				owner, ids string
				users      int64
				order      int
				chain      []string
			}
			var all []hit
			for _, cl := range audit.Claims {
				for _, d := range cl.Defeats {
					if !d.Hidden || d.Order() >= k {
						continue
					}
					chain := append([]string{cl.Owner}, d.Chains[0][1:]...)
					if d.Chains[0][0] == cl.Owner {
						chain = d.Chains[0]
					}
					all = append(all, hit{cl.Owner, strings.Join(d.IDs, ", "), c.Users(cl.OwnerVertex), d.Order(), chain})
				}
			}
			key := func(a, b hit) int {
				return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(b.users, a.users), cmp.Compare(a.owner, b.owner), cmp.Compare(a.ids, b.ids))
			}
			slices.SortFunc(all, func(a, b hit) int {
				return cmp.Or(key(a, b), cmp.Compare(strings.Join(a.chain, " "), strings.Join(b.chain, " ")))
			})
			for _, limit := range []int{1, 2, 3, -1} {
				p := &policy.Policy{Rules: []policy.Rule{policy.Independent(k, policy.Selector{})}, MaxViolations: limit, MaxChain: -1}
				res, err := policy.Check(ctx, c, p)
				require.NoError(t, err)
				rr := res.Rules[0]
				want := all
				if limit > 0 && len(want) > limit {
					want = want[:limit]
					cut++
					if key(all[limit-1], all[limit]) == 0 {
						ties++
					}
				}
				require.Equal(t, len(all), rr.Total, "k %d, limit %d", k, limit)
				// The chains built: every claim a listed violation names,
				// and, when the list is cut, not always every claim with
				// something to list.
				require.NotNil(t, seen, "k %d, limit %d: the rule audited", k, limit)
				explained := map[string]bool{}
				withHits := map[string]bool{}
				for _, cl := range seen.Claims {
					if cl.Explained {
						explained[cl.Owner] = true
					}
				}
				for _, h := range all {
					withHits[h.owner] = true
				}
				for _, v := range rr.Violations {
					require.True(t, explained[v.Node], "k %d, limit %d: %s listed without its claim explained", k, limit, v.Node)
				}
				if len(want) < len(all) && len(explained) < len(withHits) {
					fewer++
				}
				seen = nil
				require.Len(t, rr.Violations, len(want), "k %d, limit %d", k, limit)
				for i, v := range rr.Violations {
					require.Equal(t, want[i].owner, v.Node)
					require.Equal(t, want[i].ids, v.Removed)
					require.Equal(t, want[i].chain, v.Chain, "k %d, limit %d, violation %d", k, limit, i)
				}
			}
		}
	})
}
