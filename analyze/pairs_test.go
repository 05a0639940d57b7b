package analyze

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// loadModelT reads and compiles a model file.
func loadModelT(t *testing.T, path string) *graph.Compiled {
	t.Helper()
	m, err := graph.Load(path)
	require.NoError(t, err)
	return compileT(t, m)
}

// nodeStates is the state of every model node (not replicas) when the
// given nodes are removed, by one Simulate.
func nodeStates(t testing.TB, c *graph.Compiled, ids ...string) []State {
	t.Helper()
	o, err := Simulate(context.Background(), c, Fail(ids...))
	require.NoError(t, err)
	st := make([]State, c.NodeCount())
	for _, e := range o.Effects() {
		if !e.Replica {
			st[e.Vertex] = e.State
		}
	}
	return st
}

// pairBySimulate is the reference for one pair: Simulate a, b and both,
// and count what the pair takes beyond each alone, by the definition.
func pairBySimulate(t testing.TB, c *graph.Compiled, a, b string) (joint, beyond PairReach, named []string) {
	sa, sb, sab := nodeStates(t, c, a), nodeStates(t, c, b), nodeStates(t, c, a, b)
	var all []int32
	for v := range int32(c.NodeCount()) {
		tier0 := c.Tier(v) == 0 && !c.Kind(v).Infrastructure()
		add := func(r *PairReach, st State) {
			switch st {
			case Down:
				r.Down++
				r.UsersDown += c.Users(v)
			case Degraded:
				r.Degraded++
				r.UsersDegraded += c.Users(v)
			default:
				return
			}
			if tier0 {
				r.Tier0++
			}
		}
		add(&joint, sab[v])
		switch {
		case sab[v] == Down && sa[v] != Down && sb[v] != Down:
			add(&beyond, Down)
			all = append(all, v)
		case sab[v] == Degraded && sa[v] == Up && sb[v] == Up:
			add(&beyond, Degraded)
			all = append(all, v)
		}
	}
	slices.SortFunc(all, func(x, y int32) int {
		return cmp.Or(cmp.Compare(c.Users(y), c.Users(x)), cmp.Compare(sab[y], sab[x]), cmp.Compare(c.VertexName(x), c.VertexName(y)))
	})
	for _, v := range all[:min(len(all), PairNamed)] {
		named = append(named, c.VertexName(v))
	}
	return joint, beyond, named
}

// checkPairs holds a ranking to the reference: every pair of candidates
// that takes something beyond is listed with the reference's figures, in
// order, and no other.
func checkPairs(t *testing.T, c *graph.Compiled, opts PairOptions, got *PairRanking) {
	t.Helper()
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = DefaultPairKinds
	}
	cands, err := candidates(c, kinds, opts.IDs)
	require.NoError(t, err)
	n := len(cands)
	require.Equal(t, n, got.Candidates)
	require.Equal(t, n*(n-1)/2, got.Tried)
	listed := map[[2]string]Pair{}
	for _, p := range got.Pairs {
		require.Less(t, p.A, p.B, "pair not in id order")
		listed[[2]string{p.A, p.B}] = p
	}
	require.Len(t, listed, len(got.Pairs), "a pair listed twice")
	want := 0
	for i := range n {
		for j := i + 1; j < n; j++ {
			a, b := c.VertexName(cands[i]), c.VertexName(cands[j])
			if a > b {
				a, b = b, a
			}
			joint, beyond, named := pairBySimulate(t, c, a, b)
			p, ok := listed[[2]string{a, b}]
			if beyond == (PairReach{}) {
				require.False(t, ok, "pair %s+%s takes nothing beyond but is listed: %+v", a, b, p)
				continue
			}
			want++
			require.True(t, ok, "pair %s+%s takes %+v beyond but is not listed", a, b, beyond)
			require.Equal(t, joint, p.Joint, "joint %s+%s", a, b)
			require.Equal(t, beyond, p.Beyond, "beyond %s+%s", a, b)
			require.Equal(t, named, p.Named, "named %s+%s", a, b)
			va, _ := c.Lookup(a)
			vb, _ := c.Lookup(b)
			require.Equal(t, [2]graph.Kind{c.Kind(va), c.Kind(vb)}, [2]graph.Kind{p.KindA, p.KindB})
		}
	}
	require.Equal(t, want, got.Total)
	for i := 1; i < len(got.Pairs); i++ {
		x, y := got.Pairs[i-1].Beyond, got.Pairs[i].Beyond
		require.True(t, x.UsersDown > y.UsersDown || x.UsersDown == y.UsersDown &&
			(x.UsersDegraded > y.UsersDegraded || x.UsersDegraded == y.UsersDegraded &&
				(x.Down > y.Down || x.Down == y.Down && x.Degraded >= y.Degraded)), "not in order at %d", i)
	}
}

