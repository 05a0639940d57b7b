package analyze_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// RadiusOf gives each candidate the radius Radii lists for it, and
// nothing for a node that is not a candidate, on random models ranked
// whole and in part.
func TestRadiusOfMatchesRadii(t *testing.T) {
	ctx := context.Background()
	for s := uint64(1); s <= 500; s++ {
		r := rand.New(rand.NewPCG(s, 0x4ad1))
		c, err := graph.Compile(synth.Random(r, 3+r.IntN(40)))
		require.NoError(t, err)
		var ids []string
		if s%2 == 0 {
			for v := int32(0); v < int32(c.NodeCount()); v++ {
				if r.IntN(2) == 0 {
					ids = append(ids, c.VertexName(v))
				}
			}
			if len(ids) == 0 {
				continue
			}
		}
		rk, err := analyze.NewRanker(c, analyze.RankOptions{IDs: ids}, nil)
		require.NoError(t, err)
		cands := rk.Candidates()
		if len(cands) > 0 {
			_, ok := rk.RadiusOf(cands[0])
			assert.False(t, ok, "not run yet")
		}
		require.NoError(t, rk.Run(ctx, cands, nil))
		radii, err := rk.Radii()
		require.NoError(t, err)
		listed := make(map[int32]bool)
		for _, want := range radii {
			v, ok := c.Lookup(want.ID)
			require.True(t, ok)
			listed[v] = true
			got, ok := rk.RadiusOf(v)
			if !assert.True(t, ok, "seed %d: %s", s, want.ID) || !assert.Equal(t, want, got, "seed %d", s) {
				t.FailNow()
			}
		}
		for v := int32(-1); v <= int32(c.Len()); v++ {
			if !listed[v] {
				_, ok := rk.RadiusOf(v)
				assert.False(t, ok, "seed %d: vertex %d is no candidate", s, v)
			}
		}
	}
}
