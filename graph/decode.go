package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Format is the syntax of a model file.
type Format uint8

// The model file formats. Both describe the same document, see the README.
const (
	YAML Format = iota
	JSON
)

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case YAML:
		return "YAML"
	case JSON:
		return "JSON"
	}
	return fmt.Sprintf("Format(%d)", f)
}

// limits bound the work Decode does on hostile input. Tests lower them.
var limits = struct {
	fileSize    int64 // bytes
	depth       int   // nested mappings and lists
	nodes       int   // entries under nodes
	aliasBase   int   // yaml nodes walked with aliases expanded: aliasBase + aliasFactor × nodes written
	aliasFactor int
}{
	fileSize:    defaultFileSize,
	depth:       100,
	nodes:       defaultNodes,
	aliasBase:   1_000_000,
	aliasFactor: 10,
}

// Sentinels the decoder stores in place of a value it could not read, so
// that Validate skips the rules that depend on it instead of reporting them
// a second time.
const (
	badKind    = numKinds
	badStandby = numStandbys
	badForm    = Form(255)
)

// Limits bound what Decode accepts, so that a hostile file cannot make it
// use unbounded memory or time. DefaultLimits are the limits of Load and
// Decode; a real catalog larger than them can be read with LoadLimits or
// DecodeLimits and raised limits. The nesting depth (100) and the budget
// of YAML aliases (which grows with the file) are not configurable.
type Limits struct {
	FileSize int64 // bytes of the file; 0 means the default, 64 MiB
	Nodes    int   // entries under nodes; 0 means the default, 5,000,000
}

// DefaultLimits returns the limits of Load and Decode: files of at most
// 64 MiB and 5,000,000 nodes.
func DefaultLimits() Limits {
	return Limits{FileSize: defaultFileSize, Nodes: defaultNodes}
}

const (
	defaultFileSize = 64 << 20
	defaultNodes    = 5_000_000
)

// orDefault fills in the zero fields of l, with the package's limits
// (which tests lower).
func (l Limits) orDefault() Limits {
	if l.FileSize <= 0 {
		l.FileSize = limits.fileSize
	}
	if l.Nodes <= 0 {
		l.Nodes = limits.nodes
	}
	return l
}

// Load reads the model file at path: JSON when the name ends in .json, YAML
// otherwise. The model's File is path, and every problem names it.
func Load(path string) (*Model, error) {
	return LoadLimits(path, Limits{})
}

// LoadLimits is Load with the limits l instead of DefaultLimits.
func LoadLimits(path string, l Limits) (*Model, error) {
	m, _, err := load(path, l)
	return m, err
}

// load is LoadLimits, returning also what validation resolved, for compile.
func load(path string, l Limits) (m *Model, res *resolution, err error) {
	if err := openModel(path, func(r io.Reader, f Format, size int64) {
		m, res, err = decode(r, path, f, l.orDefault(), size)
	}); err != nil {
		return nil, nil, err
	}
	return m, res, err
}

// openModel opens the model file at path and calls read with it, its
// format (JSON when the name ends in .json, YAML otherwise) and its size
// when it is a regular file (else -1). It returns the error of opening it.
func openModel(path string, read func(r io.Reader, f Format, size int64)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	format := YAML
	if strings.EqualFold(filepath.Ext(path), ".json") {
		format = JSON
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	read(f, format, size)
	return nil
}

// Decode reads a model in format f from r. The name file is used in error
// messages and stored as the model's File.
//
// Decode collects every problem in the file (syntax, unknown fields, wrong
// types, and the rules Validate checks) and returns them sorted in a
// *ValidationError; it returns a model only when there is none. It refuses
// input larger than 64 MiB, nested deeper than 100, with more than 5,000,000
// nodes, or whose YAML aliases expand far beyond the size of the file, and
// it does not panic, whatever the input. Other errors are those of r.
func Decode(r io.Reader, file string, f Format) (*Model, error) {
	return DecodeLimits(r, file, f, Limits{})
}

// DecodeLimits is Decode with the limits l instead of DefaultLimits.
func DecodeLimits(r io.Reader, file string, f Format, l Limits) (*Model, error) {
	m, _, err := decode(r, file, f, l.orDefault(), readerSize(r))
	return m, err
}

// readerSize is the number of bytes left in r when r knows it (a
// bytes.Reader or strings.Reader), so that it is read into one buffer of
// that size; else -1.
func readerSize(r io.Reader) int64 {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len())
	}
	return -1
}

// LoadCompiled is LoadLimits followed by Compile, validating the model
// once: Compile on its own validates again, since a Model may change after
// it is decoded. It is what a command that loads a file to analyse it
// wants; the model is returned for its names and positions. A model whose
// file has no model: line is named by the file: its base name without the
// extension ("kakao-2022.yaml" is "kakao-2022"), so that every report says
// which model it is about.
func LoadCompiled(path string, l Limits) (*Model, *Compiled, error) {
	m, res, err := load(path, l)
	if err != nil {
		return nil, nil, err
	}
	return compileDecoded(m, res)
}

