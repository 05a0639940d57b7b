package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Op is the gate a vertex computes over its hard inputs.
type Op uint8

const (
	// And is Down when any hard input is Down, else Degraded when any is
	// Degraded.
	And Op = iota
	// Threshold sums the weights of its hard inputs: Down when its live
	// (not Down) inputs weigh less than Floor, Degraded when its Up inputs
	// weigh less than Need (a Degraded input keeps it alive but does not
	// count toward full service).
	Threshold
)

// String returns "and" or "threshold".
func (o Op) String() string {
	if o == Threshold {
		return "threshold"
	}
	return "and"
}

// Gate is a vertex's gate: its Op and, for Threshold, the weights that
// decide its state (And gates have Need and Floor 1 and Base 0).
type Gate struct {
	Need  int64 // live weight needed to be Up
	Floor int64 // least live weight that is not Down (Need, or degraded_at)
	Base  int64 // live weight with nothing failed
	Op    Op
}

// VertexKind says what a compiled vertex stands for.
type VertexKind uint8

const (
	// NodeVertex is a node of the model. Vertices 0..NodeCount()-1 are the
	// model's nodes, in model order.
	NodeVertex VertexKind = iota
	// ReplicaVertex is one placement of a node at a site, named "node@site".
	ReplicaVertex
	// GroupVertex is a redundant group in a node's requires (or a node's
	// replica capacity, when the node also has other hard inputs); it is
	// not reported on its own but explains its owner's state.
	GroupVertex
	// SoftGroupVertex is a redundant group in a node's uses.
	SoftGroupVertex
)

// Compiled is a validated model in the engine's normal form: one gate per
// vertex over int32 CSR arrays. It is immutable and safe for concurrent use.
// Slices returned by its methods alias its storage and must not be modified.
//
// Edges point from a vertex to what it depends on, as in the model: an edge
// u→v means u requires or uses v. Dependents (the reverse direction, the
// way failures travel) have their own CSR arrays.
type Compiled struct {
	name, description string
	sources           []string
	file              string

	nodes int              // vertices [0, nodes) are model nodes
	index map[string]int32 // every vertex name → vertex
	names []string         // per vertex
	vkind []VertexKind     // per vertex
	owner []int32          // per vertex: the model node it belongs to
	label []string         // per vertex: how a group was written; "" for nodes and replicas
	site  []int32          // per replica vertex: its site; -1 elsewhere
	rec   []time.Duration  // per replica vertex: recovery time of its standby tier
	stby  []Standby        // per replica vertex
	info  []nodeInfo       // per model node
	gates []Gate           // per vertex
	ops   []Op             // per vertex, a copy of gates[v].Op: one byte each, so it stays in cache
	kinds []Kind           // per vertex: its owner's kind, one byte each
	users []int64          // per model node
	rst   []time.Duration  // per model node: restart time
	rto   []time.Duration  // per model node: recovery time objective; nil when no node has one
	mdesc map[int32]string // per model node: description (sparse)
	mlab  []map[string]string
	capv  []int32 // per model node: the vertex holding its replica capacity, or -1
	// unavail is per model node: the probability it is down by itself
	// (see Unavailability); nil when no node has failure data.
	unavail []float64
	rdeps   recoveryDeps // what takeovers and repairs need (recoverdeps.go)

	// Hard inputs: in[inOff[v]:inOff[v+1]] with weights inW (weight counted
	// at the moment of failure: 0 for a standby that is not a mirror) and
	// inCap (the member's full capacity, for recovery analyses).
	inOff []int32
	in    []int32
	inW   []int64
	inCap []int64
	// Soft inputs.
	softOff []int32
	soft    []int32
	// Hard dependents with the weight the edge carries.
	outOff []int32
	out    []int32
	outW   []int64
	// Soft dependents.
	softOutOff []int32
	softOut    []int32
}

type nodeInfo struct {
	kind Kind
	tier int32
	pos  Pos
}

// Compile validates m and compiles it. It returns a *ValidationError listing
// every problem when the model is invalid, and never a partial graph.
func Compile(m *Model) (*Compiled, error) {
	ps, res := m.validate()
	if err := ps.err(); err != nil {
		return nil, err
	}
	return compile(m, res)
}

