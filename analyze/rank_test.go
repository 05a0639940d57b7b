package analyze

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// radiusBySimulate is the reference: one Simulate per node.
func radiusBySimulate(t testing.TB, c *graph.Compiled, v int32) Radius {
	t.Helper()
	o, err := Simulate(context.Background(), c, Fail(c.VertexName(v)))
	if err != nil {
		t.Fatal(err)
	}
	r := Radius{ID: c.VertexName(v), Kind: c.Kind(v), Tier: c.Tier(v),
		Down: o.Totals.Down, Degraded: o.Totals.Degraded,
		UsersDown: o.Totals.UsersDown, UsersDegraded: o.Totals.UsersDegraded}
	for _, e := range o.Effects() {
		if !e.Replica && e.Tier == 0 && !e.Kind.Infrastructure() && (e.State == Down || e.State == Degraded) {
			r.Tier0++
		}
	}
	return r
}

// Rank equals one Simulate per node, exactly, on random graphs with every
// feature; with one worker and with several; with small threshold gates
// evaluated as formulas and with every gate summed lane by lane.
func TestRankMatchesSimulate(t *testing.T) {
	t.Run("formulas", func(t *testing.T) { testRankMatchesSimulate(t, 2000) })
	t.Run("sums", func(t *testing.T) {
		termInputs = 0
		defer func() { termInputs = maxTermInputs }()
		testRankMatchesSimulate(t, 1000)
	})
}

// Rank equals one Simulate per node on service catalogs of thousands of
// nodes: dozens of batches in the layout's order, masks of many lanes
// (added byte by byte), many groups, replicas and cycles; with small
// threshold gates as formulas and with every gate summed.
func TestRankMatchesSimulateOnCatalogs(t *testing.T) {
	for _, p := range []synth.Params{
		synth.Default(3_000, 1),
		{Nodes: 3_000, AvgDeps: 6, Sites: 3, Hubs: 8, CycleFrac: 0.1, GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.3, Seed: 2},
	} {
		c := compileT(t, synth.Services(p))
		want := make(map[string]Radius, c.NodeCount())
		for v := range int32(c.NodeCount()) {
			want[c.VertexName(v)] = radiusBySimulate(t, c, v)
		}
		for _, terms := range []int{maxTermInputs, 0} {
			termInputs = terms
			fresh := compileT(t, synth.Services(p)) // a layout made with these terms
			got, err := Rank(context.Background(), fresh, RankOptions{})
			termInputs = maxTermInputs
			require.NoError(t, err)
			require.Len(t, got, c.NodeCount())
			for _, g := range got {
				require.Equal(t, want[g.ID], g, "seed %d, formulas up to %d inputs", p.Seed, terms)
			}
		}
	}
}

func testRankMatchesSimulate(t *testing.T, n int) {
	randomCases(t, n, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		got, err := Rank(context.Background(), c, RankOptions{Workers: 1 + r.IntN(3)})
		require.NoError(t, err)
		require.Len(t, got, c.NodeCount())
		if !slices.IsSortedFunc(got, CompareRadii) {
			t.Fatalf("not in Rank's order: %+v", got)
		}
		for _, g := range got {
			v, _ := c.Lookup(g.ID)
			if want := radiusBySimulate(t, c, v); g != want {
				t.Fatalf("Rank says %+v, Simulate says %+v", g, want)
			}
		}
	})
}

