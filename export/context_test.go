package export

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var contextSeed = flag.Uint64("context.seed", 0, "seed of TestMaxContextProperty's random models (0: a new one, printed)")

// ringOf is what a focused view drew besides the affected vertices.
func ringOf(vw *view) map[int32]bool {
	ring := make(map[int32]bool)
	for _, v := range vw.verts {
		if vw.state[v] == shownUp && vw.eff[v] < 0 {
			ring[v] = true
		}
	}
	return ring
}

// On random models, for every single failure and several caps: the cut
// view draws every vertex the uncut view draws as affected, plus at most N
// of the uncut view's ring, the ones with the most users; under the cap
// it is the uncut view itself, and its edges join drawn vertices only.
func TestMaxContextProperty(t *testing.T) {
	seed := *contextSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -context.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 15))
	models := 300
	if testing.Short() {
		models = 60
	}
	for i := range models {
		c, err := graph.Compile(synth.Random(r, 3+r.IntN(28)))
		require.NoError(t, err, "seed %d, model %d", seed, i)
		for v := range int32(c.NodeCount()) {
			o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(v)))
			require.NoError(t, err)
			full := newView(o, GraphOptions{Focus: true})
			fullRing := ringOf(full)
			for _, n := range []int{1, 2, 5, len(fullRing), len(fullRing) + 1} {
				where := func() string { return fmt.Sprintf("seed %d, model %d, fail %s, max %d", seed, i, c.VertexName(v), n) }
				cut := newView(o, GraphOptions{Focus: true, MaxContext: n})
				ring := ringOf(cut)
				require.Equal(t, len(full.verts)-len(fullRing), len(cut.verts)-len(ring), "%s: the radius is drawn whole", where())
				for _, u := range full.verts {
					if !fullRing[u] {
						require.True(t, cut.shown[u], "%s: affected %s not drawn", where(), c.VertexName(u))
					}
				}
				require.Equal(t, min(n, len(fullRing)), len(ring), "%s", where())
				require.Equal(t, len(fullRing), cut.ring, "%s", where())
				require.Equal(t, len(ring), cut.ringDrawn, "%s", where())
				least := int64(-1)
				for u := range ring {
					require.True(t, fullRing[u], "%s: %s is not in the ring", where(), c.VertexName(u))
					if least < 0 || c.Users(u) < least {
						least = c.Users(u)
					}
				}
				for u := range fullRing {
					if !ring[u] {
						require.LessOrEqual(t, c.Users(u), least, "%s: %s left out before one with fewer users", where(), c.VertexName(u))
					}
				}
				if n >= len(fullRing) {
					require.Equal(t, full.verts, cut.verts, "%s: under the cap nothing is cut", where())
					require.Equal(t, full.edges, cut.edges, "%s", where())
				}
				for _, e := range cut.edges {
					require.True(t, cut.shown[e.from] && cut.shown[e.to], "%s: an edge to a vertex not drawn", where())
				}
			}
		}
	}
}

// The cut drawings of the reference model, against golden files: the
// title says how much of the ring is drawn; a cap above the ring gives
// the uncut drawing, byte for byte.
func TestMaxContextGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail []string
		max  int
	}{
		{"kakao-2022-login-context-3", []string{"kakao-login"}, 3},
		{"kakao-2022-pangyo-context-1", []string{"pangyo"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := loadOutcome(t, "kakao-2022", tc.fail...)
			var b strings.Builder
			require.NoError(t, DOT(&b, o, GraphOptions{Focus: true, MaxContext: tc.max}))
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", tc.name+".dot"), []byte(b.String()))
			require.Contains(t, b.String(), "of its ring of context)")

			b.Reset()
			require.NoError(t, Mermaid(&b, o, GraphOptions{Focus: true, MaxContext: tc.max}))
			require.Contains(t, b.String(), "\n  %% drawn: the blast radius and "+count(tc.max)+" of the ")

			var whole, capped strings.Builder
			require.NoError(t, DOT(&whole, o, GraphOptions{Focus: true}))
			require.NoError(t, DOT(&capped, o, GraphOptions{Focus: true, MaxContext: 1 << 20}))
			require.Equal(t, whole.String(), capped.String())
		})
	}
}
