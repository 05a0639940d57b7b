package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/stretchr/testify/require"
)

func TestGen(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"m.yaml", "m.json"} {
		path := filepath.Join(dir, name)
		require.NoError(t, run([]string{"-nodes", "500", "-seed", "3", "-o", path}, nil))
		m, err := graph.Load(path)
		require.NoError(t, err)
		require.Len(t, m.Nodes, 500)
		first, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, run([]string{"-nodes", "500", "-seed", "3", "-o", path}, nil))
		again, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, first, again, "the same flags give the same bytes")
	}
	var b bytes.Buffer
	require.NoError(t, run([]string{"-nodes", "10"}, &b))
	require.Contains(t, b.String(), "nodes:\n")
	require.Error(t, run([]string{"-nodes", "0"}, &b))
	require.Error(t, run([]string{"x"}, &b))
}
