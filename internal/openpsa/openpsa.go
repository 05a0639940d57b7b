// Package openpsa writes the Down structure function of a compiled model's
// target as an Open-PSA Model Exchange Format (MEF) fault tree and runs the
// SCRAM fault-tree tool on it, so that tests can check blastradius's cut
// sets and probabilities against an independent implementation.
//
// The MEF is specified at https://open-psa.github.io/mef/ and SCRAM
// (https://scram-pra.org, Debian package scram) implements it. Only what the
// tests need is written: one fault tree, AND/OR gates, basic events, and
// house events for constants.
//
// SCRAM writes every number of its report to 6 significant digits; a run
// with RunOptions.Exact (see NewExact) gets every bit of them from a copy
// of SCRAM's library patched to write them in C's hexadecimal notation,
// and SameDigits holds such a report equal to SCRAM's ordinary one.
package openpsa

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
)

// Options says which vertices fail on their own and how likely that is.
type Options struct {
	// Event reports whether vertex v fails on its own (gets a basic
	// event). Nil: every model node (NodeVertex) except the target, which
	// is what blastradius's cut sets range over by default.
	Event func(v int32) bool
	// Probability is the probability of v's basic event, written as a
	// float expression when set (SCRAM needs it for --probability).
	Probability func(v int32) float64
}

// op is what a formula node computes.
type op uint8

const (
	opFalse op = iota
	opTrue
	opEvent
	opOr
	opAnd
)

// formula is one node of the structure function's DAG; nodes are interned
// (hash-consed) so that a shared sub-formula is one gate.
type formula struct {
	op    op
	event int32   // opEvent: the vertex whose basic event it is
	args  []int32 // opOr, opAnd: formula ids, sorted, distinct
}

// Tree is the Down structure function of one target: Down(target) as a
// DAG of AND/OR formulas over basic events, one per vertex that fails on
// its own. The target's own basic event is left out: a target is not a cut
// set of itself.
type Tree struct {
	c      *graph.Compiled
	target int32
	opts   Options
	nodes  []formula
	intern map[string]int32
	top    int32
	events []int32 // vertices with a basic event used by the tree, sorted
}

// Const reports whether Down(target) is a constant, and which: false when
// no failure of the events can take the target Down, true when it is Down
// with nothing failed.
func (t *Tree) Const() (constant, value bool) {
	switch t.nodes[t.top].op {
	case opFalse:
		return true, false
	case opTrue:
		return true, true
	}
	return false, false
}

// Events returns the vertices whose basic events the tree uses, sorted.
func (t *Tree) Events() []int32 { return t.events }

// EventName is the MEF name of vertex v's basic event. Vertex names hold
// characters MEF identifiers may not ('@', '[', '.'), so events are named
// by vertex number; EventVertex maps them back.
func EventName(v int32) string { return "e" + strconv.Itoa(int(v)) }

