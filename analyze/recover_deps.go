package analyze

import (
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// Recovery dependencies: a standby's takeover that needs something
// (graph.Replica.FailoverRequires) and a repair that needs something
// (graph.Node.RepairRequires, with graph.Node.OnSite). Both are waits in
// the time fixpoint, with the same rule: the takeover (the repair) starts
// once every requirement is not Down, and then takes its whole recovery
// (repair) time, so
//
//	takeover(u) = recovery(u) + max D(q) over u's requirements q
//	repair(v)   = min(For(v) + max D(q), For(v) + OnSite(v))
//
// (the second term only with an on-site time; without one a repair whose
// requirements never come back is never done). Both are monotone in the D
// times and add a positive delay, so they are solved by an outer loop over
// the timer, Dijkstra-like in increasing time. Every wait starts at its
// pessimistic time (its requirements never back: Never, or the on-site
// repair) and the timer is run. Let c* be the smallest candidate delay +
// max D(q) over the waits still open. Before the earliest time τ at which
// an open wait truly ends early, the conditions of the run and of the
// truth are the same, so every time below τ is exact; a wait that truly
// ends at τ has its requirements back before τ (its delay is positive), so
// its candidate is τ, and τ ≥ c*. So every open wait whose requirements
// are back before c* is exact: its time is min(candidate, pessimistic).
// Those are decided (the one giving c* always is), the timer runs again
// when one of them changed, and so on until none is open. A wait whose
// requirements come back only through itself (remote access needs the
// backbone it repairs) keeps its pessimistic time.
//
// The cost is one run of the timer when no wait has a requirement Down at
// t=0+ (those are decided at once: their requirements are Up), else one
// run of D alone per round that ends a wait early (the waits need only D)
// and a full run at the end: one and a half runs when the waits all end in
// one round (the tools of one site, back at one time).

// recWait is a takeover or repair that waits for what it requires.
type recWait struct {
	v      int32 // the standby replica vertex, or the removed node
	repair bool
	delay  time.Duration // the recovery or repair time
	pess   time.Duration // its time if its requirements are never back
	reqs   []int32
	at     time.Duration // its time, once decided
	open   bool
	by     int32         // the requirement back last (-1 before it is decided)
	byAt   time.Duration // when it was back
	onSite bool          // a repair done on site
}

// recWaits finds the takeovers and repairs of the region that wait: those
// with a requirement Down at t=0+. The others start at once, as without
// requirements.
func recWaits(c *graph.Compiled, region []int32, repair map[int32]time.Duration, isDown func(int32) bool) []recWait {
	var ws []recWait
	anyDown := func(reqs []int32) bool {
		for _, q := range reqs {
			if isDown(q) {
				return true
			}
		}
		return false
	}
	if c.HasRepairRequires() {
		for v, t := range repair {
			reqs := c.RepairRequires(v)
			if t == Never || !anyDown(reqs) {
				continue
			}
			pess := Never
			if o := c.OnSite(v); o > 0 {
				pess = addSat(t, o)
			}
			ws = append(ws, recWait{v: v, repair: true, delay: t, pess: pess, reqs: reqs, open: true, by: -1})
		}
	}
	if c.HasFailoverRequires() {
		seen := map[int32]bool{}
		for _, v := range region {
			if c.Op(v) != graph.Threshold {
				continue
			}
			ins, _ := c.Inputs(v)
			for _, u := range ins {
				if c.Recovery(u) == 0 || seen[u] {
					continue
				}
				seen[u] = true
				if reqs := c.FailoverRequires(u); anyDown(reqs) {
					ws = append(ws, recWait{v: u, delay: c.Recovery(u), pess: Never, reqs: reqs, open: true, by: -1})
				}
			}
		}
	}
	return ws
}

// solveWaits runs the timer until every wait is decided (see above) and
// returns the D and U times of the region, as tr.solve does.
func (tr *timer) solveWaits(region []int32, isDown func(int32) bool, ws []recWait) (d, u []time.Duration, err error) {
	set := func(w *recWait, t time.Duration) {
		w.at = t
		if w.repair {
			tr.repair[w.v] = t
			return
		}
		if tr.takeover == nil {
			tr.takeover = make(map[int32]time.Duration, len(ws))
		}
		tr.takeover[w.v] = t
	}
	for i := range ws {
		set(&ws[i], ws[i].pess)
	}
	open := len(ws)
	// Runs while waits are open need only D; the last one (none open, and
	// nothing changed since) is a full one.
	for run, full := true, false; ; {
		if run || (open == 0 && !full) {
			full = open == 0
			tr.dOnly = !full
			tr.p.done, tr.p.next = 0, 0
			if d, u, err = tr.solve(region, isDown); err != nil {
				return nil, nil, err
			}
			run = false
		}
		if open == 0 {
			return d, u, nil
		}
		// The requirements' times of this run, and the least candidate.
		best := Never
		for i := range ws {
			w := &ws[i]
			if !w.open {
				continue
			}
			w.by, w.byAt = -1, 0
			for _, q := range w.reqs {
				if t := tr.timeOf(q, d); w.by < 0 || t > w.byAt {
					w.by, w.byAt = q, t
				}
			}
			best = min(best, addSat(w.delay, w.byAt))
		}
		for i := range ws {
			w := &ws[i]
			if !w.open || (w.byAt >= best && best != Never) {
				continue
			}
			w.open = false
			open--
			t := addSat(w.delay, w.byAt)
			if t >= w.pess {
				w.onSite = w.repair && w.pess != Never
				continue // its pessimistic time, in force already
			}
			set(w, t)
			run = true
		}
	}
}

// timeOf is D of vertex q in this run: 0 outside the region.
func (tr *timer) timeOf(q int32, d []time.Duration) time.Duration {
	if k := tr.rank(q); k >= 0 {
		return d[k]
	}
	return 0
}

// ReasonKind says what a node's recovery waited for.
type ReasonKind uint8

const (
	// ReasonNone: nothing to explain (the time is 0).
	ReasonNone ReasonKind = iota
	// ReasonRepair: its own repair (a node the scenario removed).
	ReasonRepair
	// ReasonInput: the return of an input (RecoveryReason.Input).
	ReasonInput
	// ReasonTakeover: a standby's takeover (Input is the standby replica).
	ReasonTakeover
	// ReasonCycle: it is on a dependency cycle, which comes back as a
	// whole when what the cycle needs from outside allows it.
	ReasonCycle
)

var reasonNames = [...]string{ReasonNone: "none", ReasonRepair: "repair", ReasonInput: "input", ReasonTakeover: "takeover", ReasonCycle: "cycle"}

func (k ReasonKind) String() string {
	if int(k) < len(reasonNames) {
		return reasonNames[k]
	}
	return "ReasonKind(?)"
}

// RecoveryReason explains a node's recovery time (the end of its Down, or
// of its Degraded when it was only Degraded).
type RecoveryReason struct {
	Kind ReasonKind
	// Input is, for ReasonInput, the input whose return it waited for (a
	// node or replica; for a redundant group, the member that decided
	// it), and for ReasonTakeover the standby replica that took over.
	Input string
	// At is when that happened: the repair done, the input back, the
	// takeover done. Restart is what the node (or its cycle) then needed
	// to serve: the time is At + Restart.
	At, Restart time.Duration
	// WaitedFor is, for a repair or a takeover that waited for one of its
	// requirements, the requirement back last, and WaitedUntil when it was
	// back (Never: not within the horizon of the analysis). OnSite says
	// the repair went ahead on site instead (WaitedFor held the remote
	// one).
	WaitedFor   string
	WaitedUntil time.Duration
	OnSite      bool
	// FailoverBlocked names a standby replica of the node whose takeover
	// waited for a requirement (FailoverBlockedBy, back at
	// FailoverBlockedUntil), when the node's time is not that takeover's:
	// the standby could not help.
	FailoverBlocked      string
	FailoverBlockedBy    string
	FailoverBlockedUntil time.Duration
}

// waitIndex finds the waits of takeovers and of repairs by vertex.
type waitIndex struct {
	ws                 []recWait
	takeover, repaired map[int32]int32
}

func newWaitIndex(ws []recWait) *waitIndex {
	x := &waitIndex{ws: ws, takeover: map[int32]int32{}, repaired: map[int32]int32{}}
	for i := range ws {
		if ws[i].repair {
			x.repaired[ws[i].v] = int32(i)
		} else {
			x.takeover[ws[i].v] = int32(i)
		}
	}
	return x
}

func (x *waitIndex) of(v int32, repair bool) *recWait {
	m := x.takeover
	if repair {
		m = x.repaired
	}
	if i, ok := m[v]; ok {
		return &x.ws[i]
	}
	return nil
}

// why explains the time of local index m, after the last run.
func (tr *timer) why(m int32, wx *waitIndex) (r RecoveryReason) {
	c := tr.c
	v := tr.region[m]
	tm, final := tr.atD, tr.tmD[m]
	target := tr.rawD[m]
	soft := false
	if final == 0 {
		tm, final, soft = tr.atU, tr.tmU[m], true
		target = final
		if final > 0 && final != Never {
			target = max(final-c.Restart(v), 0)
		}
	}
	// r is named: the deferred additions below reach the result.
	waitOf := wx.of
	waited := func(w *recWait) {
		if w != nil && w.by >= 0 && (w.at > w.delay || w.onSite) {
			r.WaitedFor, r.WaitedUntil, r.OnSite = c.VertexName(w.by), w.byAt, w.onSite
		}
	}
	defer func() {
		if r.Kind != ReasonNone && final != Never && final > r.At {
			r.Restart = final - r.At
		}
		// A blocked takeover among its standbys that did not decide it.
		if len(wx.takeover) == 0 || r.Kind == ReasonTakeover {
			return // a takeover that decided explains itself
		}
		check := []int32{v}
		ins, _ := c.Inputs(v)
		for _, g := range ins {
			if c.VertexKind(g) == graph.GroupVertex {
				check = append(check, g)
			}
		}
		for _, x := range check {
			xs, _ := c.Inputs(x)
			for _, u := range xs {
				if w := waitOf(u, false); w != nil && w.at > w.delay {
					r.FailoverBlocked, r.FailoverBlockedBy, r.FailoverBlockedUntil = c.VertexName(u), c.VertexName(w.by), w.byAt
					return
				}
			}
		}
	}()
	if final == 0 {
		return r
	}
	if t := tr.repairAt[m]; t > 0 && t == target {
		r.Kind, r.At = ReasonRepair, t
		waited(waitOf(v, true))
		return r
	}
	x, at := v, target
	for range 8 { // into redundant groups, to the member that decided
		u, takeover := tr.decider(x, tm, soft, at)
		switch {
		case u < 0:
			r.Kind, r.At = ReasonCycle, target
			return r
		case takeover:
			r.Kind, r.Input, r.At = ReasonTakeover, c.VertexName(u), at
			waited(waitOf(u, false))
			return r
		}
		if k := c.VertexKind(u); k == graph.GroupVertex || k == graph.SoftGroupVertex {
			x = u
			continue
		}
		r.Kind, r.Input, r.At = ReasonInput, c.VertexName(u), at
		return r
	}
	r.Kind, r.At = ReasonCycle, target
	return r
}

// decider is the input of v whose time (tm: atD or atU, from the last
// run) is the time t at which v's gate lets it be not Down (soft: Up), and
// whether what came at t was that input's standby takeover; -1 when none
// is (v's time comes from its cycle).
func (tr *timer) decider(v int32, tm []time.Duration, soft bool, t time.Duration) (int32, bool) {
	c := tr.c
	if soft {
		for _, u := range c.SoftInputs(v) {
			if tm[u] == t {
				return u, false
			}
		}
	}
	ins, ws := c.Inputs(v)
	if c.Op(v) != graph.Threshold {
		for _, u := range ins {
			if tm[u] == t {
				return u, false
			}
		}
		return -1, false
	}
	// The gate's weight at t, less what came exactly at t: the input
	// whose arrival at t crossed the need decided.
	need := weightNeeded(c.Gate(v), soft)
	caps := c.InputCapacity(v)
	var before int64
	for j, u := range ins {
		back := tm[u]
		if back < t {
			before += ws[j]
		}
		if caps[j] > ws[j] && max(back, tr.recovery(u)) < t {
			before += caps[j] - ws[j]
		}
	}
	for j, u := range ins {
		back := tm[u]
		if back == t {
			before += ws[j]
			if caps[j] > ws[j] && max(back, tr.recovery(u)) == t {
				before += caps[j] - ws[j]
			}
			if before >= need {
				return u, false
			}
		}
		if caps[j] > ws[j] && back < t && tr.recovery(u) == t {
			if before += caps[j] - ws[j]; before >= need {
				return u, true
			}
		}
	}
	return -1, false
}
