package export

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// stateStyle is how a state looks in every drawing.
type stateStyle struct {
	fill, line, font string
}

const (
	upFill = "#e3f2e1"
	upLine = "#5b9a5b"
	upFont = "#1b2a1b"
)

var stateStyles = [...]stateStyle{
	shownUp:       {fill: upFill, line: upLine, font: upFont},
	shownLost:     {fill: "#fde68a", line: "#b7791f", font: "#3d2c00"},
	shownDegraded: {fill: "#f6a04d", line: "#c05621", font: "#2d1500"},
	shownDown:     {fill: "#d64541", line: "#8c1c13", font: "#ffffff"},
}

// stateTitle is how a drawing's legend names a state.
var stateTitle = [...]string{
	shownUp:       "up",
	shownLost:     "up, redundancy lost",
	shownDegraded: "degraded",
	shownDown:     "down",
}

// stateExplain says what a state means, for legends.
var stateExplain = [...]string{
	shownUp:       "working",
	shownLost:     "working, with less redundancy than it was built with",
	shownDegraded: "working partly",
	shownDown:     "not working",
}

// kindShapes are the Graphviz shapes of the node kinds.
var kindShapes = map[graph.Kind]string{
	graph.Service:   "box",
	graph.Identity:  "hexagon",
	graph.Datastore: "cylinder",
	graph.Queue:     "cds",
	graph.Network:   "ellipse",
	graph.Power:     "invhouse",
	graph.Site:      "box3d",
	graph.Region:    "tab",
	graph.External:  "note",
}

const (
	fontName  = "Helvetica"
	idleEdge  = "#8a8f98" // edges that carry no failure
	siteFill  = "#f3f5f7"
	siteDown  = "#fbe3e1"
	siteLine  = "#aab2bd"
	regionCol = "#7b8794"
)

// dotDefaults are the attributes most nodes and edges share: those of an
// Up service and of an edge that carried no failure. Each node and edge
// says only how it differs, which keeps a 100,000-node drawing small and
// quick to write.
const dotDefaults = "\tnode [shape=box, style=\"rounded,filled\", fillcolor=\"" + upFill + "\", color=\"" + upLine +
	"\", fontcolor=\"" + upFont + "\", fontname=" + fontName + ", fontsize=12];\n" +
	"\tedge [color=\"" + idleEdge + "\", arrowsize=0.7, fontname=" + fontName + ", fontsize=9, fontcolor=\"#555555\"];\n"

// DOT writes the outcome as a Graphviz DOT graph: one cluster per site,
// nested in its region's, nodes filled by state (Down, Degraded, Up with
// redundancy lost, Up) and shaped by kind, the removed nodes drawn with a
// double border, hard edges solid, soft edges dashed, edges to replicas
// ending in a circle, and the edges a failure travelled along coloured by
// what it did to the dependent. Every node has a tooltip (SVG viewers show
// it): its state and, when it is not Up, why, with the chain of causes. A
// legend explains the styles. Where a node runs is shown by the cluster it
// sits in, not by an edge. The same model and scenario give the same
// bytes.
//
// A node placed at one site sits in that site's cluster. A node with
// several replicas sits outside the site clusters (in its region's when
// they share one) with an edge to each replica, node@site, which sits in
// its site's cluster. A node the model places nowhere sits in the smallest
// cluster that holds everything depending on it: a site's power feed in
// the site. A redundant group is a small diamond labelled "any of",
// "2 of 3" or "capacity ≥ 50" between the node that has it and its members;
// the members' edges of a capacity group are labelled with their capacity.
//
// Node ids in the DOT source are the vertex names (kakaotalk@pangyo), so
// the file can be read and edited by hand.
func DOT(w io.Writer, o *analyze.Outcome, opts GraphOptions) error {
	dir, err := opts.rankDir()
	if err != nil {
		return err
	}
	vw := newView(o, opts)
	d := &dotWriter{vw: vw, w: bufio.NewWriterSize(w, 64<<10)}
	d.line("digraph blastradius {")
	d.depth++
	d.stmt("graph", graphAttrs(vw, opts, dir)...)
	d.w.WriteString(dotDefaults)
	regions, loose, top := vw.clusters()
	for _, r := range regions {
		d.cluster(r)
	}
	for _, s := range loose {
		d.cluster(s)
	}
	for _, v := range top {
		d.node(v)
	}
	d.legend()
	for _, e := range vw.edges {
		d.edge(e)
	}
	d.depth--
	d.line("}")
	return d.w.Flush()
}

// graphAttrs are the attributes of a drawing's graph.
func graphAttrs(vw *view, opts GraphOptions, dir RankDir) []string {
	title := modelName(vw.c) + ": remove " + strings.Join(scenarioLabels(vw.c, vw.o.Scenario, ""), ", ")
	switch note := vw.ringNote(); {
	case opts.Focus && note != "":
		title += " (blast radius and " + note + ")"
	case opts.Focus:
		title += " (blast radius and one ring of context)"
	}
	return []string{"rankdir", string(dir), "label", title + "\n" + Summary(vw.o), "labelloc", "t",
		"fontname", fontName, "fontsize", "16", "newrank", "true", "nodesep", "0.25", "ranksep", "0.6",
		"pad", "0.3", "bgcolor", "white", "tooltip", title}
}

