package policy

import (
	"cmp"
	"context"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// recoverKey names one set of recovery timelines the rules share: every
// site (or region) lost for the same repair time, 0 for good. Rules that
// lose the sites for the same time read the same timelines: one
// analyze.Recover per lost site per repair time, whichever rules ask.
type recoverKey struct {
	kind   graph.Kind // Site or Region
	repair time.Duration
}

// recoverHorizon is how far the rules' timelines look: beyond any rto or
// within a policy can give (graph.MaxDuration, 10 years) and any chain of
// restarts after it, so that Never means not back at all.
const recoverHorizon = 100 * 365 * 24 * time.Hour

// recoverLosses asks for the timelines of the loss of every site (or
// region) for repair, and for the losses themselves (their outcomes give
// each violation's chain of causes).
func (p *plan) recoverLosses(kind graph.Kind, repair time.Duration) recoverKey {
	if p.recovers == nil {
		p.recovers = make(map[recoverKey]bool)
	}
	k := recoverKey{kind, repair}
	p.recovers[k] = true
	if kind == graph.Region {
		p.regions = true
	} else {
		p.sites = true
	}
	return k
}

// recoverAll computes the timelines the rules asked for, each Recover one
// goroutine's, on all cores.
func (e *env) recoverAll(ctx context.Context) error {
	type job struct {
		k recoverKey
		i int
		v int32
	}
	var jobs []job
	e.timelines = make(map[recoverKey][]*analyze.Timeline, len(e.p.recovers))
	for k := range e.p.recovers {
		losses := e.losses(k.kind)
		e.timelines[k] = make([]*analyze.Timeline, len(losses))
		for i, l := range losses {
			jobs = append(jobs, job{k, i, l.v})
		}
	}
	return onCores(len(jobs), func(n int) (err error) {
		j := jobs[n]
		sc := analyze.Scenario{Failures: []analyze.Failure{{ID: e.c.VertexName(j.v), For: j.k.repair}}}
		e.timelines[j.k][j.i], err = analyze.Recover(ctx, e.c, sc, analyze.RecoverOptions{Horizon: recoverHorizon})
		return err
	})
}

// losses returns the losses of every site or region, in model order.
func (e *env) losses(kind graph.Kind) []loss {
	if kind == graph.Region {
		return e.regions
	}
	return e.sites
}

// lateHit is a selected node not back within its limit after one loss.
type lateHit struct {
	r     analyze.Recovery
	loss  int
	limit time.Duration
	late  time.Duration // how much later than its limit it is back (Never: not at all)
}

// late lists the selected nodes (sel) that are not Up within limit(v)
// after each loss of k, reading each timeline's affected nodes only (what
// is not in a timeline is Up throughout). It fails closed: with no site
// (or region) to lose, nothing shows the nodes come back in time.
func (e *env) late(k recoverKey, sel []bool, limit func(v int32) (time.Duration, bool)) (RuleResult, error) {
	losses := e.losses(k.kind)
	kp := keeper[lateHit]{k: e.p.limit, cmp: func(a, b lateHit) int {
		return cmp.Or(cmp.Compare(b.late, a.late), cmp.Compare(b.r.Users, a.r.Users), cmp.Compare(a.r.ID, b.r.ID), cmp.Compare(a.loss, b.loss))
	}}
	for i, tl := range e.timelines[k] {
		for _, r := range tl.Recoveries {
			if r.Replica || r.Removed || !sel[r.Vertex] {
				continue // the lost site itself is removed, not a violation
			}
			lim, _ := limit(r.Vertex)
			if r.DegradedUntil <= lim {
				continue
			}
			late := analyze.Never
			if r.DegradedUntil != analyze.Never {
				late = r.DegradedUntil - lim
			}
			kp.offer(lateHit{r: r, loss: i, limit: lim, late: late})
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0 && len(losses) > 0, Selected: count(sel), Scenarios: len(losses)}
	for _, h := range kp.sorted() {
		l := losses[h.loss]
		st := analyze.Degraded
		if h.r.DownUntil > h.limit {
			st = analyze.Down
		}
		repair := k.repair
		if repair == 0 {
			repair = analyze.Never
		}
		_, rto := limit(h.r.Vertex)
		v := Violation{Node: h.r.ID, Removed: e.c.VertexName(l.v), RemovedKind: k.kind, State: st,
			Late: &Late{Repair: repair, Within: h.limit, RTO: rto, DownUntil: h.r.DownUntil, DegradedUntil: h.r.DegradedUntil}}
		// The chain at the moment of the loss: what the node waits for.
		if err := e.lossChain(&v, l, h.r.ID); err != nil {
			return RuleResult{}, err
		}
		rr.Violations = append(rr.Violations, v)
	}
	return rr, nil
}
