package policy

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/blastradius-go/blastradius/graph"
)

// SitesAtLeast demands that the selected nodes serve from at least n sites
// (replicas that are active or mirrors: a hot, warm or cold standby does not
// serve at the moment of failure), and, when n is 2 or more, that the sites
// other than the largest carry the node's demand: the node survives its
// largest site's loss at full capacity.
func SitesAtLeast(n int, s Selector) Rule { return &sitesAtLeast{n: n, sel: s} }

func init() { register("sites_at_least", decodeSitesAtLeast, "sites", "select") }

type sitesAtLeast struct {
	meta
	n   int
	sel Selector
}

func decodeSitesAtLeast(f *ruleFields) Rule {
	r := &sitesAtLeast{}
	d := f.d
	if x := f.need("sites", "how many sites, e.g. 2"); x != nil {
		if n, ok := d.Integer(x, f.field("sites")); ok {
			if n < 1 {
				d.Add(x.Line, f.field("sites"), "must be at least 1, got %d", n)
			}
			r.n = int(min(max(n, 0), 1<<31-1))
		}
	}
	if x := f.need("select", "which nodes, e.g. {tier: 0}"); x != nil {
		r.sel = d.selector(x, f.field("select"))
	}
	return r
}

func (r *sitesAtLeast) Name() string { return "sites_at_least" }

func (r *sitesAtLeast) String() string {
	if r.n >= 2 {
		return fmt.Sprintf("%s serve from at least %d sites and carry their demand without the largest", r.sel, r.n)
	}
	return fmt.Sprintf("%s serve from at least %d site", r.sel, r.n)
}

func (r *sitesAtLeast) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.n < 1 {
		probs = append(probs, graph.Problem{Pos: r.at("sites"), Field: path + ".sites", Msg: fmt.Sprintf("must be at least 1, got %d", r.n)})
	}
	return &sitesEval{r: r, sel: sel}, probs
}

type sitesEval struct {
	r   *sitesAtLeast
	sel []bool
}

func (ev *sitesEval) eval(e *env) (RuleResult, error) {
	c, n := e.c, ev.r.n
	kp := keeper[int32]{k: e.p.limit, cmp: func(a, b int32) int {
		return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(c.VertexName(a), c.VertexName(b)))
	}}
	for v, s := range ev.sel {
		if s && !e.p.placement(int32(v)).enough(n) {
			kp.offer(int32(v))
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0, Selected: count(ev.sel)}
	for _, v := range kp.sorted() {
		pl := e.p.placement(v)
		viol := Violation{Node: c.VertexName(v), Placement: pl.export(c, n)}
		if len(pl.serving) > 0 {
			viol.Removed, viol.RemovedKind = c.VertexName(pl.serving[0].site), graph.Site
		}
		rr.Violations = append(rr.Violations, viol)
	}
	return rr, nil
}

// placement is where a node serves from: the capacity each site gives it
// at the moment of failure (active replicas and mirrors), the standby
// capacity that would come later, and its demand.
type placement struct {
	serving, standby []siteCap // by site, largest first
	need             int64
	weighted         bool // replicas give capacities (else each counts 1)
}

type siteCap struct {
	site int32
	cap  int64
	tier graph.Standby // the standby tier, for standby capacity
}

func (p *plan) placement(v int32) *placement {
	if p.place == nil {
		p.place = make([]*placement, p.c.NodeCount())
	}
	if pl := p.place[v]; pl != nil {
		return pl
	}
	c := p.c
	pl := &placement{need: 1}
	add := func(list *[]siteCap, site int32, capacity int64, tier graph.Standby) {
		for i := range *list {
			if (*list)[i].site == site {
				(*list)[i].cap += capacity
				return
			}
		}
		*list = append(*list, siteCap{site: site, cap: capacity, tier: tier})
	}
	if cv := c.CapacityVertex(v); cv >= 0 {
		pl.need = c.Need(cv)
		ins, ws := c.Inputs(cv)
		caps := c.InputCapacity(cv)
		for i, rv := range ins {
			if c.VertexKind(rv) != graph.ReplicaVertex {
				continue
			}
			if caps[i] != 1 {
				pl.weighted = true
			}
			if ws[i] > 0 {
				add(&pl.serving, c.ReplicaSite(rv), ws[i], graph.Active)
			} else {
				add(&pl.standby, c.ReplicaSite(rv), caps[i], c.Standby(rv))
			}
		}
		pl.weighted = pl.weighted || pl.need != 1
	} else {
		ins, _ := c.Inputs(v)
		for _, u := range ins {
			if c.VertexKind(u) == graph.NodeVertex && c.Kind(u) == graph.Site {
				add(&pl.serving, u, 1, graph.Active)
			}
		}
	}
	// Standby capacity at a site that also serves is not a separate site.
	pl.standby = slices.DeleteFunc(pl.standby, func(s siteCap) bool {
		return slices.ContainsFunc(pl.serving, func(t siteCap) bool { return t.site == s.site })
	})
	bySize := func(a, b siteCap) int { return cmp.Compare(b.cap, a.cap) }
	slices.SortStableFunc(pl.serving, bySize)
	slices.SortStableFunc(pl.standby, bySize)
	p.place[v] = pl
	return pl
}

// withoutLargest is the serving capacity left when the largest site is lost.
func (pl *placement) withoutLargest() int64 {
	var total int64
	for _, s := range pl.serving[min(1, len(pl.serving)):] {
		total += s.cap
	}
	return total
}

func (pl *placement) redundant() bool {
	return len(pl.serving) >= 2 && pl.withoutLargest() >= pl.need
}

// enough tells whether the node serves from at least n sites and, for n >=
// 2, carries its demand without the largest.
func (pl *placement) enough(n int) bool {
	if len(pl.serving) < n {
		return false
	}
	return n < 2 || pl.withoutLargest() >= pl.need
}

// export returns the placement as reports read it.
func (pl *placement) export(c *graph.Compiled, n int) *Placement {
	list := func(l []siteCap) []SiteCapacity {
		out := make([]SiteCapacity, len(l))
		for i, s := range l {
			out[i] = SiteCapacity{Site: c.VertexName(s.site), Capacity: s.cap, Standby: s.tier}
		}
		return out
	}
	return &Placement{Serving: list(pl.serving), Standby: list(pl.standby), Demand: pl.need, Weighted: pl.weighted,
		Want: n, Short: len(pl.serving) < n, WithoutLargest: pl.withoutLargest()}
}
