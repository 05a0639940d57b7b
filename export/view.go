package export

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// GraphOptions control the drawings: DOT (and the images Graphviz renders
// from it) and Mermaid. The zero value draws every node, left to right.
type GraphOptions struct {
	// Focus draws only the blast radius, every node and replica that is
	// not plainly Up, and one ring of context around it: what those depend
	// on and what depends on them. Redundant groups count as part of the
	// edge they sit on, not as a ring of their own. By default every node
	// of the model is drawn.
	Focus bool
	// RankDir is the direction dependency edges point in: LeftRight (the
	// default when empty) or TopBottom.
	RankDir RankDir
	// FullChains puts every chain of causes in full into the tooltips; by
	// default a chain is cut after ChainLinks links with "… N more".
	FullChains bool
	// MaxContext, with Focus, draws at most this many vertices of the ring
	// of context (0, the default, draws the whole ring): those that carry
	// the most users, then by id. The drawing's title says how many of the
	// ring were left out. The ring around a small radius can be many times
	// the radius, and the layout's time grows with what is drawn; every
	// vertex of the blast radius is always drawn.
	MaxContext int
}

// RankDir is a drawing's direction, as Graphviz names it.
type RankDir string

// The directions a drawing can take.
const (
	LeftRight RankDir = "LR" // dependents on the left, what they need on the right
	TopBottom RankDir = "TB" // dependents on top, what they need below
)

func (o GraphOptions) rankDir() (RankDir, error) {
	switch o.RankDir {
	case "":
		return LeftRight, nil
	case LeftRight, TopBottom:
		return o.RankDir, nil
	}
	return "", fmt.Errorf("unknown rank direction %q (want LR or TB)", string(o.RankDir))
}

// edgeKind is how an edge of a drawing is styled.
type edgeKind uint8

const (
	hardEdge    edgeKind = iota // requires: cannot work without it
	softEdge                    // uses: Degraded without it
	replicaEdge                 // a node to one of its replicas (node@site)
	placeEdge                   // a node or replica to its site; a site to its region
)

// viewEdge is one edge of a drawing, from a dependent to what it depends on.
type viewEdge struct {
	from, to int32
	kind     edgeKind
	weight   int64 // the capacity a member gives a capacity group; 0 when not weighted
}

// view is what a drawing shows, shared by the DOT and Mermaid writers so
// that both draw the same thing: which vertices, in which site and region
// clusters, and which edges, all in vertex order so the output is the same
// bytes for the same model and scenario.
//
// Drawing rules (the README's "Reports" section repeats them): each vertex
// goes in the cluster places gives it; a node with several replicas has a
// replica edge to each; a redundant group (any_of, at_least, capacity) is a
// small diamond between its owner and its members, labelled "any of",
// "2 of 3" or "capacity ≥ 50"; the group that sums a node's replica
// capacity is not drawn: its node points at its replicas directly; and no
// edge shows placement, the clusters do.
type view struct {
	c     *graph.Compiled
	o     *analyze.Outcome
	state []shown // per vertex
	gone  []bool  // per vertex: removed by the scenario
	shown []bool  // per vertex
	verts []int32 // shown vertices, ascending
	// box is, per vertex, the site or region whose cluster it is drawn
	// in, or -1; regionOf is, per site, the region its cluster is nested
	// in, or -1.
	box, regionOf []int32
	edges         []viewEdge

	effects []analyze.Effect // o.Effects()
	eff     []int32          // per vertex: its index in effects, or -1
	via     []int32          // per vertex: Effect.Via as a vertex, or -1
	explain *explainer
	// ring and ringDrawn count the vertices of the focus's ring of context
	// and those of them drawn (fewer under GraphOptions.MaxContext).
	ring, ringDrawn int
	kv              []string // nodeAttrs' attributes, reused node after node
	tip             []byte   // the last tooltip, reused
	det             []byte   // the last detail, reused
}

