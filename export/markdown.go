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
	analyze.Up:             "🟩",
	analyze.RedundancyLost: "🟨",
	analyze.Degraded:       "🟧",
	analyze.Down:           "🟥",
}

// Markdown writes the outcome as a GitHub-flavoured Markdown report, for a
// postmortem, a design review or a pull request: a summary (services down
// and degraded, user-services, the lower bound on people), one table per
// state of the model's nodes sorted by users, and the cause chains as a
// tree that starts at what was removed. Node ids are code spans; text from
// the model is escaped.
func Markdown(w io.Writer, o *analyze.Outcome) error {
	c := o.Compiled()
	bw := bufio.NewWriter(w)
	t := o.Totals
	fmt.Fprintf(bw, "# Blast radius: %s, remove %s\n\n", mdText(modelName(c)), mdScenario(c, o.Scenario))
	fmt.Fprintf(bw, "| | nodes | services | user-services |\n|---|--:|--:|--:|\n")
	fmt.Fprintf(bw, "| %s **down** | %d | %d | %s |\n", stateMark[analyze.Down], t.Down, t.ServicesDown, count(t.UsersDown))
	fmt.Fprintf(bw, "| %s **degraded** | %d | %d | %s |\n", stateMark[analyze.Degraded], t.Degraded, t.ServicesDegraded, count(t.UsersDegraded))
	fmt.Fprintf(bw, "| %s **up, redundancy lost** | %d | | |\n\n", stateMark[analyze.RedundancyLost], t.RedundancyLost)
	if t.MaxUsersDown > 0 {
		fmt.Fprintf(bw, "At least **%s people** lose a service: the most users of any one node that is down. ", count(t.MaxUsersDown))
	}
	fmt.Fprintf(bw, "Down counts the %s the scenario removed. User-services count a person once per service they use; services are the nodes that are not sites, regions, power or network.\n",
		plural(t.Removed, "node"))

	sorted := o.Sorted()
	sections := []struct {
		state analyze.State
		title string
	}{
		{analyze.Down, "Down"},
		{analyze.Degraded, "Degraded"},
		{analyze.RedundancyLost, "Up, redundancy lost"},
	}
	for _, sec := range sections {
		var rows []analyze.Effect
		for _, e := range sorted {
			if e.State == sec.state && !e.Replica {
				rows = append(rows, e)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n## %s %s (%d)\n\n", stateMark[sec.state], sec.title, len(rows))
		fmt.Fprintf(bw, "| node | kind | users | tier | why |\n|---|---|--:|--:|---|\n")
		for _, e := range rows {
			tier := "–"
			if e.Tier != graph.NoTier {
				tier = strconv.Itoa(e.Tier)
			}
			users := "–"
			if e.Users > 0 {
				users = count(e.Users)
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", code(e.ID), e.Kind, users, tier, why(o, e, code))
		}
	}
	causeTree(bw, o, sorted)
	return bw.Flush()
}

// causeTree writes every affected node and replica under the input that
// put it in its state (Effect.Via), from the removed nodes down: the path
// from a removed node to any line, read upwards, is that line's chain of
// causes.
func causeTree(w io.Writer, o *analyze.Outcome, sorted []analyze.Effect) {
	if len(sorted) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Cause chains\n\n")
	fmt.Fprintf(w, "Each node is listed under the input that put it in its state, starting from what was removed: read a line's chain of causes upwards.\n\n")
	children := make(map[string][]analyze.Effect)
	var roots []analyze.Effect
	for _, e := range sorted {
		parent := e.Via
		if parent == "" && e.State == analyze.RedundancyLost {
			// Up with less margin: under the first input it lost.
			if cs := o.Causes(e.ID); len(cs) > 0 {
				parent = cs[0].ID
			}
		}
		if _, ok := o.Effect(parent); parent == "" || !ok {
			roots = append(roots, e)
			continue
		}
		children[parent] = append(children[parent], e)
	}
	done := make(map[string]bool, len(sorted))
	var walk func(e analyze.Effect, depth int)
	walk = func(e analyze.Effect, depth int) {
		if done[e.ID] {
			return
		}
		done[e.ID] = true
		fmt.Fprintf(w, "%s- %s %s %s", strings.Repeat("  ", depth), stateMark[e.State], code(e.ID), e.State)
		if e.Users > 0 {
			fmt.Fprintf(w, ", %s users", count(e.Users))
		}
		switch {
		case e.Removed:
			w.Write([]byte(", removed"))
		case e.Via == "" || depth == 0 || e.State == analyze.RedundancyLost:
			if y := why(o, e, code); y != "" {
				fmt.Fprintf(w, ": %s", y)
			}
		default:
			for _, cs := range o.Causes(e.ID) {
				if cs.ID == e.Via && cs.Soft {
					w.Write([]byte(" (uses it)"))
					break
				}
			}
		}
		w.Write([]byte("\n"))
		for _, ch := range children[e.ID] {
			walk(ch, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	// Causes that loop back (a cycle of services) are listed at the top.
	for _, e := range sorted {
		walk(e, 0)
	}
}

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

// code makes a node id a Markdown code span. Ids hold no backticks or
// pipes (graph validates them), so the span needs no escaping.
func code(id string) string { return "`" + id + "`" }

// mdText escapes text for Markdown inside a line (never at its start),
// tables included: the punctuation that could start markup there gets a
// backslash, and newlines become spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_[]<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