// RankPairs equals two Simulate calls per pair (and one per candidate) on
// random models with every feature, cycles included; candidates of every
// kind or the default sites and regions; one worker or several; small
// threshold gates as formulas and every gate summed.
func TestRankPairsMatchesSimulate(t *testing.T) {
	t.Run("formulas", func(t *testing.T) { testRankPairs(t, underRace(600)) })
	t.Run("sums", func(t *testing.T) {
		termInputs = 0
		defer func() { termInputs = maxTermInputs }()
		testRankPairs(t, underRace(300))
	})
}

func testRankPairs(t *testing.T, n int) {
	randomCases(t, n, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		opts := PairOptions{Workers: 1 + r.IntN(3)}
		if r.IntN(3) > 0 {
			opts.Kinds = graph.Kinds() // every node
		}
		got, err := RankPairs(context.Background(), c, opts)
		require.NoError(t, err)
		checkPairs(t, c, opts, got)
	})
}

// On a catalog of 300 candidates (several blocks of 64, fixed candidates
// inside and before a block, masks of many lanes) the ranking equals the
// reference on every pair.
func TestRankPairsManyBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("45,000 pairs, 3 Simulate each")
	}
	c := compileT(t, synth.Services(synth.Params{Nodes: 300, AvgDeps: 3, Sites: 4, Hubs: 3, CycleFrac: 0.1,
		GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.4, Seed: 7}))
	opts := PairOptions{Kinds: graph.Kinds(), Workers: 2}
	got, err := RankPairs(context.Background(), c, opts)
	require.NoError(t, err)
	require.Greater(t, got.Candidates, 128)
	require.Positive(t, got.Total)
	checkPairs(t, c, opts, got)
}

// On the Kakao model two pairs of places take more than their singles:
// ansan and gasan hold KakaoPay's two replicas (either carries it,
// Degraded), and gasan and mokdong Kakao T's; no other pair of sites or
// regions adds anything (the account data's four copies never all go with
// two sites, and everything else sits at one site).
func TestKakaoPairs(t *testing.T) {
	c := loadModelT(t, "../testdata/kakao-2022.yaml")
	got, err := RankPairs(context.Background(), c, PairOptions{})
	require.NoError(t, err)
	checkPairs(t, c, PairOptions{}, got)
	assert.Equal(t, []Pair{
		{A: "ansan", B: "gasan", KindA: graph.Site, KindB: graph.Site,
			Joint:  PairReach{Down: 8, Degraded: 2, UsersDown: 20_000_000, UsersDegraded: 17_000_000, Tier0: 1},
			Beyond: PairReach{Down: 1, UsersDown: 20_000_000, Tier0: 1}, Named: []string{"kakaopay"}},
		{A: "gasan", B: "mokdong", KindA: graph.Site, KindB: graph.Site,
			Joint:  PairReach{Down: 9, Degraded: 1, UsersDown: 17_000_000, UsersDegraded: 20_000_000, Tier0: 1},
			Beyond: PairReach{Down: 1, UsersDown: 10_000_000}, Named: []string{"kakao-t"}},
	}, got.Pairs)
	assert.Equal(t, 7, got.Candidates) // 6 sites and the region
}

func TestRankPairsOptions(t *testing.T) {
	c := loadModelT(t, "../testdata/kakao-2022.yaml")
	ctx := context.Background()
	all, err := RankPairs(ctx, c, PairOptions{})
	require.NoError(t, err)
	top, err := RankPairs(ctx, c, PairOptions{Top: 2})
	require.NoError(t, err)
	assert.Equal(t, all.Pairs[:2], top.Pairs)
	assert.Equal(t, all.Total, top.Total)

	_, err = RankPairs(ctx, c, PairOptions{IDs: []string{"pangyoo"}})
	var unknown *UnknownNodeError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "pangyo", unknown.Suggestion)

	_, err = RankPairs(ctx, c, PairOptions{Kinds: graph.Kinds(), MaxPairs: 10})
	require.ErrorContains(t, err, "more than the 10 allowed")

	one, err := RankPairs(ctx, c, PairOptions{IDs: []string{"pangyo"}})
	require.NoError(t, err)
	assert.Equal(t, &PairRanking{Candidates: 1, Pairs: []Pair{}}, one)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = RankPairs(cancelled, c, PairOptions{Kinds: graph.Kinds()})
	require.ErrorIs(t, err, context.Canceled)

	var calls, last int
	_, err = RankPairs(ctx, c, PairOptions{Kinds: graph.Kinds(), Progress: func(done, total int) { calls++; last = done; _ = total }})
	require.NoError(t, err)
	n := c.NodeCount()
	assert.Positive(t, calls)
	assert.Equal(t, n*(n-1)/2, last)
}