func newView(o *analyze.Outcome, opts GraphOptions) *view {
	focus := opts.Focus
	c := o.Compiled()
	n := c.Len()
	vw := &view{
		c:        c,
		o:        o,
		state:    make([]shown, n),
		gone:     make([]bool, n),
		shown:    make([]bool, n),
		box:      make([]int32, n),
		regionOf: make([]int32, n),
	}
	vw.explain = newExplainer(o, opts.FullChains)
	vw.effects = o.Effects()
	vw.eff = make([]int32, n)
	vw.via = make([]int32, n)
	for v := range n {
		vw.eff[v], vw.via[v] = -1, -1
	}
	var affected []int32
	for i, e := range vw.effects {
		vw.state[e.Vertex] = shownEffect(e)
		vw.gone[e.Vertex] = e.Removed
		vw.eff[e.Vertex] = int32(i)
		vw.via[e.Vertex] = o.VertexVia(e.Vertex)
		affected = append(affected, e.Vertex)
	}
	// Groups are not effects; only a group with an affected member can be
	// anything but Up.
	for _, v := range affected[:len(affected):len(affected)] {
		deps, _ := c.Dependents(v)
		for _, g := range deps {
			if vw.isGroup(g) && vw.state[g] == shownUp {
				if st := shownOf(o.VertexState(g), o.VertexLostRedundancy(g)); st != shownUp {
					vw.state[g] = st
					affected = append(affected, g)
				}
			}
		}
	}
	vw.places()
	if focus {
		vw.focus(affected, opts.MaxContext)
	} else {
		for v := range n {
			vw.shown[v] = !vw.collapsed(int32(v))
		}
	}
	for v := range n {
		if vw.shown[v] {
			vw.verts = append(vw.verts, int32(v))
		}
	}
	for _, v := range vw.verts {
		vw.out(v, func(e viewEdge) {
			// The cluster a vertex is drawn in shows where it runs: no
			// drawing has placement edges.
			if vw.shown[e.to] && e.kind != placeEdge {
				vw.edges = append(vw.edges, e)
			}
		})
	}
	return vw
}

// isGroup reports whether v is a redundant group drawn as a diamond.
func (vw *view) isGroup(v int32) bool {
	k := vw.c.VertexKind(v)
	return (k == graph.GroupVertex || k == graph.SoftGroupVertex) && !vw.collapsed(v)
}

// collapsed reports whether v is the group summing a node's replica
// capacity, which the drawing leaves out.
func (vw *view) collapsed(v int32) bool {
	c := vw.c
	return c.VertexKind(v) == graph.GroupVertex && c.CapacityVertex(c.Owner(v)) == v
}

func (vw *view) isNode(v int32, k graph.Kind) bool {
	return vw.c.VertexKind(v) == graph.NodeVertex && vw.c.Kind(v) == k
}

// places finds the cluster each vertex is drawn in (box) and the region
// of each site.
//
// A site and a region stand in their own clusters. A replica, and a node
// placed at one site, stand in their site's. A node with several replicas
// stands in the smallest cluster holding all of them: their region when
// they share one. A node the model places nowhere stands in the smallest
// cluster holding everything that depends on it: a site's power feed in
// the site, a login that only one region's services use in that region.
// A group stands with the vertex that has it.
func (vw *view) places() {
	c := vw.c
	n := int32(c.Len())
	const unknown = -2
	for v := range n {
		vw.box[v], vw.regionOf[v] = -1, -1
	}
	for v := range n {
		if vw.isNode(v, graph.Site) {
			ins, _ := c.Inputs(v)
			for _, u := range ins {
				if vw.isNode(u, graph.Region) {
					vw.regionOf[v] = u
					break
				}
			}
		}
	}
	var unplaced []int32
	for v := range n {
		switch c.VertexKind(v) {
		case graph.ReplicaVertex:
			vw.box[v] = c.ReplicaSite(v)
		case graph.NodeVertex:
			switch k := c.Kind(v); {
			case k == graph.Site || k == graph.Region:
				vw.box[v] = v
			case c.CapacityVertex(v) >= 0:
				reps, _ := c.Inputs(c.CapacityVertex(v))
				b := int32(unknown)
				for _, r := range reps {
					b = vw.join(b, c.ReplicaSite(r))
				}
				vw.box[v] = max(b, -1)
			default:
				if vw.box[v] = vw.placement(v); vw.box[v] < 0 {
					vw.box[v] = unknown
					unplaced = append(unplaced, v)
				}
			}
		}
	}
	// What depends on an unplaced node may be unplaced too: repeat until
	// nothing changes, counting a dependent not yet placed as no
	// constraint. Each pass can only widen a box, so this ends.
	for changed, pass := true, 0; changed && pass < 64; pass++ {
		changed = false
		for _, v := range unplaced {
			b := int32(unknown)
			vw.dependents(v, func(d int32) { b = vw.join(b, vw.groupBox(d)) })
			if b != vw.box[v] {
				vw.box[v], changed = b, true
			}
		}
	}
	for _, v := range unplaced {
		vw.box[v] = max(vw.box[v], -1)
	}
	for v := range n {
		if vw.isGroup(v) {
			vw.box[v] = vw.groupBox(v)
		}
	}
}

