package analyze

import (
	"github.com/blastradius-go/blastradius/graph"
)

// naive is the reference the engine is checked against: Kleene iteration of
// the gate rules over every vertex until nothing changes, straight from the
// rules in the package doc, with no counters and no event queue.
func naive(c *graph.Compiled, removed []int32) []State {
	n := c.Len()
	st := make([]State, n)
	rm := make([]bool, n)
	for _, v := range removed {
		rm[v] = true
		st[v] = Down
	}
	for changed := true; changed; {
		changed = false
		for v := int32(0); v < int32(n); v++ {
			if rm[v] {
				continue
			}
			if nw := naiveGate(c, st, v); nw != st[v] {
				st[v] = nw
				changed = true
			}
		}
	}
	return naiveReport(c, st)
}

func naiveGate(c *graph.Compiled, st []State, v int32) State {
	ins, ws := c.Inputs(v)
	softBad := false
	for _, u := range c.SoftInputs(v) {
		if st[u] == Down || st[u] == Degraded {
			softBad = true
		}
	}
	if c.Op(v) == graph.Threshold {
		live, up := int64(0), int64(0)
		for i, u := range ins {
			if st[u] != Down {
				live += ws[i]
			}
			if st[u] == Up {
				up += ws[i]
			}
		}
		switch {
		case live < c.Floor(v):
			return Down
		case up < c.Need(v) || softBad:
			return Degraded
		}
		return Up
	}
	down, deg := false, false
	for _, u := range ins {
		switch st[u] {
		case Down:
			down = true
		case Degraded:
			deg = true
		}
	}
	switch {
	case down:
		return Down
	case deg || softBad:
		return Degraded
	}
	return Up
}

// naiveReport marks RedundancyLost as the Outcome reports it: an Up
// threshold vertex below its base weight, and an Up node whose own hard
// group is.
func naiveReport(c *graph.Compiled, st []State) []State {
	out := make([]State, len(st))
	copy(out, st)
	lostMargin := func(v int32) bool {
		if c.Op(v) != graph.Threshold || st[v] != Up {
			return false
		}
		ins, ws := c.Inputs(v)
		up := int64(0)
		for i, u := range ins {
			if st[u] == Up {
				up += ws[i]
			}
		}
		return up < c.Base(v)
	}
	for v := int32(0); v < int32(len(st)); v++ {
		if !lostMargin(v) {
			continue
		}
		out[v] = RedundancyLost
		if c.VertexKind(v) == graph.GroupVertex && st[c.Owner(v)] == Up {
			out[c.Owner(v)] = RedundancyLost
		}
	}
	return out
}