// More than 64 candidates with shared paths and cycles: several batches,
// and lanes that share vertices.
func TestRankManyBatches(t *testing.T) {
	m := &graph.Model{}
	m.Add(graph.Node{ID: "s", Kind: graph.Site}, graph.Node{ID: "t", Kind: graph.Site})
	for i := range 300 {
		n := graph.Node{ID: "n" + itoa(i), Kind: graph.Service, Users: int64(i), Tier: graph.TierOf(i % 3),
			Replicas: []graph.Replica{{Site: "s"}, {Site: "t"}}}
		if i > 0 {
			n.Requires = graph.All("n" + itoa(i/2))
		}
		if i%7 == 3 {
			n.Uses = graph.All("n" + itoa(i+1))
		}
		if i%11 == 5 {
			n.Requires = append(n.Requires, graph.AnyOf("n"+itoa(i-1), "n"+itoa(i-2)))
		}
		m.Add(n)
	}
	c := compileT(t, m)
	got, err := Rank(context.Background(), c, RankOptions{})
	require.NoError(t, err)
	for _, g := range got {
		v, _ := c.Lookup(g.ID)
		require.Equal(t, radiusBySimulate(t, c, v), g)
	}
	assert.Equal(t, "n0", got[0].ID, "the root everything requires")
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestRankOptions(t *testing.T) {
	c := compileT(t, miniKakao())
	all, err := Rank(context.Background(), c, RankOptions{})
	require.NoError(t, err)
	assert.Len(t, all, c.NodeCount())
	for i := 1; i < len(all); i++ {
		assert.GreaterOrEqual(t, all[i-1].UsersDown, all[i].UsersDown, "sorted by users down")
	}

	top, err := Rank(context.Background(), c, RankOptions{Top: 2, Kinds: []graph.Kind{graph.Identity, graph.Datastore}})
	require.NoError(t, err)
	require.Len(t, top, 2)
	assert.Equal(t, []string{"account-db", "kakao-login"}, []string{top[0].ID, top[1].ID}, "kakaotalk needs the account db")

	some, err := Rank(context.Background(), c, RankOptions{IDs: []string{"gasan", "pangyo"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"pangyo", "gasan"}, []string{some[0].ID, some[1].ID})

	_, err = Rank(context.Background(), c, RankOptions{IDs: []string{"pangyoo"}})
	var unk *UnknownNodeError
	assert.True(t, errors.As(err, &unk))

	var calls, last int
	_, err = Rank(context.Background(), c, RankOptions{Progress: func(done, total int) {
		calls++
		last = done
		assert.Equal(t, c.NodeCount(), total)
	}})
	require.NoError(t, err)
	assert.Positive(t, calls)
	assert.Equal(t, c.NodeCount(), last)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Rank(ctx, c, RankOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

// Cancelling during a ranking stops it with the context's error, not a
// partial ranking.
func TestRankCancelled(t *testing.T) {
	c := compileT(t, synth.Services(synth.Default(5_000, 1)))
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		got, err := Rank(ctx, c, RankOptions{Workers: workers, Progress: func(done, total int) {
			calls++
			cancel()
		}})
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, got)
		assert.LessOrEqual(t, calls, workers, "each worker stops after its batch")
	}
}

// The topological numbering puts inputs first and a cycle in one number.
func TestOrder(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "x", Kind: graph.Service, Site: "s", Requires: graph.All("y")},
		graph.Node{ID: "y", Kind: graph.Service, Requires: graph.All("x")},
		graph.Node{ID: "z", Kind: graph.Service, Uses: graph.All("y")},
	)
	c := compileT(t, m)
	rank, comps := order(c)
	id := func(s string) int32 { v, _ := c.Lookup(s); return v }
	assert.Equal(t, 3, comps)
	assert.Equal(t, rank[id("x")], rank[id("y")])
	assert.Less(t, rank[id("s")], rank[id("x")])
	assert.Less(t, rank[id("y")], rank[id("z")])
}

// laneSums equals adding lane by lane, on dense, sparse and one-lane masks
// and large and small weights.
func TestLaneSums(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	got := new(laneSums)
	for range 200 {
		got.reset()
		var down, degraded, tier0 [64]int32
		var usersDown, usersDegraded [64]int64
		for range r.IntN(3000) {
			dm, bm := r.Uint64(), r.Uint64()
			switch r.IntN(3) { // dense, sparse, or one lane
			case 1:
				dm, bm = dm&r.Uint64()&r.Uint64(), bm&r.Uint64()&r.Uint64()
			case 2:
				dm, bm = dm&(1<<r.IntN(64)), bm&(1<<r.IntN(64))
			}
			bm |= dm
			users := r.Int64N(1 << r.IntN(40))
			t0 := r.IntN(4) == 0
			got.add(dm, bm, users, t0)
			for i := range 64 {
				switch {
				case dm&(1<<i) != 0:
					down[i]++
					usersDown[i] += users
				case bm&(1<<i) != 0:
					degraded[i]++
					usersDegraded[i] += users
				}
				if t0 && bm&(1<<i) != 0 {
					tier0[i]++
				}
			}
		}
		got.sums()
		require.Equal(t, down, got.down.count)
		require.Equal(t, degraded, got.degraded.count)
		require.Equal(t, tier0, got.tier0)
		require.Equal(t, usersDown, got.down.users)
		require.Equal(t, usersDegraded, got.degraded.users)
	}
}

