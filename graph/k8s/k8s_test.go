package k8s

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// render writes a Result as the golden files hold it: the nodes as a
// model file, then the findings, one a line.
func render(t *testing.T, r *importer.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# source: %s\n", r.Source)
	require.NoError(t, graph.Encode(&b, &graph.Model{Nodes: r.Nodes}, graph.YAML))
	for _, k := range slices.Sorted(maps.Keys(r.Aliases)) {
		fmt.Fprintf(&b, "# alias %s = %s\n", k, r.Aliases[k])
	}
	b.WriteString("# findings\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: [%s] %s\n", f.Pos, f.Node, f.Message)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, c := range []struct {
		paths    []string
		golden   string
		opts     Options
		compiles bool // false: it names nodes other sources must give
	}{
		{[]string{"testdata/shop"}, "testdata/shop.golden", Options{}, true},
		{[]string{"testdata/shop"}, "testdata/shop-env.golden", Options{FromEnv: true}, true},
		{[]string{"testdata/shop"}, "testdata/shop-packed.golden", Options{Packed: true}, true},
		{[]string{"testdata/running/cluster.yaml"}, "testdata/running.golden", Options{}, false},
		// The shop of the README's "Import your system".
		{[]string{"../../testdata/import/k8s"}, "testdata/import-shop.golden", Options{FromEnv: true}, true},
	} {
		t.Run(c.golden, func(t *testing.T) {
			r, err := Read(c.paths, c.opts)
			require.NoError(t, err)
			if c.compiles {
				_, err = graph.Compile(&graph.Model{Nodes: r.Nodes})
				require.NoError(t, err, "the nodes read compile")
			}
			golden.Assert(t, c.golden, render(t, r))
		})
	}
}