// DecodeCompiled is DecodeLimits followed by Compile, validating once. Like
// LoadCompiled, it names a model without a model: line by file ("<stdin>"
// gives "stdin").
func DecodeCompiled(r io.Reader, file string, f Format, l Limits) (*Model, *Compiled, error) {
	m, res, err := decode(r, file, f, l.orDefault(), readerSize(r))
	if err != nil {
		return nil, nil, err
	}
	return compileDecoded(m, res)
}

// NameOf is the name LoadCompiled gives a model read from file that names
// itself nowhere: the file's base name without its extension, and without
// the angle brackets of a pseudo-file such as "<stdin>".
func NameOf(file string) string {
	base := filepath.Base(file)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if len(base) > 2 && base[0] == '<' && base[len(base)-1] == '>' {
		base = base[1 : len(base)-1]
	}
	return base
}

// compileDecoded compiles a model that Decode has just validated (res is
// what validating it resolved), naming it by its file when it has no name.
func compileDecoded(m *Model, res *resolution) (*Model, *Compiled, error) {
	if m.Name == "" && m.File != "" {
		m.Name = NameOf(m.File)
	}
	c, err := compile(m, res)
	if err != nil {
		return nil, nil, err
	}
	return m, c, nil
}

// bom is the UTF-8 byte-order mark. YAML allows one at the start; a JSON
// file with one is read the same way.
const bom = "\ufeff"

// decode is Decode, returning also what validating the model resolved;
// size is the size of the input when known (a file), else -1.
func decode(r io.Reader, file string, f Format, l Limits, size int64) (*Model, *resolution, error) {
	if f != YAML && f != JSON {
		return nil, nil, fmt.Errorf("unknown model format %v", f)
	}
	data, err := readModel(r, file, l, size)
	if err != nil {
		return nil, nil, err
	}
	return decodeData(data, file, f, l)
}

// readModel reads the input of decode, refusing more than l.FileSize.
func readModel(r io.Reader, file string, l Limits, size int64) ([]byte, error) {
	data, err := readAll(r, l.FileSize, size)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return nil, err // a file's own errors name it already
		}
		if file == "" {
			return nil, fmt.Errorf("read model: %w", err)
		}
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if int64(len(data)) > l.FileSize {
		var ps problems
		ps.add(Pos{File: file}, "", "", "file is larger than the limit of %s", byteSize(l.FileSize))
		return nil, ps.err()
	}
	return data, nil
}

// decodeData is decode on the input data, read whole.
func decodeData(data []byte, file string, f Format, l Limits) (*Model, *resolution, error) {
	if f == JSON {
		data = bytes.TrimPrefix(data, []byte(bom))
	}
	d := &decoder{file: file, maxNodes: l.Nodes}
	m := &Model{}
	root, st := d.readFast(data, f, m)
	if root == nil {
		// The reference readers, on a fresh decoder.
		d, m, st = &decoder{file: file, maxNodes: l.Nodes}, &Model{}, nil
		var ps problems
		if f == JSON {
			root, ps = parseJSON(data, file)
		} else {
			root, ps = parseYAML(data, file)
		}
		if root == nil {
			return nil, nil, ps.err()
		}
		d.ps = ps
	}
	ok := d.model(root, m, st)
	if !ok {
		return nil, nil, d.ps.err()
	}
	m.File = file
	val, res := m.validate()
	all := mergeProblems(d.ps, d.hidden, val)
	if err := all.err(); err != nil {
		return nil, nil, err
	}
	return m, res, nil
}

// readAll reads r to the end, or up to one byte more than limit. With the
// size of a file known, it reads into one buffer of that size instead of
// growing one (which needs up to twice the memory at the end).
func readAll(r io.Reader, limit, size int64) ([]byte, error) {
	r = io.LimitReader(r, limit+1)
	if size < 0 || size > limit {
		return io.ReadAll(r)
	}
	buf := make([]byte, size+1) // +1: sees the end, or that the file grew
	n, err := io.ReadFull(r, buf)
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		return buf[:n], nil
	case nil: // the file grew since it was measured
		rest, err := io.ReadAll(r)
		return append(buf, rest...), err
	}
	return buf[:n], err
}

// byteSize formats a limit in MiB or GiB when it is a whole number of them.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// mergeProblems returns the decoder's problems and those of Validate that do
// not concern a field the decoder already complained about (or hid): a value
// the decoder could not read is left out of the model or replaced by a
// placeholder, and Validate would otherwise report that as a second problem.
func mergeProblems(dec, hidden, val problems) problems {
	if len(dec) == 0 {
		return val
	}
	byNode := make(map[string][]string)
	for _, p := range slices.Concat(dec, hidden) {
		byNode[p.Node] = append(byNode[p.Node], p.Field)
	}
	all := dec
	for _, p := range val {
		covered := false
		for _, f := range byNode[p.Node] {
			if within(p.Field, f) {
				covered = true
				break
			}
		}
		if !covered {
			all = append(all, p)
		}
	}
	return all
}