// resolution is what validating a model learned that compiling it needs
// again: the index of node ids and the node every reference names, so
// that Compile resolves no id a second time (map lookups of string ids
// were half the cost of validating and compiling).
type resolution struct {
	index map[string]int32 // node id → node; Compile adds the other vertices
	// refs holds the node of every reference of a valid model, in the
	// order the validator meets them: per node, region, site, each
	// replica's site then its requires' members, requires' members, uses'
	// members. Compile reads them by position (see compiler.node).
	refs []int32
	// The sizes of the compiled graph (see sizes).
	vertices, hard, soft int
}

// edgeList collects edges before they are sorted into CSR form.
type edgeList struct {
	dst, src []int32
	w, cap   []int64
}

// grow makes room for n edges.
func (e *edgeList) grow(n int) {
	e.dst = make([]int32, 0, n)
	e.src = make([]int32, 0, n)
	e.w = make([]int64, 0, n)
	e.cap = make([]int64, 0, n)
}

func (e *edgeList) add(dst, src int32, w, capacity int64) {
	e.dst = append(e.dst, dst)
	e.src = append(e.src, src)
	e.w = append(e.w, w)
	e.cap = append(e.cap, capacity)
}

type compiler struct {
	c *Compiled
	// With inPlace, edges are written straight into the CSR arrays of c
	// (see rows); else they are collected in hard and soft and sorted
	// into them at the end, as Compile did before (what tests compare
	// with).
	inPlace    bool
	tail       int32 // the first edge of the next vertex made (inPlace)
	hard, soft edgeList
	// refs are the validator's resolved references, or nil to look ids up
	// in c.index (what tests compare them with).
	refs []int32
	buf  []byte // what text cuts names from
}

// text returns the concatenation of parts, cut from a shared buffer that
// is never written again: the names of replicas and groups are hundreds of
// thousands of small strings in a large catalog, one allocation each
// otherwise.
func (b *compiler) text(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]byte, 0, max(n, 64<<10))
	}
	start := len(b.buf)
	for _, p := range parts {
		b.buf = append(b.buf, p...)
	}
	return unsafe.String(&b.buf[start], n)
}

// label is d.String(), the label of a group's vertex, cut from the shared
// buffer as text is: fmt formatted one per group, half of compiling the
// groups of a large catalog. TestGroupLabel holds the two equal.
func (b *compiler) label(d *Dep) string {
	var head string
	switch d.Form {
	case AnyOfN:
		head = "any_of ["
	case AtLeastK:
		head = "at_least "
	case Weighted:
		head = "capacity {"
	default:
		return d.String()
	}
	start := len(b.buf)
	n := len(head) + 32
	for i := range d.Members {
		n += len(d.Members[i].ID) + 24
	}
	if cap(b.buf)-start < n {
		b.buf = make([]byte, 0, max(n, 64<<10))
		start = 0
	}
	b.buf = append(b.buf, head...)
	switch d.Form {
	case AtLeastK:
		b.buf = strconv.AppendInt(b.buf, d.Need, 10)
		b.buf = append(b.buf, " of ["...)
		fallthrough
	case AnyOfN:
		for i := range d.Members {
			if i > 0 {
				b.buf = append(b.buf, ' ')
			}
			b.buf = append(b.buf, d.Members[i].ID...)
		}
		b.buf = append(b.buf, ']')
	case Weighted:
		for i := range d.Members {
			if i > 0 {
				b.buf = append(b.buf, ", "...)
			}
			b.buf = append(b.buf, d.Members[i].ID...)
			b.buf = append(b.buf, ": "...)
			b.buf = strconv.AppendInt(b.buf, d.Members[i].Weight, 10)
		}
		b.buf = append(b.buf, "} demand "...)
		b.buf = strconv.AppendInt(b.buf, d.Need, 10)
	}
	return unsafe.String(&b.buf[start], len(b.buf)-start)
}

// inPlaceCSR makes Compile write the CSR arrays in place. Collecting the
// edges first took 24 bytes per edge more at the peak of loading (124 MB
// at 1,000,000 nodes) and a counting sort. Tests turn it off to compare.
var inPlaceCSR = true

