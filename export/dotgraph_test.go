package export_test

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gdot "gonum.org/v1/gonum/graph/formats/dot"
	"gonum.org/v1/gonum/graph/formats/dot/ast"

	"github.com/blastradius-go/blastradius/export"
)

// drawn is a DOT drawing reduced to what it shows, whatever the statement
// order, the node ids and the use of default statements: each node (keyed
// by its tooltip's name, which both writers start with the vertex name)
// with the labels of the clusters it sits in and all its attributes, each
// edge with its ends and attributes, the clusters' and the graph's
// attributes.
type drawn struct {
	graph    map[string]string
	clusters map[string]map[string]string // by label
	nodes    map[string]drawnNode
	edges    []string // "from -> to [k=v ...]", sorted
}

type drawnNode struct {
	clusters string
	attrs    map[string]string
}

func nodeKey(attrs map[string]string) string {
	tip := attrs["tooltip"]
	name, _, _ := strings.Cut(tip, ": ")
	return name
}

func flat(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(" " + k + "=" + attrs[k])
	}
	return b.String()
}

func reduce(t *testing.T, src []byte) drawn {
	t.Helper()
	f, err := gdot.ParseBytes(src)
	require.NoError(t, err, "gonum's DOT parser")
	require.Len(t, f.Graphs, 1)
	g := f.Graphs[0]
	require.True(t, g.Directed)
	d := drawn{graph: map[string]string{}, clusters: map[string]map[string]string{}, nodes: map[string]drawnNode{}}
	nodeDefault, edgeDefault := map[string]string{}, map[string]string{}
	ids := map[string]string{} // DOT id → key
	type rawEdge struct {
		from, to string
		attrs    map[string]string
	}
	var edges []rawEdge
	merge := func(def map[string]string, attrs []*ast.Attr) map[string]string {
		m := map[string]string{}
		for k, v := range def {
			m[k] = v
		}
		for _, a := range attrs {
			m[a.Key] = unquote(a.Val) // Helvetica and "Helvetica" are one value
		}
		return m
	}
	var walk func(stmts []ast.Stmt, path []string, attrs map[string]string)
	walk = func(stmts []ast.Stmt, path []string, attrs map[string]string) {
		for _, s := range stmts {
			switch s := s.(type) {
			case *ast.AttrStmt:
				switch s.Kind {
				case ast.GraphKind:
					for _, a := range s.Attrs {
						attrs[a.Key] = unquote(a.Val)
					}
				case ast.NodeKind:
					require.Nil(t, path, "node defaults only at the top")
					nodeDefault = merge(nodeDefault, s.Attrs)
				case ast.EdgeKind:
					require.Nil(t, path, "edge defaults only at the top")
					edgeDefault = merge(edgeDefault, s.Attrs)
				}
			case *ast.Attr:
				attrs[s.Key] = unquote(s.Val)
			case *ast.NodeStmt:
				a := merge(nodeDefault, s.Attrs)
				key := nodeKey(a)
				_, dup := d.nodes[key]
				require.False(t, dup, "node %q twice", key)
				d.nodes[key] = drawnNode{clusters: strings.Join(path, " / "), attrs: a}
				ids[s.Node.ID] = key
			case *ast.EdgeStmt:
				from, ok := s.From.(*ast.Node)
				require.True(t, ok)
				to, ok := s.To.Vertex.(*ast.Node)
				require.True(t, ok)
				require.Nil(t, s.To.To, "one edge per statement")
				edges = append(edges, rawEdge{from.ID, to.ID, merge(edgeDefault, s.Attrs)})
			case *ast.Subgraph:
				sub := map[string]string{}
				// The cluster's label is known once its statements are
				// read; its nodes get the path of labels.
				var label string
				for _, st := range s.Stmts {
					switch st := st.(type) {
					case *ast.AttrStmt:
						for _, a := range st.Attrs {
							if a.Key == "label" {
								label = a.Val
							}
						}
					case *ast.Attr:
						if st.Key == "label" {
							label = st.Val
						}
					}
				}
				require.NotEmpty(t, label, "cluster %s has a label", s.ID)
				walk(s.Stmts, append(path[:len(path):len(path)], unquote(label)), sub)
				d.clusters[unquote(label)] = sub
			}
		}
	}
	walk(g.Stmts, nil, d.graph)
	for _, e := range edges {
		from, ok := ids[e.from]
		require.True(t, ok, "edge from an undeclared node %s", e.from)
		to, ok := ids[e.to]
		require.True(t, ok, "edge to an undeclared node %s", e.to)
		d.edges = append(d.edges, from+" -> "+to+" ["+flat(e.attrs)+" ]")
	}
	slices.Sort(d.edges)
	return d
}

// DOTGraph draws what DOT writes: both outputs, parsed with gonum's DOT
// parser and reduced to nodes, clusters, edges and attributes, are equal
// on every golden drawing.
func TestDOTGraphEqualsDOT(t *testing.T) {
	for _, d := range drawings() {
		t.Run(d.name, func(t *testing.T) {
			o := d.o(t)
			fast := reduce(t, write(t, func(w io.Writer) error { return export.DOT(w, o, d.opts) }))
			g, err := export.DOTGraph(o, d.opts)
			require.NoError(t, err)
			lib := reduce(t, []byte(g.String()))
			assert.Equal(t, fast.graph, lib.graph, "graph attributes")
			assert.Equal(t, fast.clusters, lib.clusters, "clusters")
			require.Equal(t, len(fast.nodes), len(lib.nodes), "nodes")
			for k, n := range fast.nodes {
				assert.Equal(t, n, lib.nodes[k], "node %s", k)
			}
			assert.Equal(t, fast.edges, lib.edges, "edges")
			assert.NotEmpty(t, fast.edges)
		})
	}
	o := reference(t, "naver-2022")
	_, err := export.DOTGraph(o, export.GraphOptions{RankDir: "RL"})
	require.Error(t, err)
}
