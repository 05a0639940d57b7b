package policy

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// NoSPOF demands that no single node takes a selected node Down: no node,
// other than infrastructure (sites, regions, power, network: the business
// of SurviveSiteLoss) and the nodes that match one of ignore, whose failure
// alone takes a selected node Down. A failure means the whole node, every
// replica of it (a bad release, say); ignore {Redundant: true} to count
// only the nodes that a single physical failure can take away.
func NoSPOF(s Selector, ignore ...Selector) Rule { return &noSPOF{sel: s, ignore: ignore} }

func init() { register("no_spof", decodeNoSPOF, "select", "ignore") }

type noSPOF struct {
	meta
	sel    Selector
	ignore []Selector
}

func decodeNoSPOF(f *ruleFields) Rule {
	r := &noSPOF{}
	if x := f.need("select", "which nodes to protect, e.g. {user_facing: true}"); x != nil {
		r.sel = f.d.selector(x, f.field("select"))
	}
	if x := f.vals["ignore"]; x != nil {
		r.ignore = f.d.selectors(x, f.field("ignore"))
	}
	return r
}

func (r *noSPOF) Name() string { return "no_spof" }

func (r *noSPOF) String() string {
	return fmt.Sprintf("no single node takes %s down%s", r.sel, ignoring(r.ignore))
}

func (r *noSPOF) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	ign, ps := p.anyOf(r.ignore, path+".ignore", r.at("ignore"))
	probs = append(probs, ps...)
	if len(probs) > 0 {
		return nil, probs
	}
	c := p.c
	ev := &spofEval{sel: sel, ign: ign}
	// Most users first, then by the ids of the node taken and of the
	// failure. The ids are compared by their rank in id order, computed
	// once: on a catalog, many hits take the same large service Down and
	// tie on users, and comparing their ids as strings was a fifth of a
	// Check.
	p.wantByID = true
	ev.cmp = func(a, b analyze.Hit) int {
		byID := p.idRank()
		return cmp.Or(
			cmp.Compare(c.Users(b.Down), c.Users(a.Down)),
			cmp.Compare(byID[a.Down], byID[b.Down]),
			cmp.Compare(byID[a.Failed], byID[b.Failed]),
		)
	}
	ev.c, ev.limit = c, p.limit
	ev.selUsers = make([]int64, c.NodeCount())
	for v, s := range sel {
		ev.selUsers[v] = -1
		if s {
			ev.selUsers[v] = c.Users(int32(v))
		}
	}
	if p.watch == nil {
		p.watch = make([]bool, c.NodeCount())
	}
	for v, s := range sel {
		p.watch[v] = p.watch[v] || s
	}
	p.rank = true
	p.onHits = append(p.onHits, ev)
	return ev, nil
}

// spofEval keeps, per worker of the ranking pass, the first violations in
// its order and counts the others: most offers are only counted, a mask's
// bits at once, since after the first cut only a node with as many users
// as the last one kept can make the list.
type spofEval struct {
	c        *graph.Compiled
	sel, ign []bool
	limit    int
	cmp      func(a, b analyze.Hit) int
	kps      []keeper[analyze.Hit] // per worker
	// selUsers is, per node, its users when selected, else -1: the one
	// load per hit that both questions of hits need, whether the node
	// is protected and whether it can make the list (a ranking of a
	// large catalog hands over hundreds of millions of hits).
	selUsers []int64
}

func (ev *spofEval) start(workers int) {
	ev.kps = make([]keeper[analyze.Hit], workers)
	for i := range ev.kps {
		ev.kps[i] = keeper[analyze.Hit]{k: ev.limit, cmp: ev.cmp}
	}
}

func (ev *spofEval) hits(worker int, hb *analyze.HitBatch, counted uint64) {
	for i, s := range hb.Sources {
		if ev.ign[s] {
			counted &^= 1 << i
		}
	}
	if counted == 0 {
		return
	}
	kp := &ev.kps[worker]
	// Below least, a hit is only counted: none can be listed once the
	// keeper is full and keeps nodes with at least least users.
	least := int64(-1)
	if kp.k <= 0 {
		least = math.MaxInt64
	} else if kp.full {
		least = ev.c.Users(kp.last.Down)
	}
	selUsers, lanes := ev.selUsers, hb.Lanes[:len(hb.Down)]
	total := 0
	for i, x := range hb.Down {
		u := selUsers[x]
		if u < 0 {
			continue // not protected
		}
		m := lanes[i] & counted
		if u < least {
			total += bits.OnesCount64(m)
			continue
		}
		for ; m != 0; m &= m - 1 {
			kp.offer(analyze.Hit{Failed: hb.Sources[bits.TrailingZeros64(m)], Down: x})
		}
		if kp.k > 0 && kp.full {
			least = ev.c.Users(kp.last.Down)
		}
	}
	kp.total += total
}

// merged is the keeper of every worker's offers: each kept its first k,
// so the first k of those are the first k of all.
func (ev *spofEval) merged() *keeper[analyze.Hit] {
	kp := &keeper[analyze.Hit]{k: ev.limit, cmp: ev.cmp}
	total := 0
	for i := range ev.kps {
		for _, h := range ev.kps[i].sorted() {
			kp.offer(h)
		}
		total += ev.kps[i].total
	}
	kp.total = total
	return kp
}

func (ev *spofEval) eval(e *env) (RuleResult, error) {
	c := e.c
	cands := 0
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if !c.Kind(v).Infrastructure() && !ev.ign[v] {
			cands++
		}
	}
	kp := ev.merged()
	// An ignore that covers every candidate leaves nothing checked: the
	// rule fails closed, as a rule with nothing to check does.
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && cands > 0, Selected: count(ev.sel), Scenarios: cands}
	for i, h := range kp.sorted() {
		id := c.VertexName(h.Down)
		rr.Violations = append(rr.Violations, Violation{
			Node: id, Removed: c.VertexName(h.Failed), RemovedKind: c.Kind(h.Failed), State: analyze.Down,
		})
		e.chain(i, h.Failed, id)
	}
	return rr, nil
}