// rows lays out the CSR arrays of the hard and soft inputs in place, for
// the edges that compiling m writes: each vertex's row starts where the
// previous vertex's ends, the nodes' first, whose lengths are counted here,
// then each vertex compile makes, in the order it makes them, whose length
// is known when it is made (see row). Until compile ends, inOff[v+1] (and
// softOff[v+1]) is where the next input of v goes; once every input is
// written it is where row v ends, which is where row v+1 starts, as CSR
// wants. Edges land in each row in the order they are written, as the
// stable sort of the edge lists put them.
func (b *compiler) rows(ns nodeSet, hard, soft int) {
	c := b.c
	nv := cap(c.names)
	c.inOff, c.in, c.inW, c.inCap = make([]int32, nv+1), make([]int32, hard), make([]int64, hard), make([]int64, hard)
	c.softOff, c.soft = make([]int32, nv+1), make([]int32, soft)
	var h, s int32
	n := ns.count()
	for i := range n {
		c.inOff[i+1], c.softOff[i+1] = h, s
		nh, ns := ns.inputs(i)
		h, s = h+int32(nh), s+int32(ns)
	}
	for v := n + 1; v <= nv; v++ {
		c.softOff[v] = s // only nodes have soft inputs
	}
	b.tail = h
}

// nodeInputs counts the hard and soft inputs of node nd's own vertex, as
// node makes them.
func nodeInputs(nd *Node) (hard, soft int) {
	if nd.Region != "" {
		hard++
	}
	if nd.Site != "" {
		hard++
	}
	hard += len(nd.Requires)
	switch rs := nd.Replicas; {
	case len(rs) == 0:
	case len(rs) == 1 && len(rs[0].Requires) == 0:
		hard++
	case len(nd.Requires) > 0 || nd.Region != "" || nd.Site != "":
		hard++ // its replicas' capacity gate
	default:
		hard += len(rs) // it is the capacity gate
	}
	return hard, len(nd.Uses)
}

// row gives vertex v, just made, a row of n hard inputs (inPlace).
func (b *compiler) row(v int32, n int) {
	if b.inPlace {
		b.c.inOff[v+1] = b.tail
		b.tail += int32(n)
	}
}

// add adds the edge src → dst (dst's input src), hard or soft.
func (b *compiler) add(soft bool, dst, src int32, w, capacity int64) {
	if !b.inPlace {
		if soft {
			b.soft.add(dst, src, w, capacity)
		} else {
			b.hard.add(dst, src, w, capacity)
		}
		return
	}
	c := b.c
	if soft {
		p := c.softOff[dst+1]
		c.softOff[dst+1]++
		c.soft[p] = src
		return
	}
	p := c.inOff[dst+1]
	c.inOff[dst+1]++
	c.in[p], c.inW[p], c.inCap[p] = src, w, capacity
}

// ref is the vertex of the reference at position p of refs, whose id is id.
func (b *compiler) ref(p int, id string) int32 {
	if b.refs == nil {
		return b.c.index[id]
	}
	return b.refs[p]
}

// refCount is the number of references deps holds: one per member.
func refCount(deps []Dep) int {
	n := 0
	for i := range deps {
		n += len(deps[i].Members)
	}
	return n
}

// vertex appends a vertex and returns its index.
func (b *compiler) vertex(name string, kind VertexKind, owner int32, label string) int32 {
	c := b.c
	v := int32(len(c.names))
	c.names = append(c.names, name)
	c.vkind = append(c.vkind, kind)
	c.owner = append(c.owner, owner)
	c.label = append(c.label, label)
	c.site = append(c.site, -1)
	c.rec = append(c.rec, 0)
	c.stby = append(c.stby, Active)
	c.gates = append(c.gates, Gate{Op: And, Need: 1, Floor: 1})
	if kind != NodeVertex {
		c.index[name] = v
	}
	return v
}

func (b *compiler) threshold(v int32, need, degradedAt int64) {
	g := &b.c.gates[v]
	g.Op, g.Need, g.Floor = Threshold, need, need
	if degradedAt > 0 {
		g.Floor = degradedAt
	}
}

