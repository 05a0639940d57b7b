package analyze

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// RedundancyRateVertices gives what RedundancyRate gives, the lists as
// vertices: each named is the list RedundancyRate returns, the rest of the
// rate equal; and the copies callers get are their own.
func TestRedundancyRateVertices(t *testing.T) {
	ctx := context.Background()
	names := func(c *graph.Compiled, vs []int32) []string {
		if vs == nil {
			return nil
		}
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = c.VertexName(v)
		}
		return out
	}
	sites := 0
	randomModels(t, 300, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		// One graph measured through each entry first: the cache is
		// filled by whichever comes first.
		for _, first := range []string{"named", "vertices"} {
			c, err := graph.Compile(m)
			require.NoError(t, err)
			var want *Redundancy
			if first == "named" {
				want, err = RedundancyRate(ctx, c)
				require.NoError(t, err)
			}
			got, lists, err := RedundancyRateVertices(ctx, c, nil)
			require.NoError(t, err)
			if want == nil {
				want, err = RedundancyRate(ctx, c)
				require.NoError(t, err)
			}
			require.Len(t, lists, len(want.Sites))
			require.Len(t, got.Sites, len(want.Sites))
			sites += len(lists)
			for i, l := range want.Sites {
				assert.Equal(t, l.Down, names(c, lists[i].Down), "%s: down", l.Site)
				assert.Equal(t, l.Degraded, names(c, lists[i].Degraded), "%s: degraded", l.Site)
				assert.Equal(t, l.Exposed, names(c, lists[i].Exposed), "%s: exposed", l.Site)
				g := got.Sites[i]
				assert.Nil(t, g.Down)
				assert.Nil(t, g.Degraded)
				assert.Nil(t, g.Exposed)
				l.Down, l.Degraded, l.Exposed = nil, nil, nil
				assert.Equal(t, l, g)
			}
			w, g := *want, *got
			w.Sites, g.Sites = nil, nil
			assert.Equal(t, w, g)
			// A caller's copy is its own: changing it changes no other.
			for i := range want.Sites {
				if len(want.Sites[i].Down) > 0 {
					want.Sites[i].Down[0] = "changed"
				}
			}
			again, err := RedundancyRate(ctx, c)
			require.NoError(t, err)
			for i, l := range again.Sites {
				assert.Equal(t, names(c, lists[i].Down), l.Down)
			}
		}
	})
	t.Logf("%d site losses compared", sites)
}
