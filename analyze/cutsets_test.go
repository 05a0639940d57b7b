package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// bruteCuts is the reference for CutSets: it simulates every set of at
// most k candidates (each once, with Simulate, for every target at once)
// and keeps, per target, the sets that take it Down and none of whose
// one-smaller subsets does (the Down set is monotone, so that is minimal).
func bruteCuts(t *testing.T, c *graph.Compiled, cands []int32, k int) map[int32][]string {
	t.Helper()
	ctx := context.Background()
	downs := map[string][]bool{} // set key → per vertex: Down
	var sets [][]int32
	var rec func(start int, cur []int32)
	rec = func(start int, cur []int32) {
		sets = append(sets, slices.Clone(cur))
		if len(cur) == k {
			return
		}
		for i := start; i < len(cands); i++ {
			rec(i+1, append(cur, cands[i]))
		}
	}
	rec(0, nil)
	for _, s := range sets {
		o, err := Simulate(ctx, c, Fail(names(c, s)...))
		require.NoError(t, err)
		d := make([]bool, c.Len())
		for v := range d {
			d[v] = o.VertexState(int32(v)) == Down
		}
		slices.Sort(s)
		downs[setKey(s)] = d
	}
	out := map[int32][]string{}
	for tv := int32(0); tv < int32(c.Len()); tv++ {
		for _, s := range sets {
			slices.Sort(s)
			if slices.Contains(s, tv) || !downs[setKey(s)][tv] {
				continue
			}
			minimal := true
			for i := range s {
				sub := slices.Delete(slices.Clone(s), i, i+1)
				if downs[setKey(sub)][tv] {
					minimal = false
					break
				}
			}
			if minimal {
				out[tv] = append(out[tv], strings.Join(sortedNames(c, s), "+"))
			}
		}
		slices.Sort(out[tv])
	}
	return out
}

func sortedNames(c *graph.Compiled, vs []int32) []string {
	n := names(c, vs)
	slices.Sort(n)
	return n
}

func cutKeys(r CutSetResult) []string {
	var out []string
	for _, s := range r.Sets {
		out = append(out, strings.Join(s.IDs, "+"))
	}
	slices.Sort(out)
	return out
}

// CutSets equals the brute force on random models with cycles: every set
// it reports is minimal and takes the target Down in Simulate, and every
// set of at most k failures that takes it Down contains a reported one
// (both follow from equality with the reference). Every target of a model
// is searched in one call, so the shared search is checked too; replicas
// are candidates in a third of the models, a kind filter in another.
func TestCutSetsMatchBruteForce(t *testing.T) {
	ctx := context.Background()
	smallModels(t, 400, 12, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		k := 3
		if c.NodeCount() <= 8 {
			k = 4
		}
		opts := CutSetOptions{MaxOrder: k}
		switch r.IntN(3) {
		case 0:
			opts.Replicas = true
		case 1:
			opts.Kinds = []graph.Kind{graph.Site, graph.Service, graph.Power, graph.Datastore}
		}
		allow, err := cutCandidates(c, opts)
		require.NoError(t, err)
		var cands, targets []int32
		for v := int32(0); v < int32(c.Len()); v++ {
			if allow[v] {
				cands = append(cands, v)
			}
			if k := c.VertexKind(v); k != graph.SoftGroupVertex {
				targets = append(targets, v)
			}
		}
		if len(cands) > 14 {
			cands, opts.Candidates = cands[:14], names(c, cands[:14])
		}
		want := bruteCuts(t, c, cands, k)
		got, err := CutSetsVertices(ctx, c, targets, opts)
		require.NoError(t, err)
		for i, tv := range targets {
			require.Equal(t, want[tv], cutKeys(got[i]), "target %s, order ≤ %d, options %+v", c.VertexName(tv), k, opts)
			for _, s := range got[i].Sets {
				require.Len(t, s.Chains, len(s.IDs))
				for j, ch := range s.Chains {
					require.NotEmpty(t, ch, "cut set %v of %s: no chain to %s", s.IDs, c.VertexName(tv), s.IDs[j])
					assert.Equal(t, c.VertexName(tv), ch[0])
					assert.Equal(t, s.IDs[j], ch[len(ch)-1])
				}
			}
		}
	})
}

// Order-1 cut sets are exactly the SPOFs.
func TestCutSetsOrderOneAreSPOFs(t *testing.T) {
	ctx := context.Background()
	smallModels(t, underRace(500), 30, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		for tv := int32(0); tv < int32(c.NodeCount()); tv++ {
			id := c.VertexName(tv)
			spofs, err := SPOFs(ctx, c, id)
			require.NoError(t, err)
			var want []string
			for _, s := range spofs {
				want = append(want, s.ID)
			}
			slices.Sort(want)
			got, err := CutSets(ctx, c, id, CutSetOptions{MaxOrder: 1})
			require.NoError(t, err)
			var gotIDs []string
			for _, s := range got.Sets {
				gotIDs = append(gotIDs, s.IDs...)
			}
			slices.Sort(gotIDs)
			require.Equal(t, want, gotIDs, "target %s", id)
		}
	})
}

