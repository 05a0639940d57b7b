package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// TestTierZeroIsNone: a Node literal that leaves Tier out has no tier, as a
// file that leaves tier out does; it used to be tier 0, the most critical.
func TestTierZeroIsNone(t *testing.T) {
	var m graph.Model
	m.Add(
		graph.Node{ID: "site", Kind: graph.Site},
		graph.Node{ID: "top", Kind: graph.Service, Tier: graph.TierOf(0), Site: "site"},
		graph.Node{ID: "two", Kind: graph.Service, Tier: graph.TierOf(2), Site: "site"},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	for id, want := range map[string]int{"site": graph.NoTier, "top": 0, "two": 2} {
		v, ok := c.Lookup(id)
		require.True(t, ok)
		assert.Equal(t, want, c.Tier(v), id)
	}

	var none graph.Tier
	n, ok := none.Get()
	assert.False(t, ok)
	assert.Equal(t, 0, n)
	assert.Equal(t, graph.NoTier, none.Int())
	assert.Equal(t, "none", none.String())
	n, ok = graph.TierOf(0).Get()
	assert.True(t, ok)
	assert.Equal(t, 0, n)
	assert.Equal(t, "3", graph.TierOf(3).String())
	assert.NotEqual(t, none, graph.TierOf(0))
}

// TestTierBounds: TierOf(-1) is a negative tier, not "none", and Validate
// refuses it like a tier above the bound.
func TestTierBounds(t *testing.T) {
	for _, tt := range []struct {
		tier graph.Tier
		want string
	}{
		{graph.TierOf(-1), `node "a": tier: must be between 0 and 1073741824, got -1`},
		{graph.TierOf(1<<30 + 1), `node "a": tier: must be between 0 and 1073741824, got 1073741825`},
	} {
		m := new(graph.Model).Add(graph.Node{ID: "a", Kind: graph.Service, Tier: tt.tier})
		err := m.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
	}
	m := new(graph.Model).Add(graph.Node{ID: "a", Kind: graph.Service, Tier: graph.TierOf(1 << 30)})
	assert.NoError(t, m.Validate())
}
