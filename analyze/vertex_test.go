package analyze_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// VertexState gives the state of every vertex, the redundant groups that
// Effects leaves out included.
func TestVertexState(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo"))
	require.NoError(t, err)
	state := func(id string) analyze.State {
		v, ok := c.Lookup(id)
		require.True(t, ok, id)
		return o.VertexState(v)
	}
	// Three of the four copies of the account data are left.
	assert.Equal(t, analyze.Up, state("kakaotalk.requires[0]"))
	g, _ := c.Lookup("kakaotalk.requires[0]")
	assert.True(t, o.VertexLostRedundancy(g))
	assert.Equal(t, analyze.Up, state("kakao-games.requires[1]"))
	assert.Equal(t, analyze.Up, state("melon.requires[1]"))
	for v := range int32(c.Len()) {
		if v < int32(c.NodeCount()) || c.VertexKind(v) == graph.ReplicaVertex {
			assert.Equal(t, o.State(c.VertexName(v)), o.VertexState(v), c.VertexName(v))
			assert.Equal(t, o.RedundancyLost(c.VertexName(v)), o.VertexLostRedundancy(v), c.VertexName(v))
		}
	}
	assert.Equal(t, analyze.Up, o.VertexState(-1))
	assert.Equal(t, analyze.Up, o.VertexState(int32(c.Len())))
}