// join is the smallest cluster holding clusters a and b: -1 is the whole
// drawing, -2 is no cluster yet.
func (vw *view) join(a, b int32) int32 {
	switch {
	case a == -2:
		return b
	case b == -2 || a == b:
		return a
	case a < 0 || b < 0:
		return -1
	}
	ra, rb := vw.regionOrSelf(a), vw.regionOrSelf(b)
	if ra == rb {
		return ra
	}
	return -1
}

func (vw *view) regionOrSelf(box int32) int32 {
	if vw.isNode(box, graph.Site) {
		return vw.regionOf[box]
	}
	return box
}

// groupBox is the cluster of v, or of the vertex that has v when v is a
// group.
func (vw *view) groupBox(v int32) int32 {
	c := vw.c
	for vw.isGroup(v) {
		var deps []int32
		if c.VertexKind(v) == graph.SoftGroupVertex {
			deps = c.SoftDependents(v)
		} else {
			deps, _ = c.Dependents(v)
		}
		if len(deps) == 0 {
			return -1
		}
		v = deps[0]
		if vw.collapsed(v) {
			v = c.Owner(v)
		}
	}
	return vw.box[v]
}

// placement is the one site a node without replicas runs at: the site
// among its hard inputs (site: ID), or -1 when there is none, or several.
func (vw *view) placement(v int32) int32 {
	site := int32(-1)
	ins, _ := vw.c.Inputs(v)
	for _, u := range ins {
		if vw.isNode(u, graph.Site) {
			if site >= 0 {
				return -1
			}
			site = u
		}
	}
	return site
}

// out calls emit for each edge from v to what it depends on, as drawn.
func (vw *view) out(v int32, emit func(viewEdge)) {
	c := vw.c
	soft := c.VertexKind(v) == graph.SoftGroupVertex
	ins, _ := c.Inputs(v)
	caps := c.InputCapacity(v)
	weighted := false
	if vw.isGroup(v) {
		for _, w := range caps {
			weighted = weighted || w != 1
		}
	}
	for i, u := range ins {
		e := viewEdge{from: v, to: u, kind: hardEdge}
		switch {
		case vw.collapsed(u):
			reps, _ := c.Inputs(u)
			for _, r := range reps {
				emit(viewEdge{from: v, to: r, kind: replicaEdge})
			}
			continue
		case c.VertexKind(u) == graph.ReplicaVertex:
			e.kind = replicaEdge
		case !vw.isGroup(v) && vw.isNode(u, graph.Site) && vw.box[v] == u && v != u:
			e.kind = placeEdge // it runs there
		case vw.isNode(u, graph.Region) && vw.regionOf[v] == u:
			e.kind = placeEdge // a site in its region
		case soft:
			e.kind = softEdge
		}
		if weighted {
			e.weight = caps[i]
		}
		emit(e)
	}
	for _, u := range c.SoftInputs(v) {
		emit(viewEdge{from: v, to: u, kind: softEdge})
	}
}

// dependents calls f for each vertex drawn as depending on v.
func (vw *view) dependents(v int32, f func(int32)) {
	c := vw.c
	visit := func(d int32) {
		if vw.collapsed(d) {
			d = c.Owner(d)
		}
		f(d)
	}
	deps, _ := c.Dependents(v)
	for _, d := range deps {
		visit(d)
	}
	for _, d := range c.SoftDependents(v) {
		visit(d)
	}
}