// dep adds the dependency d of vertex v: a plain dependency is a direct
// edge; a group becomes a threshold vertex of its own.
// The vertices of its members are the references at p, p+1, ...; a group
// is named base+list+"[i]" (base the name of v).
func (b *compiler) dep(v, owner int32, d *Dep, p int, soft bool, base, list string, i int) {
	if d.Form == One && len(d.Members) == 1 {
		b.add(soft, v, b.ref(p, d.Members[0].ID), 1, 1)
		return
	}
	kind := GroupVertex
	if soft {
		kind = SoftGroupVertex
	}
	g := b.vertex(b.text(base, list, "[", strconv.Itoa(i), "]"), kind, owner, b.label(d))
	b.row(g, len(d.Members))
	b.threshold(g, d.Need, d.DegradedAt)
	for j, m := range d.Members {
		w := m.Weight
		if w <= 0 {
			w = 1
		}
		b.add(false, g, b.ref(p+j, m.ID), w, w)
	}
	b.add(soft, v, g, 1, 1)
}

// sizes counts what compiling m makes, so that every per-vertex and edge
// slice is allocated once at its final size: appending to a dozen slices
// that double as they grow allocated about three times their final size.
func sizes(m *Model) (vertices, hard, soft int) {
	vertices = len(m.Nodes)
	for i := range m.Nodes {
		v, h, s := nodeSizes(&m.Nodes[i])
		vertices, hard, soft = vertices+v, hard+h, soft+s
	}
	return vertices, hard, soft
}

// nodeSizes is what compiling node nd makes besides its own vertex: the
// vertices of its groups and replicas, and its hard and soft edges.
func nodeSizes(nd *Node) (vertices, hard, soft int) {
	groups := func(deps []Dep, soft bool) (gs, h, s int) {
		for i := range deps {
			d := &deps[i]
			if d.Form == One && len(d.Members) == 1 {
				if soft {
					s++
				} else {
					h++
				}
				continue
			}
			gs++
			h += len(d.Members)
			if soft {
				s++
			} else {
				h++
			}
		}
		return gs, h, s
	}
	add := func(gs, h, s int) { vertices, hard, soft = vertices+gs, hard+h, soft+s }
	if nd.Region != "" {
		hard++
	}
	if nd.Site != "" {
		hard++
	}
	add(groups(nd.Requires, false))
	add(groups(nd.Uses, true))
	switch rs := nd.Replicas; {
	case len(rs) == 0:
	case len(rs) == 1 && len(rs[0].Requires) == 0:
		hard++
	default:
		if len(nd.Requires) > 0 || nd.Region != "" || nd.Site != "" {
			vertices++
			hard++
		}
		for j := range rs {
			vertices++
			hard += 2 // its site, and it to the capacity gate
			add(groups(rs[j].Requires, false))
		}
	}
	return vertices, hard, soft
}

// compile compiles m, which validate has just found valid, giving res.
func compile(m *Model, res *resolution) (*Compiled, error) {
	if inPlaceCSR {
		if c, ok := compileWith(m, res, true); ok {
			return c, nil
		}
	}
	c, _ := compileWith(m, res, false)
	return c, nil
}

// compileWith is compile, writing the CSR arrays in place or not (see
// rows). In place, it returns false if the rows were not filled as they
// were counted, a bug, which the edge lists then survive: Compile promises
// not to panic on a valid model.
func compileWith(m *Model, res *resolution, inPlace bool) (_ *Compiled, ok bool) {
	return compileNodes(m, modelNodes{m}, res, inPlace)
}

// nodeSet is where compile reads the nodes of a model from: its Nodes
// (modelNodes), or the compact columns of the CLI's load, which make each
// node again when asked (see load_compact.go).
type nodeSet interface {
	count() int
	// head returns node i with at least its ID, Kind, Tier, Pos, Users,
	// Restart, Labels, Description and failure data; full the whole node,
	// asked in order, i = 0, 1, .... Either is valid until the next call.
	// The compact load's full leaves out the ids of plain dependencies,
	// which compile reads from res.refs (never nil there).
	head(i int) *Node
	full(i int) *Node
	// inputs is nodeInputs of node i.
	inputs(i int) (hard, soft int)
}

// modelNodes is the nodeSet of m.Nodes.
type modelNodes struct{ m *Model }

func (s modelNodes) count() int                    { return len(s.m.Nodes) }
func (s modelNodes) head(i int) *Node              { return &s.m.Nodes[i] }
func (s modelNodes) full(i int) *Node              { return &s.m.Nodes[i] }
func (s modelNodes) inputs(i int) (hard, soft int) { return nodeInputs(&s.m.Nodes[i]) }

