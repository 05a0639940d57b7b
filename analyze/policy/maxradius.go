package policy

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Limit bounds a blast radius: a zero field sets no bound.
type Limit struct {
	// Nodes is the most other nodes a single failure may take Down.
	Nodes int
	// Users is the largest share (0 to 1) of all users that the nodes a
	// single failure takes Down, other than itself, may have.
	Users float64
}

// MaxBlastRadius demands that no single failure of a node that is not
// infrastructure (site, region, power, network), nor one that matches one of
// ignore, takes more than the limit Down with it. The failed node itself is
// not counted: the rule is about what a failure takes along.
func MaxBlastRadius(l Limit, ignore ...Selector) Rule { return &maxRadius{lim: l, ignore: ignore} }

func init() { register("max_blast_radius", decodeMaxRadius, "nodes", "users", "ignore") }

type maxRadius struct {
	meta
	lim    Limit
	ignore []Selector
}

func decodeMaxRadius(f *ruleFields) Rule {
	r := &maxRadius{}
	d := f.d
	if x := f.vals["nodes"]; x != nil {
		if n, ok := d.Integer(x, f.field("nodes")); ok {
			if n <= 0 {
				d.Add(x.Line, f.field("nodes"), "must be > 0, got %d (leave it out for no limit on nodes)", n)
			} else {
				r.lim.Nodes = int(min(n, 1<<31-1))
			}
		}
	}
	if x := f.vals["users"]; x != nil {
		if s, ok := d.Share(x, f.field("users")); ok {
			if s == 0 {
				d.Add(x.Line, f.field("users"), "must be more than 0%% (leave it out for no limit on users)")
			}
			r.lim.Users = s
		}
	}
	if f.vals["nodes"] == nil && f.vals["users"] == nil {
		d.Add(f.line, f.path, "give a limit: nodes (other nodes down), users (a share such as 10%%), or both")
	}
	if x := f.vals["ignore"]; x != nil {
		r.ignore = d.selectors(x, f.field("ignore"))
	}
	return r
}

func (r *maxRadius) Name() string { return "max_blast_radius" }

func (r *maxRadius) String() string {
	var parts []string
	if r.lim.Nodes > 0 {
		parts = append(parts, fmt.Sprintf("%d other nodes", r.lim.Nodes))
	}
	if r.lim.Users > 0 {
		parts = append(parts, pct(r.lim.Users)+" of users")
	}
	return fmt.Sprintf("no single failure takes more than %s down with it%s", strings.Join(parts, " or "), ignoring(r.ignore))
}

// pct formats a share as a percentage with at most one decimal: "37.2%".
func pct(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

func (r *maxRadius) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	var probs []graph.Problem
	if r.lim.Nodes < 0 {
		probs = append(probs, graph.Problem{Pos: r.at("nodes"), Field: path + ".nodes", Msg: fmt.Sprintf("must be > 0, got %d", r.lim.Nodes)})
	}
	if r.lim.Users < 0 || r.lim.Users > 1 || math.IsNaN(r.lim.Users) {
		probs = append(probs, graph.Problem{Pos: r.at("users"), Field: path + ".users", Msg: fmt.Sprintf("must be a share from 0 to 1 (0%% to 100%%), got %v", r.lim.Users)})
	}
	if r.lim.Nodes == 0 && r.lim.Users == 0 {
		probs = append(probs, graph.Problem{Pos: r.pos, Field: path, Msg: "give a limit: nodes, users or both"})
	}
	ign, ps := p.anyOf(r.ignore, path+".ignore", r.at("ignore"))
	probs = append(probs, ps...)
	p.rank = true
	return &radiusEval{r: r, ign: ign}, probs
}

type radiusEval struct {
	r   *maxRadius
	ign []bool
}

type overLimit struct {
	v      int32
	id     string
	others int
	users  int64
}

func (ev *radiusEval) eval(e *env) (RuleResult, error) {
	c, lim := e.c, ev.r.lim
	kp := keeper[overLimit]{k: e.p.limit, cmp: func(a, b overLimit) int {
		return cmp.Or(cmp.Compare(b.users, a.users), cmp.Compare(b.others, a.others), cmp.Compare(a.id, b.id))
	}}
	share := func(u int64) float64 {
		if e.users <= 0 {
			return 0
		}
		return float64(u) / float64(e.users)
	}
	reach := func(x overLimit) *Reach {
		return &Reach{Node: x.id, Others: x.others, Users: x.users, Share: share(x.users)}
	}
	over := func(x overLimit) Limit {
		var l Limit
		if lim.Nodes > 0 && x.others > lim.Nodes {
			l.Nodes = lim.Nodes
		}
		if lim.Users > 0 && share(x.users) > lim.Users {
			l.Users = lim.Users
		}
		return l
	}
	checked := 0
	var worst overLimit
	var worstR analyze.Radius
	each := func(v int32, r analyze.Radius) {
		if ev.ign[v] || c.Kind(v).Infrastructure() { // a shared ranking may hold every node
			return
		}
		checked++
		x := overLimit{v: v, id: r.ID, others: r.Down - 1, users: r.UsersDown - c.Users(v)}
		// The largest is the first in Rank's order of those that take
		// the most users, then the most nodes, down with them (none when
		// no failure takes anything along).
		if x.users > worst.users || (x.users == worst.users &&
			(x.others > worst.others || (x.others == worst.others && worst.id != "" && analyze.CompareRadii(r, worstR) < 0))) {
			worst, worstR = x, r
		}
		if over(x) != (Limit{}) {
			kp.offer(x)
		}
	}
	if e.ranker != nil {
		for v := range int32(c.NodeCount()) {
			if r, ok := e.ranker.RadiusOf(v); ok {
				each(v, r)
			}
		}
	} else {
		for _, r := range e.radii {
			v, _ := c.Lookup(r.ID)
			each(v, r)
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0, Scenarios: checked}
	if worst.id != "" {
		rr.Largest = reach(worst)
	}
	for i, x := range kp.sorted() {
		e.chain(i, x.v, "") // the victim with the most users
		rr.Violations = append(rr.Violations, Violation{
			Node: x.id, Removed: x.id, RemovedKind: c.Kind(x.v), State: analyze.Down, Reach: reach(x), Over: over(x),
		})
	}
	return rr, nil
}
