package analyze

import (
	"cmp"
	"context"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

func sortHits(hs []Hit) {
	slices.SortFunc(hs, func(a, b Hit) int { return cmp.Or(cmp.Compare(a.Failed, b.Failed), cmp.Compare(a.Down, b.Down)) })
}

// RankWatchVertices gives Rank's radii and, for every candidate, exactly the
// watched nodes one Simulate of its failure finds Down, on random graphs
// with every feature (cycles included).
func TestRankWatchMatchesSimulate(t *testing.T) {
	randomCases(t, 1000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		var watch []int32
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if r.IntN(2) == 0 {
				watch = append(watch, v)
			}
		}
		opts := RankOptions{Workers: 1 + r.IntN(3)}
		var got []Hit
		radii, err := RankWatchVertices(context.Background(), c, opts, watch, func(hs []Hit) { got = append(got, hs...) })
		require.NoError(t, err)
		want, err := Rank(context.Background(), c, opts)
		require.NoError(t, err)
		require.Equal(t, want, radii)

		watched := make(map[int32]bool)
		for _, v := range watch {
			watched[v] = true
		}
		var ref []Hit
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			o, err := Simulate(context.Background(), c, Fail(c.VertexName(v)))
			require.NoError(t, err)
			for _, e := range o.Effects() {
				if e.State == Down && !e.Replica && e.Vertex != v && watched[e.Vertex] {
					ref = append(ref, Hit{Failed: v, Down: e.Vertex})
				}
			}
		}
		sortHits(got)
		sortHits(ref)
		require.Equal(t, ref, got)
	})
}

// Several batches of 64, and options shared with Rank.
func TestRankWatchOptions(t *testing.T) {
	c, err := graph.Compile(synth.Services(synth.Default(2_000, 3)))
	require.NoError(t, err)
	login, _ := c.Lookup(c.IDs()[c.NodeCount()-1])
	opts := RankOptions{Kinds: []graph.Kind{graph.Service, graph.Identity}, Top: 50}
	n := 0
	radii, err := RankWatchVertices(context.Background(), c, opts, []int32{login}, func(hs []Hit) { n += len(hs) })
	require.NoError(t, err)
	want, err := Rank(context.Background(), c, opts)
	require.NoError(t, err)
	assert.Equal(t, want, radii)

	_, err = RankWatchVertices(context.Background(), c, RankOptions{}, []int32{int32(c.NodeCount())}, nil)
	assert.Error(t, err, "a watched vertex that is not a node")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = RankWatchVertices(ctx, c, RankOptions{}, nil, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// A Ranker run in parts of its candidates, in any order, gives Rank's
// radii and RankWatchVertices's pairs, as masks, on random graphs; a candidate
// runs once, and the radii wait for every candidate.
func TestRankerParts(t *testing.T) {
	randomCases(t, 300, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		var watch []int32
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if r.IntN(2) == 0 {
				watch = append(watch, v)
			}
		}
		opts := RankOptions{Workers: 1 + r.IntN(3)}
		var want []Hit
		radii, err := RankWatchVertices(context.Background(), c, opts, watch, func(hs []Hit) { want = append(want, hs...) })
		require.NoError(t, err)

		rk, err := NewRanker(c, opts, watch)
		require.NoError(t, err)
		order := rk.Candidates()
		require.Len(t, order, c.NodeCount())
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var got []Hit
		for len(order) > 0 {
			if _, err := rk.Radii(); err == nil {
				t.Fatal("Radii before every candidate ran")
			}
			k := 1 + r.IntN(len(order))
			var mu sync.Mutex
			require.NoError(t, rk.Run(context.Background(), order[:k], func(w int, hb *HitBatch) {
				assert.Less(t, w, rk.Workers())
				mu.Lock()
				defer mu.Unlock()
				for i, x := range hb.Down {
					for m := hb.Lanes[i]; m != 0; m &= m - 1 {
						got = append(got, Hit{Failed: hb.Sources[bits.TrailingZeros64(m)], Down: x})
					}
				}
			}))
			assert.Error(t, rk.Run(context.Background(), order[:1], nil), "a candidate run twice")
			order = order[k:]
		}
		all, err := rk.Radii()
		require.NoError(t, err)
		require.Equal(t, radii, all)
		sortHits(got)
		sortHits(want)
		require.Equal(t, want, got)
	})
}