// within reports whether field is f or nested in it ("requires[2].of[1]" is
// within "requires[2]"; every field is within "").
func within(field, f string) bool {
	if f == "" || field == f {
		return true
	}
	return strings.HasPrefix(field, f) && len(field) > len(f) && (field[len(f)] == '.' || field[len(f)] == '[')
}

// value is a parsed YAML or JSON document, with a line for every key and
// value: one tree for both formats so that one walker builds the Model and
// both formats give identical models and problems.
type (
	value = yamltree.Value
	entry = yamltree.Entry
)

// clip shortens text for messages, so that a hostile file cannot make its
// errors as large as itself.
func clip(s string) string { return yamltree.Clip(s) }

// stringOf returns data as a string without copying it: the fast readers
// cut every scalar out of it, and a copy would cost the size of the file.
// It is safe because the decoder owns data (it read it) and never writes
// to it again.
func stringOf(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	return unsafe.String(&data[0], len(data))
}

// fastRead makes the decoder try yamltree's fast readers first. They read
// the common subset of each format and give up on anything else or on an
// error, and the file is then read again by the reference readers: yaml.v3
// and encoding/json, whose messages problems quote. Tests turn it off to
// compare the two.
var fastRead = true

// refusal stops parsing a hostile or broken file.
type refusal struct{ p Problem }

func (r *refusal) Error() string { return r.p.Error() }

// readFast reads data with the fast readers, decoding the nodes into m as
// they are read rather than keeping the tree of every node: the tree of a
// large file is the larger part of what decoding it takes. It returns nil
// when the fast readers give up; d and m are then to be thrown away.
func (d *decoder) readFast(data []byte, f Format, m *Model) (*value, *yamltree.Stream) {
	if !fastRead {
		return nil, nil
	}
	// Nodes are decoded into chunks and copied into m.Nodes once their
	// number is known: appending to one slice copies it over and over
	// (five times its final size in all). Once the first chunk is full,
	// the number of nodes is extrapolated from the lines they took, and
	// the rest go into one slice of that size, which becomes m.Nodes
	// without a copy when the guess holds (see model); when it does not,
	// more chunks follow and the nodes are copied as before.
	count, first := 0, 0
	st := &yamltree.Stream{Key: "nodes", Each: func(e entry) {
		if count >= d.maxNodes {
			return // counted only: the file is refused
		}
		if count == 0 {
			first = e.Line
		}
		count++
		switch {
		case len(d.chunks) == 0:
			d.chunks = append(d.chunks, make([]Node, 0, chunkNodes))
		case len(d.chunks) == 1 && count == chunkNodes+1:
			if n := estimateNodes(data, first, e.Line, d.maxNodes); n > chunkNodes {
				all := make([]Node, chunkNodes, n)
				copy(all, d.chunks[0])
				d.chunks[0] = all
			} else {
				d.chunks = append(d.chunks, make([]Node, 0, chunkNodes))
			}
		case len(d.chunks[len(d.chunks)-1]) == cap(d.chunks[len(d.chunks)-1]):
			d.chunks = append(d.chunks, make([]Node, 0, chunkNodes))
		}
		last := &d.chunks[len(d.chunks)-1]
		*last = append(*last, Node{})
		d.node(&(*last)[len(*last)-1], e)
	}}
	var root *value
	var ok bool
	if f == JSON {
		root, ok = yamltree.ReadJSONStream(stringOf(data), limits.depth, st)
	} else {
		root, ok = yamltree.ReadFastStream(stringOf(data), limits.depth, st)
	}
	if !ok {
		return nil, nil
	}
	return root, st
}

// chunkNodes is the size of a chunk of streamed nodes.
const chunkNodes = 4096

// estimateNodes guesses how many nodes a file holds whose first chunkNodes
// nodes were written from line first to line next (where the next one
// starts): the lines left at the same lines per node, and a sixteenth
// more. It returns 0 when the first nodes say too little (fewer than a
// line each, as in flow style). The guess is bounded by the limit and by
// a node per 16 bytes of the file, so that a hostile file cannot make it
// allocate more than real nodes of its size would take.
func estimateNodes(data []byte, first, next, limit int) int {
	span := next - first
	if span < chunkNodes {
		return 0
	}
	lines := bytes.Count(data, []byte{'\n'}) + 1
	n := chunkNodes + int(int64(lines-next+1)*chunkNodes/int64(span))
	return min(n+n/16, limit, len(data)/16)
}

