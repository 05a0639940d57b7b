package analyze

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// Effect is one node (or replica) that is not plainly Up in a scenario.
type Effect struct {
	// Vertex is the dense vertex number of graph.Compiled, low-level: for
	// tools that index per-vertex arrays. ID names the same node.
	Vertex  int32
	ID      string
	Kind    graph.Kind
	Replica bool // a placement "node@site", not a node of the model
	State   State
	Removed bool // removed by the scenario itself
	// LostRedundancy reports an Up node that lost redundancy: a member of
	// one of its redundant constructs (see Constructs) is Down or Degraded.
	// Such an effect has State Up and the lost member as Via. Reports list
	// it as "redundancy-lost".
	LostRedundancy bool
	Users          int64
	Tier           int
	// Via is the input that put it in this state (for a removed node, "");
	// following Via from effect to effect reaches a removed node: see Chain.
	Via string
	// For a node placed at several sites: the live replica capacity, the
	// demand and the capacity with nothing failed. Zero otherwise.
	Live, Need, Base int64
}

// Totals sum an outcome over the nodes of the model (replicas excluded).
type Totals struct {
	Removed        int
	Down           int // nodes Down, removed ones included
	Degraded       int
	RedundancyLost int
	// ServicesDown and ServicesDegraded count nodes that are not
	// infrastructure (sites, regions, power, network).
	ServicesDown     int
	ServicesDegraded int
	// UsersDown and UsersDegraded sum the users of Down and Degraded nodes:
	// "user-services", counting a person once per service they use.
	UsersDown     int64
	UsersDegraded int64
	// MaxUsersDown is the most users of any one Down node: a lower bound on
	// the people affected.
	MaxUsersDown int64
}

// Outcome is the result of Simulate: every node and replica that is not Up,
// or is Up having lost redundancy, with its cause. Anything not listed is
// Up with its redundancy whole.
type Outcome struct {
	Scenario Scenario
	Totals   Totals

	c    *graph.Compiled
	recs []record        // the affected vertices, in the order the failure reached them
	live map[int32]int64 // live replica capacity of affected nodes placed at several sites

	indexOnce   sync.Once
	index       []int32         // per vertex: 1 + its record's index, or 0
	sparse      map[int32]int32 // vertex → record index, when few are affected
	effectsOnce sync.Once
	effects     []Effect
}

// record is the compact form of an Effect, kept until one is asked for.
type record struct {
	v, via  int32 // via: -1 for none
	state   State
	removed bool
	lost    bool // Up with redundancy lost
}

// Simulate removes the scenario's nodes from c and propagates the failure.
// Its work is proportional to the affected region, not to the graph. It is
// safe to call concurrently on one compiled graph. It returns ctx.Err() if
// ctx is done before or while it runs; a nil ctx never is.
func Simulate(ctx context.Context, c *graph.Compiled, sc Scenario) (*Outcome, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vs, err := resolve(c, sc)
	if err != nil {
		return nil, err
	}
	s := getScratch(c)
	defer putScratch(c, s)
	for _, v := range vs {
		s.remove(c, v)
	}
	if !s.drain(c, ctx.Done()) {
		return nil, ctx.Err()
	}
	return s.outcome(c, sc), nil
}

// outcome turns the scratch into the reported result. Redundancy lost has
// one rule (see Constructs): an Up node with a member of one of its
// redundant constructs no longer Up. Every Threshold vertex is such a
// construct of its owner node (a group in requires or uses, the replica
// set, a group in a replica's requires), and the engine marks a Threshold
// gate with flagLost when an input of it stops being Up, standbys
// included, so the rule costs one look per touched vertex. lostLanes is
// the same rule on the batch engine's states (the redundancy rate reads
// it), held equal to this recording by TestLostLanesMatchesOutcome.
func (s *scratch) outcome(c *graph.Compiled, sc Scenario) *Outcome {
	o := &Outcome{Scenario: sc, c: c, recs: make([]record, 0, len(s.touched))}
	type loss struct{ owner, member int32 }
	var lost []loss
	for _, v := range s.touched {
		f := s.flags[v]
		if st := State(f & stateMask); st != Up {
			if k := c.VertexKind(v); k != graph.GroupVertex && k != graph.SoftGroupVertex {
				o.add(s, v, st, -1)
			}
		}
		if f&flagLost != 0 {
			// The gate's cause is a member: the first one lost while it
			// stayed Up, or the last that raised it.
			if ow := c.Owner(v); s.stateOf(ow) == Up {
				lost = append(lost, loss{ow, s.cause[v]})
			}
		}
	}
	// One record per owner, in vertex order, naming the first member lost.
	slices.SortStableFunc(lost, func(a, b loss) int { return cmp.Compare(a.owner, b.owner) })
	for i, l := range lost {
		if i == 0 || lost[i-1].owner != l.owner {
			o.add(s, l.owner, Up, l.member)
		}
	}
	return o
}

