package graph

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Encode writes m to w as a model file in format f, such that Decode reads
// back the same model (positions aside). The output depends only on m: the
// fields are written in a fixed order, labels sorted by name. Encode does not
// validate m; it returns an error for what the file format cannot express
// (a string that is not valid UTF-8, a kind or standby out of range, a
// dependency whose form its members do not fit), and the errors of w.
//
// YAML output is block style down to the fields of a node, and flow style
// ({...}, [...]) below them; JSON output is one node per line.
func Encode(w io.Writer, m *Model, f Format) error {
	return EncodeWith(w, m, f, EncodeOptions{})
}

// EncodeOptions add comments to what Encode writes: YAML comments, which
// Decode skips, so the model read back is the same. JSON has no comments:
// EncodeWith ignores them there.
type EncodeOptions struct {
	// Header lines are written first, each as a comment.
	Header []string
	// Comment, when not nil, returns the lines written as comments above
	// a node (where it came from, say); nil or none for no comment.
	Comment func(n *Node) []string
}

// EncodeWith is Encode with comments: the same bytes as Encode when opts
// is the zero EncodeOptions. A comment line holding a line break is
// written as several comment lines.
func EncodeWith(w io.Writer, m *Model, f Format, opts EncodeOptions) error {
	if f != YAML && f != JSON {
		return fmt.Errorf("unknown model format %v", f)
	}
	e := encoder{w: bufio.NewWriterSize(w, 64<<10), json: f == JSON}
	if !e.json {
		e.opts = opts
		e.comments("", opts.Header)
	}
	e.model(m)
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

type encoder struct {
	w    *bufio.Writer
	json bool
	err  error
	buf  []byte
	// Whether the current flow mapping or list has an item yet.
	first bool
	opts  EncodeOptions // YAML only
}

// comments writes lines as YAML comments at an indentation.
func (e *encoder) comments(indent string, lines []string) {
	for _, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			if !utf8.ValidString(part) {
				e.fail("comment %q is not valid UTF-8", clip(part))
				return
			}
			e.raw(indent)
			e.raw(strings.TrimRight("# "+strings.ReplaceAll(part, "\r", " "), " "))
			e.raw("\n")
		}
	}
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("encode: "+format, args...)
	}
}

func (e *encoder) raw(s string) { e.w.WriteString(s) }

// str writes s as a scalar: plain in YAML when that reads back as the same
// text, quoted otherwise (a JSON string is a YAML double-quoted scalar).
func (e *encoder) str(s string) {
	if !utf8.ValidString(s) {
		e.fail("%q is not valid UTF-8", clip(s))
		return
	}
	if !e.json && plainSafe(s) {
		e.raw(s)
		return
	}
	b, _ := json.Marshal(s) // valid UTF-8: cannot fail
	e.w.Write(b)
}

// plainSafe reports whether s can be written as a plain YAML scalar, in
// block and flow context, and read back as s: letters, digits and '.', '_',
// '-', '/' inside, starting with a letter or digit, not a null.
func plainSafe(s string) bool {
	if s == "" || len(s) > 1000 {
		return false
	}
	switch s {
	case "null", "Null", "NULL":
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '/'):
		default:
			return false
		}
	}
	return true
}

func (e *encoder) int(n int64) {
	e.buf = strconv.AppendInt(e.buf[:0], n, 10)
	e.w.Write(e.buf)
}

func (e *encoder) dur(d time.Duration) { e.str(d.String()) }

// key starts a field of a flow mapping ({a: 1, b: 2}) or, in JSON, of any
// object.
func (e *encoder) key(k string) {
	if !e.first {
		e.raw(", ")
	}
	e.first = false
	e.str(k)
	e.raw(": ")
}

// open and close a flow mapping or list; items call sep.
func (e *encoder) open(c string) { e.raw(c); e.first = true }
func (e *encoder) close(c string) {
	e.raw(c)
	e.first = false
}

