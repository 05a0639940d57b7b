package graph

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// The binary form of a Compiled, for a cache of compiled models: a second
// run on an unchanged file reads this instead of decoding, validating and
// compiling the file again. The layout is
//
//	magic "BRCG" | uvarint version | string table | fields
//
// The string table holds every distinct string other than a vertex name
// once (labels, the file of every position), first, so that these few take
// one-byte references, then the vertex names in vertex order (distinct by
// construction, so neither interned nor referenced): a count, every
// length, then the bytes of all of them as one blob, which the reader
// turns into a single string that every name is a substring of (one
// allocation instead of one per vertex). The fields follow in a fixed
// order, each as a count (where it has one) and its values as varints
// (signed ones zig-zag), strings as indices into the table and CSR offsets
// as row lengths: weights and rows are small, so a varint is mostly one
// byte.
//
// Only what compile decided is written. What follows from it is derived
// again on reading, so that a hostile or stale entry cannot make it
// inconsistent: the name index, ops, kinds, the Base of every threshold
// gate and the dependents (reverse) CSR arrays. ReadCompiled checks every
// index against the lengths it refers to, every enum against its range and
// every offset against its array, so that no accessor of what it returns
// can go out of bounds; it bounds every count by the bytes left, so that
// hostile bytes cannot make it allocate more than a small multiple of
// their own size.
const (
	compiledMagic = "BRCG"
	// CompiledVersion is the version of the layout MarshalBinary writes;
	// ReadCompiled refuses any other. Bump it whenever the layout, or the
	// meaning of a field of Compiled, changes.
	CompiledVersion = 4
)

// The least number of bytes each vertex and each model node takes in the
// layout (one byte per varint and per enum), to bound counts by the input.
const (
	minVertexBytes = 11 // vkind, owner, label, site, rec, stby, op, need, floor, two row lengths
	minNodeBytes   = 8  // kind, tier, pos file, pos line, users, restart, capacity vertex, label count
)

// MarshalBinary returns c in the binary form ReadCompiled reads. The same
// graph always gives the same bytes.
func (c *Compiled) MarshalBinary() ([]byte, error) {
	// Strings first: every field refers to them by index.
	e := &binEncoder{refs: make(map[string]uint64)}
	e.intern(c.name)
	e.intern(c.description)
	e.intern(c.file)
	for _, s := range c.sources {
		e.intern(s)
	}
	for v := range c.names {
		e.intern(c.label[v])
	}
	labelKeys := make([][]string, c.nodes)
	for i := 0; i < c.nodes; i++ {
		e.intern(c.info[i].pos.File)
		keys := make([]string, 0, len(c.mlab[i]))
		for k := range c.mlab[i] {
			keys = append(keys, k)
		}
		slices.Sort(keys) // in order, so that the same graph gives the same bytes
		for _, k := range keys {
			e.intern(k)
			e.intern(c.mlab[i][k])
		}
		labelKeys[i] = keys
	}
	descs := make([]int32, 0, len(c.mdesc))
	for v := range c.mdesc {
		descs = append(descs, v)
	}
	slices.Sort(descs)
	for _, v := range descs {
		e.intern(c.mdesc[v])
	}

	table := slices.Concat(e.strs, c.names)
	// One allocation of a little more than the final size instead of a doubling
	// buffer: a cache writes this while the model it came from may still
	// be on the heap. Most varints are one byte, vertex and node indices
	// up to three or four.
	size := 64
	for _, s := range table {
		size += len(s) + 2
	}
	size += 12*len(c.names) + 10*c.nodes + 6*len(c.in) + 3*len(c.soft)
	e.buf = make([]byte, 0, size)
	e.buf = append(e.buf, compiledMagic...)
	e.uvarint(CompiledVersion)
	e.uvarint(uint64(len(table)))
	total := 0
	for _, s := range table {
		e.uvarint(uint64(len(s)))
		total += len(s)
	}
	e.buf = slices.Grow(e.buf, total)
	for _, s := range table {
		e.buf = append(e.buf, s...)
	}

	e.ref(c.name)
	e.ref(c.description)
	e.ref(c.file)
	e.uvarint(uint64(len(c.sources)))
	for _, s := range c.sources {
		e.ref(s)
	}
	nv := len(c.names)
	e.uvarint(uint64(c.nodes))
	e.uvarint(uint64(nv))
	for v := 0; v < nv; v++ {
		e.buf = append(e.buf, byte(c.vkind[v]))
		e.uvarint(uint64(c.owner[v]))
		e.ref(c.label[v])
		e.varint(int64(c.site[v]))
		e.varint(int64(c.rec[v]))
		e.buf = append(e.buf, byte(c.stby[v]))
		g := c.gates[v]
		e.buf = append(e.buf, byte(g.Op))
		e.varint(g.Need)
		e.varint(g.Floor)
	}
	for i := 0; i < c.nodes; i++ {
		in := c.info[i]
		e.buf = append(e.buf, byte(in.kind))
		e.varint(int64(in.tier))
		e.ref(in.pos.File)
		e.varint(int64(in.pos.Line))
		e.varint(c.users[i])
		e.varint(int64(c.rst[i]))
		e.varint(int64(c.capv[i]))
		e.uvarint(uint64(len(labelKeys[i])))
		for _, k := range labelKeys[i] {
			e.ref(k)
			e.ref(c.mlab[i][k])
		}
	}
	e.uvarint(uint64(len(descs)))
	for _, v := range descs {
		e.uvarint(uint64(v))
		e.ref(c.mdesc[v])
	}
	e.rows(c.inOff)
	for k := range c.in {
		e.uvarint(uint64(c.in[k]))
		e.varint(c.inW[k])
		e.varint(c.inCap[k])
	}
	e.rows(c.softOff)
	for _, u := range c.soft {
		e.uvarint(uint64(u))
	}
	e.unavail(c.unavail)
	e.rto(c.rto)
	e.writeRecoveryDeps(&c.rdeps)
	return e.buf, nil
}