// focus shows the affected vertices and one ring around them. A group is
// part of the edge it sits on: reaching a group reaches the other side too.
// With maxContext > 0, only that many of the ring are kept: the most
// users first, then by id, so the cut is the same for the same outcome.
func (vw *view) focus(affected []int32, maxContext int) {
	var mark func(v int32, through bool)
	mark = func(v int32, through bool) {
		vw.shown[v] = true
		if !through || !vw.isGroup(v) {
			return
		}
		vw.out(v, func(e viewEdge) { mark(e.to, false) })
		vw.dependents(v, func(d int32) { mark(d, false) })
	}
	for _, v := range affected {
		if !vw.collapsed(v) {
			vw.shown[v] = true
		}
	}
	for _, v := range affected {
		if vw.collapsed(v) {
			continue
		}
		vw.out(v, func(e viewEdge) { mark(e.to, true) })
		vw.dependents(v, func(d int32) { mark(d, true) })
	}
	c := vw.c
	var ring []int32
	for v := range int32(c.Len()) {
		if vw.shown[v] && vw.state[v] == shownUp && vw.eff[v] < 0 {
			ring = append(ring, v)
		}
	}
	vw.ring, vw.ringDrawn = len(ring), len(ring)
	if maxContext <= 0 || len(ring) <= maxContext {
		return
	}
	slices.SortFunc(ring, func(a, b int32) int {
		if ua, ub := c.Users(a), c.Users(b); ua != ub {
			return cmp.Compare(ub, ua)
		}
		return strings.Compare(c.VertexName(a), c.VertexName(b))
	})
	for _, v := range ring[maxContext:] {
		vw.shown[v] = false
	}
	vw.ringDrawn = maxContext
}

// ringNote says how much of the ring of context a focused drawing cut
// under GraphOptions.MaxContext ("3 of the 23 nodes of its ring of
// context"), or "" when it drew the whole ring.
func (vw *view) ringNote() string {
	if vw.ringDrawn == vw.ring {
		return ""
	}
	return count(vw.ringDrawn) + " of the " + count(vw.ring) + " nodes of its ring of context"
}

// carried says whether a failure travelled along e (against its
// direction: a dependent fails with what it depends on), and what it did to
// the dependent: the milder of the two ends' states, and at most Degraded
// along a soft edge.
func (vw *view) carried(e viewEdge) (shown, bool) {
	to, from := vw.state[e.to], vw.state[e.from]
	if (to != shownDown && to != shownDegraded) || from == shownUp {
		return shownUp, false
	}
	st := min(from, to)
	if e.kind == softEdge {
		st = min(st, shownDegraded)
	}
	return st, true
}

// groupLabel names a group diamond: "any of", "2 of 3", "capacity ≥ 50".
func (vw *view) groupLabel(v int32) string {
	c := vw.c
	ins, _ := c.Inputs(v)
	g := c.Gate(v)
	label := c.GroupLabel(v)
	switch {
	case strings.HasPrefix(label, "any_of"):
		return "any of"
	case strings.HasPrefix(label, "at_least"):
		return count(g.Need) + " of " + count(len(ins))
	}
	s := "capacity ≥ " + count(g.Need)
	if g.Floor < g.Need {
		s += " (degraded ≥ " + count(g.Floor) + ")"
	}
	return s
}