// compileNodes is compileWith on the nodes ns of m (whose Nodes are not
// read).
func compileNodes(m *Model, ns nodeSet, res *resolution, inPlace bool) (_ *Compiled, ok bool) {
	if inPlace {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
	}
	n := ns.count()
	nv, nh, nsoft := res.vertices, res.hard, res.soft
	index := res.index
	c := &Compiled{
		// Strings are cloned, so that the graph keeps nothing of the
		// model's file (node ids are copies already, see decoder.keep).
		name:        strings.Clone(m.Name),
		description: strings.Clone(m.Description),
		sources:     cloneStrings(m.Sources),
		file:        m.File,
		nodes:       n,
		index:       index,
		names:       make([]string, 0, nv),
		vkind:       make([]VertexKind, 0, nv),
		owner:       make([]int32, 0, nv),
		label:       make([]string, 0, nv),
		site:        make([]int32, 0, nv),
		rec:         make([]time.Duration, 0, nv),
		stby:        make([]Standby, 0, nv),
		gates:       make([]Gate, 0, nv),
		info:        make([]nodeInfo, n),
		mlab:        make([]map[string]string, n),
		mdesc:       make(map[int32]string),
		capv:        make([]int32, n),
		users:       make([]int64, n),
		rst:         make([]time.Duration, n),
	}
	b := &compiler{c: c, refs: res.refs, inPlace: inPlace}
	if b.inPlace {
		b.rows(ns, nh, nsoft)
	} else {
		b.hard.grow(nh)
		b.soft.grow(nsoft)
	}
	for i := range n {
		nd := ns.head(i)
		// One probability per model node, or none when no node has any
		// (most models), so that they cost nothing.
		if q := m.Unavailability(nd); q > 0 {
			if c.unavail == nil {
				c.unavail = make([]float64, n)
			}
			c.unavail[i] = q
		}
		b.vertex(nd.ID, NodeVertex, int32(i), "")
		c.capv[i] = -1
		c.info[i] = nodeInfo{kind: nd.Kind, tier: int32(nd.Tier.Int()), pos: nd.Pos}
		c.users[i] = nd.Users
		c.rst[i] = nd.Restart
		c.setRTO(int32(i), nd.RTO)
		c.addRepairDeps(int32(i), nd)
		if len(nd.Labels) > 0 {
			c.mlab[i] = cloneMap(nd.Labels)
		}
		if nd.Description != "" {
			c.mdesc[int32(i)] = strings.Clone(nd.Description)
		}
	}
	p := 0
	for i := range n {
		p = b.node(int32(i), ns.full(i), p)
	}
	if b.inPlace {
		// The rows end where the next begin only if every vertex got the
		// inputs it was counted (a bug otherwise: tests compare with the
		// edge lists).
		if int(b.tail) != nh || int(c.inOff[len(c.names)]) != nh || int(c.softOff[len(c.names)]) != nsoft {
			return nil, false
		}
		c.finishCSR()
	} else {
		c.buildCSR(&b.hard, &b.soft)
	}
	return c, true
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.Clone(k)] = strings.Clone(v)
	}
	return out
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i := range s {
		out[i] = strings.Clone(s[i])
	}
	return out
}

// node compiles the gate of model node v, whose references start at
// position p of the validator's; it returns where the next node's start.
// The validator meets them as region, site, replicas, requires, uses, and
// the vertices are made as region, site, requires, uses, replicas (the
// order vertex numbers have always had), so the positions are counted.
func (b *compiler) node(v int32, nd *Node, p int) int {
	if nd.Region != "" {
		b.add(false, v, b.ref(p, nd.Region), 1, 1)
		p++
	}
	if nd.Site != "" {
		b.add(false, v, b.ref(p, nd.Site), 1, 1)
		p++
	}
	replicas := p
	for i := range nd.Replicas {
		p += 1 + refCount(nd.Replicas[i].Requires)
	}
	for i := range nd.Requires {
		b.dep(v, v, &nd.Requires[i], p, false, nd.ID, ".requires", i)
		p += len(nd.Requires[i].Members)
	}
	for i := range nd.Uses {
		b.dep(v, v, &nd.Uses[i], p, true, nd.ID, ".uses", i)
		p += len(nd.Uses[i].Members)
	}
	switch {
	case len(nd.Replicas) == 0:
	case len(nd.Replicas) == 1 && len(nd.Replicas[0].Requires) == 0:
		// One replica and nothing of its own: the node simply needs the site.
		b.add(false, v, b.ref(replicas, nd.Replicas[0].Site), 1, 1)
	default:
		others := len(nd.Requires) > 0 || nd.Region != "" || nd.Site != ""
		b.replicas(v, nd, others, replicas)
	}
	return p
}