// UnmarshalBinary sets c, which should be new (the zero Compiled), to the
// graph data holds in MarshalBinary's form; see ReadCompiled.
func (c *Compiled) UnmarshalBinary(data []byte) error {
	r, err := ReadCompiled(data)
	if err != nil {
		return err
	}
	*c = *r
	return nil
}

// ReadCompiled reads a graph written by MarshalBinary. It returns an error,
// never a panic or an allocation far beyond len(data), for bytes that are
// not such a graph: another layout version, truncated, or inconsistent (an
// index out of range, a name used twice). It checks the structure, not the
// model's rules, so it must only be given bytes that MarshalBinary wrote:
// a cache checks them with a checksum first.
func ReadCompiled(data []byte) (*Compiled, error) {
	if len(data) < len(compiledMagic) || string(data[:len(compiledMagic)]) != compiledMagic {
		return nil, errors.New("read compiled graph: not a compiled graph")
	}
	d := &binDecoder{data: data, off: len(compiledMagic)}
	if v := d.uvarint(); d.err == nil && v != CompiledVersion {
		return nil, fmt.Errorf("read compiled graph: layout version %d, want %d", v, CompiledVersion)
	}
	d.strings()
	c := &Compiled{}
	c.name = d.str()
	c.description = d.str()
	c.file = d.str()
	if n := d.count(1); n > 0 {
		c.sources = make([]string, n)
		for i := range c.sources {
			c.sources[i] = d.str()
		}
	}
	c.nodes = d.count(minNodeBytes)
	nv := d.count(minVertexBytes)
	if d.err == nil && c.nodes > nv {
		d.fail("%d nodes but %d vertices", c.nodes, nv)
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.strs) < nv {
		return nil, fmt.Errorf("read compiled graph: %d strings for %d vertex names", len(d.strs), nv)
	}
	c.names = d.strs[len(d.strs)-nv:]
	d.strs = d.strs[:len(d.strs)-nv] // references are to the others
	c.vkind = make([]VertexKind, nv)
	c.owner = make([]int32, nv)
	c.label = make([]string, nv)
	c.site = make([]int32, nv)
	c.rec = make([]time.Duration, nv)
	c.stby = make([]Standby, nv)
	c.gates = make([]Gate, nv)
	for v := 0; v < nv && d.err == nil; v++ {
		c.vkind[v] = VertexKind(d.byte(byte(SoftGroupVertex)))
		if (v < c.nodes) != (c.vkind[v] == NodeVertex) {
			d.fail("vertex %d: kind %d", v, c.vkind[v])
		}
		c.owner[v] = d.index(c.nodes)
		if v < c.nodes && c.owner[v] != int32(v) {
			d.fail("node %d: owner %d", v, c.owner[v])
		}
		c.label[v] = d.str()
		c.site[v] = d.optIndex(c.nodes)
		c.rec[v] = time.Duration(d.varint())
		c.stby[v] = Standby(d.byte(byte(numStandbys - 1)))
		c.gates[v] = Gate{Op: Op(d.byte(byte(Threshold))), Need: d.varint(), Floor: d.varint()}
	}
	c.info = make([]nodeInfo, c.nodes)
	c.users = make([]int64, c.nodes)
	c.rst = make([]time.Duration, c.nodes)
	c.capv = make([]int32, c.nodes)
	c.mlab = make([]map[string]string, c.nodes)
	for i := 0; i < c.nodes && d.err == nil; i++ {
		c.info[i].kind = Kind(d.byte(byte(numKinds - 1)))
		c.info[i].tier = int32(d.varint())
		c.info[i].pos = Pos{File: d.str(), Line: int(d.varint())}
		c.users[i] = d.varint()
		c.rst[i] = time.Duration(d.varint())
		c.capv[i] = d.optIndex(nv)
		if n := d.count(2); n > 0 {
			m := make(map[string]string, n)
			for range n {
				k := d.str()
				m[k] = d.str()
			}
			if d.err == nil && len(m) != n {
				d.fail("node %d: a label key twice", i)
			}
			c.mlab[i] = m
		}
	}
	n := d.count(2)
	c.mdesc = make(map[int32]string, n)
	for range n {
		v := d.index(c.nodes)
		c.mdesc[v] = d.str()
	}
	if d.err == nil && len(c.mdesc) != n {
		d.fail("a node description twice")
	}
	c.inOff = d.rows(nv, 3)
	c.in = make([]int32, d.last(c.inOff))
	c.inW = make([]int64, len(c.in))
	c.inCap = make([]int64, len(c.in))
	for k := 0; k < len(c.in) && d.err == nil; k++ {
		c.in[k] = d.index(nv)
		c.inW[k] = d.varint()
		c.inCap[k] = d.varint()
	}
	c.softOff = d.rows(nv, 1)
	c.soft = make([]int32, d.last(c.softOff))
	for k := 0; k < len(c.soft) && d.err == nil; k++ {
		c.soft[k] = d.index(nv)
	}
	c.unavail = d.unavail(c.nodes)
	c.rto = d.rto(c.nodes)
	d.readRecoveryDeps(c)
	if d.err == nil && d.off != len(d.data) {
		d.fail("%d bytes after the graph", len(d.data)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	c.index = make(map[string]int32, nv)
	for v, name := range c.names {
		c.index[name] = int32(v)
	}
	// Compile gives every vertex its own name; an entry that does not is
	// refused (and then the file is decoded again).
	if len(c.index) != nv {
		return nil, errors.New("read compiled graph: a vertex name twice")
	}
	c.derive()
	return c, nil
}

// derive computes what follows from the hard and soft inputs: the reverse
// CSR arrays, the per-vertex ops and kinds, and the Base of every threshold
// gate. Compile (buildCSR) and ReadCompiled both call it, so a graph read
// from the cache derives these exactly as a compiled one.
//
// Its three parts read the forward arrays and write arrays of their own,
// so on a large graph the hard dependents are made on another core while
// this one makes the rest: derive ends loading a file, usually after the
// other core has finished validating (the two take about as long; nothing
// here waits for it: see compactCompile).
func (c *Compiled) derive() {
	if c.twoCores() {
		both(c.deriveHard, func() {
			c.deriveSoft()
			c.deriveGates()
		})
		return
	}
	c.deriveHard()
	c.deriveSoft()
	c.deriveGates()
}

// twoCores reports whether derive and finishCSR work on two cores.
func (c *Compiled) twoCores() bool {
	return len(c.in) >= splitEdges && splitDerive && runtime.GOMAXPROCS(0) > 1
}

// both runs f on another goroutine and g on this one, and returns once
// both have; a panic of f is raised again here, as if both had run here
// (compile recovers from one).
func both(f, g func()) {
	var fp any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { fp = recover() }()
		f()
	}()
	defer func() {
		<-done
		if fp != nil {
			panic(fp)
		}
	}()
	g()
}

// splitEdges is the number of hard edges from which derive and finishCSR
// work on two cores; splitDerive turns that on. Tests turn it off to
// compare, and lower splitEdges.
var (
	splitEdges  = 50_000
	splitDerive = true
)

// deriveHard makes the hard dependents, with their weights.
func (c *Compiled) deriveHard() {
	nv := len(c.names)
	dst := make([]int32, len(c.in))
	for v := 0; v < nv; v++ {
		for e := c.inOff[v]; e < c.inOff[v+1]; e++ {
			dst[e] = int32(v)
		}
	}
	c.outOff, c.out, c.outW, _ = csr(nv, c.in, dst, c.inW, nil)
}

// deriveSoft makes the soft dependents.
func (c *Compiled) deriveSoft() {
	nv := len(c.names)
	sdst := make([]int32, len(c.soft))
	for v := 0; v < nv; v++ {
		for e := c.softOff[v]; e < c.softOff[v+1]; e++ {
			sdst[e] = int32(v)
		}
	}
	c.softOutOff, c.softOut, _, _ = csr(nv, c.soft, sdst, nil, nil)
}

// deriveGates makes the ops and kinds of the vertices and the Base of
// every threshold gate.
func (c *Compiled) deriveGates() {
	nv := len(c.names)
	c.ops = make([]Op, nv)
	c.kinds = make([]Kind, nv)
	for v := range c.gates {
		c.ops[v] = c.gates[v].Op
		c.kinds[v] = c.info[c.owner[v]].kind
		if g := &c.gates[v]; g.Op == Threshold {
			for e := c.inOff[v]; e < c.inOff[v+1]; e++ {
				g.Base += c.inW[e]
			}
		}
	}
}

// binEncoder appends the binary form.
type binEncoder struct {
	buf  []byte
	strs []string
	refs map[string]uint64
}

func (e *binEncoder) intern(s string) {
	if _, ok := e.refs[s]; !ok {
		e.refs[s] = uint64(len(e.strs))
		e.strs = append(e.strs, s)
	}
}

func (e *binEncoder) ref(s string)     { e.uvarint(e.refs[s]) }
func (e *binEncoder) uvarint(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }
func (e *binEncoder) varint(x int64)   { e.buf = binary.AppendVarint(e.buf, x) }

// rows writes CSR offsets as row lengths.
func (e *binEncoder) rows(off []int32) {
	for v := 1; v < len(off); v++ {
		e.uvarint(uint64(off[v] - off[v-1]))
	}
}

// binDecoder reads the binary form. The first error sticks: every read after
// it returns zero values, so that the reading code stays straight-line and
// checks d.err only where a loop or an allocation depends on it.
type binDecoder struct {
	data []byte
	off  int
	strs []string
	err  error
}

func (d *binDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("read compiled graph: at byte %d: %s", d.off, fmt.Sprintf(format, args...))
	}
}

