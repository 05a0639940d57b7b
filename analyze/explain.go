package analyze

import (
	"strings"

	"github.com/blastradius-go/blastradius/graph"
)

// GroupRule is how a redundant group decides its state, which is what an
// explanation of a group's failure must name: a capacity group fails when
// the weight left falls below its demand, a quorum when too few members are
// left, an any-of group when none is.
type GroupRule uint8

const (
	// AnyOfRule: one member is enough (any_of, or replicas with demand 1
	// and no capacities).
	AnyOfRule GroupRule = iota
	// QuorumRule: at least Need members (at_least k, or replicas with a
	// demand above 1 and no capacities).
	QuorumRule
	// CapacityRule: the members' weights are summed against a demand
	// (capacity groups, replicas with capacities).
	CapacityRule
)

var ruleNames = [...]string{AnyOfRule: "any-of", QuorumRule: "quorum", CapacityRule: "capacity"}

// String returns "any-of", "quorum" or "capacity".
func (r GroupRule) String() string {
	if int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return "GroupRule(?)"
}

// Explanation says why one node or replica is in its state, as data: which
// input put it there, whether that input is a hard (requires) or soft
// (uses) dependency, and, when the input acted through a redundant group,
// which group and what was left of it. Reports build their sentences from
// it (package export); this is the one place that works out the reason.
type Explanation struct {
	ID    string
	State State
	// LostRedundancy: State is Up and the node lost redundancy (see
	// Effect.LostRedundancy); Cause, when set, is the first member lost.
	LostRedundancy bool
	Removed        bool // removed by the scenario: there is no cause
	// Cause is the input that put it in its state (Effect.Via): a node or
	// replica, never a group. "" when removed, or when no single input did
	// (a node that only lost redundancy; see Lost).
	Cause string
	// Soft reports that Cause is a soft dependency (uses), plainly or as a
	// member of a group under uses: it can make the node Degraded, no worse.
	Soft bool
	// Group is the redundant group Cause acted through, or nil when Cause is
	// a plain dependency. When a node placed at several sites has other
	// dependencies too and one of those failed, Group is nil: its replica
	// capacity is not the reason, however much of it is left.
	Group *GroupExplanation
	// Lost lists, for a node that is Up with redundancy lost or has no
	// single cause, every input that is not Up, plainly or through one of
	// its groups; each input once. (Outcome.Causes gives them for any node.)
	Lost []Cause
}

// GroupExplanation is what was left of the redundant group through which a
// node's cause acted. Weights are the members' capacities for capacity
// groups and 1 per member otherwise; a standby that was not yet serving at
// the moment of failure weighs 0.
type GroupExplanation struct {
	// Label is the group as written in the model ("at_least 2 of [a b c]")
	// or "replicas" for the capacity of a node's own placements.
	Label    string
	Replicas bool // the node's own replicas (Label "replicas")
	Rule     GroupRule
	// Live is the weight of the members that are not Down, Up the weight
	// of those that are Up; Need is what the group needs to be Up, Floor
	// the least live weight at which it is not Down (Need unless the model
	// sets degraded_at), Base the weight with nothing failed.
	Live, Up, Need, Floor, Base int64
	// Members is how many members the group has, LiveMembers how many of
	// them are not Down.
	Members, LiveMembers int
}

// Explain returns the explanation of the state of the node or replica id,
// and false when it is Up (or unknown). It costs the number of id's inputs
// and group members, not its chain, so explaining every affected node is
// linear in the outcome.
func (o *Outcome) Explain(id string) (Explanation, bool) {
	v, ok := o.c.Lookup(id)
	if !ok {
		return Explanation{}, false
	}
	return o.explain(v)
}

// ExplainEffect is Explain for an effect of o, without looking its id up:
// what a report explaining every effect calls.
func (o *Outcome) ExplainEffect(e Effect) Explanation {
	x, _ := o.explain(e.Vertex)
	return x
}

func (o *Outcome) explain(v int32) (Explanation, bool) {
	i := o.record(v)
	if i < 0 {
		return Explanation{}, false
	}
	r := o.recs[i]
	x := Explanation{ID: o.c.VertexName(v), State: r.state, LostRedundancy: r.lost, Removed: r.removed}
	if r.removed {
		return x, true
	}
	if r.via < 0 || r.lost {
		x.Lost = dedupeCauses(o.causes(v))
	}
	if r.via < 0 {
		if r.lost {
			x.Group = o.lostGroup(v)
		}
		return x, true
	}
	x.Cause = o.c.VertexName(r.via)
	x.Soft, x.Group = o.through(v, r.via)
	return x, true
}