// replicas compiles a node placed at several sites: one vertex per replica
// (its site AND its own requires), under a capacity threshold that is the
// node itself when it has no other hard input, and a group vertex otherwise.
// Its references start at position p.
func (b *compiler) replicas(v int32, nd *Node, others bool, p int) {
	c := b.c
	gate := v
	if others {
		// "[*]" keeps the name apart from every node id, which cannot hold brackets.
		gate = b.vertex(b.text(nd.ID, ".replicas[*]"), GroupVertex, v, "replicas")
		b.row(gate, len(nd.Replicas))
		b.add(false, v, gate, 1, 1)
	}
	weighted := false
	for _, r := range nd.Replicas {
		if r.Capacity > 0 {
			weighted = true
		}
	}
	demand := max(nd.Demand, 1) // without capacities: how many replicas it needs
	b.threshold(gate, demand, nd.DegradedAt)
	c.capv[v] = gate
	var seen map[string]int // sites met so far, when a site may repeat
	if len(nd.Replicas) > 2 {
		seen = make(map[string]int, len(nd.Replicas))
	}
	for i := range nd.Replicas {
		r := &nd.Replicas[i]
		k := 0
		if seen != nil {
			k = seen[r.Site]
			seen[r.Site]++
		} else if i == 1 && nd.Replicas[0].Site == r.Site {
			k = 1
		}
		name := b.text(nd.ID, "@", r.Site)
		if k > 0 {
			name = b.text(nd.ID, "@", r.Site, "#", strconv.Itoa(k+1))
		}
		rv := b.vertex(name, ReplicaVertex, v, "")
		b.row(rv, 1+len(r.Requires))
		site := b.ref(p, r.Site)
		p++
		c.site[rv] = site
		c.rec[rv] = r.RecoveryTime()
		c.stby[rv] = r.Standby
		c.addFailoverDeps(rv, r)
		b.add(false, rv, site, 1, 1)
		for j := range r.Requires {
			b.dep(rv, v, &r.Requires[j], p, false, name, ".requires", j)
			p += len(r.Requires[j].Members)
		}
		capacity := r.Capacity
		if !weighted || capacity <= 0 {
			capacity = 1
		}
		w := capacity
		if c.rec[rv] > 0 {
			w = 0 // a standby that is not yet serving carries nothing at t=0
		}
		b.add(false, gate, rv, w, capacity)
	}
}

// buildCSR sorts the collected edges into the CSR arrays, both directions,
// with a counting sort: O(V+E), no per-vertex allocation. And inputs that
// repeat (a site listing its region twice, say) are kept once.
func (c *Compiled) buildCSR(hard, soft *edgeList) {
	nv := len(c.names)
	c.inOff, c.in, c.inW, c.inCap = csr(nv, hard.dst, hard.src, hard.w, hard.cap)
	c.dedupeAnd()
	c.softOff, c.soft, _, _ = csr(nv, soft.dst, soft.src, nil, nil)
	c.softOff, c.soft = dedupe(c.softOff, c.soft)

	// Reverse directions, ops, kinds and bases from the (deduplicated)
	// forward arrays: what reading a cached graph derives too.
	c.derive()
}

// finishCSR is buildCSR for arrays written in place (see rows).
// The hard and soft rows are deduplicated on two cores for a large graph
// (they share nothing).
func (c *Compiled) finishCSR() {
	if c.twoCores() {
		both(func() { c.softOff, c.soft = dedupe(c.softOff, c.soft) }, c.dedupeAnd)
	} else {
		c.dedupeAnd()
		c.softOff, c.soft = dedupe(c.softOff, c.soft)
	}
	c.derive()
}

