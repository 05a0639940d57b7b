package graph

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// LoadGraph is LoadCompiled for a caller that wants the compiled graph
// alone, as the CLI does: it never holds the whole Model. It returns the
// same graph and the same errors as LoadCompiled.
//
// A valid file is read by the compact load: each node is decoded, kept
// in a few compact columns (its id, kind and numbers, its references as
// the ids they name, then as node numbers) and let go, and the graph is
// validated and compiled from the columns, so that peak memory is the
// file, the columns and the graph instead of the file, the Model and the
// graph. At the first problem, or anything it does not handle, it gives
// up and the file is read again by Decode, whose problems are returned:
// the compact load only has to be right for valid files.
func LoadGraph(path string, l Limits) (c *Compiled, err error) {
	if err := openModel(path, func(r io.Reader, f Format, size int64) {
		c, err = decodeGraph(r, path, f, l.orDefault(), size)
	}); err != nil {
		return nil, err
	}
	return c, err
}

// DecodeGraph is DecodeCompiled returning the compiled graph alone, read
// as LoadGraph reads a file.
func DecodeGraph(r io.Reader, file string, f Format, l Limits) (*Compiled, error) {
	return decodeGraph(r, file, f, l.orDefault(), readerSize(r))
}

// compactLoad turns the compact load on; tests turn it off to compare.
var compactLoad = true

func decodeGraph(r io.Reader, file string, f Format, l Limits, size int64) (*Compiled, error) {
	if f != YAML && f != JSON {
		return nil, fmt.Errorf("unknown model format %v", f)
	}
	data, err := readModel(r, file, l, size)
	if err != nil {
		return nil, err
	}
	if c, ok := compactCompile(data, file, f, l); ok {
		return c, nil
	}
	m, res, err := decodeData(data, file, f, l)
	if err != nil {
		return nil, err
	}
	_, c, err := compileDecoded(m, res)
	return c, err
}

// compactFields are the fields of a node (nodeFields) and of a replica
// (replicaFields) the compact columns keep; a node that writes any other
// field is read by Decode instead. A new field of Node is compact once
// compactNode keeps it and it is named here.
var compactFields = [2]map[string]bool{
	{"kind": true, "description": true, "users": true, "tier": true, "labels": true, "region": true, "site": true, "replicas": true, "demand": true, "degraded_at": true, "requires": true, "uses": true, "restart": true, "availability": true, "mtbf": true, "mttr": true},
	{"site": true, "capacity": true, "standby": true, "recovery": true, "requires": true},
}

// compactField is compactFields by the fields' numbers (their places in
// nodeFields and replicaFields): add asks it of every field of every node,
// and a map lookup each was 0.12 s of the readers at 1,000,000 nodes.
var compactField = func() (t [2][]bool) {
	for k, names := range [2][]string{nodeFields, replicaFields} {
		t[k] = make([]bool, len(names))
		for i, name := range names {
			t[k][i] = compactFields[k][name]
		}
	}
	return t
}()

// compact is a model's nodes in columns: per node its id, kind, line,
// tier, users and the counts compile needs; its structure as words of
// code; its references, in the order the validator meets them, as the ids
// written (pending) until every id is known, then as node numbers (refs).
// The rare fields are in extra.
type compact struct {
	file    string
	ids     []string
	kinds   []Kind
	lines   []int32
	tiers   []int32 // Tier.Int()
	users   []int64
	nin     [][2]int32 // nodeInputs
	start   []uint32   // the node's code is code[start[i]:start[i+1]]
	code    []int64
	pending []string
	// more are the pending references of the nodes a second reader read
	// (see append), which follow pending's.
	more  []string
	refs  []int32
	extra map[int32]*nodeExtra
	// The sizes of the compiled graph (see sizes).
	vertices, hard, soft int
	users64              int64 // the users of every node, saturating

}

