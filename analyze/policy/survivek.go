package policy

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// SurviveSites demands that the selected nodes stay Up (with or without
// margin left: neither Down nor Degraded, as SurviveSiteLoss demands)
// whichever k sites are lost together: the N-k question of an operator of
// several data centers. SurviveSites(1, s) is SurviveSiteLoss(s). On a
// model with fewer than k sites the rule fails (nothing shows that the
// nodes would survive the loss of k), and a model with more than
// MaxSiteCombinations combinations of k sites is a problem of the policy
// rather than a check of hours.
//
// Each combination is one analyze.Simulate of its k sites; RankPairs
// ranks what each pair of sites takes beyond its two sites alone.
func SurviveSites(k int, s Selector) Rule { return &surviveK{k: k, sel: s} }

// MaxSiteCombinations bounds the combinations of sites SurviveSites tries.
const MaxSiteCombinations = 100_000

func init() { register("survive_sites", decodeSurviveK, "k", "select") }

type surviveK struct {
	meta
	k   int
	sel Selector
}

func decodeSurviveK(f *ruleFields) Rule {
	r := &surviveK{}
	d := f.d
	if x := f.need("k", "how many sites lost together, e.g. 2"); x != nil {
		if n, ok := d.Integer(x, f.field("k")); ok {
			if n < 1 {
				d.Add(x.Line, f.field("k"), "must be at least 1, got %d", n)
			}
			r.k = int(min(max(n, 0), 1<<31-1))
		}
	}
	if x := f.need("select", "which nodes must survive, e.g. {tier: 0}"); x != nil {
		r.sel = d.selector(x, f.field("select"))
	}
	return r
}

func (r *surviveK) Name() string { return "survive_sites" }

// K is how many sites the rule loses together.
func (r *surviveK) K() int { return r.k }

func (r *surviveK) String() string {
	if r.k == 1 {
		return fmt.Sprintf("%s stay up when any one site is lost", r.sel)
	}
	return fmt.Sprintf("%s stay up when any %d sites are lost together", r.sel, r.k)
}

func (r *surviveK) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.k < 1 {
		probs = append(probs, graph.Problem{Pos: r.at("k"), Field: path + ".k", Msg: fmt.Sprintf("must be at least 1, got %d", r.k)})
		return nil, probs
	}
	var sites []int32
	for v := int32(0); v < int32(p.c.NodeCount()); v++ {
		if p.c.Kind(v) == graph.Site {
			sites = append(sites, v)
		}
	}
	if combinations(len(sites), r.k) > MaxSiteCombinations {
		probs = append(probs, graph.Problem{Pos: r.at("k"), Field: path + ".k",
			Msg: fmt.Sprintf("any %d of %d sites make more than %d combinations to try", r.k, len(sites), MaxSiteCombinations)})
	}
	return &surviveKEval{r: r, sel: sel, sites: sites}, probs
}

// combinations is C(n, k), or MaxSiteCombinations+1 when it is larger.
func combinations(n, k int) int {
	if k > n {
		return 0
	}
	c := 1
	for i := range k {
		c = c * (n - i) / (i + 1) // exact: a product of i+1 consecutive numbers is divisible by (i+1)!
		if c > MaxSiteCombinations {
			return MaxSiteCombinations + 1
		}
	}
	return c
}

type surviveKEval struct {
	r     *surviveK
	sel   []bool
	sites []int32
}

type comboHit struct {
	v     int32
	combo int // the combination's number, in the order tried
	sites []int32
	state analyze.State
	users int64
	id    string
}

func (ev *surviveKEval) eval(e *env) (RuleResult, error) {
	c, k := e.c, ev.r.k
	kp := keeper[comboHit]{k: e.p.limit, cmp: func(a, b comboHit) int {
		return cmp.Or(cmp.Compare(b.state, a.state), cmp.Compare(b.users, a.users), cmp.Compare(a.id, b.id), cmp.Compare(a.combo, b.combo))
	}}
	tried := 0
	if len(ev.sites) >= k {
		// The combinations in lexicographic order of the sites' vertices.
		idx := make([]int, k)
		for i := range idx {
			idx[i] = i
		}
		for {
			if err := e.ctx.Err(); err != nil {
				return RuleResult{}, err
			}
			sites := make([]int32, k)
			ids := make([]string, k)
			for i, j := range idx {
				sites[i], ids[i] = ev.sites[j], c.VertexName(ev.sites[j])
			}
			o, err := analyze.Simulate(e.ctx, c, analyze.Fail(ids...))
			if err != nil {
				return RuleResult{}, err
			}
			for _, ef := range o.Effects() {
				if ef.Replica || ef.Removed || !ev.sel[ef.Vertex] || (ef.State != analyze.Down && ef.State != analyze.Degraded) {
					continue
				}
				kp.offer(comboHit{v: ef.Vertex, combo: tried, sites: sites, state: ef.State, users: ef.Users, id: ef.ID})
			}
			tried++
			// The next combination: raise the last index that can rise.
			i := k - 1
			for i >= 0 && idx[i] == len(ev.sites)-k+i {
				i--
			}
			if i < 0 {
				break
			}
			idx[i]++
			for j := i + 1; j < k; j++ {
				idx[j] = idx[j-1] + 1
			}
		}
	}
	// Fail closed: with fewer than k sites, nothing shows the nodes survive.
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && tried > 0, Selected: count(ev.sel), Scenarios: tried}
	// The chains, one Simulate per combination listed.
	outcomes := map[int]*analyze.Outcome{}
	for _, h := range kp.sorted() {
		ids := make([]string, len(h.sites))
		for i, s := range h.sites {
			ids[i] = c.VertexName(s)
		}
		o := outcomes[h.combo]
		if o == nil {
			var err error
			if o, err = analyze.Simulate(e.ctx, c, analyze.Fail(ids...)); err != nil {
				return RuleResult{}, err
			}
			outcomes[h.combo] = o
		}
		v := Violation{Node: h.id, Removed: strings.Join(ids, ", "), RemovedKind: graph.Site, State: h.state}
		e.setChain(&v, o.Chain(h.id))
		rr.Violations = append(rr.Violations, v)
	}
	return rr, nil
}
