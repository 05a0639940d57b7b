package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// randomKinds is no kinds (every node may fail) half the time, else a
// random part of the kinds of c's nodes.
func randomKinds(c *graph.Compiled, r *rand.Rand) []graph.Kind {
	if r.IntN(2) == 0 {
		return nil
	}
	var kinds []graph.Kind
	for v := range int32(c.NodeCount()) {
		if k := c.Kind(v); !slices.Contains(kinds, k) && r.IntN(3) > 0 {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// pairCutSets equals CutSetsVertices at order 2 on random models with
// cycles, groups, capacities and standbys, for random targets of every
// vertex kind (repeated ones too), random kinds of candidates and limits
// small enough to truncate: the same sets, chains included, in the same
// order, truncated alike.
func TestPairCutSetsMatchCutSetsVertices(t *testing.T) {
	ctx := context.Background()
	truncated, pairs := 0, 0
	defer func() {
		require.Positive(t, truncated, "some search truncated")
		require.Positive(t, pairs, "some cut set of order 2")
	}()
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		var targets []int32
		for v := range int32(c.Len()) {
			if r.IntN(3) > 0 {
				targets = append(targets, v)
			}
		}
		if len(targets) > 1 && r.IntN(4) == 0 {
			targets = append(targets, targets[r.IntN(len(targets))])
		}
		r.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
		kinds := randomKinds(c, r)
		limit := []int{0, 0, 1, 2, 3, 5}[r.IntN(6)]
		want, err := CutSetsVertices(ctx, c, targets, CutSetOptions{MaxOrder: 2, Kinds: kinds, Limit: limit})
		require.NoError(t, err)
		got, err := pairCutSets(ctx, c, targets, kinds, limit, nil)
		require.NoError(t, err)
		for i := range want {
			want[i].Candidates, want[i].Tried = 0, 0
			truncated += min(1, boolInt(want[i].Truncated))
			pairs += want[i].Count()[2]
		}
		require.Equal(t, want, got, "targets %v, kinds %v, limit %d", names(c, targets), kinds, limit)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The audit that shares the order-2 search between its claims equals the
// audit that searches them claim by claim (64 at a time, by
// CutSetsVertices), on random models, with random kinds and limits.
func TestAuditSharedMatchesClaimByClaim(t *testing.T) {
	ctx := context.Background()
	searched, pairs := 0, 0
	defer func() {
		require.Positive(t, searched, "some claim searched at order 2")
		require.Positive(t, pairs, "some defeat of order 2")
	}()
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		opts := AuditOptions{Kinds: randomKinds(c, r), Limit: []int{-1, 0, 1, 2, 3}[r.IntN(5)]}
		got, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		opts.claimByClaim = true
		want, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		require.Equal(t, want, got, "kinds %v, limit %d", opts.Kinds, opts.Limit)
		for _, cl := range got.Claims {
			if cl.searched(2) == 2 {
				searched++
				for _, d := range cl.Defeats {
					pairs += boolInt(d.Order() == 2)
				}
			}
		}
	})
}

// The same on two catalogs of 2,000 nodes (the shapes of the audit's
// benchmark), where thousands of claims share their ancestries.
func TestAuditSharedMatchesClaimByClaimCatalogs(t *testing.T) {
	if testing.Short() {
		t.Skip("catalogs of 2,000 nodes")
	}
	ctx := context.Background()
	for _, cat := range auditCatalogs {
		p := cat.p
		p.Nodes = 2000
		if race.Enabled {
			p.Nodes = 600 // the claim-by-claim audit is 13 times slower under the detector
		}
		c, err := graph.Compile(synth.Services(p))
		require.NoError(t, err)
		got, err := Audit(ctx, c, AuditOptions{})
		require.NoError(t, err)
		want, err := Audit(ctx, c, AuditOptions{claimByClaim: true})
		require.NoError(t, err)
		require.Equal(t, want, got, cat.name)
		pairs := 0
		for _, cl := range got.Claims {
			for _, d := range cl.Defeats {
				pairs += boolInt(d.Order() == 2)
			}
		}
		t.Logf("%s: %d claims, %d defeats of order 2", cat.name, len(got.Claims), pairs)
		require.Positive(t, pairs, cat.name)
	}
}

// An audit without its chains, explained claim by claim afterwards (in a
// random order, some claims twice), equals the audit with them, on random
// models at orders 1 to 3 (at 3 the chains of CutSetsVertices): before
// Explain a claim has no chain and says so. The chains of the defeats of
// one node and of the sets around are Simulate's.
func TestAuditExplainMatchesAudit(t *testing.T) {
	ctx := context.Background()
	explained := 0
	defer func() { require.Positive(t, explained, "some claim explained") }()
	randomCases(t, underRace(1000), func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		opts := AuditOptions{MaxOrder: 1 + r.IntN(3), Kinds: randomKinds(c, r), Limit: []int{-1, 0, 1, 2, 3}[r.IntN(5)]}
		want, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		opts.NoChains = true
		got, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		require.Len(t, got.Claims, len(want.Claims))
		for i, cl := range got.Claims {
			require.False(t, cl.Explained)
			require.True(t, want.Claims[i].Explained)
			for _, d := range cl.Defeats {
				require.Nil(t, d.Chains)
				require.Nil(t, d.MemberChains)
			}
			for _, s := range cl.Around {
				require.Nil(t, s.Chains)
			}
		}
		order := r.Perm(len(got.Claims))
		for len(order) > 0 {
			k := 1 + r.IntN(len(order))
			part := slices.Clone(order[:k])
			if r.IntN(3) == 0 && len(part) > 0 {
				part = append(part, part[0])
			}
			require.NoError(t, got.Explain(ctx, c, part...))
			order = order[k:]
		}
		require.Equal(t, want, got, "order %d, kinds %v, limit %d", opts.MaxOrder, opts.Kinds, opts.Limit)
		explained += len(got.Claims)
		// The runs for the chains of one node, confined to the claims'
		// ancestry, give Simulate's chains.
		sim := map[int32]*Outcome{}
		outcome := func(v int32) *Outcome {
			if o, ok := sim[v]; ok {
				return o
			}
			o, err := Simulate(ctx, c, Fail(c.VertexName(v)))
			require.NoError(t, err)
			sim[v] = o
			return o
		}
		for _, cl := range got.Claims {
			for _, d := range cl.Defeats {
				if d.Order() != 1 {
					continue
				}
				o := outcome(d.Vertices[0])
				for j, m := range cl.Members {
					var want []string // a member left up or only degraded has none
					if o.State(m) == Down {
						want = o.Chain(m)
					}
					require.Equal(t, want, d.MemberChains[j], "%s: %s down to %s", cl.Name, m, d.IDs[0])
				}
				if cl.Vertex == cl.OwnerVertex {
					require.Equal(t, [][]string{o.Chain(cl.Owner)}, d.Chains)
				}
			}
			for _, s := range cl.Around {
				require.Equal(t, [][]string{outcome(s.Vertices[0]).Chain(cl.Owner)}, s.Chains, "%s around %v", cl.Name, s.IDs)
			}
		}
		require.Error(t, got.Explain(ctx, c, len(got.Claims)))
	})
}

// runAbove, given what the fixed failure takes Down, gives every other
// position the masks runWith gives it, on the pair search's layout (no
// soft edge, no demand) of random models, for random fixed failures and
// lanes; runWith has every position of the fixed failure's cascade Down
// in every lane.
func TestRunAboveMatchesRunWith(t *testing.T) {
	runs := 0
	defer func() { require.Positive(t, runs) }()
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		all := make([]bool, c.Len())
		for i := range all {
			all[i] = true
		}
		l := withinLayout(layoutFor(c), all)
		b := newBatch(l)
		fixed := make([]bool, len(l.vertex))
		srcs := removable(c)
		for range 5 {
			a := srcs[r.IntN(len(srcs))]
			var down []int32
			b.run([]int32{a}, func(p int32, dn, _ uint64) {
				if dn&1 != 0 {
					down = append(down, p)
				}
			})
			var lanes []int32
			for range 1 + r.IntN(64) {
				lanes = append(lanes, srcs[r.IntN(len(srcs))])
			}
			all := uint64(1)<<uint(len(lanes)) - 1
			type ms struct{ down, bad uint64 }
			want := map[int32]ms{}
			b.runWith([]int32{a}, lanes, func(p int32, dn, bad uint64) { want[p] = ms{dn, bad} })
			for _, p := range down {
				require.Equal(t, ms{all, all}, want[p], "%s in the cascade of %s", c.VertexName(l.vertex[p]), c.VertexName(a))
				delete(want, p)
			}
			got := map[int32]ms{}
			b.runAbove(down, fixed, lanes, func(p int32, dn, bad uint64) { got[p] = ms{dn, bad} })
			require.Equal(t, want, got, "fixed %s, lanes %v", c.VertexName(a), names(c, lanes))
			require.NotContains(t, fixed, true)
			runs++
		}
	})
}
