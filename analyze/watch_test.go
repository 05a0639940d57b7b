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