// csr groups edges by key: for each key k, vals[off[k]:off[k+1]] are the
// vals of its edges in input order (a stable counting sort).
func csr(n int, key, val []int32, w, capacity []int64) (off, out []int32, ow, ocap []int64) {
	off = make([]int32, n+1)
	for _, k := range key {
		off[k+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	out = make([]int32, len(key))
	if w != nil {
		ow = make([]int64, len(key))
	}
	if capacity != nil {
		ocap = make([]int64, len(key))
	}
	next := slices.Clone(off[:n])
	for i, k := range key {
		p := next[k]
		next[k]++
		out[p] = val[i]
		if w != nil {
			ow[p] = w[i]
		}
		if capacity != nil {
			ocap[p] = capacity[i]
		}
	}
	return off, out, ow, ocap
}

// dedupeAnd drops repeated inputs of And vertices (a site listing its
// region twice, say). Threshold members are distinct by validation.
func (c *Compiled) dedupeAnd() {
	keep := dedupeMask(c.inOff, c.in, func(v int) bool { return c.gates[v].Op == And })
	w := 0
	for e, k := range keep {
		if k {
			c.in[w], c.inW[w], c.inCap[w] = c.in[e], c.inW[e], c.inCap[e]
			w++
		}
	}
	c.in, c.inW, c.inCap = c.in[:w], c.inW[:w], c.inCap[:w]
}

func dedupe(off, adj []int32) ([]int32, []int32) {
	keep := dedupeMask(off, adj, func(int) bool { return true })
	w := 0
	for e, k := range keep {
		if k {
			adj[w] = adj[e]
			w++
		}
	}
	return off, adj[:w]
}

// dedupeMask marks the first occurrence of each neighbour in every row that
// apply selects (other rows are kept whole) and rewrites off for the
// compacted rows, using one stamp per vertex instead of a set per row.
func dedupeMask(off, adj []int32, apply func(v int) bool) []bool {
	nv := len(off) - 1
	keep := make([]bool, len(adj))
	stamp := make([]int32, nv)
	w := int32(0)
	for v := 0; v < nv; v++ {
		lo, hi := off[v], off[v+1]
		off[v] = w
		check := apply(v)
		for e := lo; e < hi; e++ {
			u := adj[e]
			if check && stamp[u] == int32(v)+1 {
				continue
			}
			stamp[u] = int32(v) + 1
			keep[e] = true
			w++
		}
	}
	off[nv] = w
	return keep
}

// Name is the model's name.
func (c *Compiled) Name() string { return c.name }

// Description is the model's description.
func (c *Compiled) Description() string { return c.description }

// Sources are the links the model cites.
func (c *Compiled) Sources() []string { return c.sources }

// File is the file the model was read from, if any.
func (c *Compiled) File() string { return c.file }

// Len is the number of vertices: model nodes, replicas and groups.
func (c *Compiled) Len() int { return len(c.names) }

// NodeCount is the number of model nodes; they are vertices
// 0..NodeCount()-1, in model order.
func (c *Compiled) NodeCount() int { return c.nodes }

// Edges is the number of hard and soft input edges.
func (c *Compiled) Edges() int { return len(c.in) + len(c.soft) }

// HardEdges is the number of hard input edges.
func (c *Compiled) HardEdges() int { return len(c.in) }

// Lookup returns the vertex named id: a node id, or a replica name such as
// "kakaotalk@pangyo".
func (c *Compiled) Lookup(id string) (int32, bool) {
	v, ok := c.index[id]
	return v, ok
}

// IDs returns the ids of the model's nodes, in model order.
func (c *Compiled) IDs() []string { return c.names[:c.nodes] }

// VertexName is the vertex's name: the node id, "node@site" for a replica,
// "node.requires[2]" for a group.
func (c *Compiled) VertexName(v int32) string { return c.names[v] }

// VertexKind says what the vertex stands for.
func (c *Compiled) VertexKind(v int32) VertexKind { return c.vkind[v] }

// Owner is the model node a vertex belongs to (itself for a node).
func (c *Compiled) Owner(v int32) int32 { return c.owner[v] }

// GroupLabel is how a group vertex was written, e.g. "any_of [a b]".
func (c *Compiled) GroupLabel(v int32) string { return c.label[v] }

// Kind is the kind of the vertex's owner node.
func (c *Compiled) Kind(v int32) Kind { return c.kinds[v] }

// Users is the number of users of a node vertex (0 for other vertices).
func (c *Compiled) Users(v int32) int64 {
	if v >= int32(c.nodes) {
		return 0
	}
	return c.users[v]
}

// Tier is the criticality tier of the vertex's owner node, or NoTier.
func (c *Compiled) Tier(v int32) int { return int(c.info[c.owner[v]].tier) }

// Labels are the labels of the vertex's owner node.
func (c *Compiled) Labels(v int32) map[string]string { return c.mlab[c.owner[v]] }

// NodeDescription is the description of a model node.
func (c *Compiled) NodeDescription(v int32) string { return c.mdesc[c.owner[v]] }

// Pos is where the vertex's owner node was written.
func (c *Compiled) Pos(v int32) Pos { return c.info[c.owner[v]].pos }

// Restart is the restart time of a node vertex: how long it needs to serve
// again once its inputs allow it (0 for replicas, groups and nodes without
// one).
func (c *Compiled) Restart(v int32) time.Duration {
	if v >= int32(c.nodes) {
		return 0
	}
	return c.rst[v]
}

// ReplicaSite is the site of a replica vertex, or -1.
func (c *Compiled) ReplicaSite(v int32) int32 { return c.site[v] }

// Standby is the standby tier of a replica vertex (Active elsewhere).
func (c *Compiled) Standby(v int32) Standby { return c.stby[v] }

// Recovery is the time a replica vertex's standby needs to serve (0 for
// active and mirror replicas, and for other vertices).
func (c *Compiled) Recovery(v int32) time.Duration { return c.rec[v] }

// CapacityVertex is the vertex that sums the replica capacity of node v:
// v itself, or a group vertex when v also has other hard inputs; -1 when v
// is not placed at several sites.
func (c *Compiled) CapacityVertex(v int32) int32 {
	if c.vkind[v] != NodeVertex {
		return -1
	}
	return c.capv[v]
}

// Op is the vertex's gate.
func (c *Compiled) Op(v int32) Op { return c.ops[v] }

// Gate returns the vertex's gate in one value.
func (c *Compiled) Gate(v int32) Gate { return c.gates[v] }

// Need is the live weight a Threshold vertex needs to be Up (1 for And).
func (c *Compiled) Need(v int32) int64 { return c.gates[v].Need }

// Floor is the least live weight at which a Threshold vertex is not Down.
func (c *Compiled) Floor(v int32) int64 { return c.gates[v].Floor }

// Base is a Threshold vertex's live weight with nothing failed (0 for And).
func (c *Compiled) Base(v int32) int64 { return c.gates[v].Base }

// Inputs returns the vertex's hard inputs with the weight each carries at
// the moment of failure (0 for a standby replica that is not a mirror).
func (c *Compiled) Inputs(v int32) ([]int32, []int64) {
	lo, hi := c.inOff[v], c.inOff[v+1]
	return c.in[lo:hi], c.inW[lo:hi]
}

// InputCapacity returns the full capacity of each hard input of v, in the
// order of Inputs: what a standby carries once it serves.
func (c *Compiled) InputCapacity(v int32) []int64 {
	return c.inCap[c.inOff[v]:c.inOff[v+1]]
}

// SoftInputs returns the vertex's soft inputs.
func (c *Compiled) SoftInputs(v int32) []int32 { return c.soft[c.softOff[v]:c.softOff[v+1]] }

// Dependents returns the vertices with v as a hard input, with the weight
// each edge carries at the moment of failure.
func (c *Compiled) Dependents(v int32) ([]int32, []int64) {
	lo, hi := c.outOff[v], c.outOff[v+1]
	return c.out[lo:hi], c.outW[lo:hi]
}

// SoftDependents returns the vertices with v as a soft input.
func (c *Compiled) SoftDependents(v int32) []int32 {
	return c.softOut[c.softOutOff[v]:c.softOutOff[v+1]]
}

// String summarizes the graph.
func (c *Compiled) String() string {
	return fmt.Sprintf("compiled %q: %d nodes, %d vertices, %d edges", c.name, c.nodes, c.Len(), c.Edges())
}