// through finds how cause u reaches vertex v: as a plain hard or soft input,
// or as a member of one of v's groups (v's own replica capacity included),
// and what is left of that group. A plain input wins over a group: a node
// Down because it requires db is Down because of db, whatever its replicas
// still give.
func (o *Outcome) through(v, u int32) (soft bool, g *GroupExplanation) {
	c := o.c
	ins, _ := c.Inputs(v)
	if c.CapacityVertex(v) == v {
		// v is its own replica capacity: every hard input is a replica.
		for _, m := range ins {
			if m == u {
				return false, o.group(v)
			}
		}
	}
	for _, m := range ins {
		if m == u {
			return false, nil
		}
	}
	for _, m := range c.SoftInputs(v) {
		if m == u {
			return true, nil
		}
	}
	find := func(groups []int32, kind graph.VertexKind) *GroupExplanation {
		for _, gv := range groups {
			if c.VertexKind(gv) != kind || (o.stateOf(gv) == Up && !o.lostOf(gv)) {
				continue
			}
			members, _ := c.Inputs(gv)
			for _, m := range members {
				if m == u {
					return o.group(gv)
				}
			}
		}
		return nil
	}
	if g := find(ins, graph.GroupVertex); g != nil {
		return false, g
	}
	if g := find(c.SoftInputs(v), graph.SoftGroupVertex); g != nil {
		return true, g
	}
	return false, nil
}

// lostGroup is the first of v's groups (its replica capacity first) that
// lost redundancy, or nil.
func (o *Outcome) lostGroup(v int32) *GroupExplanation {
	c := o.c
	// A node that is its own replica capacity has its record's state, not
	// its gate's: ask the gate.
	if cv := c.CapacityVertex(v); cv >= 0 && o.groupLost(cv) {
		return o.group(cv)
	}
	ins, _ := c.Inputs(v)
	for _, gv := range append(ins[:len(ins):len(ins)], c.SoftInputs(v)...) {
		if k := c.VertexKind(gv); (k == graph.GroupVertex || k == graph.SoftGroupVertex) && o.lostOf(gv) {
			return o.group(gv)
		}
	}
	return nil
}

// group measures what is left of group vertex gv (a group, or a node that
// is its own replica capacity), counting weights as groupState does.
func (o *Outcome) group(gv int32) *GroupExplanation {
	c := o.c
	members, ws := c.Inputs(gv)
	gate := c.Gate(gv)
	g := &GroupExplanation{Need: gate.Need, Floor: gate.Floor, Base: gate.Base, Members: len(members)}
	weighted := false
	for i, m := range members {
		st := o.stateOf(m)
		if st != Down {
			g.Live += ws[i]
			g.LiveMembers++
		}
		if st == Up {
			g.Up += ws[i]
		}
		if caps := c.InputCapacity(gv); caps[i] != 1 {
			weighted = true
		}
	}
	label := c.GroupLabel(gv)
	if c.VertexKind(gv) == graph.NodeVertex || label == "replicas" {
		g.Label, g.Replicas = "replicas", true
	} else {
		g.Label = label
	}
	switch {
	case strings.HasPrefix(label, "any_of"):
		g.Rule = AnyOfRule
	case strings.HasPrefix(label, "at_least"):
		g.Rule = QuorumRule
	case g.Replicas && !weighted && gate.Need <= 1:
		g.Rule = AnyOfRule
	case g.Replicas && !weighted:
		g.Rule = QuorumRule
	default:
		g.Rule = CapacityRule
	}
	return g
}

// dedupeCauses keeps the first of causes that name the same input (an
// input may sit in several of a node's groups).
func dedupeCauses(cs []Cause) []Cause {
	if len(cs) < 2 {
		return cs
	}
	seen := make(map[string]bool, len(cs))
	out := cs[:0]
	for _, cs := range cs {
		if !seen[cs.ID] {
			seen[cs.ID] = true
			out = append(out, cs)
		}
	}
	return out
}