// maker makes the nodes of a compact model again, one at a time, into
// scratch it reuses: a nodeSet for compile. Each goroutine has its own.
type maker struct {
	*compact
	n        Node
	replicas []Replica
	deps     []Dep
	members  []Member
	at, p    int // the node full made last, and its first reference
	k, kend  int // the next word of the node's code, and its end
	// compile's maker leaves the ids of plain dependencies out: compile
	// takes their nodes from the resolved references, and looking each id
	// up again was a read at a random place of the ids per reference.
	noPlainIDs bool
}

// nodeExtra holds the fields few nodes have.
type nodeExtra struct {
	description  string
	labels       map[string]string
	restart      int64
	availability float64
	mtbf, mttr   int64
}

// The flags of a node's first word of code; the counts of its replicas,
// requires and uses follow in 16 bits each.
const (
	cRegion = 1 << iota
	cSite
	cDemand
	cDegraded
	cExtra
)

// The flags of a replica's word: its standby in the low byte, then these,
// then the count of its requires in 16 bits from bit 16.
const (
	cCapacity = 1 << (8 + iota)
	cRecovery
)

// A dependency is one word: 0 for a plain one (a node), else cGroup with
// its form in bits 8-15 and its member count from bit 16, followed by its
// need, its degraded_at and a weight per member.
const cGroup = 1

const maxCount = 1<<16 - 1

// add keeps node n, just decoded (its fields in fs), in the columns. It
// returns false for a node the columns cannot hold.
func (c *compact) add(n *Node, fs []fieldAt) bool {
	for _, f := range fs {
		if k := min(f.rep, 1); int(f.field) >= len(compactField[k]) || !compactField[k][f.field] {
			return false
		}
	}
	if n.Pos.Line > math.MaxInt32 || len(c.code) > math.MaxUint32/2 ||
		len(n.Replicas) > maxCount || len(n.Requires) > maxCount || len(n.Uses) > maxCount {
		return false
	}
	i := int32(len(c.ids))
	c.ids = append(c.ids, n.ID)
	c.kinds = append(c.kinds, n.Kind)
	c.lines = append(c.lines, int32(n.Pos.Line))
	c.tiers = append(c.tiers, int32(n.Tier.Int()))
	c.users = append(c.users, n.Users)
	if n.Users > 0 && n.Users <= MaxUsers {
		c.users64 = addSat(c.users64, n.Users)
	}
	h, s := nodeInputs(n)
	c.nin = append(c.nin, [2]int32{int32(h), int32(s)})
	v, hh, ss := nodeSizes(n)
	c.vertices, c.hard, c.soft = c.vertices+1+v, c.hard+hh, c.soft+ss
	c.start = append(c.start, uint32(len(c.code)))

	flags := int64(len(n.Replicas))<<16 | int64(len(n.Requires))<<32 | int64(len(n.Uses))<<48
	if n.Region != "" {
		flags |= cRegion
		c.pending = append(c.pending, n.Region)
	}
	if n.Site != "" {
		flags |= cSite
		c.pending = append(c.pending, n.Site)
	}
	if n.Demand != 0 {
		flags |= cDemand
	}
	if n.DegradedAt != 0 {
		flags |= cDegraded
	}
	if n.Description != "" || n.Labels != nil || n.Restart != 0 || n.Availability != 0 || n.MTBF != 0 || n.MTTR != 0 {
		flags |= cExtra
		if c.extra == nil {
			c.extra = make(map[int32]*nodeExtra)
		}
		c.extra[i] = &nodeExtra{description: n.Description, labels: n.Labels, restart: int64(n.Restart),
			availability: n.Availability, mtbf: int64(n.MTBF), mttr: int64(n.MTTR)}
	}
	c.code = append(c.code, flags)
	if n.Demand != 0 {
		c.code = append(c.code, n.Demand)
	}
	if n.DegradedAt != 0 {
		c.code = append(c.code, n.DegradedAt)
	}
	for j := range n.Replicas {
		r := &n.Replicas[j]
		if len(r.Requires) > maxCount {
			return false
		}
		w := int64(r.Standby) | int64(len(r.Requires))<<16
		if r.Capacity != 0 {
			w |= cCapacity
		}
		if r.Recovery != 0 {
			w |= cRecovery
		}
		c.code = append(c.code, w)
		if r.Capacity != 0 {
			c.code = append(c.code, r.Capacity)
		}
		if r.Recovery != 0 {
			c.code = append(c.code, int64(r.Recovery))
		}
		c.pending = append(c.pending, r.Site)
		c.addDeps(r.Requires)
	}
	c.addDeps(n.Requires)
	c.addDeps(n.Uses)
	return true
}

