package export

import (
	"github.com/emicklei/dot"

	"github.com/blastradius-go/blastradius/analyze"
)

// nodeDefaults and edgeDefaults are dotDefaults as attribute lists, for
// DOTGraph, which has no default statements: each of its nodes and edges
// carries them (a test holds the two equal).
var (
	nodeDefaults = []string{"shape", "box", "style", "rounded,filled", "fillcolor", upFill, "color", upLine,
		"fontcolor", upFont, "fontname", fontName, "fontsize", "12"}
	edgeDefaults = []string{"color", idleEdge, "arrowsize", "0.7", "fontname", fontName, "fontsize", "9", "fontcolor", "#555555"}
)

// DOTGraph returns the drawing DOT writes as a *dot.Graph of
// github.com/emicklei/dot, for Go tools that change a drawing before
// rendering it: the same clusters, nodes, edges and attributes, built from
// the same view. Node ids in its output are the library's own (n1, n2, …);
// each node's tooltip starts with its vertex name. Every node and edge
// carries the attributes that DOT's output sets as defaults, and every
// value is quoted as DOT quotes it (a dot.Literal), so rendering either
// gives the same picture. DOT is the fast writer for large outcomes: the
// library keeps a map per node and edge.
func DOTGraph(o *analyze.Outcome, opts GraphOptions) (*dot.Graph, error) {
	dir, err := opts.rankDir()
	if err != nil {
		return nil, err
	}
	vw := newView(o, opts)
	g := dot.NewGraph(dot.Directed)
	g.ID("blastradius")
	setAttrs(g.AttributesMap, graphAttrs(vw, opts, dir), nil)
	nodes := make(map[int32]dot.Node, len(vw.verts))
	addNode := func(in *dot.Graph, v int32) {
		n := in.Node(vw.c.VertexName(v))
		kv, label := vw.nodeAttrs(v)
		setAttrs(n.AttributesMap, nodeDefaults, nil)
		setAttrs(n.AttributesMap, kv, nil)
		if label != "" {
			n.Attr("label", dot.HTML(label))
		}
		nodes[v] = n
	}
	var addCluster func(in *dot.Graph, cl *cluster)
	addCluster = func(in *dot.Graph, cl *cluster) {
		name, kv := vw.clusterAttrs(cl)
		sub := in.Subgraph(name, dot.ClusterOption{})
		setAttrs(sub.AttributesMap, kv, nil)
		for _, s := range cl.sites {
			addCluster(sub, s)
		}
		for _, v := range cl.verts {
			addNode(sub, v)
		}
	}
	regions, loose, top := vw.clusters()
	for _, r := range regions {
		addCluster(g, r)
	}
	for _, s := range loose {
		addCluster(g, s)
	}
	for _, v := range top {
		addNode(g, v)
	}
	legend := g.Node("~legend")
	setAttrs(legend.AttributesMap, nodeDefaults, nil)
	setAttrs(legend.AttributesMap, legendAttrs, nil)
	legend.Attr("label", dot.HTML(legendHTML()))
	var buf []string
	for _, e := range vw.edges {
		ed := g.Edge(nodes[e.from], nodes[e.to])
		setAttrs(ed.AttributesMap, edgeDefaults, nil)
		buf = vw.edgeAttrs(e, buf[:0])
		setAttrs(ed.AttributesMap, buf, nil)
	}
	return g, nil
}

// setAttrs sets each key of kv to its value quoted as DOT writes it. An
// empty value is written too (the library would drop a plain "").
func setAttrs(a dot.AttributesMap, kv []string, quoted []byte) {
	for i := 0; i < len(kv); i += 2 {
		quoted = appendQuote(quoted[:0], kv[i+1])
		a.Attr(kv[i], dot.Literal(quoted))
	}
}
