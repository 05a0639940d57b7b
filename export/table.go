package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// TableOptions control Table.
type TableOptions struct {
	// Replicas lists placements ("kakaotalk@pangyo") as rows of their own;
	// by default they appear only in cause chains.
	Replicas bool
}

// Table writes an outcome as an aligned text table, worst first: state,
// node, kind, users and the chain of causes that explains the state, then a
// summary line.
func Table(w io.Writer, o *analyze.Outcome, opts TableOptions) error {
	c := o.Compiled()
	ew := &errWriter{w: w}
	name := c.Name()
	if name == "" {
		name = "model"
	}
	fmt.Fprintf(ew, "%s: remove %s\n\n", name, strings.Join(scenarioLabels(c, o.Scenario, ""), ", "))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tNODE\tKIND\tUSERS\tWHY")
	for _, e := range o.Sorted() {
		if e.Replica && !opts.Replicas {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.State, e.ID, kindLabel(e), users(e.Users), Why(o, e))
	}
	tw.Flush()
	fmt.Fprintf(ew, "\n%s\n", Summary(o))
	return ew.err
}

func kindLabel(e analyze.Effect) string {
	if e.Replica {
		return "replica"
	}
	return e.Kind.String()
}

// scenarioLabels names each removed node with its kind and, when it has
// one, its repair time: "site pangyo for 11h". never is what a failure
// without a repair time gets ("" in reports about the moment of failure,
// " for good" in timelines).
func scenarioLabels(c *graph.Compiled, sc analyze.Scenario, never string) []string {
	out := make([]string, len(sc.Failures))
	for i, f := range sc.Failures {
		label := f.ID
		if v, ok := c.Lookup(f.ID); ok {
			if c.VertexKind(v) == graph.ReplicaVertex {
				label = "replica " + f.ID
			} else {
				label = c.Kind(v).String() + " " + f.ID
			}
		}
		if f.For > 0 {
			label += " for " + Hours(f.For)
		} else {
			label += never
		}
		out[i] = label
	}
	if len(out) == 0 {
		return []string{"nothing"}
	}
	return out
}

// Why explains an effect in one line: "removed", or the chain of causes
// after the node itself ("kakao-login → kakaotalk → kakaotalk@pangyo →
// pangyo"), with the capacity left when the node runs at several sites.
func Why(o *analyze.Outcome, e analyze.Effect) string {
	return why(o, e, func(id string) string { return id })
}

// why is Why with each node id formatted by id (Markdown makes them code).
func why(o *analyze.Outcome, e analyze.Effect, id func(string) string) string {
	if e.Removed {
		return "removed"
	}
	var b strings.Builder
	if e.Need > 0 && e.Live < e.Base {
		fmt.Fprintf(&b, "capacity left %d of %d (needs %d): ", e.Live, e.Base, e.Need)
	}
	chain := o.Chain(e.ID)
	if e.State == analyze.RedundancyLost {
		b.WriteString(lostInputs(o, e.ID, id))
	} else if len(chain) > 1 {
		soft := false
		for _, cs := range o.Causes(e.ID) {
			if cs.ID == chain[1] && cs.Soft {
				soft = true
			}
		}
		if soft {
			b.WriteString("uses ")
		}
		for i, c := range chain[1:] {
			if i > 0 {
				b.WriteString(" → ")
			}
			b.WriteString(id(c))
		}
	}
	return strings.TrimSuffix(b.String(), ": ")
}

// lostInputs lists the inputs of a node that lost redundancy that are not
// Up, "db@a down, cache degraded", each once though it may sit in several
// of the node's groups.
func lostInputs(o *analyze.Outcome, node string, id func(string) string) string {
	var b strings.Builder
	seen := make(map[string]bool)
	for _, cs := range o.Causes(node) {
		if seen[cs.ID] {
			continue
		}
		seen[cs.ID] = true
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id(cs.ID) + " " + cs.State.String())
	}
	return b.String()
}

// Summary is the outcome's totals in one line.
func Summary(o *analyze.Outcome) string {
	t := o.Totals
	s := fmt.Sprintf("%d down (%s, %s user-services", t.Down, plural(t.ServicesDown, "service"), count(t.UsersDown))
	if t.MaxUsersDown > 0 {
		s += fmt.Sprintf(", at least %s people", count(t.MaxUsersDown))
	}
	s += fmt.Sprintf("), %d degraded (%s, %s user-services), %d up with redundancy lost",
		t.Degraded, plural(t.ServicesDegraded, "service"), count(t.UsersDegraded), t.RedundancyLost)
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// users formats a user count for a table cell; 0 prints as "-".
func users(n int64) string {
	if n == 0 {
		return "-"
	}
	return count(n)
}

// count formats n with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// errWriter keeps the first write error so report code can write freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