// EventVertex is the vertex of a basic event named by EventName.
func EventVertex(name string) (int32, bool) {
	if !strings.HasPrefix(name, "e") {
		return 0, false
	}
	n, err := strconv.ParseInt(name[1:], 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

// CycleError reports that the target's cone has a cycle of hard inputs:
// a fault tree is acyclic, so the least fixpoint blastradius computes
// through cycles has no MEF form here.
type CycleError struct{ Vertex string }

func (e *CycleError) Error() string {
	return fmt.Sprintf("the hard inputs of %s form a cycle: a fault tree must be acyclic", e.Vertex)
}

// Convert builds the Down structure function of target from c's gates
// under the engine's semantics at t=0: a vertex is Down when its basic
// event occurs or its gate is Down; an And gate is Down when any hard
// input is; a Threshold gate is Down when its live weight is below its
// floor, that is when the weight of its Down inputs is at least
// Base-Floor+1. A threshold is written as AND/OR formulas (a sum over the
// inputs in order, memoized on the weight still to lose), never as MEF's
// atleast: SCRAM 0.16.2 mishandles an atleast gate that receives the same
// argument twice. Soft inputs never make anything Down and are left out.
// It fails with a *CycleError when the target's hard cone has a cycle.
func Convert(c *graph.Compiled, target int32, opts Options) (*Tree, error) {
	if opts.Event == nil {
		n := int32(c.NodeCount())
		opts.Event = func(v int32) bool { return v < n }
	}
	t := &Tree{c: c, target: target, opts: opts, intern: map[string]int32{}}
	t.add(formula{op: opFalse})
	t.add(formula{op: opTrue})
	down := make(map[int32]int32) // vertex → formula of Down(v)
	// state: 0 unseen, 1 on the DFS stack, 2 done.
	state := make(map[int32]uint8)
	var visit func(v int32) error
	visit = func(v int32) error {
		switch state[v] {
		case 1:
			return &CycleError{Vertex: c.VertexName(v)}
		case 2:
			return nil
		}
		state[v] = 1
		ins, _ := c.Inputs(v)
		for _, u := range ins {
			if err := visit(u); err != nil {
				return err
			}
		}
		state[v] = 2
		g := t.gate(v, down)
		if v != target && opts.Event(v) {
			g = t.or([]int32{t.add(formula{op: opEvent, event: v}), g})
		}
		down[v] = g
		return nil
	}
	// The walk recurses once per link of the deepest chain of hard
	// inputs: the models tests convert are far shallower than the stack.
	if err := visit(target); err != nil {
		return nil, err
	}
	t.top = down[target] // visit gave the target no event of its own
	seen := map[int32]bool{}
	var walk func(f int32)
	walk = func(f int32) {
		if seen[f] {
			return
		}
		seen[f] = true
		n := t.nodes[f]
		if n.op == opEvent {
			t.events = append(t.events, n.event)
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	walk(t.top)
	slices.Sort(t.events)
	return t, nil
}

// gate is the formula of v's hard gate being Down.
func (t *Tree) gate(v int32, down map[int32]int32) int32 {
	ins, ws := t.c.Inputs(v)
	if t.c.Op(v) != graph.Threshold {
		args := make([]int32, len(ins))
		for i, u := range ins {
			args[i] = down[u]
		}
		return t.or(args)
	}
	g := t.c.Gate(v)
	var xs []int32
	var wx []int64
	for i, u := range ins {
		if ws[i] > 0 { // a standby that carries nothing at t=0 never matters
			xs = append(xs, down[u])
			wx = append(wx, ws[i])
		}
	}
	// suffix[i] is the weight of inputs i.. : what is left to lose.
	suffix := make([]int64, len(xs)+1)
	for i := len(xs) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + wx[i]
	}
	type key struct {
		i int
		r int64
	}
	memo := map[key]int32{}
	// lost(i, r): the Down inputs among i.. weigh at least r.
	var lost func(i int, r int64) int32
	lost = func(i int, r int64) int32 {
		if r <= 0 {
			return 1 // true
		}
		if suffix[i] < r {
			return 0 // false
		}
		k := key{i, r}
		if f, ok := memo[k]; ok {
			return f
		}
		f := t.or([]int32{t.and([]int32{xs[i], lost(i+1, r-wx[i])}), lost(i+1, r)})
		memo[k] = f
		return f
	}
	return lost(0, g.Base-g.Floor+1)
}

func (t *Tree) add(f formula) int32 {
	var b strings.Builder
	b.WriteByte(byte('0' + f.op))
	b.WriteString(strconv.Itoa(int(f.event)))
	for _, a := range f.args {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(int(a)))
	}
	k := b.String()
	if id, ok := t.intern[k]; ok {
		return id
	}
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, f)
	t.intern[k] = id
	return id
}

// or is the disjunction of args, simplified: false args dropped, true
// absorbing, duplicates merged, one argument itself.
func (t *Tree) or(args []int32) int32 { return t.connect(opOr, args, 0, 1) }

// and is the conjunction of args, simplified likewise.
func (t *Tree) and(args []int32) int32 { return t.connect(opAnd, args, 1, 0) }

// connect builds op over args, where unit is its identity constant and
// zero its absorbing one (formula ids 0 false, 1 true).
func (t *Tree) connect(o op, args []int32, unit, zero int32) int32 {
	var keep []int32
	for _, a := range args {
		switch {
		case a == zero:
			return zero
		case a == unit:
			continue
		case t.nodes[a].op == o:
			keep = append(keep, t.nodes[a].args...) // flatten
		default:
			keep = append(keep, a)
		}
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	switch len(keep) {
	case 0:
		return unit
	case 1:
		return keep[0]
	}
	return t.add(formula{op: o, args: keep})
}

// WriteXML writes the tree as an MEF document: one fault tree named after
// the model, whose gate "top" is Down(target).
func (t *Tree) WriteXML(w io.Writer) error { return WriteForest(w, []*Tree{t}) }

// TopName is the name of the top gate of trees[i] in a forest: "top" for a
// forest of one tree, "top<i>" otherwise.
func TopName(i, n int) string {
	if n == 1 {
		return "top"
	}
	return "top" + strconv.Itoa(i)
}

// WriteForest writes several trees of one model as one MEF document, so
// that one SCRAM run analyses them all: tree i is fault tree "ft<i>" with
// top gate TopName(i, len(trees)) and gates prefixed by it; the basic
// events are shared.
func WriteForest(w io.Writer, trees []*Tree) error {
	return writeTrees(w, trees, make([]int, len(trees)), func(_ int, v int32) string { return EventName(v) })
}

// WriteBatch writes trees of one or more models as one MEF document, as
// WriteForest does, except that the basic events of the k-th model to
// appear among the trees (a *graph.Compiled) are named BatchEventName(k,
// v) and shared by that model's trees only: one SCRAM run for the targets
// of many small models, SCRAM's start costing far more than their trees.
func WriteBatch(w io.Writer, trees []*Tree) error {
	return writeTrees(w, trees, batchModels(trees), BatchEventName)
}

// BatchEventName is the MEF name of vertex v's basic event in the k-th
// model of a batch (see WriteBatch): "m<k>e<v>".
func BatchEventName(k int, v int32) string {
	return "m" + strconv.Itoa(k) + EventName(v)
}

// batchModels numbers the models of trees in order of first appearance:
// the k of each tree's events.
func batchModels(trees []*Tree) []int {
	num := map[*graph.Compiled]int{}
	ks := make([]int, len(trees))
	for i, t := range trees {
		k, ok := num[t.c]
		if !ok {
			k = len(num)
			num[t.c] = k
		}
		ks[i] = k
	}
	return ks
}

// writeTrees writes trees as one MEF document, tree i's events those of
// model ks[i] named by name; each event is defined once, with the label
// and probability of the first tree of its model.
func writeTrees(w io.Writer, trees []*Tree, ks []int, name func(k int, v int32) string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opsa-mef>\n")
	type event struct {
		k int
		v int32
	}
	events := map[event]bool{}
	first := map[int]*Tree{} // the first tree of each model
	for i, t := range trees {
		k := ks[i]
		t.writeTree(bw, i, TopName(i, len(trees)), func(v int32) string { return name(k, v) })
		for _, v := range t.events {
			events[event{k, v}] = true
		}
		if first[k] == nil {
			first[k] = t
		}
	}
	if len(trees) > 0 {
		p("  <model-data>\n")
		p("    <define-house-event name=\"never\"><constant value=\"false\"/></define-house-event>\n")
		p("    <define-house-event name=\"always\"><constant value=\"true\"/></define-house-event>\n")
		es := make([]event, 0, len(events))
		for e := range events {
			es = append(es, e)
		}
		slices.SortFunc(es, func(a, b event) int { return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.v, b.v)) })
		for _, e := range es {
			t := first[e.k]
			p("    <define-basic-event name=\"%s\">\n      <label>%s</label>\n", name(e.k, e.v), xmlText(t.c.VertexName(e.v)))
			if t.opts.Probability != nil {
				p("      <float value=\"%s\"/>\n", strconv.FormatFloat(t.opts.Probability(e.v), 'g', -1, 64))
			}
			p("    </define-basic-event>\n")
		}
		p("  </model-data>\n")
	}
	p("</opsa-mef>\n")
	return bw.Flush()
}

