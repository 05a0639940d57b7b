package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// mermaidShapes are the Mermaid node shapes of the kinds, as the opening
// and closing brackets around a quoted label.
var mermaidShapes = [...][2]string{
	graph.Service:   {"(", ")"},
	graph.Identity:  {"{{", "}}"},
	graph.Datastore: {"[(", ")]"},
	graph.Queue:     {">", "]"},
	graph.Network:   {"([", "])"},
	graph.Power:     {"[/", "\\]"},
	graph.Site:      {"[[", "]]"},
	graph.Region:    {"[[", "]]"},
	graph.External:  {"[\\", "/]"},
}

// mermaidClass is the class of each state in Mermaid drawings.
var mermaidClass = [...]string{
	shownUp:       "up",
	shownLost:     "lost",
	shownDegraded: "degraded",
	shownDown:     "down",
}

// Mermaid writes the outcome as a Mermaid flowchart, which GitHub renders
// in Markdown files, issues and pull requests (inside a ```mermaid fence).
// It draws what DOT draws, the same way: sites and regions as subgraphs,
// one class per state (classDef down, degraded, lost, up, and removed for
// what the scenario removed), shapes by kind, hard edges -->, soft edges
// -.->, edges to replicas --o, redundant groups as rhombi, and the edges a
// failure travelled along coloured by what it did. Node ids are the node
// names with every character but letters, digits and _ replaced, behind an
// "n_" prefix, so no id is a Mermaid keyword; labels are quoted with
// Mermaid's entity codes for the characters it would read.
//
// A Mermaid diagram of thousands of nodes is unreadable and beyond what
// GitHub renders: draw large models with GraphOptions.Focus.
func Mermaid(w io.Writer, o *analyze.Outcome, opts GraphOptions) error {
	dir, err := opts.rankDir()
	if err != nil {
		return err
	}
	vw := newView(o, opts)
	c := vw.c
	bw := bufio.NewWriter(w)
	m := &mermaidWriter{vw: vw, w: bw, ids: make([]string, vw.c.Len()), used: make(map[string]bool, vw.c.Len())}
	title := modelName(c) + ": remove " + strings.Join(scenarioLabels(c, o.Scenario, ""), ", ")
	fmt.Fprintf(bw, "---\ntitle: %s\n---\n", strconv.Quote(oneLine(title)))
	fmt.Fprintf(bw, "flowchart %s\n", dir)
	fmt.Fprintf(bw, "  %%%% %s\n", oneLine(Summary(o)))
	if note := vw.ringNote(); note != "" {
		fmt.Fprintf(bw, "  %%%% drawn: the blast radius and %s\n", note)
	}
	for _, s := range []shown{shownDown, shownDegraded, shownLost, shownUp} {
		st := stateStyles[s]
		fmt.Fprintf(bw, "  classDef %s fill:%s,stroke:%s,color:%s\n", mermaidClass[s], st.fill, st.line, st.font)
	}
	fmt.Fprintf(bw, "  classDef removed stroke-width:4px\n")

	regions, loose, top := vw.clusters()
	for _, r := range regions {
		m.cluster(r, 1)
	}
	for _, cl := range loose {
		m.cluster(cl, 1)
	}
	m.nodes(top, 1)

	var carried [4][]string // link indices per state carried
	link := 0
	for _, e := range vw.edges {
		if e.kind == placeEdge {
			continue // the subgraph a node sits in shows where it runs
		}
		arrow := "-->"
		switch e.kind {
		case softEdge:
			arrow = "-.->"
		case replicaEdge:
			arrow = "--o"
		}
		if e.weight > 0 {
			arrow += `|"` + mermaidText(count(e.weight)) + `"|`
		}
		bw.WriteString("  ")
		bw.WriteString(m.id(e.from))
		bw.WriteByte(' ')
		bw.WriteString(arrow)
		bw.WriteByte(' ')
		bw.WriteString(m.id(e.to))
		bw.WriteByte('\n')
		if st, ok := vw.carried(e); ok {
			carried[st] = append(carried[st], strconv.Itoa(link))
		}
		link++
	}
	for _, s := range []shown{shownDown, shownDegraded, shownLost} {
		if len(carried[s]) > 0 {
			fmt.Fprintf(bw, "  linkStyle %s stroke:%s,stroke-width:2px\n", strings.Join(carried[s], ","), stateStyles[s].line)
		}
	}
	var byState [4][]string
	var removed []string
	for _, v := range vw.verts {
		byState[vw.state[v]] = append(byState[vw.state[v]], m.id(v))
		if vw.gone[v] {
			removed = append(removed, m.id(v))
		}
	}
	for _, s := range []shown{shownDown, shownDegraded, shownLost, shownUp} {
		if len(byState[s]) > 0 {
			fmt.Fprintf(bw, "  class %s %s\n", strings.Join(byState[s], ","), mermaidClass[s])
		}
	}
	if len(removed) > 0 {
		fmt.Fprintf(bw, "  class %s removed\n", strings.Join(removed, ","))
	}
	return bw.Flush()
}