// dotWriter writes DOT statements. It quotes every id and string itself
// (appendQuote) rather than going through a DOT library: the ones we tried
// build a map per node and per edge and write each with fmt, several times
// slower than the layout of large outcomes allows (see BENCHMARKS.md).
type dotWriter struct {
	vw    *view
	w     *bufio.Writer
	depth int
	ids   []string // per vertex: its quoted name, once written
	buf   []byte
}

func (d *dotWriter) indent() {
	for range d.depth {
		d.w.WriteByte('\t')
	}
}

func (d *dotWriter) line(s string) {
	d.indent()
	d.w.WriteString(s)
	d.w.WriteByte('\n')
}

// stmt writes `head [k1="v1", k2="v2"];`: an attribute statement (graph,
// node, edge) or a node (head is its quoted id).
func (d *dotWriter) stmt(head string, kv ...string) {
	d.indent()
	d.w.WriteString(head)
	d.attrs(kv, "")
	d.w.WriteString(";\n")
}

// attrs writes an attribute list: kv quoted, then label=<html> when html
// is not empty (an HTML-like label, which the caller escaped).
func (d *dotWriter) attrs(kv []string, html string) {
	if len(kv) == 0 && html == "" {
		return
	}
	d.w.WriteString(" [")
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			d.w.WriteString(", ")
		}
		d.w.WriteString(kv[i])
		d.w.WriteByte('=')
		d.quote(kv[i+1])
	}
	if html != "" {
		if len(kv) > 0 {
			d.w.WriteString(", ")
		}
		d.w.WriteString("label=<")
		d.w.WriteString(html)
		d.w.WriteByte('>')
	}
	d.w.WriteByte(']')
}

