package analyze

import (
	"slices"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// Two references for Recover, both straight from the contract and written
// for clarity, not speed.

// weightAt is the weight of the j-th hard input of v at time t: a standby
// replica's is 0 (its weight at the moment of failure) before its recovery
// time and its full capacity from then on.
func weightAt(c *graph.Compiled, v int32, j int, t time.Duration) int64 {
	ins, ws := c.Inputs(v)
	if caps := c.InputCapacity(v); caps[j] != ws[j] && t >= c.Recovery(ins[j]) {
		return caps[j]
	}
	return ws[j]
}

// eventTimes are the times at which the conditions of a scenario change:
// 0, every finite repair time and every standby's recovery time.
func eventTimes(c *graph.Compiled, repair map[int32]time.Duration) []time.Duration {
	ts := []time.Duration{0}
	for _, t := range repair {
		if t != Never {
			ts = append(ts, t)
		}
	}
	for v := int32(0); v < int32(c.Len()); v++ {
		if r := c.Recovery(v); r > 0 {
			ts = append(ts, r)
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// naiveAt is the least fixpoint at time t by Kleene iteration over every
// vertex, as naive computes it at t=0, with the weights and failures of
// time t.
func naiveAt(c *graph.Compiled, repair map[int32]time.Duration, t time.Duration) []State {
	removed := func(v int32) bool { r, ok := repair[v]; return ok && r > t }
	return naiveAtWith(c, removed, func(u int32) bool { return t >= c.Recovery(u) })
}

// naiveTimeline steps through the event times, computing the fixpoint at
// each (conditions are constant between two events), and returns for every
// vertex the end of its last Down and last not-Up interval (Never when it
// lasts past the last event), and whether some vertex got worse with time,
// which the contract rules out.
func naiveTimeline(c *graph.Compiled, repair map[int32]time.Duration) (down, up []time.Duration, worse bool) {
	n := c.Len()
	down = make([]time.Duration, n)
	up = make([]time.Duration, n)
	ts := eventTimes(c, repair)
	var prev []State
	for i, t := range ts {
		st := naiveAt(c, repair, t)
		end := Never
		if i+1 < len(ts) {
			end = ts[i+1]
		}
		for v := range st {
			if prev != nil && st[v] > prev[v] {
				worse = true
			}
			if st[v] == Down {
				down[v] = end
			}
			if st[v] != Up {
				up[v] = end
			}
		}
		prev = st
	}
	return down, up, worse
}

// naiveEquations solves the system of time equations of Recover's doc
// comment (with restarts: a vertex whose gate holds it past 0 comes back
// its restart later) by Kleene iteration from all times 0. It returns false
// when the iteration does not settle within rounds, which happens when
// restarts sit on a cycle: there the system has no finite solution and
// Recover's rule for cycles applies instead.
func naiveEquations(c *graph.Compiled, repair map[int32]time.Duration, rounds int) (down, up []time.Duration, ok bool) {
	n := c.Len()
	down = make([]time.Duration, n)
	up = make([]time.Duration, n)
	for range rounds {
		changed := false
		for v := int32(0); v < int32(n); v++ {
			d := eqGate(c, down, v, false)
			u := eqGate(c, up, v, true)
			if r, ok := repair[v]; ok {
				d, u = max(d, r), max(u, r)
			}
			if d > 0 {
				d = addSat(d, c.Restart(v))
			}
			if u > 0 {
				u = addSat(u, c.Restart(v))
			}
			if d != down[v] || u != up[v] {
				down[v], up[v] = d, u
				changed = true
			}
		}
		if !changed {
			return down, up, true
		}
	}
	return down, up, false
}

// eqGate is the time from which v's gate lets it be not Down (soft false,
// over the hard inputs' times) or Up (soft true: also soft inputs), given
// the inputs' times tm.
func eqGate(c *graph.Compiled, tm []time.Duration, v int32, soft bool) time.Duration {
	ins, _ := c.Inputs(v)
	var t time.Duration
	if soft {
		for _, u := range c.SoftInputs(v) {
			t = max(t, tm[u])
		}
	}
	if c.Op(v) != graph.Threshold {
		for _, u := range ins {
			t = max(t, tm[u])
		}
		return t
	}
	need := c.Floor(v)
	if soft {
		need = c.Need(v)
	}
	// The weight only changes at an input's time or a standby's recovery
	// time: try each, earliest first.
	cands := []time.Duration{0}
	for _, u := range ins {
		cands = append(cands, tm[u], max(tm[u], c.Recovery(u)))
	}
	slices.Sort(cands)
	for _, at := range cands {
		if at == Never {
			break
		}
		var w int64
		for j, u := range ins {
			if tm[u] <= at {
				w += weightAt(c, v, j, at)
			}
		}
		if w >= need {
			return max(t, at)
		}
	}
	return Never
}

// naiveCycles is the restart rule for cycles as the README states it,
// written independently of Recover: components by reachability (not
// Tarjan), times by Kleene iteration over every vertex (not a heap).
//
//   - Cycles are among the affected vertices: those not Up just after
//     the failure (what is Up then is Up throughout and restarts nothing).
//   - D: in the graph of hard edges between affected vertices, v's
//     component H(v) is the set of vertices that reach v and that v
//     reaches. Its raw time D°(v) is the
//     least solution of v's gate and repair over its hard inputs' times,
//     an input in H(v) counting by its D°, one outside by its D; then
//     D(v) = D°(v) + (the longest restart in H(v)) when D°(v) > 0.
//   - U: the same over hard and soft edges, with components S(v), and
//     U°(v) also at least D°(v): U(v) = U°(v) + (the longest restart in
//     S(v)) when U°(v) > 0.
//
// Without restarts on cycles this is naiveEquations' system.
func naiveCycles(c *graph.Compiled, repair map[int32]time.Duration) (down, up []time.Duration) {
	n := c.Len()
	affected := naiveAt(c, repair, 0)
	reach := func(soft bool) [][]bool { // reach[v][u]: v reaches u over input edges between affected vertices
		out := make([][]bool, n)
		for v := range n {
			if affected[v] == Up {
				out[v] = make([]bool, n)
				out[v][v] = true
				continue
			}
			seen := make([]bool, n)
			stack := []int32{int32(v)}
			seen[v] = true
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				ins, _ := c.Inputs(x)
				next := slices.Clone(ins)
				if soft {
					next = append(next, c.SoftInputs(x)...)
				}
				for _, u := range next {
					if !seen[u] && affected[u] != Up {
						seen[u] = true
						stack = append(stack, u)
					}
				}
			}
			out[v] = seen
		}
		return out
	}
	longest := func(rc [][]bool) []time.Duration { // per vertex: the longest restart of its component
		r := make([]time.Duration, n)
		for v := range n {
			for u := range n {
				if rc[v][u] && rc[u][v] {
					r[v] = max(r[v], c.Restart(int32(u)))
				}
			}
		}
		return r
	}
	hard, all := reach(false), reach(true)
	rH, rS := longest(hard), longest(all)
	shift := func(raw, r time.Duration) time.Duration {
		if raw > 0 {
			return addSat(raw, r)
		}
		return raw
	}
	rawD := make([]time.Duration, n)
	rawU := make([]time.Duration, n)
	view := make([]time.Duration, n)
	for changed := true; changed; {
		changed = false
		for v := int32(0); v < int32(n); v++ {
			for u := range n {
				if hard[v][u] && hard[u][v] {
					view[u] = rawD[u]
				} else {
					view[u] = shift(rawD[u], rH[u])
				}
			}
			d := max(repair[v], eqGate(c, view, v, false))
			for u := range n {
				if all[v][u] && all[u][v] {
					view[u] = rawU[u]
				} else {
					view[u] = shift(rawU[u], rS[u])
				}
			}
			u := max(repair[v], d, eqGate(c, view, v, true))
			if d != rawD[v] || u != rawU[v] {
				rawD[v], rawU[v] = d, u
				changed = true
			}
		}
	}
	down = make([]time.Duration, n)
	up = make([]time.Duration, n)
	for v := range n {
		down[v], up[v] = shift(rawD[v], rH[v]), shift(rawU[v], rS[v])
	}
	return down, up
}

// naiveWaits is the time-stepping reference with recovery dependencies,
// straight from their contract (graph.Replica.FailoverRequires,
// graph.Node.RepairRequires and OnSite): a discrete-event simulation. At
// every event time the fixpoint is computed from scratch under the
// conditions of that moment; a takeover or repair whose requirements are
// all not Down then (and that had not started) starts, and its end (the
// recovery or repair time later) becomes an event. An on-site repair ends
// at its repair time plus OnSite, an event from the start. It returns what
// naiveTimeline returns.
func naiveWaits(c *graph.Compiled, repair map[int32]time.Duration) (down, up []time.Duration, worse bool) {
	n := c.Len()
	const unknown = time.Duration(-1)
	// When each standby serves and each removed node is back: known from
	// the start without requirements, found by the simulation with them.
	serve := make([]time.Duration, n)
	back := make(map[int32]time.Duration, len(repair))
	events := map[time.Duration]bool{0: true}
	for v := int32(0); v < int32(n); v++ {
		if r := c.Recovery(v); r > 0 {
			serve[v] = r
			if len(c.FailoverRequires(v)) > 0 {
				serve[v] = unknown
			} else {
				events[r] = true
			}
		}
	}
	onSite := map[int32]time.Duration{}
	for v, t := range repair {
		back[v] = t
		if t == Never {
			continue
		}
		if len(c.RepairRequires(v)) > 0 {
			back[v] = unknown
			if o := c.OnSite(v); o > 0 {
				onSite[v] = addSat(t, o)
				events[onSite[v]] = true
			}
			continue
		}
		events[t] = true
	}
	notDown := func(st []State, reqs []int32) bool {
		for _, q := range reqs {
			if st[q] == Down {
				return false
			}
		}
		return true
	}
	down = make([]time.Duration, n)
	up = make([]time.Duration, n)
	var prev []State
	for t := time.Duration(0); ; {
		removed := func(v int32) bool {
			b, ok := back[v]
			if !ok {
				return false
			}
			if o, ok := onSite[v]; ok && t >= o {
				return false
			}
			return b == unknown || b > t
		}
		serves := func(u int32) bool { return serve[u] != unknown && t >= serve[u] }
		st := naiveAtWith(c, removed, serves)
		for v := int32(0); v < int32(n); v++ {
			if serve[v] == unknown && notDown(st, c.FailoverRequires(v)) {
				serve[v] = addSat(t, c.Recovery(v))
				events[serve[v]] = true
			}
			if b, ok := back[v]; ok && b == unknown && notDown(st, c.RepairRequires(v)) {
				back[v] = addSat(t, repair[v])
				events[back[v]] = true
			}
		}
		next := Never
		for e := range events {
			if e > t && e < next {
				next = e
			}
		}
		for v := range st {
			if prev != nil && st[v] > prev[v] {
				worse = true
			}
			if st[v] == Down {
				down[v] = next
			}
			if st[v] != Up {
				up[v] = next
			}
		}
		prev = st
		if next == Never {
			return down, up, worse
		}
		t = next
	}
}

// naiveAtWith is naiveAt with the conditions of a moment given as
// functions: which vertices are removed, which standbys serve.
func naiveAtWith(c *graph.Compiled, removed func(int32) bool, serves func(int32) bool) []State {
	n := c.Len()
	st := make([]State, n)
	for v := int32(0); v < int32(n); v++ {
		if removed(v) {
			st[v] = Down
		}
	}
	for changed := true; changed; {
		changed = false
		for v := int32(0); v < int32(n); v++ {
			if removed(v) {
				continue
			}
			if nw := naiveGateWith(c, st, v, serves); nw != st[v] {
				st[v] = nw
				changed = true
			}
		}
	}
	return st
}

// naiveGateWith is v's gate given the states st, its standby inputs
// serving as serves says (at their full capacity, else their weight at the
// moment of failure).
func naiveGateWith(c *graph.Compiled, st []State, v int32, serves func(int32) bool) State {
	ins, ws := c.Inputs(v)
	softBad := false
	for _, u := range c.SoftInputs(v) {
		if st[u] != Up {
			softBad = true
		}
	}
	if c.Op(v) == graph.Threshold {
		caps := c.InputCapacity(v)
		live, upW := int64(0), int64(0)
		for j, u := range ins {
			w := ws[j]
			if caps[j] != ws[j] && serves(u) {
				w = caps[j]
			}
			if st[u] != Down {
				live += w
			}
			if st[u] == Up {
				upW += w
			}
		}
		switch {
		case live < c.Floor(v):
			return Down
		case upW < c.Need(v) || softBad:
			return Degraded
		}
		return Up
	}
	worst := Up
	for _, u := range ins {
		worst = max(worst, st[u])
	}
	if softBad {
		worst = max(worst, Degraded)
	}
	return worst
}
