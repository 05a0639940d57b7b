package export

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

func loadOutcome(t *testing.T, model string, fail ...string) *analyze.Outcome {
	t.Helper()
	m, err := graph.Load(filepath.Join("..", "testdata", model+".yaml"))
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail(fail...))
	require.NoError(t, err)
	return o
}

// synthOutcomes are failures of a few sizes in a synthetic 20,000-node
// graph: services near the end (few dependents), hubs, a site.
func synthOutcomes(t *testing.T) []*analyze.Outcome {
	t.Helper()
	c, err := graph.Compile(synth.Services(synth.Default(20_000, 3)))
	require.NoError(t, err)
	var out []*analyze.Outcome
	for _, v := range []int32{int32(c.NodeCount() - 1), int32(c.NodeCount() - 500), int32(c.NodeCount() / 2), 40, 3} {
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(v)))
		require.NoError(t, err)
		out = append(out, o)
	}
	return out
}

// The quick explanation the drawings use is Why's, word for word.
func TestWhyMatches(t *testing.T) {
	outcomes := append(synthOutcomes(t),
		loadOutcome(t, "kakao-2022", "pangyo"),
		loadOutcome(t, "naver-2022", "pangyo"),
		loadOutcome(t, "kakao-2022", "kakaobank-core", "capital"),
		loadOutcome(t, "naver-2022", "chuncheon", "naver-search@pyeongchon"),
	)
	for _, o := range outcomes {
		vw := newView(o, GraphOptions{})
		for _, e := range o.Effects() {
			require.Equal(t, Why(o, e), vw.why(e.Vertex), "%s: %s", o.Scenario.IDs(), e.ID)
		}
	}
}

// neighbours are the vertices one drawn edge away from v, looking through
// groups (a group sits on an edge) and through the group that sums a
// node's replicas (never drawn), in both directions.
func neighbours(vw *view, v int32) map[int32]bool {
	c := vw.c
	out := make(map[int32]bool)
	var add func(u int32, through bool)
	add = func(u int32, through bool) {
		if vw.collapsed(u) {
			u = c.Owner(u)
		}
		out[u] = true
		if through && vw.isGroup(u) {
			ins, _ := c.Inputs(u)
			for _, w := range ins {
				add(w, false)
			}
			vw.dependents(u, func(d int32) { add(d, false) })
		}
	}
	ins, _ := c.Inputs(v)
	for _, u := range append(append([]int32{}, ins...), c.SoftInputs(v)...) {
		if vw.collapsed(u) {
			reps, _ := c.Inputs(u)
			for _, r := range reps {
				add(r, true)
			}
			continue
		}
		add(u, true)
	}
	vw.dependents(v, func(d int32) { add(d, true) })
	return out
}

// --focus draws exactly the affected vertices and one ring around them, on
// a graph far too large to draw whole.
func TestFocusIsOneRing(t *testing.T) {
	for _, o := range append(synthOutcomes(t), loadOutcome(t, "kakao-2022", "pangyo"), loadOutcome(t, "naver-2022", "pangyo")) {
		t.Run(fmt.Sprint(o.Scenario.IDs()), func(t *testing.T) {
			c := o.Compiled()
			vw := newView(o, GraphOptions{Focus: true})
			want := make(map[int32]bool)
			for v := range int32(c.Len()) {
				if vw.state[v] != shownUp && !vw.collapsed(v) {
					want[v] = true
					for u := range neighbours(vw, v) {
						want[u] = true
					}
				}
			}
			got := make(map[int32]bool)
			for _, v := range vw.verts {
				got[v] = true
			}
			assert.Equal(t, len(want), len(got))
			for v := range want {
				assert.True(t, got[v], "missing %s", c.VertexName(v))
			}
			for v := range got {
				assert.True(t, want[v], "not in the ring: %s", c.VertexName(v))
			}
			for _, e := range vw.edges {
				assert.True(t, got[e.from] && got[e.to])
			}
			t.Logf("%d affected, %d drawn of %d vertices", o.Len(), len(vw.verts), c.Len())
			if o.Len() < 50 && c.Len() > 10_000 {
				assert.Less(t, len(vw.verts), c.Len()/50, "a small failure draws a small picture")
			}
		})
	}
}

// Without focus, every vertex is drawn but the groups that sum replicas.
func TestFullDrawsAll(t *testing.T) {
	o := loadOutcome(t, "kakao-2022", "pangyo")
	vw := newView(o, GraphOptions{})
	c := o.Compiled()
	n := 0
	for v := range int32(c.Len()) {
		if !vw.collapsed(v) {
			n++
		}
	}
	assert.Equal(t, n, len(vw.verts))
}

func TestShort(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 950: "950", 1000: "1K", 1500: "1.5K", 47_500_000: "47.5M", 3_000_000_000: "3B"} {
		assert.Equal(t, want, short(n), "%d", n)
	}
}