// appendQuote appends s as a DOT double-quoted string. DOT's only escape is \"
// (a backslash before anything else stays, and Graphviz then reads \n, \l,
// \N and friends in labels): so quotes and backslashes are escaped,
// newlines become \n, and other control characters and invalid UTF-8
// become spaces.
func appendQuote(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is plain ASCII, copied in one go
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		r, size := rune(c), 1
		if c >= 0x80 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', c)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '→' || r == '·' || r == '…' || r == '≥':
			// The reports' own punctuation, on every line: known printable
			// (unicode.IsPrint was a tenth of a large drawing's time).
			b = append(b, s[i:i+size]...)
		case r == utf8.RuneError && size == 1, !unicode.IsPrint(r):
			b = append(b, ' ')
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// quote writes s quoted.
func (d *dotWriter) quote(s string) {
	d.buf = appendQuote(d.buf[:0], s)
	d.w.Write(d.buf)
}

// id writes vertex v's quoted name; a name is quoted once however many
// edges it ends.
func (d *dotWriter) id(v int32) {
	if d.ids == nil {
		d.ids = make([]string, d.vw.c.Len())
	}
	if d.ids[v] == "" {
		d.ids[v] = string(appendQuote(nil, d.vw.c.VertexName(v)))
	}
	d.w.WriteString(d.ids[v])
}

// clusterAttrs names a site or region cluster ("site pangyo") and gives
// its attributes.
func (vw *view) clusterAttrs(cl *cluster) (string, []string) {
	name := vw.c.VertexName(cl.box)
	if vw.isNode(cl.box, graph.Region) {
		name = "region " + name
		return name, []string{"label", name, "style", "rounded,dashed", "color", regionCol,
			"fontname", fontName, "fontsize", "13", "labeljust", "l"}
	}
	name = "site " + name
	fill := siteFill
	if vw.state[cl.box] == shownDown {
		fill = siteDown
	}
	return name, []string{"label", name, "style", "rounded,filled", "fillcolor", fill, "color", siteLine,
		"fontname", fontName, "fontsize", "12", "labeljust", "l"}
}

// cluster writes a site or region cluster and what it holds.
func (d *dotWriter) cluster(cl *cluster) {
	name, kv := d.vw.clusterAttrs(cl)
	d.indent()
	d.w.WriteString("subgraph ")
	d.quote("cluster_" + name)
	d.w.WriteString(" {\n")
	d.depth++
	d.stmt("graph", kv...)
	for _, s := range cl.sites {
		d.cluster(s)
	}
	for _, v := range cl.verts {
		d.node(v)
	}
	d.depth--
	d.line("}")
}

func (d *dotWriter) node(v int32) {
	kv, label := d.vw.nodeAttrs(v)
	d.indent()
	d.id(v)
	d.attrs(kv, label)
	d.w.WriteString(";\n")
}

// nodeAttrs are the attributes of vertex v's node, those that differ from
// the defaults (dotDefaults), and its HTML-like label ("" when the label is
// among the attributes).
func (vw *view) nodeAttrs(v int32) ([]string, string) {
	c := vw.c
	kv := vw.kv[:0] // the caller writes them before asking for the next node's
	defer func() { vw.kv = kv[:0] }()
	label := "" // HTML
	if s := vw.state[v]; s != shownUp {
		st := stateStyles[s]
		kv = append(kv, "fillcolor", st.fill, "color", st.line, "fontcolor", st.font)
	}
	if vw.isGroup(v) {
		kv = append(kv, "shape", "diamond", "style", "filled", "label", vw.groupLabel(v),
			"fontsize", "9", "margin", "0.02", "height", "0.3")
	} else {
		if shape := kindShapes[c.Kind(v)]; shape != "box" {
			kv = append(kv, "shape", shape, "style", "filled")
		}
		if c.VertexKind(v) == graph.ReplicaVertex {
			kv = append(kv, "fontsize", "10")
		}
		label = "<b>" + html.EscapeString(c.VertexName(v)) + "</b>"
		if det := vw.detail(v); det != "" {
			label += `<br/><font point-size="9">` + html.EscapeString(det) + "</font>"
		}
		if vw.gone[v] {
			kv = append(kv, "peripheries", "2", "penwidth", "2")
		}
	}
	kv = append(kv, "tooltip", vw.tooltip(v))
	return kv, label
}

func (d *dotWriter) edge(e viewEdge) {
	var buf [10]string
	kv := d.vw.edgeAttrs(e, buf[:0])
	d.indent()
	d.id(e.from)
	d.w.WriteString(" -> ")
	d.id(e.to)
	d.attrs(kv, "")
	d.w.WriteString(";\n")
}

// edgeAttrs appends the attributes of edge e that differ from the defaults
// to kv.
func (vw *view) edgeAttrs(e viewEdge, kv []string) []string {
	add := func(k, v string) { kv = append(kv, k, v) }
	if st, ok := vw.carried(e); ok {
		add("color", stateStyles[st].line)
		add("penwidth", "1.8")
	}
	switch e.kind {
	case softEdge:
		add("style", "dashed")
		add("arrowhead", "empty")
	case replicaEdge:
		add("arrowhead", "odot")
	}
	if e.weight > 0 {
		add("label", count(e.weight))
	}
	return kv
}

// legend writes a node with a table that explains the colours, borders,
// diamonds, boxes and edges. The edge samples are HTML cells with one
// border drawn: real edges would be as long as the drawing's ranks are
// wide.
func (d *dotWriter) legend() {
	d.line(`"~legend" [shape="plaintext", style="", margin="0", fontsize="10", tooltip="legend", label=<` + legendHTML() + `>];`)
}

// legendAttrs are the legend node's attributes but its label, legendHTML.
var legendAttrs = []string{"shape", "plaintext", "style", "", "margin", "0", "fontsize", "10", "tooltip", "legend"}

// legendHTML is the legend's HTML-like label.
func legendHTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table border="1" color="%s" style="rounded" cellborder="0" cellspacing="2" cellpadding="2">`, siteLine)
	b.WriteString(`<tr><td colspan="3" align="left"><b>legend</b></td></tr>`)
	row := func(sample, text string) {
		fmt.Fprintf(&b, `<tr><td colspan="2">%s</td><td align="left">%s</td></tr>`, sample, html.EscapeString(text))
	}
	for _, s := range []shown{shownDown, shownDegraded, shownLost, shownUp} {
		st := stateStyles[s]
		fmt.Fprintf(&b, `<tr><td colspan="2" bgcolor="%s" border="1" color="%s"><font color="%s">%s</font></td><td align="left">%s</td></tr>`,
			st.fill, st.line, st.font, stateTitle[s], html.EscapeString(stateExplain[s]))
	}
	down := stateStyles[shownDown]
	row(fmt.Sprintf(`<table border="3" cellborder="0" cellspacing="1" cellpadding="2" color="%s"><tr><td bgcolor="%s"><font color="%s">REMOVED</font></td></tr></table>`,
		down.line, down.fill, down.font), "removed by the scenario")
	edge := func(head, width, style, color, text string) {
		fmt.Fprintf(&b, `<tr><td><table border="0" cellspacing="0" cellpadding="0">`+
			`<tr><td width="34" height="6" fixedsize="true" sides="b" border="%s" style="%s" color="%s"></td></tr>`+
			`<tr><td width="34" height="6" fixedsize="true"></td></tr></table></td>`+
			`<td><font point-size="8" color="%s">%s</font></td><td align="left">%s</td></tr>`,
			width, style, color, color, head, html.EscapeString(text))
	}
	edge("▶", "1", "solid", idleEdge, "requires: down without it")
	edge("▷", "1", "dashed", idleEdge, "uses: degraded without it")
	edge("○", "1", "solid", idleEdge, "runs as this replica (node@site)")
	edge("▶", "2", "solid", down.line, "the way the failure travelled, in the colour of what it did")
	row(`<font point-size="9">◇ 2 of 3</font>`, "a redundant group: any of, k of n, capacity")
	row(`<font point-size="9">box</font>`, "the site, or region, it runs in")
	b.WriteString(`</table>`)
	return b.String()
}

func modelName(c *graph.Compiled) string {
	if c.Name() == "" {
		return "model"
	}
	return c.Name()
}