// writeTree writes t as fault tree "ft<i>" whose top gate is named top,
// its basic events named by event.
func (t *Tree) writeTree(bw *bufio.Writer, i int, top string, event func(v int32) string) {
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("  <define-fault-tree name=\"ft%d\">\n", i)
	p("    <label>Down(%s) of model %s</label>\n", xmlText(t.c.VertexName(t.target)), xmlText(t.c.Name()))
	arg := func(f int32) string {
		switch n := t.nodes[f]; n.op {
		case opFalse:
			return `<house-event name="never"/>`
		case opTrue:
			return `<house-event name="always"/>`
		case opEvent:
			return `<basic-event name="` + event(n.event) + `"/>`
		}
		return `<gate name="` + top + `g` + strconv.Itoa(int(f)) + `"/>`
	}
	// Gates in id order: every argument has a smaller id than its gate.
	seen := map[int32]bool{}
	var mark func(f int32)
	mark = func(f int32) {
		if seen[f] {
			return
		}
		seen[f] = true
		for _, a := range t.nodes[f].args {
			mark(a)
		}
	}
	mark(t.top)
	ids := make([]int32, 0, len(seen))
	for f := range seen {
		if o := t.nodes[f].op; o == opOr || o == opAnd {
			ids = append(ids, f)
		}
	}
	slices.Sort(ids)
	p("    <define-gate name=\"%s\">\n      %s\n    </define-gate>\n", top, arg(t.top))
	for _, f := range ids {
		n := t.nodes[f]
		conn := "or"
		if n.op == opAnd {
			conn = "and"
		}
		p("    <define-gate name=\"%sg%d\">\n      <%s>", top, f, conn)
		for _, a := range n.args {
			p("\n        %s", arg(a))
		}
		p("\n      </%s>\n    </define-gate>\n", conn)
	}
	p("  </define-fault-tree>\n")
}

// xmlText escapes s for XML character data.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SortSets sorts each set and the sets (by length, then element by
// element): the order tests compare cut sets in.
func SortSets(sets [][]int32) {
	for _, s := range sets {
		slices.Sort(s)
	}
	slices.SortFunc(sets, func(a, b []int32) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), slices.Compare(a, b))
	})
}

// Eval evaluates Down(target) when the basic events of the vertices that
// failed reports occur: the tree's own semantics, for tests that hold it
// equal to the engine's.
func (t *Tree) Eval(failed func(v int32) bool) bool {
	memo := make(map[int32]bool)
	var ev func(f int32) bool
	ev = func(f int32) bool {
		if r, ok := memo[f]; ok {
			return r
		}
		n := t.nodes[f]
		var r bool
		switch n.op {
		case opTrue:
			r = true
		case opEvent:
			r = failed(n.event)
		case opOr:
			for _, a := range n.args {
				if ev(a) {
					r = true
					break
				}
			}
		case opAnd:
			r = true
			for _, a := range n.args {
				if !ev(a) {
					r = false
					break
				}
			}
		}
		memo[f] = r
		return r
	}
	return ev(t.top)
}