// append appends the nodes of b, which follow c's, refusing more than
// limit in all.
func (c *compact) append(b *compact, limit int) bool {
	n, words := len(c.ids), len(c.code)
	if n+len(b.ids) > limit || words+len(b.code) > math.MaxUint32/2 || c.more != nil {
		return false
	}
	c.ids = append(c.ids, b.ids...)
	c.kinds = append(c.kinds, b.kinds...)
	c.lines = append(c.lines, b.lines...)
	c.tiers = append(c.tiers, b.tiers...)
	c.users = append(c.users, b.users...)
	c.nin = append(c.nin, b.nin...)
	for _, s := range b.start {
		c.start = append(c.start, s+uint32(words))
	}
	c.code = append(c.code, b.code...)
	// The second half's references stay apart, resolved on their own
	// core (see resolve): copying them was a pass of one core over 16
	// bytes per reference (40 MB at 1,000,000 nodes).
	c.more = b.pending
	for i, x := range b.extra {
		if c.extra == nil {
			c.extra = make(map[int32]*nodeExtra)
		}
		c.extra[i+int32(n)] = x
	}
	c.vertices, c.hard, c.soft = c.vertices+b.vertices, c.hard+b.hard, c.soft+b.soft
	c.users64 = addSat(c.users64, b.users64)
	return true
}

// grow makes room for n nodes in all, with the words of code at the rate
// of the nodes so far, and the references of refs nodes at that rate (the
// first of two readers holds only its own, see append), but no more of
// either than a quarter of the file's bytes (each takes two at least): a
// hostile first chunk of nodes cannot make it allocate more than the
// file's size allows.
func (c *compact) grow(n, refs, size int) {
	have := len(c.ids)
	if n <= have || have == 0 {
		return
	}
	c.ids = slices.Grow(c.ids, n-have)
	c.kinds = slices.Grow(c.kinds, n-have)
	c.lines = slices.Grow(c.lines, n-have)
	c.tiers = slices.Grow(c.tiers, n-have)
	c.users = slices.Grow(c.users, n-have)
	c.nin = slices.Grow(c.nin, n-have)
	c.start = slices.Grow(c.start, n-have)
	more := func(k, n int) int { return max(k, min(int(int64(k)*int64(n)/int64(have)*17/16), size/4)) }
	c.code = slices.Grow(c.code, more(len(c.code), n)-len(c.code))
	c.pending = slices.Grow(c.pending, more(len(c.pending), min(refs, n))-len(c.pending))
}

// plain reports whether d is a dependency on one node, as On makes it.
func plain(d *Dep) bool {
	return d.Form == One && len(d.Members) == 1 && d.Members[0].Weight == 1 && d.Need == 1 && d.DegradedAt == 0
}

func (c *compact) addDeps(deps []Dep) {
	for i := range deps {
		d := &deps[i]
		if plain(d) {
			c.code = append(c.code, 0)
			c.pending = append(c.pending, d.Members[0].ID)
			continue
		}
		c.code = append(c.code, cGroup|int64(d.Form)<<8|int64(len(d.Members))<<16, d.Need, d.DegradedAt)
		for j := range d.Members {
			c.code = append(c.code, d.Members[j].Weight)
			c.pending = append(c.pending, d.Members[j].ID)
		}
	}
}

