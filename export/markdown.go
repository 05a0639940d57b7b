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

// stateMark is the square that stands for a state in Markdown, where
// colours are not available.
var stateMark = [...]string{
	shownUp:       "🟩",
	shownLost:     "🟨",
	shownDegraded: "🟧",
	shownDown:     "🟥",
}

// MarkdownOptions control Markdown.
type MarkdownOptions struct {
	// FullChains prints each table row's chain of causes in full; by
	// default it is cut after ChainLinks links with "… N more".
	FullChains bool
}

// Markdown writes the outcome as a GitHub-flavoured Markdown report, for a
// postmortem, a design review or a pull request: a summary (services down
// and degraded, user-services, the lower bound on people), one table per
// state of the model's nodes sorted by users, and the cause chains as a
// tree that starts at what was removed. Node ids are code spans; text from
// the model is escaped.
//
// Each row's why names the node's cause and its chain cut after
// ChainLinks links; the cause tree is the full chains with shared
// prefixes, so the report is linear in the outcome.
func Markdown(w io.Writer, o *analyze.Outcome, opts ...MarkdownOptions) error {
	c := o.Compiled()
	var opt MarkdownOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	x := newExplainer(o, opt.FullChains)
	x.spans = true // ids, and group labels (written with ids), as code spans
	bw := bufio.NewWriter(w)
	t := o.Totals
	fmt.Fprintf(bw, "# Blast radius: %s, remove %s\n\n", mdText(modelName(c)), mdScenario(c, o.Scenario))
	fmt.Fprintf(bw, "| | nodes | services | user-services |\n|---|--:|--:|--:|\n")
	fmt.Fprintf(bw, "| %s **down** | %s | %s | %s |\n", stateMark[shownDown], count(t.Down), count(t.ServicesDown), count(t.UsersDown))
	fmt.Fprintf(bw, "| %s **degraded** | %s | %s | %s |\n", stateMark[shownDegraded], count(t.Degraded), count(t.ServicesDegraded), count(t.UsersDegraded))
	fmt.Fprintf(bw, "| %s **up, redundancy lost** | %s | | |\n\n", stateMark[shownLost], count(t.RedundancyLost))
	if t.MaxUsersDown > 0 {
		fmt.Fprintf(bw, "At least **%s people** lose a service: the most users of any one node that is down. ", count(t.MaxUsersDown))
	}
	fmt.Fprintf(bw, "Down counts the %s the scenario removed. User-services count a person once per service they use; services are the nodes that are not sites, regions, power or network.\n",
		plural(t.Removed, "node"))

	sorted := o.Sorted()
	sections := []struct {
		state shown
		title string
	}{
		{shownDown, "Down"},
		{shownDegraded, "Degraded"},
		{shownLost, "Up, redundancy lost"},
	}
	// Each section filters sorted as it writes (counting first), rather
	// than copying a million effects into a slice per state.
	in := func(e analyze.Effect, st shown) bool { return shownEffect(e) == st && !e.Replica }
	var row []byte // one line, reused
	for _, sec := range sections {
		n := 0
		for _, e := range sorted {
			if in(e, sec.state) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n## %s %s (%s)\n\n", stateMark[sec.state], sec.title, count(n))
		bw.WriteString("| node | kind | users | tier | why |\n|---|---|--:|--:|---|\n")
		for _, e := range sorted {
			if !in(e, sec.state) {
				continue
			}
			tier := "–"
			if e.Tier != graph.NoTier {
				tier = strconv.Itoa(e.Tier)
			}
			users := "–"
			if e.Users > 0 {
				users = count(e.Users)
			}
			row = append(append(append(row[:0], "| `"...), e.ID...), "` | "...)
			row = append(append(row, e.Kind.String()...), " | "...)
			row = append(append(row, users...), " | "...)
			row = append(append(row, tier...), " | "...)
			row = append(x.appendWhy(row, e), " |\n"...)
			bw.Write(row)
		}
	}
	causeTree(bw, o, x, sorted)
	return bw.Flush()
}

// causeTree writes every affected node and replica under the input that
// put it in its state (Effect.Via), from the removed nodes down: the path
// from a removed node to any line, read upwards, is that line's chain of
// causes.
func causeTree(w *bufio.Writer, o *analyze.Outcome, x *explainer, sorted []analyze.Effect) {
	if len(sorted) == 0 {
		return
	}
	w.WriteString("\n## Cause chains\n\n")
	w.WriteString("Each node is listed under the input that put it in its state, starting from what was removed: read a line's chain of causes upwards.\n\n")
	// The tree is kept by index into sorted, not by id: a million lines
	// cost a million slots, not maps of strings. children[i] lists the
	// effects under sorted[i] (as a linked list through next, in sorted
	// order).
	c := o.Compiled()
	at := vertexIndex(c.Len(), sorted)
	first := make([]int32, len(sorted))
	last := make([]int32, len(sorted))
	next := make([]int32, len(sorted))
	for i := range first {
		first[i], last[i], next[i] = -1, -1, -1
	}
	var roots []int32
	for i, e := range sorted {
		parent := e.Via
		if parent == "" && e.LostRedundancy {
			// Up with less margin: under the first input it lost.
			if cs := o.EffectCauses(e); len(cs) > 0 {
				parent = cs[0].ID
			}
		}
		p := int32(-1)
		if u := o.VertexVia(e.Vertex); u >= 0 {
			p = at(u)
		} else if v, ok := c.Lookup(parent); ok && parent != "" {
			p = at(v)
		}
		if p < 0 {
			roots = append(roots, int32(i))
			continue
		}
		if last[p] < 0 {
			first[p] = int32(i)
		} else {
			next[last[p]] = int32(i)
		}
		last[p] = int32(i)
	}
	done := make([]bool, len(sorted))
	// The walk keeps its own stack (a chain may be a million long) and
	// indents at most treeDepth levels: deeper lines stand at that level
	// and name the input they sit under, so the tree stays linear in the
	// outcome instead of growing with the square of its depth.
	type item struct {
		i     int32
		depth int
	}
	var stack, kids []item
	var line []byte // one line, reused
	walk := func(root int32) {
		stack = append(stack[:0], item{root, 0})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if done[it.i] {
				continue
			}
			done[it.i] = true
			e, depth := sorted[it.i], it.depth
			line = line[:0]
			for range min(depth, treeDepth) {
				line = append(line, "  "...)
			}
			st := shownEffect(e)
			line = append(append(append(line, "- "+stateMark[st]+" `"...), e.ID...), "` "+st.String()...)
			if e.Users > 0 {
				line = append(append(line, ", "...), plural(e.Users, "user")...)
			}
			switch {
			case e.Removed:
				line = append(line, ", removed"...)
			case e.Via == "" || depth == 0 || e.LostRedundancy:
				n := len(line)
				if line = x.appendWhy(append(line, ": "...), e); len(line) == n+2 {
					line = line[:n] // nothing to say
				}
			default:
				soft := o.ExplainEffect(e).Soft
				switch {
				case depth > treeDepth && soft:
					line = append(append(append(line, " (uses `"...), e.Via...), "`)"...)
				case depth > treeDepth:
					line = append(append(append(line, " (requires `"...), e.Via...), "`)"...)
				case soft:
					line = append(line, " (uses it)"...)
				}
			}
			w.Write(line)
			w.WriteByte('\n')
			kids = kids[:0]
			for k := first[it.i]; k >= 0; k = next[k] {
				kids = append(kids, item{k, depth + 1})
			}
			for k := len(kids) - 1; k >= 0; k-- {
				stack = append(stack, kids[k])
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	// Causes that loop back (a cycle of services) are listed at the top.
	for i := range sorted {
		walk(int32(i))
	}
}

// vertexIndex maps a vertex to its effect's index in effects, or -1: a
// slice over the graph's vertices when much of it is affected, a map when
// little is (a small failure in a huge graph stays cheap).
func vertexIndex(n int, effects []analyze.Effect) func(int32) int32 {
	if len(effects)*16 < n {
		m := make(map[int32]int32, len(effects))
		for i, e := range effects {
			m[e.Vertex] = int32(i)
		}
		return func(v int32) int32 {
			if i, ok := m[v]; ok {
				return i
			}
			return -1
		}
	}
	dense := make([]int32, n)
	for v := range dense {
		dense[v] = -1
	}
	for i, e := range effects {
		dense[e.Vertex] = int32(i)
	}
	return func(v int32) int32 { return dense[v] }
}

// treeDepth is the deepest indentation of the Markdown cause tree.
const treeDepth = 2 * ChainLinks

// mdScenario names the removed nodes for a Markdown heading: "site
// `pangyo`".
func mdScenario(c *graph.Compiled, sc analyze.Scenario) string {
	if len(sc.Failures) == 0 {
		return "nothing"
	}
	out := make([]string, len(sc.Failures))
	for i, f := range sc.Failures {
		label := code(f.ID)
		if v, ok := c.Lookup(f.ID); ok {
			if c.VertexKind(v) == graph.ReplicaVertex {
				label = "replica " + label
			} else {
				label = c.Kind(v).String() + " " + label
			}
		}
		if f.For > 0 {
			label += " for " + f.For.String()
		}
		out[i] = label
	}
	return strings.Join(out, ", ")
}
