package analyze

import (
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// naive is the reference the engine is checked against: Kleene iteration of
// the gate rules over every vertex until nothing changes, straight from the
// rules in the package doc, with no counters and no event queue (naiveAt,
// shared with Recover's reference, at the moment of failure).
func naive(c *graph.Compiled, removed []int32) []State {
	never := make(map[int32]time.Duration, len(removed))
	for _, v := range removed {
		never[v] = Never
	}
	return naiveReport(c, naiveAt(c, never, 0))
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