// count, head, full and inputs make a maker a nodeSet for compile.
func (c *maker) count() int { return len(c.ids) }

func (c *maker) inputs(i int) (hard, soft int) {
	return int(c.nin[i][0]), int(c.nin[i][1])
}

// head makes node i's own fields again, into c.n.
func (c *maker) head(i int) *Node {
	n := &c.n
	*n = Node{ID: c.ids[i], Kind: c.kinds[i], Users: c.users[i], Pos: Pos{File: c.file, Line: int(c.lines[i])}}
	if t := c.tiers[i]; t >= 0 {
		n.Tier = TierOf(int(t))
	}
	if x := c.extra[int32(i)]; x != nil {
		n.Description, n.Labels, n.Restart = x.description, x.labels, durationOf(x.restart)
		n.Availability, n.MTBF, n.MTTR = x.availability, durationOf(x.mtbf), durationOf(x.mttr)
	}
	return n
}

// full makes node i again, whole, into c.n; the nodes are asked in order
// (its references start where the last node's end).
func (c *maker) full(i int) *Node {
	if i == 0 {
		c.at, c.p = 0, 0
	} else if i != c.at+1 {
		panic("compact: nodes made out of order")
	}
	c.at = i
	n := c.head(i)
	c.k, c.kend = int(c.start[i]), c.end(i)
	flags := c.word()
	nrep, nreq, nuse := int(flags>>16&maxCount), int(flags>>32&maxCount), int(flags>>48&maxCount)
	if flags&cRegion != 0 {
		n.Region = c.ref()
	}
	if flags&cSite != 0 {
		n.Site = c.ref()
	}
	if flags&cDemand != 0 {
		n.Demand = c.word()
	}
	if flags&cDegraded != 0 {
		n.DegradedAt = c.word()
	}
	c.deps, c.members = c.deps[:0], c.members[:0]
	if nrep > 0 {
		c.replicas = c.replicas[:0]
		for range nrep {
			w := c.word()
			r := Replica{Standby: Standby(w & 0xff)}
			if w&cCapacity != 0 {
				r.Capacity = c.word()
			}
			if w&cRecovery != 0 {
				r.Recovery = durationOf(c.word())
			}
			r.Site = c.ref()
			r.Requires = c.makeDeps(int(w >> 16 & maxCount))
			c.replicas = append(c.replicas, r)
		}
		n.Replicas = c.replicas
	}
	n.Requires = c.makeDeps(nreq)
	n.Uses = c.makeDeps(nuse)
	return n
}

// word is the next word of the node's code. Past the node's end is a bug
// (the panic makes the compact load give up).
func (c *maker) word() int64 {
	if c.k >= c.kend {
		panic("compact: a node's code read past its end")
	}
	w := c.code[c.k]
	c.k++
	return w
}

func (c *compact) end(i int) int {
	if i+1 < len(c.start) {
		return int(c.start[i+1])
	}
	return len(c.code)
}

// ref is the id of the next reference.
func (c *maker) ref() string {
	id := c.ids[c.refs[c.p]]
	c.p++
	return id
}

// makeDeps makes n dependencies again from the node's next words. Their
// slices are cut from c.deps and c.members, which a node reuses: nothing
// keeps them past the node.
func (c *maker) makeDeps(n int) []Dep {
	if n == 0 {
		return nil
	}
	start := len(c.deps)
	for range n {
		w := c.word()
		if w == 0 {
			var id string
			if c.noPlainIDs {
				c.p++
			} else {
				id = c.ref()
			}
			c.members = append(c.members, Member{ID: id, Weight: 1})
			c.deps = append(c.deps, Dep{Form: One, Need: 1, Members: c.members[len(c.members)-1 : len(c.members) : len(c.members)]})
			continue
		}
		d := Dep{Form: Form(w >> 8 & 0xff), Need: c.word(), DegradedAt: c.word()}
		ms := len(c.members)
		for range int(w >> 16) {
			c.members = append(c.members, Member{Weight: c.word(), ID: c.ref()})
		}
		d.Members = c.members[ms:len(c.members):len(c.members)]
		c.deps = append(c.deps, d)
	}
	return c.deps[start:len(c.deps):len(c.deps)]
}