// CutChain is Chains().Cut(id, n) for one node: it walks id's chain
// instead of indexing every chain, so it costs the length of id's chain
// and nothing per affected node. To cut the chains of many nodes, index
// them once with Chains.
func (o *Outcome) CutChain(id string, n int) (links []string, more int) {
	v, ok := o.c.Lookup(id)
	if !ok {
		return nil, 0
	}
	i := o.record(v)
	if i < 0 {
		return nil, 0
	}
	total := 0
	for r := o.recs[i]; r.via >= 0 && total <= len(o.recs); total++ {
		if n <= 0 || len(links) < n {
			links = append(links, o.c.VertexName(r.via))
		}
		j := o.record(r.via)
		if j < 0 {
			total++
			break
		}
		r = o.recs[j]
	}
	return links, total - len(links)
}

// Chains indexes the chains of causes of an outcome so that a report can
// print a cut chain for every affected node in time linear in the outcome:
// each node's chain is its cause followed by its cause's chain, so the
// chains form a tree (a forest rooted at the removed nodes) and the length
// of each is computed once.
type Chains struct {
	o     *Outcome
	links []int32 // per record: the links of its chain after itself; -1 not yet known
}

// Chains returns the chain index of o.
func (o *Outcome) Chains() *Chains {
	ch := &Chains{o: o, links: make([]int32, len(o.recs))}
	for i := range ch.links {
		ch.links[i] = -1
	}
	return ch
}

// Len is the number of links of id's chain after id itself, as
// len(Outcome.Chain(id))-1; 0 when id is Up or removed.
func (ch *Chains) Len(id string) int {
	v, ok := ch.o.c.Lookup(id)
	if !ok {
		return 0
	}
	i := ch.o.record(v)
	if i < 0 {
		return 0
	}
	return int(ch.length(i))
}

// length is the number of links after record i, memoised; the walk down is
// iterative (a million-long chain must not overflow the stack), and a
// loop of causes, which the engine does not make, would end the chain.
func (ch *Chains) length(i int) int32 {
	o := ch.o
	var path []int
	for j := i; ch.links[j] < 0; {
		ch.links[j] = -2 // on the path
		path = append(path, j)
		via := o.recs[j].via
		if via < 0 {
			break
		}
		k := o.record(via)
		if k < 0 || ch.links[k] == -2 {
			// The chain ends at via, which has no record of its own (or
			// would loop): one link.
			ch.links[j] = 1
			path = path[:len(path)-1]
			break
		}
		j = k
	}
	for n := len(path) - 1; n >= 0; n-- {
		j := path[n]
		via := o.recs[j].via
		if via < 0 {
			ch.links[j] = 0
			continue
		}
		ch.links[j] = 1 + ch.links[o.record(via)]
	}
	return ch.links[i]
}

// Cut returns the chain of id after id itself, Outcome.Chain(id)[1:], cut
// after at most n links (all of them when n <= 0), and how many links were
// left out. Its cost is the links it returns.
func (ch *Chains) Cut(id string, n int) (links []string, more int) {
	v, ok := ch.o.c.Lookup(id)
	if !ok {
		return nil, 0
	}
	return ch.cut(nil, v, n)
}

// CutEffect is Cut for an effect of the outcome, without looking its id
// up.
func (ch *Chains) CutEffect(e Effect, n int) (links []string, more int) {
	return ch.cut(nil, e.Vertex, n)
}

// AppendCut is CutEffect appending the links to dst, so that a report
// explaining every effect can reuse one slice.
func (ch *Chains) AppendCut(dst []string, e Effect, n int) (links []string, more int) {
	return ch.cut(dst, e.Vertex, n)
}

func (ch *Chains) cut(dst []string, v int32, n int) (links []string, more int) {
	o := ch.o
	i := o.record(v)
	if i < 0 {
		return nil, 0
	}
	total := int(ch.length(i))
	keep := total
	if n > 0 && n < total {
		keep = n
	}
	links = dst
	if links == nil {
		links = make([]string, 0, keep)
	}
	start := len(links)
	for r := o.recs[i]; len(links)-start < keep && r.via >= 0; {
		links = append(links, o.c.VertexName(r.via))
		j := o.record(r.via)
		if j < 0 {
			break
		}
		r = o.recs[j]
	}
	return links, total - (len(links) - start)
}
