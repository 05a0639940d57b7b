package graph

import (
	"slices"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
)

// The Compiled graph is a gonum graph.Directed, so that gonum's algorithms
// (topo, traverse, flow, path, encoding/dot) run on it directly. Vertex ids
// are the vertex indices; VertexName gives the user's name. An edge u→v
// means u requires or uses v (hard and soft inputs alike; a pair linked
// both ways is one edge).
var _ gonum.Directed = (*Compiled)(nil)

// Node returns the vertex with the given id, or nil.
func (c *Compiled) Node(id int64) gonum.Node {
	if id < 0 || id >= int64(c.Len()) {
		return nil
	}
	return simple.Node(id)
}

// Nodes returns every vertex.
func (c *Compiled) Nodes() gonum.Nodes {
	return &vertexRange{n: int64(c.Len()), i: -1}
}

// From returns the vertices id depends on.
func (c *Compiled) From(id int64) gonum.Nodes {
	if c.Node(id) == nil {
		return gonum.Empty
	}
	v := int32(id)
	return newAdjacency(c.in[c.inOff[v]:c.inOff[v+1]], c.SoftInputs(v))
}

// To returns the vertices that depend on id.
func (c *Compiled) To(id int64) gonum.Nodes {
	if c.Node(id) == nil {
		return gonum.Empty
	}
	v := int32(id)
	return newAdjacency(c.out[c.outOff[v]:c.outOff[v+1]], c.SoftDependents(v))
}

// HasEdgeFromTo reports whether uid depends on vid.
func (c *Compiled) HasEdgeFromTo(uid, vid int64) bool {
	if c.Node(uid) == nil || c.Node(vid) == nil {
		return false
	}
	u, v := int32(uid), int32(vid)
	return slices.Contains(c.in[c.inOff[u]:c.inOff[u+1]], v) || slices.Contains(c.SoftInputs(u), v)
}

// HasEdgeBetween reports whether either vertex depends on the other.
func (c *Compiled) HasEdgeBetween(xid, yid int64) bool {
	return c.HasEdgeFromTo(xid, yid) || c.HasEdgeFromTo(yid, xid)
}

// Edge returns the edge from uid to vid, or nil.
func (c *Compiled) Edge(uid, vid int64) gonum.Edge {
	if !c.HasEdgeFromTo(uid, vid) {
		return nil
	}
	return simple.Edge{F: simple.Node(uid), T: simple.Node(vid)}
}

// vertexRange iterates over 0..n-1 without materializing nodes.
type vertexRange struct{ n, i int64 }

func (r *vertexRange) Next() bool {
	if r.i+1 >= r.n {
		r.i = r.n
		return false
	}
	r.i++
	return true
}
func (r *vertexRange) Len() int { return int(r.n - r.i - 1) }
func (r *vertexRange) Reset()   { r.i = -1 }
func (r *vertexRange) Node() gonum.Node {
	if r.i < 0 || r.i >= r.n {
		return nil
	}
	return simple.Node(r.i)
}

// adjacency iterates over hard then soft neighbours, skipping a soft
// neighbour that is also a hard one.
type adjacency struct {
	ids []int32
	i   int
}

func newAdjacency(hard, soft []int32) *adjacency {
	ids := hard
	for _, s := range soft {
		if !slices.Contains(hard, s) {
			if len(ids) == len(hard) {
				ids = slices.Clip(hard) // never append into the graph's storage
			}
			ids = append(ids, s)
		}
	}
	return &adjacency{ids: ids, i: -1}
}

func (a *adjacency) Next() bool {
	if a.i+1 >= len(a.ids) {
		a.i = len(a.ids)
		return false
	}
	a.i++
	return true
}
func (a *adjacency) Len() int { return len(a.ids) - a.i - 1 }
func (a *adjacency) Reset()   { a.i = -1 }
func (a *adjacency) Node() gonum.Node {
	if a.i < 0 || a.i >= len(a.ids) {
		return nil
	}
	return simple.Node(a.ids[a.i])
}