func durationOf(x int64) time.Duration { return time.Duration(x) }

// compactCompile is the compact load of data (see LoadGraph). It returns
// false when it gives up: on any problem, and on what the columns do not
// hold.
func compactCompile(data []byte, file string, f Format, l Limits) (_ *Compiled, ok bool) {
	if !fastRead || !compactLoad {
		return nil, false
	}
	// The fast readers and the decoder do not panic; this is a last
	// guard, since any failure here only means Decode reads the file.
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if f == JSON {
		data = bytes.TrimPrefix(data, []byte(bom))
	}
	a := newHalf(data, file, l)
	st := &yamltree.Stream{Key: "nodes", Each: a.each}
	var b *half
	if at, line, ok := splitAt(data, f); ok && splitRead {
		// The nodes from at on are read on another core into columns
		// of their own, then appended to the first half's.
		b = newHalf(data, file, l)
		st.Second, st.At, st.Line = &yamltree.Stream{Each: b.each}, at, line
		a.until = line
	}
	var root *value
	var read bool
	if f == JSON {
		root, read = yamltree.ReadJSONStream(stringOf(data), limits.depth, st)
	} else {
		root, read = yamltree.ReadFastStream(stringOf(data), limits.depth, st)
	}
	if !read || !a.good || b != nil && !b.good {
		return nil, false
	}
	d, c := a.d, a.c
	if b != nil {
		if len(b.d.ps) > 0 || len(b.d.hidden) > 0 || !c.append(b.c, l.Nodes) {
			return nil, false
		}
		st.Count += st.Second.Count
		if onSplit != nil {
			onSplit(len(a.c.ids)-len(b.c.ids), len(b.c.ids))
		}
	}
	m := &Model{}
	if !d.model(root, m, st) || len(d.ps) > 0 || len(d.hidden) > 0 || len(m.Nodes) > 0 || st.Count != len(c.ids) {
		return nil, false
	}
	m.File = file
	if m.Name == "" && m.File != "" {
		m.Name = NameOf(m.File)
	}
	if c.users64 > MaxTotalUsers {
		return nil, false
	}
	// The ids: what validate's identify checks (their syntax was checked
	// as each node was read, see each). The references are resolved with
	// an idTable, which also finds an id written twice. The graph's index
	// (the Go map of node ids that compile completes with the other
	// vertices, and Lookup reads) is made on the other core meanwhile, which then helps
	// resolve: the two cores take chunks of the references in turn. (Made
	// on its own before, beside the idTable, the index took twice as long
	// as the table and its core worked alone meanwhile: 0.1 s at
	// 1,000,000 nodes.)
	var index map[string]int32
	var res *resolver
	made := make(chan struct{}) // res is set (nil for a duplicate id)
	helped := make(chan struct{})
	go func() {
		defer close(helped)
		index = c.index()
		<-made
		if res != nil {
			res.work()
		}
	}()
	if ids, unique := newIDTable(c.ids); unique {
		res = c.newResolver(ids)
	}
	close(made)
	if res == nil {
		return nil, false
	}
	res.work()
	<-helped
	if res.bad.Load() || index == nil {
		return nil, false
	}
	res = nil // the table is garbage: compile may reuse its memory
	c.pending, c.more = nil, nil
	v := validator{m: m, pre: c.refs, kinds: c.kinds, names: c.ids}
	v.defaults()
	if len(v.ps) > 0 {
		return nil, false
	}
	// The nodes are validated on one goroutine while compile makes the
	// graph of them on another: a problem throws the graph away
	// (compile's own guards, and its recovering from a panic, keep an
	// invalid node from doing harm meanwhile). Compile is the longer of
	// the two, so nothing else runs beside them: a third goroutine (the
	// index, or validation in two parts) took compile's core from it part
	// of the time, and compile then ended alone.
	checked := make(chan bool, 1)
	go func() { checked <- c.validate(&v) }()
	g, done := compileNodes(m, &maker{compact: c, noPlainIDs: true}, &resolution{index: index, refs: c.refs, vertices: c.vertices, hard: c.hard, soft: c.soft}, true)
	if valid := <-checked; !done || !valid {
		return nil, false
	}
	return g, true
}

