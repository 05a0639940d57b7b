package policy

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
)

// NoUndeclared demands that every dependency of the selected nodes seen in
// traffic is declared: that no selected node carries callees in its
// importer.UndeclaredLabel label (blastradius.dev/undeclared).
//
// The observations come with the model: `blastradius import` (importer.Merge)
// compares what the traces saw with what the catalog, the manifests and
// the overlay declare, adds each call declared nowhere to the model as a
// hard dependency, and labels the caller with the callees. A check of the
// written model then fails until the catalog (or the overlay) declares
// them and the model is imported again: the gate sees the traces of the
// import, not live traffic. A model written by hand has no such label and
// passes.
func NoUndeclared(s Selector) Rule { return &noUndeclared{sel: s} }

func init() { register("no_undeclared", decodeNoUndeclared, "select") }

type noUndeclared struct {
	meta
	sel Selector
}

func decodeNoUndeclared(f *ruleFields) Rule {
	r := &noUndeclared{}
	if x := f.vals["select"]; x != nil {
		r.sel = f.d.selector(x, f.field("select"))
	}
	return r
}

func (r *noUndeclared) Name() string { return "no_undeclared" }

func (r *noUndeclared) String() string {
	return fmt.Sprintf("every dependency of %s seen in traffic is declared", r.sel)
}

func (r *noUndeclared) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	return &undeclaredEval{sel: sel}, probs
}

type undeclaredEval struct{ sel []bool }

// eval lists one violation per caller and undeclared callee, the callers
// with the most users first.
func (ev *undeclaredEval) eval(e *env) (RuleResult, error) {
	c := e.c
	type pair struct {
		v  int32
		to string
	}
	kp := keeper[pair]{k: e.p.limit, cmp: func(a, b pair) int {
		return cmp.Or(cmp.Compare(c.Users(b.v), c.Users(a.v)), cmp.Compare(c.VertexName(a.v), c.VertexName(b.v)), cmp.Compare(a.to, b.to))
	}}
	for v, s := range ev.sel {
		if !s {
			continue
		}
		label := c.Labels(int32(v))[importer.UndeclaredLabel]
		for _, to := range strings.Split(label, ",") {
			if to = strings.TrimSpace(to); to != "" {
				kp.offer(pair{int32(v), to})
			}
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0, Selected: count(ev.sel)}
	for _, pr := range kp.sorted() {
		viol := Violation{Node: c.VertexName(pr.v), Pos: c.Pos(pr.v), Removed: pr.to}
		if w, ok := c.Lookup(pr.to); ok {
			viol.RemovedKind = c.Kind(w)
		}
		rr.Violations = append(rr.Violations, viol)
	}
	return rr, nil
}
