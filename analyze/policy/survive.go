package policy

import (
	"cmp"
	"fmt"
	"time"

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

// SurviveSiteLossWithin is SurviveSiteLoss with a tolerance: the
// selected nodes may be out after the loss of any one site, for good,
// but must be back (Up) within within, as analyze.Recover's timeline
// says: a hot standby that takes over in five minutes passes a within of
// 15m where a warm one fails.
func SurviveSiteLossWithin(s Selector, within time.Duration) Rule {
	return &survive{sel: s, kind: graph.Site, within: within}
}

// SurviveRegionLossWithin is SurviveRegionLoss with a tolerance, as
// SurviveSiteLossWithin.
func SurviveRegionLossWithin(s Selector, within time.Duration) Rule {
	return &survive{sel: s, kind: graph.Region, within: within}
}

func init() {
	register("survive_site_loss", func(f *ruleFields) Rule { return decodeSurvive(f, graph.Site) }, "select", "within")
	register("survive_region_loss", func(f *ruleFields) Rule { return decodeSurvive(f, graph.Region) }, "select", "within")
}

type survive struct {
	meta
	sel    Selector
	kind   graph.Kind    // Site or Region
	within time.Duration // the tolerance: 0 for none
}

// Within is the rule's tolerance, 0 for none.
func (r *survive) Within() time.Duration { return r.within }

func decodeSurvive(f *ruleFields, kind graph.Kind) Rule {
	r := &survive{kind: kind}
	if x := f.need("select", "which nodes must survive, e.g. {tier: 0}"); x != nil {
		r.sel = f.d.selector(x, f.field("select"))
	}
	if x := f.vals["within"]; x != nil {
		r.within = f.positiveDuration(x, "within", "leave it out to allow no outage at all")
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
	if r.within > 0 {
		return fmt.Sprintf("%s are back within %s when any one %s is lost for good", r.sel, durationText(r.within), r.kind)
	}
	return fmt.Sprintf("%s stay up when any one %s is lost", r.sel, r.kind)
}

func (r *survive) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.kind == graph.Region {
		p.regions = true
	} else {
		p.sites = true
	}
	ev := &surviveEval{r: r, sel: sel}
	if r.within > 0 {
		ev.key = p.recoverLosses(r.kind, 0)
	}
	return ev, probs
}

type surviveEval struct {
	r   *survive
	sel []bool
	key recoverKey // with a tolerance: the timelines of losses for good
}

type lossHit struct {
	v     int32
	loss  int // index in env.sites or env.regions
	state analyze.State
	users int64
	id    string
}

func (ev *surviveEval) eval(e *env) (RuleResult, error) {
	if ev.r.within > 0 {
		return e.late(ev.key, ev.sel, func(int32) (time.Duration, bool) { return ev.r.within, false })
	}
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
			st := e.state(l, v)
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
		if err := e.lossChain(&v, l, h.id); err != nil {
			return RuleResult{}, err
		}
		rr.Violations = append(rr.Violations, v)
	}
	return rr, nil
}