// radixDesc equals a stable sort, largest first, for keys of any size.
func TestRadixDesc(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type kv struct{ k, i int64 }
	for range 300 {
		xs := make([]kv, r.IntN(2000))
		top := r.IntN(62) + 1
		for i := range xs {
			xs[i] = kv{r.Int64N(1 << top), int64(i)}
			if r.IntN(4) == 0 { // ties
				xs[i].k = xs[r.IntN(i+1)].k
			}
		}
		want := slices.Clone(xs)
		slices.SortStableFunc(want, func(a, b kv) int { return cmp.Compare(b.k, a.k) })
		require.Equal(t, want, radixDesc(xs, func(x kv) int64 { return x.k }))
	}
}

// sortRadii equals one comparison sort on Rank's order, with many ties
// and enough radii to be sorted in parts on several cores.
func TestSortRadii(t *testing.T) {
	c, err := graph.Compile(synth.Services(synth.Default(20_000, 1)))
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(5, 6))
	keys := make([]radiusKey, c.NodeCount())
	for i := range keys {
		keys[i] = radiusKey{usersDown: r.Int64N(50), usersDegraded: r.Int64N(3),
			down: r.Int32N(3), degraded: r.Int32N(2), tier0: r.Int32N(2), v: int32(i)}
		if r.IntN(10) == 0 {
			keys[i].usersDown = r.Int64N(1 << 40)
		}
	}
	want := slices.Clone(keys)
	slices.SortFunc(want, func(a, b radiusKey) int {
		return cmp.Or(cmp.Compare(b.usersDown, a.usersDown), cmp.Compare(b.usersDegraded, a.usersDegraded),
			cmp.Compare(b.down, a.down), cmp.Compare(b.degraded, a.degraded),
			cmp.Compare(c.VertexName(a.v), c.VertexName(b.v)))
	})
	require.Equal(t, want, sortRadii(c, keys))
}

// RedundancyRate is computed once per graph; every call gets its own copy,
// equal to the first, that it may change.
func TestRedundancyRateCached(t *testing.T) {
	c := compileT(t, miniKakao())
	a, err := RedundancyRate(context.Background(), c)
	require.NoError(t, err)
	b, err := RedundancyRate(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.NotEmpty(t, a.Sites)
	a.Sites[0].Site = "changed"
	if len(a.Sites[0].Down) > 0 {
		a.Sites[0].Down[0] = "changed"
	}
	c2, err := RedundancyRate(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, b, c2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = RedundancyRate(ctx, compileT(t, miniKakao()))
	require.ErrorIs(t, err, context.Canceled, "a cancelled first run is an error, not a cached result")
}

// Two sources of one batch that are threshold gates on one cycle used to
// push their own lanes to each other for ever (each pushed whenever it was
// a source, changed or not): Rank hung on this 22-node model. It must end,
// and equal one Simulate per node.
func TestRankThresholdSourcesOnACycle(t *testing.T) {
	m, err := graph.Load("testdata/rank-threshold-cycle.yaml") // made by synth.Random
	require.NoError(t, err)
	c := compileT(t, m)
	done := make(chan []Radius, 1)
	go func() {
		got, err := Rank(context.Background(), c, RankOptions{Workers: 1})
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	select {
	case got := <-done:
		require.Len(t, got, c.NodeCount())
		for _, g := range got {
			v, _ := c.Lookup(g.ID)
			require.Equal(t, radiusBySimulate(t, c, v), g)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Rank did not end on threshold sources that feed each other on a cycle")
	}
}