// add records vertex v in state st and counts it in the totals; via, when
// not negative, is the cause to record (a lost member), else the engine's.
// Only a node that lost redundancy is recorded Up.
func (o *Outcome) add(s *scratch, v int32, st State, via int32) {
	c := o.c
	r := record{v: v, via: via, state: st, lost: st == Up}
	if s.touchedNow(v) {
		r.removed = s.removed(v)
		if u := s.cause[v]; u >= 0 && via < 0 {
			r.via = s.nonGroupCause(c, u)
		}
	}
	o.recs = append(o.recs, r)
	if c.VertexKind(v) != graph.NodeVertex {
		return
	}
	if cv := c.CapacityVertex(v); cv >= 0 && s.touchedNow(cv) {
		if o.live == nil {
			o.live = make(map[int32]int64)
		}
		o.live[v] = max(s.live[cv], 0)
	}
	t := &o.Totals
	if r.removed {
		t.Removed++
	}
	users, infra := c.Users(v), c.Kind(v).Infrastructure()
	switch st {
	case Down:
		t.Down++
		t.UsersDown += users
		t.MaxUsersDown = max(t.MaxUsersDown, users)
		if !infra {
			t.ServicesDown++
		}
	case Degraded:
		t.Degraded++
		t.UsersDegraded += users
		if !infra {
			t.ServicesDegraded++
		}
	case Up:
		t.RedundancyLost++
	}
}

// nonGroupCause follows causes through group vertices, which users never
// named, to the node or replica behind them.
func (s *scratch) nonGroupCause(c *graph.Compiled, u int32) int32 {
	for {
		k := c.VertexKind(u)
		if k != graph.GroupVertex && k != graph.SoftGroupVertex {
			return u
		}
		if !s.touchedNow(u) || s.cause[u] < 0 {
			return u
		}
		u = s.cause[u]
	}
}

// Len is the number of affected nodes and replicas.
func (o *Outcome) Len() int { return len(o.recs) }

// Effects lists the affected nodes and replicas in the order the failure
// reached them; Sorted orders them by severity. The slice is built on first
// use and shared: do not modify it.
func (o *Outcome) Effects() []Effect {
	o.effectsOnce.Do(func() {
		o.effects = make([]Effect, len(o.recs))
		for i := range o.recs {
			o.effects[i] = o.effect(i)
		}
	})
	return o.effects
}

// record returns the index of vertex v's record, or -1 when v is Up. The
// index is built on first use, so that a chain or a state does not build
// every Effect: one int32 per vertex when much of the graph is affected, a
// map when little is (a small failure in a huge graph stays cheap).
func (o *Outcome) record(v int32) int {
	o.indexOnce.Do(func() {
		if len(o.recs)*16 < o.c.Len() {
			o.sparse = make(map[int32]int32, len(o.recs))
			for i, r := range o.recs {
				o.sparse[r.v] = int32(i)
			}
			return
		}
		o.index = make([]int32, o.c.Len())
		for i, r := range o.recs {
			o.index[r.v] = int32(i) + 1
		}
	})
	if o.index == nil {
		if i, ok := o.sparse[v]; ok {
			return int(i)
		}
		return -1
	}
	return int(o.index[v]) - 1
}

// effect builds the Effect of record i.
func (o *Outcome) effect(i int) Effect {
	c, r := o.c, o.recs[i]
	e := Effect{
		Vertex:  r.v,
		ID:      c.VertexName(r.v),
		Kind:    c.Kind(r.v),
		Replica: c.VertexKind(r.v) == graph.ReplicaVertex,
		State:   r.state,
		Removed: r.removed,
		Users:   c.Users(r.v),
		Tier:    c.Tier(r.v),

		LostRedundancy: r.lost,
	}
	if r.via >= 0 {
		e.Via = c.VertexName(r.via)
	}
	if cv := c.CapacityVertex(r.v); cv >= 0 {
		e.Need, e.Base = c.Need(cv), c.Base(cv)
		e.Live = e.Base
		if live, ok := o.live[r.v]; ok {
			e.Live = live
		}
	}
	return e
}

// Effect returns the effect on the node or replica id, and false when it is
// Up (or unknown).
func (o *Outcome) Effect(id string) (Effect, bool) {
	v, ok := o.c.Lookup(id)
	if !ok {
		return Effect{}, false
	}
	i := o.record(v)
	if i < 0 {
		return Effect{}, false
	}
	return o.effect(i), true
}

// State returns the state of the node or replica id: Up when it is not
// affected. It panics on an id the model does not have, which is a
// programming error; use Effect to test membership.
func (o *Outcome) State(id string) State {
	v, ok := o.c.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("analyze: Outcome.State: unknown node %q", id))
	}
	if i := o.record(v); i >= 0 {
		return o.recs[i].state
	}
	return Up
}