func (d *binDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	if d.off < len(d.data) && d.data[d.off] < 0x80 { // the common case: one byte
		x := d.data[d.off]
		d.off++
		return uint64(x)
	}
	x, n := binary.Uvarint(d.data[d.off:])
	if n <= 0 {
		d.fail("truncated or overlong varint")
		return 0
	}
	d.off += n
	return x
}

func (d *binDecoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.AppendVarint writes it
}

// byte reads one byte that must be at most max (an enum).
func (d *binDecoder) byte(max byte) byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.data) {
		d.fail("truncated")
		return 0
	}
	b := d.data[d.off]
	if b > max {
		d.fail("value %d out of range 0..%d", b, max)
		return 0
	}
	d.off++
	return b
}

// count reads a count of items that take at least size bytes each, which
// the bytes left must hold: the bound that keeps allocations in proportion
// to the input.
func (d *binDecoder) count(size int) int {
	x := d.uvarint()
	if d.err == nil && x > uint64(len(d.data)-d.off)/uint64(size) {
		d.fail("count %d exceeds the input", x)
	}
	if d.err != nil {
		return 0
	}
	return int(x)
}

// index reads an index in [0, n).
func (d *binDecoder) index(n int) int32 {
	x := d.uvarint()
	if d.err == nil && x >= uint64(n) {
		d.fail("index %d out of range 0..%d", x, n-1)
	}
	if d.err != nil {
		return 0
	}
	return int32(x)
}

