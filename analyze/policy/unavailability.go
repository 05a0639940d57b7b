package policy

import (
	"cmp"
	"errors"
	"fmt"
	"math"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// MaxUnavailability demands that each selected node be Down with
// probability at most max (analyze.Availability: failures independent,
// each node's own availability or mtbf/mttr). Where the exact computation
// gives way to bounds, the upper bound must be within max: a figure that
// cannot be shown to meet the limit breaks it. The rule fails closed when
// no selected node depends on anything with failure data: there is
// nothing to measure.
func MaxUnavailability(max float64, s Selector) Rule { return &maxUnavail{max: max, sel: s} }

func init() {
	register("max_unavailability", decodeMaxUnavail, "max", "availability", "select")
}

type maxUnavail struct {
	meta
	max float64
	sel Selector
}

// Unavailable is what a MaxUnavailability rule measured for one node:
// its unavailability (Got, the upper bound when not Exact), the limit,
// and the node that contributes most (highest Fussell-Vesely importance;
// "" for bounds).
type Unavailable struct {
	Node         string
	Got          float64
	Lower, Upper float64
	Exact        bool
	Max          float64
	Top          string
	TopKind      graph.Kind
	TopShare     float64 // Top's Fussell-Vesely importance
}

func decodeMaxUnavail(f *ruleFields) Rule {
	r := &maxUnavail{}
	d := f.d
	mx, av := f.vals["max"], f.vals["availability"]
	switch {
	case mx != nil && av != nil:
		d.Add(av.Line, f.field("availability"), "max and availability are exclusive: give the most unavailability (max: 0.1%%) or the least availability (availability: 99.9%%)")
	case mx != nil:
		if s, ok := d.Share(mx, f.field("max")); ok {
			if s >= 1 {
				d.Add(mx.Line, f.field("max"), "must be less than 100%% (a limit that every node meets checks nothing)")
			}
			r.max = s
		}
	case av != nil:
		if s, ok := d.Share(av, f.field("availability")); ok {
			if s <= 0 {
				d.Add(av.Line, f.field("availability"), "must be more than 0%% (a limit that every node meets checks nothing)")
			}
			r.max = 1 - s
		}
	default:
		d.Add(f.line, f.path, "give a limit: max (the most unavailability, such as 0.1%%) or availability (the least, such as 99.9%%)")
	}
	if x := f.need("select", "which nodes, e.g. {tier: 0}"); x != nil {
		r.sel = d.selector(x, f.field("select"))
	}
	return r
}

func (r *maxUnavail) Name() string { return "max_unavailability" }

func (r *maxUnavail) String() string {
	return fmt.Sprintf("%s are down at most %s of the time", r.sel, pctFine(r.max))
}

// pctFine is a percentage with the decimals a small share needs: "0.05%".
func pctFine(f float64) string {
	for d := 1; d <= 8; d++ {
		s := fmt.Sprintf("%.*f", d, 100*f)
		var back float64
		fmt.Sscanf(s, "%g", &back)
		if math.Abs(back/100-f) <= 1e-12 {
			return trimZeros(s) + "%"
		}
	}
	return fmt.Sprintf("%g%%", 100*f)
}

func trimZeros(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func (r *maxUnavail) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if !(r.max >= 0 && r.max < 1) {
		probs = append(probs, graph.Problem{Pos: r.at("max"), Field: path + ".max", Msg: fmt.Sprintf("must be a share from 0 to less than 1 (0%% to less than 100%%), got %v", r.max)})
	}
	return &unavailEval{r: r, sel: sel}, probs
}

type unavailEval struct {
	r   *maxUnavail
	sel []bool
}

func (ev *unavailEval) eval(e *env) (RuleResult, error) {
	c := e.c
	kp := keeper[*Unavailable]{k: e.p.limit, cmp: func(a, b *Unavailable) int {
		return cmp.Or(cmp.Compare(b.Got, a.Got), cmp.Compare(a.Node, b.Node))
	}}
	measured := 0
	var worst *Unavailable
	for v, s := range ev.sel {
		if !s {
			continue
		}
		if err := e.ctx.Err(); err != nil {
			return RuleResult{}, err
		}
		u, err := analyze.Availability(e.ctx, c, c.VertexName(int32(v)), analyze.AvailabilityOptions{})
		if errors.Is(err, analyze.ErrNoFailureData) {
			break // no node has any: nothing to measure, for any selected node
		}
		if err != nil {
			return RuleResult{}, err
		}
		if u.Basic == 0 {
			continue
		}
		measured++
		x := &Unavailable{Node: u.Target, Got: u.Probability, Lower: u.Lower, Upper: u.Upper, Exact: u.Exact, Max: ev.r.max}
		if len(u.Importance) > 0 {
			top := u.Importance[0]
			x.Top, x.TopKind, x.TopShare = top.ID, c.Kind(top.Vertex), top.FussellVesely
		}
		if worst == nil || x.Got > worst.Got {
			worst = x
		}
		if x.Got > ev.r.max {
			kp.offer(x)
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && measured > 0, Selected: count(ev.sel), Scenarios: measured, Unavailable: worst}
	for _, x := range kp.sorted() {
		v, _ := c.Lookup(x.Node)
		viol := Violation{Node: x.Node, Pos: c.Pos(v), State: analyze.Down, Unavailable: x}
		if x.Top != "" {
			viol.Removed, viol.RemovedKind = x.Top, x.TopKind
		}
		rr.Violations = append(rr.Violations, viol)
	}
	return rr, nil
}
