package analyze

import (
	"fmt"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// State is how a node fares in a scenario, from best to worst. Whether an
// Up node lost some of its redundancy is said apart from its state
// (Effect.LostRedundancy, Outcome.RedundancyLost): dependents see it as Up,
// and so does every comparison of states.
type State uint8

const (
	// Up: working. It may have lost redundancy (a replica, a member of an
	// any-of group) and have less margin than it was built with, often
	// none: see Effect.LostRedundancy.
	Up State = iota
	// Degraded: working partly (a soft dependency failed, or capacity is
	// below demand but above its floor).
	Degraded
	// Down: not working.
	Down
)

var stateNames = [...]string{Up: "up", Degraded: "degraded", Down: "down"}

// String returns "up", "degraded" or "down".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("unknown state %q", b)
}

// Failure is one thing removed in a scenario.
type Failure struct {
	ID string // a node id; sites and regions are nodes
	// For is the time until it is repaired; 0 means not within the
	// horizon. Simulate looks at the moment of failure and ignores it;
	// recovery analyses use it.
	For time.Duration
}

// Scenario is what is removed.
type Scenario struct {
	Failures []Failure
}

// Fail returns a scenario that removes the given nodes, never repaired.
func Fail(ids ...string) Scenario {
	fs := make([]Failure, len(ids))
	for i, id := range ids {
		fs[i] = Failure{ID: id}
	}
	return Scenario{Failures: fs}
}

// IDs returns the ids the scenario removes.
func (s Scenario) IDs() []string {
	ids := make([]string, len(s.Failures))
	for i, f := range s.Failures {
		ids[i] = f.ID
	}
	return ids
}

// UnknownNodeError reports a scenario naming a node the model lacks.
type UnknownNodeError struct {
	ID         string
	Suggestion string // the closest id, or ""
}

// UnknownNode returns the error for an id c does not have, suggesting the
// closest id when one is close enough to be a likely misspelling.
func UnknownNode(c *graph.Compiled, id string) *UnknownNodeError {
	e := &UnknownNodeError{ID: id}
	if s, ok := graph.Suggest(id, c.IDs()); ok {
		e.Suggestion = s
	}
	return e
}

func (e *UnknownNodeError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("unknown node %q (did you mean %q?)", e.ID, e.Suggestion)
	}
	return fmt.Sprintf("unknown node %q", e.ID)
}

// Resolve maps scenario ids to vertices. Model nodes and replicas
// ("kakaotalk@pangyo") can be removed.
func resolve(c *graph.Compiled, sc Scenario) ([]int32, error) {
	vs := make([]int32, 0, len(sc.Failures))
	for _, f := range sc.Failures {
		v, ok := c.Lookup(f.ID)
		if !ok || c.VertexKind(v) == graph.GroupVertex || c.VertexKind(v) == graph.SoftGroupVertex {
			return nil, UnknownNode(c, f.ID)
		}
		if f.For < 0 {
			return nil, fmt.Errorf("failure of %q: negative repair time %v", f.ID, f.For)
		}
		vs = append(vs, v)
	}
	return vs, nil
}
