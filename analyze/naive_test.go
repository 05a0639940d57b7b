package analyze

import (
	"slices"
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

// lostUp stands, in these tests only, for an Up node that lost
// redundancy, so that one []State holds what a report shows: the engine's
// Effect.LostRedundancy on one side, the naive rule on the other.
const lostUp = Down + 1

// shownState is o's state of id, or lostUp.
func shownState(o *Outcome, id string) State {
	if o.RedundancyLost(id) {
		return lostUp
	}
	return o.State(id)
}

// naiveReport marks lostUp by the README's rule, written without
// the engine's shortcut: an Up node has lost redundancy when a member of one
// of its redundant constructs is Down or Degraded. The constructs are
// found from the model's structure (the node's groups in requires and
// uses, its replica set, its replicas' groups), not from Constructs.
func naiveReport(c *graph.Compiled, st []State) []State {
	out := make([]State, len(st))
	copy(out, st)
	lostIn := func(g int32) bool {
		ins, _ := c.Inputs(g)
		for _, u := range ins {
			if st[u] == Down || st[u] == Degraded {
				return true
			}
		}
		return false
	}
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if st[v] != Up {
			continue
		}
		var groups []int32
		if c.Op(v) == graph.Threshold {
			groups = append(groups, v) // the node is its replica set
		}
		var replicas []int32
		ins, _ := c.Inputs(v)
		for _, u := range append(slices.Clone(ins), c.SoftInputs(v)...) {
			switch c.VertexKind(u) {
			case graph.GroupVertex, graph.SoftGroupVertex:
				groups = append(groups, u)
				if c.GroupLabel(u) == "replicas" {
					r, _ := c.Inputs(u)
					replicas = append(replicas, r...)
				}
			case graph.ReplicaVertex:
				replicas = append(replicas, u)
			}
		}
		if c.Op(v) == graph.Threshold {
			r, _ := c.Inputs(v)
			replicas = append(replicas, r...)
		}
		for _, r := range replicas {
			rins, _ := c.Inputs(r)
			for _, u := range rins {
				if c.VertexKind(u) == graph.GroupVertex {
					groups = append(groups, u)
				}
			}
		}
		for _, g := range groups {
			if lostIn(g) {
				out[v] = lostUp
			}
		}
	}
	return out
}
