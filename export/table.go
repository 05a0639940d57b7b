package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// TableOptions control Table.
type TableOptions struct {
	// Replicas lists placements ("kakaotalk@pangyo") as rows of their own;
	// by default they appear only in cause chains.
	Replicas bool
	// FullChains prints every chain of causes in full; by default a chain
	// is cut after ChainLinks links with "… N more", which keeps the table
	// linear in the outcome (every row names its cause, so the rest of a
	// chain can be read off the rows below).
	FullChains bool
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
	// The columns are aligned as text/tabwriter aligns them (each as wide
	// as its widest cell plus two spaces), but in two passes: the widths
	// of the four short columns first, then each row written at once, so
	// a million-row table is not held in memory. WHY, the last column,
	// needs no width.
	sorted := o.Sorted() // a fresh copy: filtered in place
	rows := sorted[:0]
	for _, e := range sorted {
		if !e.Replica || opts.Replicas {
			rows = append(rows, e)
		}
	}
	header := [4]string{"STATE", "NODE", "KIND", "USERS"}
	var width [4]int
	for k, h := range header {
		width[k] = utf8.RuneCountInString(h)
	}
	cells := func(e analyze.Effect) [4]string {
		return [4]string{shownEffect(e).String(), e.ID, kindLabel(e), users(e.Users)}
	}
	for _, e := range rows {
		for k, s := range cells(e) {
			width[k] = max(width[k], utf8.RuneCountInString(s))
		}
	}
	bw := bufio.NewWriter(ew)
	var row []byte // one line, reused
	start := func(cs [4]string) { row = appendCells(row[:0], cs[:], width[:]) }
	start(header)
	bw.Write(append(row, "WHY\n"...))
	x := newExplainer(o, opts.FullChains)
	for _, e := range rows {
		start(cells(e))
		row = append(x.appendWhy(row, e), '\n')
		bw.Write(row)
	}
	bw.Flush()
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

// Summary is the outcome's totals in one line.
func Summary(o *analyze.Outcome) string {
	t := o.Totals
	s := fmt.Sprintf("%s down (%s, %s user-services", count(t.Down), plural(t.ServicesDown, "service"), count(t.UsersDown))
	if t.MaxUsersDown > 0 {
		s += fmt.Sprintf(", at least %s people", count(t.MaxUsersDown))
	}
	s += fmt.Sprintf("), %s degraded (%s, %s user-services), %s up with redundancy lost",
		count(t.Degraded), plural(t.ServicesDegraded, "service"), count(t.UsersDegraded), count(t.RedundancyLost))
	return s
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

// The cells of the two-pass tables (Table, RankTable, SPOFTable,
// RedundancyTable): a cell is padded to its column's width plus two
// spaces, as text/tabwriter pads with NewWriter(w, 0, 0, 2, ' ', 0);
// widths count runes, as tabwriter does. The numbers are written without
// a string per cell: countWidth is len(count(n)) and appendCount appends
// count(n), which a test holds equal.

// spaces is the padding appendPadded copies from.
const spaces = "                                                                "

// appendPadded appends s, of n runes, and the spaces that take it to
// width plus two.
func appendPadded(b []byte, s string, n, width int) []byte {
	b = append(b, s...)
	for pad := width - n + 2; pad > 0; pad -= len(spaces) {
		b = append(b, spaces[:min(pad, len(spaces))]...)
	}
	return b
}

// appendCells appends each of cells padded to its column's width.
func appendCells(b []byte, cells []string, width []int) []byte {
	for k, s := range cells {
		b = appendPadded(b, s, utf8.RuneCountInString(s), width[k])
	}
	return b
}

// appendCountPadded is appendPadded of count(n).
func appendCountPadded(b []byte, n int64, width int) []byte {
	start := len(b)
	b = appendCount(b, n)
	return appendPadded(b, "", len(b)-start, width)
}

// appendUsersPadded is appendPadded of users(n).
func appendUsersPadded(b []byte, n int64, width int) []byte {
	if n == 0 {
		return appendPadded(b, "-", 1, width)
	}
	return appendCountPadded(b, n, width)
}

// appendCount appends count(n) to b: n with thousands separators.
func appendCount(b []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		b = append(b, '-')
		u = -u // the magnitude, also of math.MinInt64
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d)
	}
	return b
}

// countWidth is len(count(n)), without formatting n.
func countWidth(n int64) int {
	u, w := uint64(n), 0
	if n < 0 {
		u, w = -u, 1
	}
	digits := 1
	for ; u >= 10; u /= 10 {
		digits++
	}
	return w + digits + (digits-1)/3
}

// usersWidth is len(users(n)).
func usersWidth(n int64) int {
	if n == 0 {
		return 1
	}
	return countWidth(n)
}