// RedundancyLost reports whether the node or replica id is Up having lost
// redundancy (see Effect.LostRedundancy). It panics on an id the model does
// not have, like State.
func (o *Outcome) RedundancyLost(id string) bool {
	v, ok := o.c.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("analyze: Outcome.RedundancyLost: unknown node %q", id))
	}
	return o.lostOf(v)
}

// Chain returns the chain of causes from id to a removed node, e.g.
// [kakao-games kakao-login kakaotalk kakaotalk@pangyo pangyo], or nil when
// id is Up.
func (o *Outcome) Chain(id string) []string {
	v, ok := o.c.Lookup(id)
	if !ok {
		return nil
	}
	i := o.record(v)
	if i < 0 {
		return nil
	}
	chain := []string{o.c.VertexName(v)}
	for r := o.recs[i]; r.via >= 0 && len(chain) <= len(o.recs); {
		chain = append(chain, o.c.VertexName(r.via))
		j := o.record(r.via)
		if j < 0 {
			break
		}
		r = o.recs[j]
	}
	return chain
}

// Cause is one input of a node that is not Up.
type Cause struct {
	ID    string // the input node or replica
	State State
	Soft  bool   // a soft dependency (uses)
	Group string // the redundant group it belongs to, e.g. "any_of [a b]"; "" for a plain dependency
}

// Causes returns every input of id that is not Up, plainly or through one of
// id's redundant groups, so a report can say all of what is wrong, not only
// the first thing (Via). For a node whose redundancy was lost they are the
// lost members of its redundant constructs (see Constructs), each with the
// construct it belongs to.
func (o *Outcome) Causes(id string) []Cause {
	v, ok := o.c.Lookup(id)
	if !ok {
		return nil
	}
	return o.causes(v)
}

// EffectCauses is Causes for an effect of this outcome, without looking
// its id up: for reports that list the causes of every effect.
func (o *Outcome) EffectCauses(e Effect) []Cause {
	if e.Vertex < 0 || int(e.Vertex) >= o.c.Len() || o.c.VertexName(e.Vertex) != e.ID {
		return o.Causes(e.ID)
	}
	return o.causes(e.Vertex)
}

func (o *Outcome) causes(v int32) []Cause {
	var out []Cause
	if o.lostOf(v) {
		for _, g := range Constructs(o.c, v) {
			ins, _ := o.c.Inputs(g)
			label := o.c.GroupLabel(g)
			if label == "" {
				label = "replicas" // the node is its own replica set
			}
			for _, u := range ins {
				if st := o.stateOf(u); st == Down || st == Degraded {
					out = append(out, Cause{ID: o.c.VertexName(u), State: st, Soft: o.c.VertexKind(g) == graph.SoftGroupVertex, Group: label})
				}
			}
		}
		return out
	}
	return o.appendCauses(out, v, false, "")
}

// appendCauses appends the inputs of v that are not Up, looking through
// the redundant groups that are not Up or lost a member.
func (o *Outcome) appendCauses(out []Cause, v int32, soft bool, group string) []Cause {
	ins, _ := o.c.Inputs(v)
	for _, u := range ins {
		out = o.appendCause(out, u, soft, group)
	}
	for _, u := range o.c.SoftInputs(v) {
		out = o.appendCause(out, u, true, group)
	}
	return out
}

func (o *Outcome) appendCause(out []Cause, u int32, soft bool, group string) []Cause {
	if k := o.c.VertexKind(u); k == graph.GroupVertex || k == graph.SoftGroupVertex {
		if o.stateOf(u) != Up || o.lostOf(u) {
			out = o.appendCauses(out, u, soft, o.c.GroupLabel(u))
		}
		return out
	}
	if st := o.stateOf(u); st == Down || st == Degraded {
		out = append(out, Cause{ID: o.c.VertexName(u), State: st, Soft: soft, Group: group})
	}
	return out
}

// Constructs returns the redundant constructs of node v, the Threshold
// vertices of the compiled graph whose members v can lose and stay Up (v
// and the result are low-level, dense vertex numbers of graph.Compiled): the
// groups in its requires and uses, its replica set (v itself, or its
// "replicas" group), and the groups in each replica's requires. The one
// rule of redundancy lost: v is Up and a member of one of them (a group's
// node, a replica, standbys included) is Down or Degraded.
func Constructs(c *graph.Compiled, v int32) []int32 {
	if c.VertexKind(v) != graph.NodeVertex {
		return nil
	}
	var gs []int32
	if c.Op(v) == graph.Threshold {
		gs = append(gs, v)
	}
	add := func(u int32) {
		if c.Op(u) == graph.Threshold && c.Owner(u) == v && c.VertexKind(u) != graph.NodeVertex {
			gs = append(gs, u)
		}
	}
	ins, _ := c.Inputs(v)
	for _, u := range ins {
		add(u)
	}
	for _, u := range c.SoftInputs(v) {
		add(u)
	}
	if cv := c.CapacityVertex(v); cv >= 0 {
		reps, _ := c.Inputs(cv)
		for _, r := range reps {
			rins, _ := c.Inputs(r)
			for _, u := range rins {
				add(u)
			}
		}
	}
	return gs
}

