package analyze

import (
	"context"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// auditProgress counts an audit's steps for AuditOptions.Progress over all
// its phases: the sweep of single failures, the pair search, the claims
// searched claim by claim, the site losses and the chains. Each phase has
// its steps in the total from the start (the audit knows them before it
// runs any), so that the count only grows, and the total is reported
// only when the audit has ended: a phase's own count (done of its own
// total, which may change as CutSetsVertices goes from one order to the
// next) is scaled into its steps, and never past them.
type auditProgress struct {
	f     func(done, total int)
	mu    sync.Mutex
	total int
	start int // the current phase's first step
	size  int // and its steps
	last  int // the last count reported, -1 before the first
}

// newAuditProgress returns nil (a progress that reports nothing) for f nil.
func newAuditProgress(f func(done, total int), total int) *auditProgress {
	if f == nil {
		return nil
	}
	return &auditProgress{f: f, total: max(total, 1), last: -1}
}

// phase starts the next phase, of size steps; the one before is done.
// Phases are started by the audit's goroutine, between their runs.
func (p *auditProgress) phase(size int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start += p.size
	p.size = size
	p.report(p.start)
}

// at reports that the current phase has done done of its total steps.
// It may be called from several goroutines.
func (p *auditProgress) at(done, total int) {
	if p == nil || total <= 0 {
		return
	}
	p.part(float64(done) / float64(total))
}

// part reports that the current phase has done the part f (0 to 1) of
// its steps.
func (p *auditProgress) part(f float64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.report(p.start + int(float64(p.size)*min(max(f, 0), 1)))
}

// of is at as a func for a phase's runner (nil for p nil, which then
// counts nothing).
func (p *auditProgress) of() func(done, total int) {
	if p == nil {
		return nil
	}
	return p.at
}

// report calls f with done, kept below the total (the audit has not ended)
// and never below the last count reported; a count reported already is
// not reported again.
func (p *auditProgress) report(done int) {
	done = max(min(done, p.total-1), p.last)
	if done == p.last {
		return
	}
	p.last = done
	p.f(done, p.total)
}

// end reports the total: the audit is done.
func (p *auditProgress) end() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = p.total
	p.f(p.total, p.total)
}

// auditSteps are the steps of an audit's phases, as its progress counts
// them: per single failure swept and per target of the sweep, per failure
// searched for its pairs, per claim searched by CutSetsVertices (above
// order 2, or claim by claim), per claim given its sets, per batch of 64
// sites lost and, with every chain, per claim explained. Steps of
// different phases cost different amounts; the weights bring each to
// about the cost of a step of the sweep, as measured on the two
// 100,000-node catalogs of the audit's benchmark (a step of the sweep,
// 10 µs of CPU on both; a failure searched for its pairs, 40 µs on the
// default catalog and 144 µs on the one with redundancy everywhere; a
// claim given its sets 19 to 28 µs; a batch of sites about 5 µs per
// claim; a claim explained 316 to 538 µs). A progress bar is then right
// to within a few tenths of the time (TestAuditScale with
// AUDIT_PROGRESS=1 shows how far).
type auditSteps struct {
	sweep, pairs, searched, claims, sites, explained int
}

// The weights of a step of the pair search, of a claim searched by
// CutSetsVertices, of a claim given its sets and of a claim explained,
// against a step of the sweep. A claim searched by CutSetsVertices costs
// a search of its own ancestry: at order 2, claim by claim, 29 ms on the
// 20,000-node catalog; more above.
const (
	pairWeight    = 10
	searchWeight  = 1000
	claimWeight   = 2
	explainWeight = 40
)

// siteSteps is the steps of the site losses: per batch of 64 sites, the
// sweep's batch and each claim's check, about half a step each.
func (s auditSteps) siteSteps() int {
	return (s.sites + 63) / 64 * (64 + s.claims/2)
}

func (s auditSteps) total() int {
	return s.sweep + s.pairs*pairWeight + s.searched*searchWeight + s.claims*claimWeight + s.siteSteps() + s.explained*explainWeight
}

// countSites is the number of sites of c.
func countSites(c *graph.Compiled) int {
	n := 0
	for v := range int32(c.NodeCount()) {
		if c.Kind(v) == graph.Site {
			n++
		}
	}
	return n
}

// cutSetsCounted is CutSetsVertices(ctx, c, vs, opts) 64 targets at a
// time (as CutSetsVertices groups them itself, so the results are the
// same), for a progress that counts the targets searched: within a group,
// CutSetsVertices counts the sets of each order from 0, and each order
// counts as an equal part of the group's.
func cutSetsCounted(ctx context.Context, c *graph.Compiled, vs []int32, opts CutSetOptions, prog *auditProgress) ([]CutSetResult, error) {
	if prog == nil {
		return CutSetsVertices(ctx, c, vs, opts)
	}
	out := make([]CutSetResult, 0, len(vs))
	for lo := 0; lo < len(vs); lo += 64 {
		hi := min(lo+64, len(vs))
		o := opts
		level, last, lastTotal := 0, 0, 0
		o.Progress = func(done, total int) {
			if done <= last || total != lastTotal {
				// A new order: the count restarts, or the total changes.
				if lastTotal != 0 {
					level = min(level+1, o.MaxOrder-1)
				}
				lastTotal = total
			}
			last = done
			f := (float64(level) + float64(done)/float64(max(total, 1))) / float64(o.MaxOrder)
			prog.part((float64(lo) + f*float64(hi-lo)) / float64(len(vs)))
		}
		rs, err := CutSetsVertices(ctx, c, vs[lo:hi], o)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		prog.part(float64(hi) / float64(len(vs)))
	}
	return out, nil
}
