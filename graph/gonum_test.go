package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/blastradius-go/blastradius/graph"
)

// gonum's own algorithms run on a Compiled graph: the strongly connected
// components of a model with a cycle are found by topo.TarjanSCC.
func TestCompiledIsGonumDirected(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "x", Kind: graph.Service, Site: "s", Requires: graph.All("y")},
		graph.Node{ID: "y", Kind: graph.Service, Requires: graph.All("x"), Uses: graph.All("z")},
		graph.Node{ID: "z", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("s", "x")}},
	)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	var g gonum.Directed = c

	assert.Equal(t, c.Len(), g.Nodes().Len())
	x, _ := c.Lookup("x")
	y, _ := c.Lookup("y")
	z, _ := c.Lookup("z")
	s, _ := c.Lookup("s")
	assert.True(t, g.HasEdgeFromTo(int64(x), int64(y)))
	assert.True(t, g.HasEdgeFromTo(int64(y), int64(z)), "soft edges are edges")
	assert.False(t, g.HasEdgeFromTo(int64(s), int64(x)))
	assert.True(t, g.HasEdgeBetween(int64(s), int64(x)))
	assert.Nil(t, g.Edge(int64(s), int64(x)))
	assert.Equal(t, 2, g.From(int64(x)).Len())
	assert.Equal(t, 2, len(gonum.NodesOf(g.To(int64(x)))), "y and z's any_of group")
	assert.Nil(t, g.Node(int64(c.Len())))

	var cyclic [][]string
	for _, comp := range topo.TarjanSCC(g) {
		if len(comp) > 1 {
			var names []string
			for _, n := range comp {
				names = append(names, c.VertexName(int32(n.ID())))
			}
			cyclic = append(cyclic, names)
		}
	}
	assert.Len(t, cyclic, 1)
	assert.ElementsMatch(t, []string{"x", "y", "z", "z.requires[0]"}, cyclic[0], "y uses z, z needs x through its group")
}