type mermaidWriter struct {
	vw   *view
	w    *bufio.Writer
	ids  []string // per vertex, once assigned
	used map[string]bool
}

// id is the Mermaid id of vertex v: "n_" and its name with every other
// character than a letter, a digit or _ made _, and its vertex number
// after it when two names would meet.
func (m *mermaidWriter) id(v int32) string {
	if id := m.ids[v]; id != "" {
		return id
	}
	id := m.unique("n_"+mermaidID(m.vw.c.VertexName(v)), v)
	m.ids[v] = id
	return id
}

// unique returns id, with _v appended until no other vertex has it.
func (m *mermaidWriter) unique(id string, v int32) string {
	for m.used[id] {
		id += "_" + strconv.Itoa(int(v))
	}
	m.used[id] = true
	return id
}

func mermaidID(s string) string {
	if isIdent(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// isIdent reports whether s is only letters, digits and _, which
// mermaidID leaves as they are.
func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// cluster writes a site or region subgraph and what it holds.
func (m *mermaidWriter) cluster(cl *cluster, depth int) {
	vw := m.vw
	ind := strings.Repeat("  ", depth)
	name := vw.c.VertexName(cl.box)
	what, fill := "site ", siteFill
	switch {
	case vw.isNode(cl.box, graph.Region):
		what, fill = "region ", "#ffffff"
	case vw.state[cl.box] == shownDown:
		fill = siteDown
	}
	id := m.unique("c_"+mermaidID(name), cl.box)
	fmt.Fprintf(m.w, "%ssubgraph %s[\"%s\"]\n", ind, id, mermaidText(what+name))
	for _, s := range cl.sites {
		m.cluster(s, depth+1)
	}
	m.nodes(cl.verts, depth+1)
	fmt.Fprintf(m.w, "%send\n", ind)
	fmt.Fprintf(m.w, "%sstyle %s fill:%s,stroke:%s\n", ind, id, fill, siteLine)
}

// nodes declares vertices, in the subgraph being written.
func (m *mermaidWriter) nodes(vs []int32, depth int) {
	vw := m.vw
	c := vw.c
	ind := strings.Repeat("  ", depth)
	for _, v := range vs {
		if vw.isGroup(v) {
			fmt.Fprintf(m.w, "%s%s{\"%s\"}\n", ind, m.id(v), mermaidText(vw.groupLabel(v)))
			continue
		}
		sh := mermaidShapes[c.Kind(v)]
		m.w.WriteString(ind)
		m.w.WriteString(m.id(v))
		m.w.WriteString(sh[0])
		m.w.WriteByte('"')
		m.w.WriteString(mermaidText(c.VertexName(v)))
		if det := vw.detail(v); det != "" {
			m.w.WriteString("<br/><small>")
			m.w.WriteString(mermaidText(det))
			m.w.WriteString("</small>")
		}
		m.w.WriteByte('"')
		m.w.WriteString(sh[1])
		m.w.WriteByte('\n')
	}
}

// mermaidText escapes s for a quoted Mermaid label: Mermaid reads #name;
// as an entity, so # itself and the characters it would take for markup
// or the end of the label are written as entities.
func mermaidText(s string) string {
	if printableASCII(s) && !strings.ContainsAny(s, "#\"<>&`") {
		return s
	}
	var b strings.Builder
	for _, r := range oneLine(s) {
		switch r {
		case '#':
			b.WriteString("#35;")
		case '"':
			b.WriteString("#quot;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '`':
			b.WriteString("#96;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