// parseYAML parses one YAML document into a value tree. Aliases are
// resolved by sharing the anchored subtree; their expanded size is counted
// and bounded, since the walk that follows expands them.
func parseYAML(data []byte, file string) (*value, problems) {
	at := func(p yamltree.Problem) Problem { return Problem{Pos: Pos{File: file, Line: p.Line}, Msg: p.Msg} }
	doc, err := yamltree.Parse(data)
	if err != nil {
		return nil, problems{at(yamltree.SyntaxProblem(err, data))}
	}
	if doc == nil {
		return nil, problems{{Pos: Pos{File: file}, Msg: "the file is empty: want a mapping with nodes"}}
	}
	root, found, refused := yamltree.Convert(doc, yamltree.Config{
		MaxDepth:    limits.depth,
		WalkBase:    limits.aliasBase,
		WalkPerNode: limits.aliasFactor,
		StrictKeys:  true,
	})
	if refused != nil {
		return nil, problems{at(*refused)}
	}
	var ps problems
	for _, p := range found {
		ps = append(ps, at(p))
	}
	return root, ps
}

// parseJSON parses strict JSON into a value tree with encoding/json's token
// stream, computing lines from the decoder's input offset.
func parseJSON(data []byte, file string) (*value, problems) {
	p := jsonReader{data: data, file: file, line: 1}
	p.dec = json.NewDecoder(bytes.NewReader(data))
	p.dec.UseNumber()
	root, err := p.value(0)
	if err == nil {
		if _, err = p.dec.Token(); err == io.EOF {
			return root, nil
		} else if err == nil {
			err = p.refuse(p.offset(), "invalid JSON: unexpected data after the top-level value")
		}
	}
	var r *refusal
	switch {
	case errors.As(err, &r):
		return nil, problems{r.p}
	case err == io.EOF && len(bytes.TrimSpace(data)) == 0:
		return nil, problems{{Pos: Pos{File: file}, Msg: "the file is empty: want a mapping with nodes"}}
	}
	var syn *json.SyntaxError
	off := len(data)
	if errors.As(err, &syn) {
		off = int(syn.Offset)
	}
	msg := err.Error()
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		msg = "unexpected end of file"
	}
	return nil, problems{{Pos: Pos{File: file, Line: p.lineAt(off - 1)}, Msg: "invalid JSON: " + msg}}
}

type jsonReader struct {
	dec  *json.Decoder
	data []byte
	file string
	// The line of byte offset off: the decoder only moves forward, so lines
	// are counted incrementally, without an index of the whole file.
	off, line int
}

// offset is the offset of the last byte of the token just read.
func (p *jsonReader) offset() int { return int(p.dec.InputOffset()) - 1 }

func (p *jsonReader) lineAt(off int) int {
	off = min(max(off, 0), len(p.data))
	if off < p.off {
		return 1 + bytes.Count(p.data[:off], []byte{'\n'})
	}
	p.line += bytes.Count(p.data[p.off:off], []byte{'\n'})
	p.off = off
	return p.line
}

func (p *jsonReader) refuse(off int, format string, args ...any) error {
	return &refusal{Problem{Pos: Pos{File: p.file, Line: p.lineAt(off)}, Msg: fmt.Sprintf(format, args...)}}
}

