package analyze

import (
	"github.com/blastradius-go/blastradius/graph"
)

// The propagation core that every analysis drives. A failure is pushed to
// the failed vertex's dependents as an event (old state → new state). An
// And gate's state is the worst of its inputs' (capped at Degraded for soft
// ones), so an event raises it directly; a Threshold gate keeps two
// counters, the weight of its live inputs and of its Up inputs, which each
// event lowers. States only ever rise (Up < Degraded < Down), so this is
// Kleene iteration from the all-Up bottom and stops at the least fixpoint,
// cycles included; each vertex rises at most twice, so the work is
// O(edges out of the affected vertices), not O(V+E).
//
// The scratch holds one byte of flags per vertex, zero between runs: a run
// clears only what it touched, so a failure that touches ten vertices costs
// ten vertices whatever the size of the graph, and the flags of a
// million-vertex graph (1 MB) stay in cache like a BFS's visited array.

const (
	stateMask   = 0b0011 // the vertex's State: Up, Degraded or Down
	flagRemoved = 0b0100 // removed by the scenario
	flagTouched = 0b1000 // in touched; cause (and live, upw for thresholds) are valid
	// flagThreshold marks a Threshold gate. Unlike the others it is set
	// once, when the scratch is made, and never cleared: the pass learns a
	// vertex's gate from the byte it reads for its state.
	flagThreshold = 0b10000
	// flagLost marks a Threshold gate one of whose inputs stopped being
	// Up: its owner, if Up, has lost redundancy. While the gate itself
	// stays Up its cause is that first lost input.
	flagLost = 0b100000
	dynamic  = stateMask | flagRemoved | flagTouched | flagLost
)

type scratch struct {
	flags     []uint8
	cause     []int32 // the input whose event raised the vertex last; -1 if none
	live, upw []int64 // Threshold vertices: weight of live (not Down) and of Up inputs

	touched []int32 // vertices with flagTouched, in first-touch order
	queue   []event

	// within, when not nil, confines a run to the vertices it marks: the
	// others stay Up. Confined to a set closed under inputs (a vertex's
	// inputs are in it when the vertex is), a run gives every vertex of
	// the set the state and cause the whole run gives it: an event outside
	// the set only ever raises vertices outside it, so the events inside
	// come in the same order.
	within []bool
}

type event struct {
	v        int32
	from, to State
}

var scratches graphPool[scratch]

// getScratch returns a clean scratch sized for c.
func getScratch(c *graph.Compiled) *scratch {
	return scratches.get(c, func() *scratch {
		n := c.Len()
		flags := make([]uint8, n)
		for v := range flags {
			if c.Op(int32(v)) == graph.Threshold {
				flags[v] = flagThreshold
			}
		}
		return &scratch{
			flags: flags,
			cause: make([]int32, n),
			live:  make([]int64, n),
			upw:   make([]int64, n),
		}
	})
}

// putScratch clears what the run touched and keeps the scratch for the next
// run on c.
func putScratch(c *graph.Compiled, s *scratch) {
	for _, v := range s.touched {
		s.flags[v] &^= dynamic
	}
	s.touched = s.touched[:0]
	s.queue = s.queue[:0]
	scratches.put(c, s)
}

// touch makes v's fields valid for this run, starting from the all-Up state
// of the compiled graph.
func (s *scratch) touch(c *graph.Compiled, v int32) {
	if s.flags[v]&flagTouched != 0 {
		return
	}
	s.flags[v] = s.flags[v]&flagThreshold | flagTouched
	s.cause[v] = -1
	if s.flags[v]&flagThreshold != 0 {
		base := c.Base(v)
		s.live[v], s.upw[v] = base, base
	}
	s.touched = append(s.touched, v)
}

func (s *scratch) touchedNow(v int32) bool { return s.flags[v]&flagTouched != 0 }
func (s *scratch) removed(v int32) bool    { return s.flags[v]&flagRemoved != 0 }

// stateOf is v's state in this run: Up unless touched.
func (s *scratch) stateOf(v int32) State { return State(s.flags[v] & stateMask) }

// remove forces v Down.
func (s *scratch) remove(c *graph.Compiled, v int32) {
	s.touch(c, v)
	s.flags[v] |= flagRemoved
	if old := s.stateOf(v); old != Down {
		s.set(v, old, Down, -1)
	}
}

// set raises v from old to nw because of u and queues v's event.
func (s *scratch) set(v int32, old, nw State, u int32) {
	s.flags[v] = s.flags[v]&^stateMask | uint8(nw)
	s.cause[v] = u
	s.queue = append(s.queue, event{v, old, nw})
}

// threshold is the one threshold rule: the state of a Threshold gate
// whose live (not Down) inputs weigh live and whose Up inputs weigh up.
// Simulate's engine, the batch engine, Outcome's group states and, through
// weightNeeded, Recover's timer all use it.
func threshold(g graph.Gate, live, up int64) State {
	switch {
	case live < weightNeeded(g, false):
		return Down
	case up < weightNeeded(g, true):
		return Degraded
	}
	return Up
}

// weightNeeded is the least weight of inputs at which a Threshold gate is
// not Down (of live inputs), or Up (of Up inputs, up true): the threshold
// rule in the form Recover's timer needs, which asks when enough weight is
// back.
func weightNeeded(g graph.Gate, up bool) int64 {
	if up {
		return g.Need
	}
	return g.Floor
}

// run drains the event queue to the least fixpoint.
func (s *scratch) run(c *graph.Compiled) { s.drain(c, nil) }

// cancelEvery is how many events drain handles between two looks at done:
// a look is a non-blocking receive, a few nanoseconds against the tens of
// nanoseconds of an event, so every 4096 events costs nothing measurable
// and still stops a million-event run within microseconds.
const cancelEvery = 4096

// drain is run that gives up, returning false, when done is closed; a nil
// done never closes. The scratch is then part way to the fixpoint, which
// putScratch clears like any other.
func (s *scratch) drain(c *graph.Compiled, done <-chan struct{}) bool {
	within := s.within
	for i := 0; i < len(s.queue); i++ {
		if done != nil && i%cancelEvery == cancelEvery-1 {
			select {
			case <-done:
				return false
			default:
			}
		}
		ev := s.queue[i]
		u := ev.v
		deps, ws := c.Dependents(u)
		for j, v := range deps {
			f := s.flags[v]
			old := State(f & stateMask)
			if within != nil && !within[v] {
				continue
			}
			if f&flagThreshold == 0 {
				// An And gate is the worst of its inputs: the event's new
				// state, if that is worse than what v has.
				if ev.to > old {
					s.touch(c, v)
					s.set(v, old, ev.to, u)
				}
				continue
			}
			s.touch(c, v)
			if ev.from == Up {
				s.upw[v] -= ws[j]
				if s.flags[v]&flagLost == 0 {
					s.flags[v] |= flagLost
					if old == Up { // not a removed gate, whose cause stays none
						s.cause[v] = u
					}
				}
			}
			if ev.to == Down {
				s.live[v] -= ws[j]
			}
			if nw := threshold(c.Gate(v), s.live[v], s.upw[v]); nw > old {
				s.set(v, old, nw, u)
			}
		}
		if ev.from == Up {
			// A soft input that stops being Up degrades its dependents.
			for _, v := range c.SoftDependents(u) {
				if old := s.stateOf(v); old < Degraded && (within == nil || within[v]) {
					s.touch(c, v)
					s.set(v, old, Degraded, u)
				}
			}
		}
	}
	return true
}