func (e *encoder) sep() {
	if !e.first {
		e.raw(", ")
	}
	e.first = false
}

func (e *encoder) model(m *Model) {
	if e.json {
		e.raw("{")
		e.first = true
		if m.Name != "" {
			e.key("model")
			e.str(m.Name)
		}
		if m.Description != "" {
			e.key("description")
			e.str(m.Description)
		}
		if len(m.Sources) > 0 {
			e.key("sources")
			e.strings(m.Sources)
		}
		e.defaults(m)
		e.key("nodes")
		e.raw("{")
		for i := range m.Nodes {
			if i > 0 {
				e.raw(",")
			}
			e.raw("\n  ")
			e.str(m.Nodes[i].ID)
			e.raw(": ")
			e.node(&m.Nodes[i])
		}
		if len(m.Nodes) > 0 {
			e.raw("\n")
		}
		e.raw("}}\n")
		return
	}
	if m.Name != "" {
		e.raw("model: ")
		e.str(m.Name)
		e.raw("\n")
	}
	if m.Description != "" {
		e.raw("description: ")
		e.str(m.Description)
		e.raw("\n")
	}
	if len(m.Sources) > 0 {
		e.raw("sources:\n")
		for _, s := range m.Sources {
			e.raw("  - ")
			e.str(s)
			e.raw("\n")
		}
	}
	e.defaults(m)
	if len(m.Nodes) == 0 {
		e.raw("nodes: {}\n")
		return
	}
	e.raw("nodes:\n")
	for i := range m.Nodes {
		if e.opts.Comment != nil {
			e.comments("  ", e.opts.Comment(&m.Nodes[i]))
		}
		e.raw("  ")
		e.str(m.Nodes[i].ID)
		e.raw(":\n")
		e.node(&m.Nodes[i])
	}
}

func (e *encoder) strings(ss []string) {
	e.open("[")
	for _, s := range ss {
		e.sep()
		e.str(s)
	}
	e.close("]")
}

// field starts a field of a node: a line of its own in YAML, an object key
// in JSON.
func (e *encoder) field(name string) {
	if e.json {
		e.key(name)
		return
	}
	e.raw("    ")
	e.raw(name)
	e.raw(": ")
}

func (e *encoder) end() {
	if !e.json {
		e.raw("\n")
	}
}

func (e *encoder) node(n *Node) {
	if e.json {
		e.open("{")
	}
	if n.Kind >= numKinds {
		e.fail("node %q: kind %v", clip(n.ID), n.Kind)
		return
	}
	e.field("kind")
	e.raw(quoteIf(e.json, n.Kind.String()))
	e.end()
	if n.Description != "" {
		e.field("description")
		e.str(n.Description)
		e.end()
	}
	if n.Users != 0 {
		e.field("users")
		e.int(n.Users)
		e.end()
	}
	if t, ok := n.Tier.Get(); ok {
		e.field("tier")
		e.int(int64(t))
		e.end()
	}
	if n.Labels != nil {
		e.field("labels")
		names := make([]string, 0, len(n.Labels))
		for k := range n.Labels {
			names = append(names, k)
		}
		slices.Sort(names)
		first := e.first
		e.open("{")
		for _, k := range names {
			e.key(k)
			e.str(n.Labels[k])
		}
		e.close("}")
		e.first = first
		e.end()
	}
	if n.Region != "" {
		e.field("region")
		e.str(n.Region)
		e.end()
	}
	if n.Site != "" {
		e.field("site")
		e.str(n.Site)
		e.end()
	}
	if n.Replicas != nil {
		if e.json {
			e.field("replicas")
			first := e.first
			e.open("[")
			for i := range n.Replicas {
				e.sep()
				e.replica(n, &n.Replicas[i])
			}
			e.close("]")
			e.first = first
		} else {
			e.raw("    replicas:\n")
			for i := range n.Replicas {
				e.raw("      - ")
				e.replica(n, &n.Replicas[i])
				e.raw("\n")
			}
		}
	}
	if n.Demand != 0 {
		e.field("demand")
		e.int(n.Demand)
		e.end()
	}
	if n.DegradedAt != 0 {
		e.field("degraded_at")
		e.int(n.DegradedAt)
		e.end()
	}
	if n.Requires != nil {
		e.field("requires")
		e.deps(n, n.Requires)
		e.end()
	}
	if n.Uses != nil {
		e.field("uses")
		e.deps(n, n.Uses)
		e.end()
	}
	if n.Restart != 0 {
		e.field("restart")
		e.dur(n.Restart)
		e.end()
	}
	if n.RTO != 0 {
		e.field("rto")
		e.dur(n.RTO)
		e.end()
	}
	e.idField("repair_requires", n.RepairRequires)
	if n.OnSite != 0 {
		e.field("on_site")
		e.dur(n.OnSite)
		e.end()
	}
	e.reliability(n.Reliability())
	if e.json {
		e.close("}")
	}
}