// detail is the second line of a vertex's label: kind, users, capacity,
// standby tier; "removed" for what the scenario removed.
func (vw *view) detail(v int32) string {
	c := vw.c
	b := vw.det[:0]
	part := func(s string) {
		if len(b) > 0 {
			b = append(b, " · "...)
		}
		b = append(b, s...)
	}
	switch c.VertexKind(v) {
	case graph.ReplicaVertex:
		if s := c.Standby(v); s != graph.Active {
			part(s.String() + " standby")
		} else {
			part("active")
		}
		if w := vw.replicaCapacity(v); w > 0 {
			part("capacity " + count(w))
		}
	case graph.NodeVertex:
		part(c.Kind(v).String())
		if u := c.Users(v); u > 0 {
			part(shortUsers(u))
		}
		if cv := c.CapacityVertex(v); cv >= 0 && c.Need(cv) > 1 {
			live := c.Base(cv)
			if i := vw.eff[v]; i >= 0 && vw.effects[i].Need > 0 {
				live = vw.effects[i].Live
			}
			part("capacity " + count(live) + "/" + count(c.Base(cv)) + ", needs " + count(c.Need(cv)))
		}
	}
	if vw.gone[v] {
		part("REMOVED")
	}
	vw.det = b
	return string(b)
}

// replicaCapacity is the capacity replica r gives its node when the node's
// replicas are weighted, else 0.
func (vw *view) replicaCapacity(r int32) int64 {
	c := vw.c
	cv := c.CapacityVertex(c.Owner(r))
	if cv < 0 {
		return 0
	}
	ins, _ := c.Inputs(cv)
	caps := c.InputCapacity(cv)
	weighted, mine := false, int64(0)
	for i, u := range ins {
		weighted = weighted || caps[i] != 1
		if u == r {
			mine = caps[i]
		}
	}
	if !weighted {
		return 0
	}
	return mine
}

// tooltip explains a vertex: its state and why, then its description.
func (vw *view) tooltip(v int32) string {
	c := vw.c
	b := append(vw.tip[:0], c.VertexName(v)...)
	b = append(append(b, ": "...), vw.state[v].String()...)
	switch {
	case vw.isGroup(v):
		b = append(append(append(b, " ("...), c.GroupLabel(v)...), ')')
	case vw.eff[v] >= 0:
		b = vw.explain.appendWhy(append(b, "\nwhy: "...), vw.effects[vw.eff[v]])
	}
	if c.VertexKind(v) == graph.NodeVertex {
		if d := c.NodeDescription(v); d != "" {
			b = append(append(b, "\n\n"...), d...)
		}
	}
	vw.tip = b
	return string(b)
}

// why is Why(o, e) for the effect on v, from the view's one explainer:
// chains cut after ChainLinks links (unless GraphOptions.FullChains), so
// the tooltips of a drawing are linear in the outcome.
func (vw *view) why(v int32) string {
	return vw.explain.why(vw.effects[vw.eff[v]])
}

// cluster is a site or region box of a drawing with what is drawn in it.
type cluster struct {
	box   int32      // the site or region vertex
	sites []*cluster // a region's sites
	verts []int32    // vertices drawn directly in it, ascending
}

// clusters arranges the shown vertices into region clusters (holding their
// site clusters), site clusters in no region, and the vertices outside
// every cluster, each list in vertex order.
func (vw *view) clusters() (regions, loose []*cluster, top []int32) {
	byBox := make(map[int32]*cluster)
	get := func(b int32) (*cluster, bool) {
		if cl, ok := byBox[b]; ok {
			return cl, false
		}
		cl := &cluster{box: b}
		byBox[b] = cl
		return cl, true
	}
	var region func(r int32) *cluster
	region = func(r int32) *cluster {
		cl, fresh := get(r)
		if fresh {
			regions = append(regions, cl)
		}
		return cl
	}
	for _, v := range vw.verts {
		b := vw.box[v]
		switch {
		case b < 0:
			top = append(top, v)
			continue
		case vw.isNode(b, graph.Region):
			cl := region(b)
			cl.verts = append(cl.verts, v)
			continue
		}
		cl, fresh := get(b)
		cl.verts = append(cl.verts, v)
		if !fresh {
			continue
		}
		if r := vw.regionOf[b]; r >= 0 {
			rc := region(r)
			rc.sites = append(rc.sites, cl)
		} else {
			loose = append(loose, cl)
		}
	}
	byVertex := func(a, b *cluster) int { return int(a.box) - int(b.box) }
	slices.SortFunc(regions, byVertex)
	slices.SortFunc(loose, byVertex)
	for _, r := range regions {
		slices.SortFunc(r.sites, byVertex)
	}
	return regions, loose, top
}
