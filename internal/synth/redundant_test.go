package synth

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// Redundant makes valid models, the same for the same n and seed, with
// every service at two sites or more.
func TestRedundant(t *testing.T) {
	for _, n := range []int{100, 1_000, 10_000} {
		m := Redundant(n, 7)
		_, err := graph.Compile(m)
		require.NoError(t, err, "n=%d", n)
		require.InDelta(t, n, len(m.Nodes), RedundantTiers, "n=%d", n)
		require.Equal(t, m, Redundant(n, 7), "n=%d: not deterministic", n)
		for _, nd := range m.Nodes {
			if nd.Kind == graph.Service {
				require.GreaterOrEqual(t, len(nd.Replicas), 2, nd.ID)
			}
		}
	}
}