// validate checks every node of c with v, reporting whether they are
// valid. A panic (a bug) is a problem: the compact load gives up.
func (c *compact) validate(v *validator) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	mk := &maker{compact: c}
	for i := range c.ids {
		v.self = int32(i)
		v.node(mk.full(i))
	}
	return len(v.ps) == 0 && v.np == len(c.refs)
}

// index makes the graph's index of the node ids, sized for every vertex
// (the others are added once compiled). A duplicate id leaves it nil
// (newIDTable finds one first, but the load must not go on with an index
// that lost a node).
func (c *compact) index() map[string]int32 {
	index := make(map[string]int32, c.vertices)
	for i, id := range c.ids {
		// One hash of the id, not two: a duplicate leaves the index no
		// larger. Looking each id up first was 0.15 s of one core at
		// 1,000,000 nodes.
		index[id] = int32(i)
		if len(index) != i+1 {
			return nil
		}
	}
	return index
}

// resolver turns the ids of the references into node numbers (c.refs),
// in chunks that the goroutines calling work take in turn until none is
// left: the table is complete and only read. bad is set when an id is
// unknown. Chunks rather than a fixed half each, so that a goroutine that
// joins late (see compactCompile) takes its share, and the two end
// together.
type resolver struct {
	c    *compact
	t    *idTable
	n    int
	next atomic.Int64
	bad  atomic.Bool
}

func (c *compact) newResolver(t *idTable) *resolver {
	n := len(c.pending) + len(c.more)
	c.refs = make([]int32, n)
	return &resolver{c: c, t: t, n: n}
}

// work resolves chunks until none is left or an id is unknown.
func (r *resolver) work() {
	for !r.bad.Load() {
		lo := int(r.next.Add(int64(resolveChunk))) - resolveChunk
		if lo >= r.n {
			return
		}
		if !r.part(lo, min(lo+resolveChunk, r.n)) {
			r.bad.Store(true)
		}
	}
}

// part resolves the references from lo to hi: pending's, then more's.
func (r *resolver) part(lo, hi int) bool {
	c := r.c
	for k := lo; k < hi; k++ {
		id := ""
		if k < len(c.pending) {
			id = c.pending[k]
		} else {
			id = c.more[k-len(c.pending)]
		}
		i, ok := r.t.get(id)
		if !ok {
			return false
		}
		c.refs[k] = i
	}
	return true
}

// resolveChunk is how many references a goroutine takes at a time: small
// enough that the two end together, large enough that taking one costs
// nothing beside it. Tests lower it.
var resolveChunk = 16 << 10

// splitRead turns the reading of a large file on two cores on; tests
// turn it off to compare, and lower splitBytes.
var (
	splitRead  = true
	splitBytes = 1 << 20
	onSplit    func(first, second int) // tests: the nodes each half read
)

// half is what decodes the nodes one reader of a split stream hands
// over (all of them without a split) into compact columns.
type half struct {
	data    []byte
	d       *decoder
	c       *compact
	good    bool
	n       Node
	first   int // the line of the first node
	until   int // with a second reader, the line it starts at (else 0)
	depBase []Dep
	members []Member
}

func newHalf(data []byte, file string, l Limits) *half {
	return &half{data: data, d: &decoder{file: file, maxNodes: l.Nodes}, c: &compact{file: file}, good: true,
		depBase: make([]Dep, 256), members: make([]Member, 256)}
}

