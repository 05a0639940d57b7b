package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Independent demands that the redundancy claims of the selected nodes
// (their redundant groups, and their replicas when placed at two sites or
// more: see analyze.Audit) have no hidden common cause of fewer than k
// failures: no set of fewer than k node failures, smaller than what the
// claim's own rule promises, takes the claim Down. Independent(2, s) asks
// that no single node defeat a claim ("shop-a runs in sbg2 and sbg3, but
// both require sbg-campus-power"). A claim that promises less than k (any_of
// of two members promises that one loss is survived) is checked up to its
// promise: losing its members as promised is no common cause. On selected
// nodes with no claim at all the rule fails (nothing shows the redundancy
// it asks about).
func Independent(k int, s Selector) Rule { return &independent{k: k, sel: s} }

func init() { register("independent", decodeIndependent, "k", "select") }

type independent struct {
	meta
	k   int
	sel Selector
}

func decodeIndependent(f *ruleFields) Rule {
	r := &independent{k: 2}
	d := f.d
	if x := f.vals["k"]; x != nil {
		if n, ok := d.Integer(x, f.field("k")); ok {
			if n < 2 || n > analyze.MaxCutOrder+1 {
				d.Add(x.Line, f.field("k"), "must be 2 to %d (no common cause of fewer than k failures), got %d", analyze.MaxCutOrder+1, n)
			}
			r.k = int(min(max(n, 0), 1<<31-1))
		}
	}
	if x := f.need("select", "whose redundancy must be independent, e.g. {tier: 0}"); x != nil {
		r.sel = d.selector(x, f.field("select"))
	}
	return r
}

func (r *independent) Name() string { return "independent" }

func (r *independent) String() string {
	if r.k == 2 {
		return fmt.Sprintf("no single failure defeats the redundancy of %s", r.sel)
	}
	return fmt.Sprintf("no %d failures together defeat the redundancy of %s", r.k-1, r.sel)
}

func (r *independent) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.k < 2 || r.k > analyze.MaxCutOrder+1 {
		probs = append(probs, graph.Problem{Pos: r.at("k"), Field: path + ".k",
			Msg: fmt.Sprintf("must be 2 to %d (no common cause of fewer than k failures), got %d", analyze.MaxCutOrder+1, r.k)})
	}
	return &independentEval{r: r, sel: sel}, probs
}

type independentEval struct {
	r   *independent
	sel []bool
}

type defeatHit struct {
	owner string
	users int64
	order int
	ids   string
	kind  graph.Kind // of the first failed node
	chain []string
}

// explainedHook, set by a test only, sees the audit of each evaluation
// once its listed claims are explained: the test counts the claims left
// without chains.
var explainedHook func(*analyze.AuditResult)

func (ev *independentEval) eval(e *env) (RuleResult, error) {
	c := e.c
	var owners []string
	for v, s := range ev.sel {
		if s {
			owners = append(owners, c.VertexName(int32(v)))
		}
	}
	// The audit without chains, then the chains of the claims whose
	// defeats can be listed: those that sort among the first e.p.limit
	// without their chain (ties with the last included, which the chain
	// decides). An audit with every chain explains every claim, most of
	// a large one's cost, for a list of 50.
	audit, err := analyze.Audit(e.ctx, c, analyze.AuditOptions{MaxOrder: ev.r.k - 1, Owners: owners, Limit: -1, NoChains: true})
	if err != nil {
		return RuleResult{}, err
	}
	type found struct {
		claim, defeat int
		hit           defeatHit // without its chain
	}
	var all []found
	for i := range audit.Claims {
		cl := &audit.Claims[i]
		for j, d := range cl.Defeats {
			if !d.Hidden || d.Order() >= ev.r.k {
				continue
			}
			all = append(all, found{claim: i, defeat: j, hit: defeatHit{owner: cl.Owner, users: c.Users(cl.OwnerVertex), order: d.Order(),
				ids: strings.Join(d.IDs, ", "), kind: c.Kind(d.Vertices[0])}})
		}
	}
	byKey := func(a, b defeatHit) int {
		return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(b.users, a.users), cmp.Compare(a.owner, b.owner), cmp.Compare(a.ids, b.ids))
	}
	listed := all[:0:0]
	if k := e.p.limit; k > 0 {
		listed = slices.Clone(all)
		if len(listed) > k {
			slices.SortStableFunc(listed, func(a, b found) int { return byKey(a.hit, b.hit) })
			last := listed[k-1].hit
			n := k
			for n < len(listed) && byKey(listed[n].hit, last) == 0 {
				n++
			}
			listed = listed[:n]
		}
	}
	var explain []int
	for _, f := range listed {
		explain = append(explain, f.claim)
	}
	if err := audit.Explain(e.ctx, c, explain...); err != nil {
		return RuleResult{}, err
	}
	if explainedHook != nil {
		explainedHook(audit)
	}
	kp := keeper[defeatHit]{k: e.p.limit, cmp: func(a, b defeatHit) int {
		return cmp.Or(byKey(a, b), cmp.Compare(strings.Join(a.chain, " "), strings.Join(b.chain, " ")))
	}}
	for _, f := range listed {
		cl := &audit.Claims[f.claim]
		d := &cl.Defeats[f.defeat]
		h := f.hit
		if len(d.Chains) > 0 && len(d.Chains[0]) > 0 {
			// The chain from the claim, which starts at the claim's
			// vertex: the owner stands for it.
			h.chain = append([]string{cl.Owner}, d.Chains[0][1:]...)
			if d.Chains[0][0] == cl.Owner {
				h.chain = d.Chains[0]
			}
		}
		kp.offer(h)
	}
	kp.total = len(all) // those not listed counted too
	// Fail closed: with no claim, nothing shows the redundancy asked for.
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && len(audit.Claims) > 0, Selected: count(ev.sel), Scenarios: len(audit.Claims)}
	for _, h := range kp.sorted() {
		v := Violation{Node: h.owner, Removed: h.ids, RemovedKind: h.kind, State: analyze.Down}
		e.setChain(&v, h.chain)
		rr.Violations = append(rr.Violations, v)
	}
	return rr, nil
}
