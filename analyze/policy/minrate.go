package policy

import (
	"cmp"
	"fmt"
	"math"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// By says how MinRedundancyRate measures: share of services, or of users.
type By uint8

const (
	ByCount By = iota // the share of services
	ByUsers           // the share of users (user-services)
)

// String returns "count" or "users".
func (b By) String() string {
	if b == ByUsers {
		return "users"
	}
	return "count"
}

// MinRedundancyRate demands a redundancy rate (analyze.RedundancyRate) of at
// least r (0 to 1): the share of services (analyze.Measured), or of their
// users, that stay Up whichever one site is lost. On a model without sites,
// or without services to measure, the rule fails: a rate of nothing
// proves nothing.
func MinRedundancyRate(r float64, by By) Rule { return &minRate{rate: r, by: by} }

func init() { register("min_redundancy_rate", decodeMinRate, "rate", "by") }

type minRate struct {
	meta
	rate float64
	by   By
}

func decodeMinRate(f *ruleFields) Rule {
	r := &minRate{}
	d := f.d
	if x := f.need("rate", "the least share that must survive, e.g. 90%"); x != nil {
		r.rate, _ = d.Share(x, f.field("rate"))
	}
	if x := f.vals["by"]; x != nil {
		switch s, _ := d.String(x, f.field("by")); s {
		case "count", "services":
			r.by = ByCount
		case "users":
			r.by = ByUsers
		case "":
		default:
			d.Add(x.Line, f.field("by"), "unknown measure %q: want count or users", yamltree.Clip(s))
		}
	}
	return r
}

func (r *minRate) Name() string { return "min_redundancy_rate" }

func (r *minRate) String() string {
	what := "services"
	if r.by == ByUsers {
		what = "users"
	}
	return fmt.Sprintf("at least %s of %s survive the loss of any one site", pct(r.rate), what)
}

func (r *minRate) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	var probs []graph.Problem
	if r.rate < 0 || r.rate > 1 || math.IsNaN(r.rate) {
		probs = append(probs, graph.Problem{Pos: r.at("rate"), Field: path + ".rate", Msg: fmt.Sprintf("must be a share from 0 to 1 (0%% to 100%%), got %v", r.rate)})
	}
	if r.by != ByCount && r.by != ByUsers {
		probs = append(probs, graph.Problem{Pos: r.at("by"), Field: path + ".by", Msg: fmt.Sprintf("unknown measure By(%d): want ByCount or ByUsers", r.by)})
	}
	p.redundancy, p.sites = true, true
	return &rateEval{r: r}, probs
}

type rateEval struct{ r *minRate }

// eval reads the rate's counts measured once for every rule of the Check
// (analyze.Losses.SurvivalOf the site losses, or the
// analyze.RedundancyRate Shared held); the violations are the services
// (analyze.Measured) some site's loss takes Down or Degraded, each with
// its worst state and the first site (in model order) that gives it, read
// by vertex from the site losses the Check finds once for all rules
// (analyze.LoseEach): looking up the names RedundancyRate lists was a
// tenth of a Check of a million nodes, and building each outcome's
// Effects another.
func (ev *rateEval) eval(e *env) (RuleResult, error) {
	c, red := e.c, e.surv
	rate := &Rate{By: ev.r.by, Want: ev.r.rate, Got: red.Rate, Survive: int64(red.Survive), All: int64(red.Services)}
	if ev.r.by == ByUsers {
		rate.Got, rate.Survive, rate.All = red.UsersRate, red.SurviveUsers, red.Users
	}
	// Fail closed: no site to lose, or nothing to measure, proves nothing.
	rr := RuleResult{Rate: rate, Scenarios: e.scenarios,
		Passed: rate.Got >= ev.r.rate && e.scenarios > 0 && rate.All > 0}
	if rr.Passed {
		return rr, nil
	}
	n := c.NodeCount()
	svc := analyze.Measured(c)
	state := make([]analyze.State, n) // the worst state some site's loss gives, Up if none
	site := make([]int, n)            // the first loss (index in e.sites) that gives it
	if e.sitesLost() {
		// Every site's states in e.lost, site i as loss i: each service's
		// worst from its masks at once.
		for _, v := range svc {
			state[v], site[v] = e.lost.Worst(v, 0, len(e.sites))
		}
	} else {
		for i, l := range e.sites {
			for _, v := range svc {
				st := e.state(l, v)
				if (st == analyze.Down || st == analyze.Degraded) && st > state[v] {
					state[v], site[v] = st, i
				}
			}
		}
	}
	kp := keeper[int32]{k: e.p.limit, cmp: func(a, b int32) int {
		return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(c.VertexName(a), c.VertexName(b)))
	}}
	for v := range int32(n) {
		if state[v] != analyze.Up {
			kp.offer(v)
		}
	}
	rr.Total = kp.total
	for _, v := range kp.sorted() {
		l := e.sites[site[v]]
		id := c.VertexName(v)
		viol := Violation{Node: id, Removed: c.VertexName(l.v), RemovedKind: graph.Site, State: state[v]}
		if err := e.lossChain(&viol, l, id); err != nil {
			return RuleResult{}, err
		}
		rr.Violations = append(rr.Violations, viol)
	}
	return rr, nil
}