// each decodes one node into the columns.
func (h *half) each(e entry) {
	d, c := h.d, h.c
	if !h.good {
		return
	}
	if len(c.ids) >= d.maxNodes {
		h.good = false
		return
	}
	switch len(c.ids) {
	case 0:
		h.first = e.Line
	case chunkNodes:
		// The columns are sized once for the nodes the file seems to
		// hold after the first (see estimateNodes), instead of growing:
		// for the first half, those of the whole file, so that the
		// second half is appended in place, but its references only for
		// the nodes up to the second reader's (they are not appended,
		// and zeroing room for them was 40 MB at 1,000,000 nodes).
		n := estimateNodes(h.data, h.first, e.Line, d.maxNodes)
		refs := n
		if h.until > e.Line && e.Line > h.first {
			refs = chunkNodes + int(int64(h.until-e.Line)*chunkNodes/int64(e.Line-h.first))
		}
		c.grow(n, refs, len(h.data))
	}
	// The node's slices are cut from the decoder's pools, which start
	// again once the node is in the columns.
	d.depPool, d.memberPool = h.depBase, h.members
	d.node(&h.n, e)
	// The id's syntax is checked here, on the reader's core, rather
	// than when the ids are indexed (on one).
	h.good = len(d.ps) == 0 && len(d.hidden) == 0 && checkID(h.n.ID) == "" && c.add(&h.n, h.n.fields)
	// A node that needed more than a pool held got a chunk of its own;
	// the next start with a pool that large.
	if !sameEnd(d.depPool, h.depBase) {
		h.depBase = make([]Dep, 2*cap(h.depBase))
	}
	if !sameEnd(d.memberPool, h.members) {
		h.members = make([]Member, 2*cap(h.members))
	}
	d.fields, d.fieldsStart = d.fields[:0], 0
}

// sameEnd reports whether the rest of a pool is of chunk: they end at the
// same element.
func sameEnd[T any](rest, chunk []T) bool {
	return cap(rest) > 0 && &rest[:cap(rest)][cap(rest)-1] == &chunk[:cap(chunk)][cap(chunk)-1]
}

// splitAt picks where a second reader starts on a large file: the key of
// the first node written on a line of its own at the nodes' indentation
// from the middle of the file on, with its line. It only guesses; the
// reader checks (see yamltree.Stream.Second).
func splitAt(data []byte, f Format) (at, line int, ok bool) {
	if len(data) < splitBytes || runtime.GOMAXPROCS(0) < 2 {
		return 0, 0, false
	}
	// The line after the nodes key, which opens the mapping.
	key := []byte("\nnodes:\n")
	if f == JSON {
		key = []byte("\"nodes\": {\n")
	}
	k := bytes.Index(data, key)
	if f == YAML && bytes.HasPrefix(data, key[1:]) {
		k = -1 // the first line
	} else if k < 0 {
		return 0, 0, false
	}
	// The indentation of the first node.
	p := k + len(key)
	indent := 0
	for p+indent < len(data) && data[p+indent] == ' ' {
		indent++
	}
	if indent == 0 || p+indent >= len(data) {
		return 0, 0, false
	}
	// A line from the middle on with that indentation, then the start of
	// a key.
	for q := max(p, len(data)/2); ; {
		i := bytes.IndexByte(data[q:], '\n')
		if i < 0 {
			return 0, 0, false
		}
		q += i + 1
		j := q
		for j < len(data) && j-q < indent && data[j] == ' ' {
			j++
		}
		if j-q != indent || j >= len(data) {
			continue
		}
		switch c := data[j]; {
		case f == JSON && c == '"',
			f == YAML && c != ' ' && c != '#' && c != '-' && c != '\t' && c != '\r' && c != '\n' && c != '?':
			return j, 1 + bytes.Count(data[:q], []byte{'\n'}), true
		}
	}
}