// stateOf is the state of any vertex, hidden groups included. Groups are
// not in Effects, so their state is recomputed from their inputs.
func (o *Outcome) stateOf(v int32) State {
	if k := o.c.VertexKind(v); k == graph.GroupVertex || k == graph.SoftGroupVertex {
		return o.groupState(v)
	}
	if i := o.record(v); i >= 0 {
		return o.recs[i].state
	}
	return Up
}

// lostOf reports whether vertex v, hidden groups included, is Up having
// lost redundancy.
func (o *Outcome) lostOf(v int32) bool {
	if k := o.c.VertexKind(v); k == graph.GroupVertex || k == graph.SoftGroupVertex {
		_, lost := o.group3(v)
		return lost
	}
	if i := o.record(v); i >= 0 {
		return o.recs[i].lost
	}
	return false
}

// groupState is a group's state from its members' states, by the one
// threshold rule (threshold).
func (o *Outcome) groupState(v int32) State {
	st, _ := o.group3(v)
	return st
}

// groupLost reports whether a group, or a node that is its own replica
// capacity, has its gate Up with a member lost.
func (o *Outcome) groupLost(v int32) bool {
	_, lost := o.group3(v)
	return lost
}

// group3 is groupState and the one redundancy-lost rule: Up with a member
// Down or Degraded has lost redundancy (a drawing colours it so). Groups
// have no soft inputs: a group under uses is a soft input of its owner,
// with hard members.
func (o *Outcome) group3(v int32) (st State, lost bool) {
	ins, ws := o.c.Inputs(v)
	live, up := int64(0), int64(0)
	lostOne := false
	for i, u := range ins {
		st := o.stateOf(u)
		if st != Down {
			live += ws[i]
		}
		if st == Up {
			up += ws[i]
		} else {
			lostOne = true
		}
	}
	st = threshold(o.c.Gate(v), live, up)
	return st, st == Up && lostOne
}

// Sorted returns the effects from worst to least: Down, Degraded, then
// the Up nodes that lost redundancy; within a state by users, then by id;
// nodes before replicas.
func (o *Outcome) Sorted() []Effect {
	es := o.Effects()
	// Sorting a million 100-byte effects moves them a few million times;
	// sort small keys instead (state, replica and users packed in one
	// word, the id for ties) and copy each effect once.
	keys := make([]effectKey, len(es))
	for i, e := range es {
		// Worse states first, nodes before replicas, more users first:
		// all three ascend in k. Users are at most graph.MaxUsers < 2^50.
		k := uint64(3-e.State)<<62 | uint64(graph.MaxUsers-e.Users)
		if e.Replica {
			k |= 1 << 61
		}
		keys[i] = effectKey{k: k, id: e.ID, i: int32(i)}
	}
	sortEffectKeys(keys)
	out := make([]Effect, len(es))
	for i, k := range keys {
		out[i] = es[k.i]
	}
	return out
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// Compiled returns the graph the outcome was computed on.
func (o *Outcome) Compiled() *graph.Compiled { return o.c }

// VertexState returns the state of any vertex of the compiled graph: a
// node, a replica, or one of the redundant groups that Effects leaves out
// (a drawing colours a group by it). Unaffected vertices are Up. It is
// low-level: v is the dense vertex number of graph.Compiled; State is the
// same question by id.
func (o *Outcome) VertexState(v int32) State {
	if v < 0 || int(v) >= o.c.Len() {
		return Up
	}
	return o.stateOf(v)
}

// VertexLostRedundancy reports whether vertex v (a node, a replica or a
// group) is Up having lost redundancy. Like VertexState it is low-level: v
// is the dense vertex number of graph.Compiled; RedundancyLost asks by id.
func (o *Outcome) VertexLostRedundancy(v int32) bool {
	if v < 0 || int(v) >= o.c.Len() {
		return false
	}
	return o.lostOf(v)
}

// VertexVia is Effect.Via as a vertex: the input that put vertex v in its
// state, or -1 for a vertex that is Up or was removed. Like VertexState it
// is low-level, for reports that index per-vertex arrays.
func (o *Outcome) VertexVia(v int32) int32 {
	if v < 0 || int(v) >= o.c.Len() {
		return -1
	}
	i := o.record(v)
	if i < 0 {
		return -1
	}
	return o.recs[i].via
}