// quoteIf quotes a name that needs no escaping, for JSON.
func quoteIf(json bool, s string) string {
	if json {
		return `"` + s + `"`
	}
	return s
}

func (e *encoder) replica(n *Node, r *Replica) {
	first := e.first
	e.open("{")
	if r.Site != "" {
		e.key("site")
		e.str(r.Site)
	}
	if r.Capacity != 0 {
		e.key("capacity")
		e.int(r.Capacity)
	}
	if r.Standby != Active {
		if r.Standby >= numStandbys {
			e.fail("node %q: standby %v", clip(n.ID), r.Standby)
			return
		}
		e.key("standby")
		e.raw(quoteIf(e.json, r.Standby.String()))
	}
	if r.Recovery != 0 {
		e.key("recovery")
		e.dur(r.Recovery)
	}
	if r.Requires != nil {
		e.key("requires")
		e.deps(n, r.Requires)
	}
	if r.FailoverRequires != nil {
		e.key("failover_requires")
		e.strings(r.FailoverRequires)
	}
	e.close("}")
	e.first = first
}

func (e *encoder) deps(n *Node, deps []Dep) {
	first := e.first
	e.open("[")
	for i := range deps {
		e.sep()
		e.dep(n, &deps[i])
	}
	e.close("]")
	e.first = first
}

func (e *encoder) dep(n *Node, d *Dep) {
	unit := func() bool {
		for _, m := range d.Members {
			if m.Weight != 1 {
				return false
			}
		}
		return d.DegradedAt == 0
	}
	switch d.Form {
	case One:
		if len(d.Members) != 1 || d.Need != 1 || !unit() {
			e.fail("node %q: a dependency on one node needs one member of weight 1 and need 1", clip(n.ID))
			return
		}
		e.str(d.Members[0].ID)
	case AnyOfN:
		if d.Need != 1 || !unit() {
			e.fail("node %q: an any_of group needs need 1 and weights 1", clip(n.ID))
			return
		}
		e.open("{")
		e.key("any_of")
		e.members(d)
		e.close("}")
	case AtLeastK:
		if !unit() {
			e.fail("node %q: an at_least group needs weights 1", clip(n.ID))
			return
		}
		e.open("{")
		e.key("at_least")
		e.int(d.Need)
		e.key("of")
		e.members(d)
		e.close("}")
	case Weighted:
		e.open("{")
		e.key("capacity")
		e.open("{")
		for _, m := range d.Members {
			e.key(m.ID)
			e.int(m.Weight)
		}
		e.close("}")
		e.first = false
		e.key("demand")
		e.int(d.Need)
		if d.DegradedAt != 0 {
			e.key("degraded_at")
			e.int(d.DegradedAt)
		}
		e.close("}")
	default:
		e.fail("node %q: dependency form %d", clip(n.ID), d.Form)
	}
}

func (e *encoder) members(d *Dep) {
	e.open("[")
	for _, m := range d.Members {
		e.sep()
		e.str(m.ID)
	}
	e.close("]")
	e.first = false
}
