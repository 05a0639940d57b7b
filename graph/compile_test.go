package graph_test

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Compile takes the node of every reference from validation, by position;
// looking each id up gives the same graph, on the test models, synthetic
// catalogs and random models (with replicas at a repeated site, groups in
// replicas' requires, and the rest).
func TestCompileResolvesOnce(t *testing.T) {
	same := func(t *testing.T, m *graph.Model) {
		t.Helper()
		got, err := graph.Compile(m)
		require.NoError(t, err)
		want, err := graph.CompileByLookup(m)
		require.NoError(t, err)
		require.Equal(t, want, got)
		// And through the decoder, which validates once.
		var buf bytes.Buffer
		require.NoError(t, graph.Encode(&buf, m, graph.YAML))
		dm, c, err := graph.DecodeCompiled(&buf, "m.yaml", graph.YAML, graph.Limits{})
		require.NoError(t, err)
		want, err = graph.CompileByLookup(dm)
		require.NoError(t, err)
		require.Equal(t, want, c)
	}
	files, err := filepath.Glob("../testdata/*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		if m, err := graph.Load(file); err == nil {
			same(t, m)
		}
	}
	same(t, synth.Services(synth.Default(3000, 5)))
	r := rand.New(rand.NewPCG(seed(t), 2))
	n := 2000
	if testing.Short() || race.Enabled {
		n = 200
	}
	for range n {
		same(t, synth.Random(r, 1+r.IntN(30)))
	}
}