// A limit stops the search and says so: every cut set of the orders it
// calls complete is there, and no more than the limit.
func TestCutSetsLimit(t *testing.T) {
	ctx := context.Background()
	smallModels(t, 200, 20, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		tv := int32(r.IntN(c.NodeCount()))
		full, err := CutSetsVertices(ctx, c, []int32{tv}, CutSetOptions{MaxOrder: 3})
		require.NoError(t, err)
		require.False(t, full[0].Truncated)
		limit := 1 + r.IntN(4)
		cut, err := CutSetsVertices(ctx, c, []int32{tv}, CutSetOptions{MaxOrder: 3, Limit: limit})
		require.NoError(t, err)
		got := cut[0]
		require.LessOrEqual(t, len(got.Sets), limit)
		if len(full[0].Sets) <= limit {
			require.False(t, got.Truncated)
			require.Equal(t, cutKeys(full[0]), cutKeys(got))
			return
		}
		require.True(t, got.Truncated)
		require.Less(t, got.Complete, 3)
		want := map[string]bool{}
		for _, s := range full[0].Sets {
			want[strings.Join(s.IDs, "+")] = true
		}
		complete := 0
		for _, s := range full[0].Sets {
			if s.Order() <= got.Complete {
				complete++
			}
		}
		n := 0
		for _, s := range got.Sets {
			require.True(t, want[strings.Join(s.IDs, "+")], "%v is not a cut set", s.IDs)
			if s.Order() <= got.Complete {
				n++
			}
		}
		require.Equal(t, complete, n, "every cut set of order ≤ %d", got.Complete)
	})
}

func TestCutSetsOptionErrors(t *testing.T) {
	c := loadKakao(t)
	ctx := context.Background()
	_, err := CutSets(ctx, c, "kakao-gmes", CutSetOptions{})
	require.ErrorContains(t, err, `did you mean "kakao-games"?`)
	_, err = CutSets(ctx, c, "kakao-games", CutSetOptions{MaxOrder: 9})
	require.ErrorContains(t, err, "order 9")
	_, err = CutSets(ctx, c, "kakao-games", CutSetOptions{Limit: -1})
	require.ErrorContains(t, err, "negative limit")
	_, err = CutSets(ctx, c, "kakao-games", CutSetOptions{Candidates: []string{"pangyo", "nope"}})
	require.ErrorContains(t, err, `unknown node "nope"`)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = CutSets(cctx, c, "kakao-games", CutSetOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

func loadKakao(t *testing.T) *graph.Compiled {
	t.Helper()
	m, err := graph.Load("../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

// Kakao: kakao-games' order-2 cut sets are the three pairs of its game
// databases; kakaotalk has no cut set of order 2 or 3, its SPOFs being
// pangyo, its power and the region.
func TestCutSetsKakao(t *testing.T) {
	c := loadKakao(t)
	ctx := context.Background()
	g, err := CutSets(ctx, c, "kakao-games", CutSetOptions{MaxOrder: 3})
	require.NoError(t, err)
	var pairs []string
	for _, s := range g.Sets {
		if s.Order() == 2 {
			pairs = append(pairs, strings.Join(s.IDs, "+"))
		}
	}
	assert.Equal(t, []string{"kakao-games-db-1+kakao-games-db-2", "kakao-games-db-1+kakao-games-db-3", "kakao-games-db-2+kakao-games-db-3"}, pairs)

	k, err := CutSets(ctx, c, "kakaotalk", CutSetOptions{MaxOrder: 3})
	require.NoError(t, err)
	var ones []string
	for _, s := range k.Sets {
		require.Equal(t, 1, s.Order(), "kakaotalk: %v", s.IDs)
		ones = append(ones, s.IDs[0])
	}
	spofs, err := SPOFs(ctx, c, "kakaotalk")
	require.NoError(t, err)
	var want []string
	for _, s := range spofs {
		want = append(want, s.ID)
	}
	slices.Sort(want)
	assert.Equal(t, want, ones)
	assert.Contains(t, ones, "pangyo")
}

// The random models of the brute-force test do hold cut sets of every
// order it checks, so that its equality means something.
func TestCutSetsRandomModelsHaveLargeSets(t *testing.T) {
	ctx := context.Background()
	var count [5]int
	smallModels(t, 400, 12, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		var targets []int32
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			targets = append(targets, v)
		}
		got, err := CutSetsVertices(ctx, c, targets, CutSetOptions{MaxOrder: 4})
		require.NoError(t, err)
		for _, g := range got {
			for _, s := range g.Sets {
				count[s.Order()]++
			}
		}
	})
	t.Logf("cut sets by order: %v", count)
	for k, least := range []int{1: 1000, 2: 200, 3: 50} {
		require.GreaterOrEqual(t, count[k], least, "order %d", k)
	}
}

// Progress is called with what was tried of each order, never more than
// its total, and ends at the total.
func TestCutSetsProgress(t *testing.T) {
	c := loadKakao(t)
	var calls, last, lastTotal int
	_, err := CutSets(context.Background(), c, "kakao-games", CutSetOptions{MaxOrder: 3, Progress: func(done, total int) {
		calls++
		require.LessOrEqual(t, done, total)
		last, lastTotal = done, total
	}})
	require.NoError(t, err)
	require.Positive(t, calls)
	require.Equal(t, lastTotal, last)
}