// value reads one JSON value found inside depth objects and arrays.
func (p *jsonReader) value(depth int) (*value, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	v := &value{Line: p.lineAt(p.offset())}
	switch t := tok.(type) {
	case json.Delim:
		if depth+1 > limits.depth {
			return nil, p.refuse(p.offset(), "nesting is deeper than the limit of %d", limits.depth)
		}
		if t == '[' {
			v.Kind = yamltree.List
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.Items = append(v.Items, item)
			}
		} else {
			v.Kind = yamltree.Mapping
			for p.dec.More() {
				tok, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := tok.(string) // the decoder allows only strings here
				line := p.lineAt(p.offset())
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.Entries = append(v.Entries, entry{Key: key, Line: line, Val: val})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		v.Text = t
	case json.Number:
		v.Text = string(t)
		v.Tag = yamltree.Float
		if !strings.ContainsAny(v.Text, ".eE") {
			v.Tag = yamltree.Int
		}
	case bool:
		v.Text = strconv.FormatBool(t)
		v.Tag = yamltree.Bool
	case nil:
		v.Text = "null"
		v.Tag = yamltree.Null
	}
	return v, nil
}

// Field names, for unknown-field errors and their suggestions.
var (
	modelFields   = []string{"model", "description", "sources", "defaults", "nodes"}
	nodeFields    = []string{"kind", "description", "users", "tier", "labels", "region", "site", "replicas", "demand", "degraded_at", "requires", "uses", "restart", "rto", "availability", "mtbf", "mttr", "repair_requires", "on_site"}
	replicaFields = []string{"site", "capacity", "standby", "recovery", "requires", "failover_requires"}
	groupFields   = []string{"any_of", "at_least", "of", "capacity", "demand", "degraded_at"}
)

// decoder builds a Model from a value tree, collecting problems.
type decoder struct {
	file     string
	maxNodes int
	ps       problems
	// hidden are the fields of placeholders the decoder stored for what it
	// could not read, after reporting why: Validate's problems within them
	// are dropped.
	hidden problems

	f   yamltree.Fields // the typed readers, reporting for node
	cur string

	// Chunks that the decoder cuts the slices of a model from: one
	// allocation per many nodes instead of several per node.
	chunks      [][]Node // nodes streamed by the fast reader
	fields      []fieldAt
	fieldsStart int
	nodeLine    int // the line of the node being read, which fields count from
	depPool     []Dep
	memberPool  []Member
	ids         []byte // what node ids are copied into (see keep)
}

// keep returns a copy of the node id s cut from a shared buffer. The fast
// readers cut every scalar out of the file's text, so a compiled graph
// that kept the ids it was given would keep the whole file alive (730 MB
// for 5,000,000 nodes) for its names alone; copied, they take the bytes
// of the ids and the file can go once the model does. Ids side by side
// also make the validator's lookups of them cheaper (fewer cache misses
// than ids spread over the file).
func (d *decoder) keep(s string) string {
	if len(s) == 0 {
		return ""
	}
	if cap(d.ids)-len(d.ids) < len(s) {
		d.ids = make([]byte, 0, max(len(s), 256<<10))
	}
	start := len(d.ids)
	d.ids = append(d.ids, s...)
	return unsafe.String(&d.ids[start], len(s))
}

// take returns a slice of n elements cut from *pool, refilling it with a
// chunk when it runs short.
func take[T any](pool *[]T, n int) []T {
	if n > len(*pool) {
		*pool = make([]T, max(n, 4096))
	}
	s := (*pool)[:n:n]
	*pool = (*pool)[n:]
	return s
}

// setField records that field k of the node being read (of nodeFields,
// or of replicaFields for replicas[rep-1]) was written at line: the fields
// of a node are appended to the current chunk, and doneFields hands them
// to the node. A field more than 2^32 lines below its node keeps the
// node's position instead.
func (d *decoder) setField(rep, k, line int) {
	delta := line - d.nodeLine
	if delta < 0 || delta > math.MaxUint32 || rep > math.MaxUint32 || k > math.MaxUint8 {
		return
	}
	if len(d.fields) == cap(d.fields) {
		cur := d.fields[d.fieldsStart:]
		next := make([]fieldAt, len(cur), max(4096, 2*len(cur)))
		copy(next, cur)
		d.fields, d.fieldsStart = next, 0
	}
	d.fields = append(d.fields, fieldAt{delta: uint32(delta), rep: uint32(rep), field: uint8(k)})
}

// fieldNumber is the inverse of the numbering setField records: "kind"
// is (0, the index of kind in nodeFields), "replicas[1].site" is (2, the
// index of site in replicaFields).
func fieldNumber(field string) (rep uint32, k int, ok bool) {
	if rest, found := strings.CutPrefix(field, "replicas["); found {
		i := strings.IndexByte(rest, ']')
		if i <= 0 || i+1 >= len(rest) || rest[i+1] != '.' {
			return 0, 0, false
		}
		r, err := strconv.ParseUint(rest[:i], 10, 32)
		if err != nil || r >= math.MaxUint32 || strconv.FormatUint(r, 10) != rest[:i] {
			return 0, 0, false
		}
		k = replicaField(rest[i+2:])
		return uint32(r) + 1, k, k >= 0
	}
	k = nodeField(field)
	return 0, k, k >= 0
}

// doneFields gives n the fields recorded since the last call.
func (d *decoder) doneFields(n *Node) {
	if len(d.fields) > d.fieldsStart {
		n.fields = d.fields[d.fieldsStart:len(d.fields):len(d.fields)]
	}
	d.fieldsStart = len(d.fields)
}

func (d *decoder) hide(node, field string) {
	d.hidden = append(d.hidden, Problem{Node: node, Field: field})
}

func (d *decoder) pos(line int) Pos { return Pos{File: d.file, Line: line} }

func (d *decoder) add(line int, node, field, format string, args ...any) {
	d.ps.add(d.pos(line), node, field, format, args...)
}

// fields returns the shared typed-field readers, reporting for node.
func (d *decoder) readers(node string) *yamltree.Fields {
	if d.f.Report == nil {
		d.f.Report = func(line int, field, msg string) {
			d.ps = append(d.ps, Problem{Pos: d.pos(line), Node: d.cur, Field: field, Msg: msg})
		}
	}
	d.cur = node
	return &d.f
}

// each calls f on every entry of mapping v in order, except a key written
// twice, which it reports.
func (d *decoder) each(v *value, node, path string, f func(e entry)) {
	d.readers(node).Each(v, path, f)
}

func (d *decoder) unknown(e entry, node, path string, known []string) {
	d.readers(node).Unknown(e, path, known)
}

// str reads a string. Any scalar but null is accepted as its text, so that
// ids such as 2022 need no quotes.
func (d *decoder) str(v *value, node, field string) (string, bool) {
	return d.readers(node).String(v, field)
}

func (d *decoder) id(v *value, node, field string) (string, bool) {
	return d.readers(node).ID(v, field)
}

func (d *decoder) integer(v *value, node, field string) (int64, bool) {
	return d.readers(node).Integer(v, field)
}

// positive reads an integer that must be > 0 because 0 means "not given"
// in the Model; a negative one is kept for Validate to report.
func (d *decoder) positive(v *value, node, field string) (int64, bool) {
	return d.readers(node).Positive(v, field)
}

func (d *decoder) list(v *value, node, field string) ([]*value, bool) {
	return d.readers(node).List(v, field)
}

func (d *decoder) mapping(v *value, node, field, want string) bool {
	return d.readers(node).Mapping(v, field, want)
}

// model walks the document. It returns false when the file is refused
// (too many nodes), true otherwise, with the problems in d.ps.
//
// With st, the fast reader has streamed the entries of the first nodes
// mapping into m already (see readFast): nodes holds none of them, and
// st.Count says how many there were.
func (d *decoder) model(root *value, m *Model, st *yamltree.Stream) bool {
	if !d.mapping(root, "", "", "a mapping with nodes") {
		return true
	}
	var nodes *entry
	d.each(root, "", "", func(e entry) {
		if e.Val.IsNull() {
			if e.Key == "nodes" {
				nodes = &e
			}
			return
		}
		switch e.Key {
		case "model":
			m.Name, _ = d.str(e.Val, "", "model")
		case "description":
			m.Description, _ = d.str(e.Val, "", "description")
		case "sources":
			items, _ := d.list(e.Val, "", "sources")
			for i, it := range items {
				if s, ok := d.str(it, "", fmt.Sprintf("sources[%d]", i)); ok {
					m.Sources = append(m.Sources, s)
				}
			}
		case "defaults":
			d.defaults(e.Val, m)
		case "nodes":
			nodes = &e
		default:
			if strings.HasPrefix(e.Key, "x-") {
				return // a place for anchors and notes: ignored
			}
			d.unknown(e, "", "", modelFields)
		}
	})
	if nodes == nil {
		d.add(root.Line, "", "nodes", "missing: a model needs nodes")
		return true
	}
	if nodes.Val.IsNull() {
		return true
	}
	if !d.mapping(nodes.Val, "", "nodes", "a mapping from node id to node") {
		return true
	}
	n := len(nodes.Val.Entries)
	if st != nil {
		n = st.Count // the first nodes mapping, which is this one
	}
	if n > d.maxNodes {
		d.ps = problems{{Pos: d.pos(nodes.Line), Field: "nodes", Msg: fmt.Sprintf("%d nodes is more than the limit of %d", n, d.maxNodes)}}
		return false
	}
	if st != nil {
		if len(d.chunks) == 1 && cap(d.chunks[0])-len(d.chunks[0]) <= len(d.chunks[0])/8 {
			// The guess held: the nodes are where they were decoded.
			m.Nodes = slices.Clip(d.chunks[0])
			d.chunks = nil
			return true
		}
		total := 0
		for _, c := range d.chunks {
			total += len(c)
		}
		m.Nodes = make([]Node, 0, total)
		for i, c := range d.chunks {
			m.Nodes = append(m.Nodes, c...)
			// Let the collector take each chunk once copied, so that
			// the nodes are not all held twice at the end.
			d.chunks[i] = nil
		}
		d.chunks = nil
		return true
	}
	m.Nodes = make([]Node, len(nodes.Val.Entries))
	// Duplicate ids are not checked here: Validate reports them, for
	// models built in Go too.
	for i, e := range nodes.Val.Entries {
		d.node(&m.Nodes[i], e)
	}
	return true
}

func (d *decoder) node(n *Node, e entry) {
	*n = Node{ID: d.keep(e.Key), Pos: d.pos(e.Line)}
	d.nodeLine = e.Line
	defer d.doneFields(n)
	id := nodeName(e.Key)
	v := e.Val
	if v.IsNull() {
		n.Kind = badKind
		d.add(e.Line, id, "kind", "missing: want one of %s", kindList())
		return
	}
	if !d.mapping(v, id, "", "a mapping of fields such as kind") {
		n.Kind = badKind
		d.hide(id, "")
		return
	}
	hasKind := false
	d.each(v, id, "", func(e entry) {
		f := e.Key
		if k := nodeField(f); k >= 0 {
			d.setField(0, k, e.Line)
		}
		if e.Val.IsNull() {
			return // written but empty: as if absent
		}
		switch f {
		case "kind":
			hasKind = true
			n.Kind = badKind
			if s, ok := d.str(e.Val, id, f); ok {
				if k, ok := ParseKind(s); ok {
					n.Kind = k
				} else if hint := didYouMean(s, kindNames[:]); hint != "" {
					d.add(e.Val.Line, id, f, "unknown kind %q%s", clip(s), hint)
				} else {
					d.add(e.Val.Line, id, f, "unknown kind %q: want one of %s", clip(s), kindList())
				}
			}
		case "description":
			n.Description, _ = d.str(e.Val, id, f)
		case "users":
			n.Users, _ = d.integer(e.Val, id, f)
		case "tier":
			// A negative tier is refused here, with the decoder's words;
			// one too large is clipped so Validate names the bound.
			if t, ok := d.integer(e.Val, id, f); ok {
				if t < 0 {
					d.add(e.Val.Line, id, f, "must be >= 0, got %d", t)
				} else {
					n.Tier = TierOf(int(min(t, maxTier+1)))
				}
			}
		case "labels":
			n.Labels, _ = d.readers(id).Labels(e.Val, f, "a mapping of names to values")
		case "region":
			n.Region, _ = d.id(e.Val, id, f)
		case "site":
			n.Site, _ = d.id(e.Val, id, f)
		case "replicas":
			items, ok := d.list(e.Val, id, f)
			if ok && len(items) == 0 {
				d.add(e.Val.Line, id, f, "needs at least one replica")
			}
			n.Replicas = make([]Replica, len(items))
			for i, it := range items {
				d.replica(&n.Replicas[i], it, id, i)
			}
		case "demand":
			n.Demand, _ = d.positive(e.Val, id, f)
		case "degraded_at":
			n.DegradedAt, _ = d.positive(e.Val, id, f)
		case "requires":
			n.Requires = d.deps(e.Val, id, f)
		case "uses":
			n.Uses = d.deps(e.Val, id, f)
		case "restart":
			if dur, ok := d.readers(id).Duration(e.Val, f); ok {
				if dur <= 0 {
					d.add(e.Val.Line, id, f, "must be more than 0, got %s (leave it out to come back at once)", clip(e.Val.Text))
				} else {
					n.Restart = dur
				}
			}
		case "rto":
			if dur, ok := d.readers(id).Duration(e.Val, f); ok {
				if dur <= 0 {
					d.add(e.Val.Line, id, f, "must be more than 0, got %s (leave it out for no objective)", clip(e.Val.Text))
				} else {
					n.RTO = dur
				}
			}
		case "repair_requires":
			n.RepairRequires = d.idList(e.Val, id, f)
		case "on_site":
			n.OnSite = d.onSite(e.Val, id, f)
		case "availability", "mtbf", "mttr":
			r := n.Reliability()
			d.reliabilityField(&r, e.Val, id, f, f)
			n.Availability, n.MTBF, n.MTTR = r.Availability, r.MTBF, r.MTTR
		default:
			d.unknown(e, id, "", nodeFields)
		}
	})
	if !hasKind {
		n.Kind = badKind
		d.add(e.Line, id, "kind", "missing: want one of %s", kindList())
	}
}

func kindList() string { return strings.Join(kindNames[:], ", ") }

func (d *decoder) replica(r *Replica, v *value, id string, i int) {
	path := index("replicas", i)
	*r = Replica{Pos: d.pos(v.Line)}
	if !d.mapping(v, id, path, "a mapping such as {site: pangyo}") {
		r.Standby = badStandby
		d.hide(id, path)
		return
	}
	d.each(v, id, path, func(e entry) {
		f := yamltree.Join(path, e.Key)
		if k := replicaField(e.Key); k >= 0 {
			d.setField(i+1, k, e.Line)
		}
		if e.Val.IsNull() {
			return
		}
		switch e.Key {
		case "site":
			r.Site, _ = d.id(e.Val, id, f)
		case "capacity":
			r.Capacity, _ = d.positive(e.Val, id, f)
		case "standby":
			r.Standby = badStandby
			if s, ok := d.str(e.Val, id, f); ok {
				if t, ok := ParseStandby(s); ok {
					r.Standby = t
				} else if hint := didYouMean(s, standbyNames[:]); hint != "" {
					d.add(e.Val.Line, id, f, "unknown standby %q%s", clip(s), hint)
				} else {
					d.add(e.Val.Line, id, f, "unknown standby %q: want one of %s", clip(s), strings.Join(standbyNames[:], ", "))
				}
			}
		case "recovery":
			if dur, ok := d.readers(id).Duration(e.Val, f); ok {
				if dur == 0 {
					d.add(e.Val.Line, id, f, "must be more than 0 (a mirror takes over at once)")
				} else {
					r.Recovery = dur
				}
			}
		case "requires":
			r.Requires = d.deps(e.Val, id, f)
		case "failover_requires":
			r.FailoverRequires = d.idList(e.Val, id, f)
		default:
			d.unknown(e, id, path, replicaFields)
		}
	})
}

// ParseDuration parses a duration as model files write it: a Go duration
// ("90m", "1h30m") that may start with a number of days ("3d", "1d12h").
func ParseDuration(s string) (time.Duration, error) { return yamltree.ParseDuration(s) }

// deps reads a list of dependencies. Every item becomes one Dep, even when
// it cannot be read (Form badForm), so that the indexes in field names
// ("requires[2]") are the indexes written.
func (d *decoder) deps(v *value, id, field string) []Dep {
	items, ok := d.list(v, id, field)
	if !ok {
		return nil
	}
	deps := take(&d.depPool, len(items))
	for i, it := range items {
		dep := &deps[i]
		*dep = Dep{Form: badForm, Pos: d.pos(it.Line)}
		switch {
		case it.Kind == yamltree.Mapping:
			path := index(field, i) // what fmt.Sprintf("%s[%d]") wrote, cheaper
			// A group with a problem is hidden from Validate: what it
			// would say about a half-read group is noise.
			before := len(d.ps)
			d.group(dep, it, id, path)
			if len(d.ps) > before {
				d.hide(id, path)
			}
		case it.Kind == yamltree.Scalar && !it.IsNull():
			ms := take(&d.memberPool, 1)
			ms[0] = Member{ID: it.Text, Weight: 1, Pos: d.pos(it.Line)}
			*dep = Dep{Form: One, Members: ms, Need: 1, Pos: d.pos(it.Line)}
		default:
			path := index(field, i)
			d.add(it.Line, id, path, "must be a node id or a group such as {any_of: [a, b]}, got %s", yamltree.Describe(it))
		}
	}
	return deps
}

// group reads a redundant group: any_of, at_least with of, or capacity with
// demand and degraded_at.
func (d *decoder) group(dep *Dep, v *value, id, path string) {
	var anyOf, atLeast, of, capacity, demand, degradedAt *entry
	// The entries the pointers point at, and the first key of each form
	// in the order written: arrays on the stack, not an allocation per
	// entry and per form of each of a catalog's groups.
	var keep [6]entry
	var formsAt [6]string
	forms := formsAt[:0]
	form := func(key string, others ...*entry) {
		for _, o := range others {
			if o != nil {
				return
			}
		}
		forms = append(forms, key)
	}
	bad := false
	d.each(v, id, path, func(e entry) {
		switch e.Key {
		case "any_of":
			form(e.Key)
			keep[0] = e
			anyOf = &keep[0]
		case "at_least":
			form(e.Key, of)
			keep[1] = e
			atLeast = &keep[1]
		case "of":
			form(e.Key, atLeast)
			keep[2] = e
			of = &keep[2]
		case "capacity":
			form(e.Key, demand, degradedAt)
			keep[3] = e
			capacity = &keep[3]
		case "demand":
			form(e.Key, capacity, degradedAt)
			keep[4] = e
			demand = &keep[4]
		case "degraded_at":
			form(e.Key, capacity, demand)
			keep[5] = e
			degradedAt = &keep[5]
		default:
			d.unknown(e, id, path, groupFields)
			bad = true
		}
	})
	switch {
	case len(forms) > 1:
		d.add(v.Line, id, path, "a group is one of any_of, at_least with of, or capacity with demand: found %s and %s", forms[0], forms[1])
		return
	case len(forms) == 0:
		if !bad {
			d.add(v.Line, id, path, "a group needs any_of, at_least with of, or capacity with demand")
		}
		return
	case bad:
		return
	}
	switch {
	case anyOf != nil:
		*dep = Dep{Form: AnyOfN, Members: d.members(anyOf, id, path), Need: 1, Pos: dep.Pos}
	case atLeast != nil || of != nil:
		if atLeast == nil || of == nil {
			d.add(v.Line, id, path, "at_least and of go together: write {at_least: 2, of: [a, b, c]}")
			return
		}
		k, ok := d.integer(atLeast.Val, id, yamltree.Join(path, "at_least"))
		if !ok {
			return
		}
		*dep = Dep{Form: AtLeastK, Members: d.members(of, id, path), Need: k, Pos: dep.Pos}
	default:
		if capacity == nil {
			d.add(v.Line, id, path, "demand and degraded_at need capacity: write {capacity: {a: 50, b: 50}, demand: 60}")
			return
		}
		*dep = Dep{Form: Weighted, Pos: dep.Pos}
		if demand != nil {
			dep.Need, _ = d.integer(demand.Val, id, yamltree.Join(path, "demand"))
		}
		if degradedAt != nil {
			dep.DegradedAt, _ = d.positive(degradedAt.Val, id, yamltree.Join(path, "degraded_at"))
		}
		if !d.mapping(capacity.Val, id, yamltree.Join(path, "capacity"), "a mapping from node id to capacity") {
			dep.Form = badForm
			return
		}
		d.each(capacity.Val, id, yamltree.Join(path, "capacity"), func(e entry) {
			field := index(path+".capacity", len(dep.Members))
			w, _ := d.integer(e.Val, id, field)
			dep.Members = append(dep.Members, Member{ID: e.Key, Weight: w, Pos: d.pos(e.Line)})
		})
	}
}

// members reads the node ids of an any_of or of list. An item that is not
// an id is kept as an empty id, so that member indexes stay as written.
func (d *decoder) members(e *entry, id, path string) []Member {
	field := yamltree.Join(path, e.Key)
	items, ok := d.list(e.Val, id, field)
	if !ok {
		return nil
	}
	ms := take(&d.memberPool, len(items))
	for j, it := range items {
		ms[j] = Member{Weight: 1, Pos: d.pos(it.Line)}
		ms[j].ID, _ = d.id(it, id, index(field, j))
	}
	return ms
}