// optIndex reads an index in [0, n), or -1.
func (d *binDecoder) optIndex(n int) int32 {
	x := d.varint()
	if d.err == nil && (x < -1 || x >= int64(n)) {
		d.fail("index %d out of range -1..%d", x, n-1)
	}
	if d.err != nil {
		return -1
	}
	return int32(x)
}

// strings reads the string table: a count, the lengths, the blob.
func (d *binDecoder) strings() {
	n := d.count(1)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		l := d.uvarint()
		if d.err == nil && l > uint64(len(d.data)-d.off-total) {
			d.fail("string of %d bytes exceeds the input", l)
		}
		lens[i] = int(l)
		total += int(l)
	}
	if d.err != nil {
		return
	}
	if total > len(d.data)-d.off {
		d.fail("strings of %d bytes exceed the input", total)
		return
	}
	blob := string(d.data[d.off : d.off+total])
	d.off += total
	d.strs = make([]string, n)
	at := 0
	for i, l := range lens {
		d.strs[i] = blob[at : at+l]
		at += l
	}
}

// str reads a reference to the string table.
func (d *binDecoder) str() string {
	i := d.index(len(d.strs))
	if d.err != nil {
		return ""
	}
	return d.strs[i]
}

// rows reads nv row lengths as CSR offsets, with rows of items of at least
// size bytes each.
func (d *binDecoder) rows(nv, size int) []int32 {
	off := make([]int32, nv+1)
	if d.err != nil {
		return off
	}
	var sum uint64
	for v := 0; v < nv; v++ {
		sum += d.uvarint()
		if d.err == nil && (sum > uint64(len(d.data)-d.off)/uint64(size) || sum > 1<<31-1) {
			d.fail("rows of %d edges exceed the input", sum)
		}
		if d.err != nil {
			return make([]int32, nv+1)
		}
		off[v+1] = int32(sum)
	}
	return off
}

// last is the last offset: the number of items of the rows.
func (d *binDecoder) last(off []int32) int {
	if d.err != nil {
		return 0
	}
	return int(off[len(off)-1])
}
