package policy

import (
	"cmp"
	"fmt"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// SurviveSiteLoss demands that the selected nodes stay Up (with or without
// margin left) whichever one site is lost: neither Down nor Degraded. On a
// model without sites the rule fails (nothing shows that the nodes would
// survive one's loss).
func SurviveSiteLoss(s Selector) Rule { return &survive{sel: s, kind: graph.Site} }

// SurviveRegionLoss demands that the selected nodes stay Up whichever one
// region (with all its sites) is lost; on a model without regions it fails.
func SurviveRegionLoss(s Selector) Rule { return &survive{sel: s, kind: graph.Region} }

func init() {
	register("survive_site_loss", func(f *ruleFields) Rule { return decodeSurvive(f, graph.Site) }, "select")
	register("survive_region_loss", func(f *ruleFields) Rule { return decodeSurvive(f, graph.Region) }, "select")
}

type survive struct {
	meta
	sel  Selector
	kind graph.Kind // Site or Region
}

func decodeSurvive(f *ruleFields, kind graph.Kind) Rule {
	r := &survive{kind: kind}
	if x := f.need("select", "which nodes must survive, e.g. {tier: 0}"); x != nil {
		r.sel = f.d.selector(x, f.field("select"))
	}
	return r
}

func (r *survive) Name() string {
	if r.kind == graph.Region {
		return "survive_region_loss"
	}
	return "survive_site_loss"
}

func (r *survive) String() string {
	return fmt.Sprintf("%s stay up when any one %s is lost", r.sel, r.kind)
}

func (r *survive) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.kind == graph.Region {
		p.regions = true
	} else {
		p.sites = true
	}
	return &surviveEval{r: r, sel: sel}, probs
}

type surviveEval struct {
	r   *survive
	sel []bool
}

type lossHit struct {
	v     int32
	loss  int // index in env.sites or env.regions
	state analyze.State
	users int64
	id    string
}

func (ev *surviveEval) eval(e *env) (RuleResult, error) {
	losses := e.sites
	if ev.r.kind == graph.Region {
		losses = e.regions
	}
	kp := keeper[lossHit]{k: e.p.limit, cmp: func(a, b lossHit) int {
		return cmp.Or(cmp.Compare(b.state, a.state), cmp.Compare(b.users, a.users), cmp.Compare(a.id, b.id), cmp.Compare(a.loss, b.loss))
	}}
	// The selected nodes' states, looked up in each outcome: building the
	// Effects of outcomes that reach most of a catalog was a tenth of a
	// Check of 1,000,000 nodes, and a gigabyte.
	c := e.c
	var sel []int32
	for v, s := range ev.sel {
		if s {
			sel = append(sel, int32(v))
		}
	}
	for i, l := range losses {
		for _, v := range sel {
			st := l.o.VertexState(v)
			if v == l.v || (st != analyze.Down && st != analyze.Degraded) { // the lost node itself is removed, not a violation
				continue
			}
			kp.offer(lossHit{v: v, loss: i, state: st, users: c.Users(v), id: c.VertexName(v)})
		}
	}
	// Fail closed: with nothing to lose, nothing shows the nodes survive.
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && len(losses) > 0,
		Selected: count(ev.sel), Scenarios: len(losses)}
	for _, h := range kp.sorted() {
		l := losses[h.loss]
		v := Violation{Node: h.id, Removed: e.c.VertexName(l.v), RemovedKind: ev.r.kind, State: h.state}
		e.setChain(&v, l.o.Chain(h.id))
		rr.Violations = append(rr.Violations, v)
	}
	return rr, nil
}
