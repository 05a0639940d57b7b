package graph

import (
	"fmt"
	"strconv"
	"time"
)

// Kind is what a node is. The set is closed: Decode and Validate reject any
// other kind.
type Kind uint8

// The kinds of node. Sites and regions are nodes too, so that one failure
// list can remove a service, a data center or a whole region.
const (
	Service   Kind = iota // an application or API
	Identity              // login, accounts, auth: a shared entry point
	Datastore             // a database, object store, cache
	Queue                 // a message broker or event log
	Network               // a link, a load balancer, DNS
	Power                 // a power feed, a UPS, a generator
	Site                  // a data center; replicas are placed at sites
	Region                // a group of sites
	External              // something outside the operator's control
	numKinds
)

var kindNames = [...]string{
	Service:   "service",
	Identity:  "identity",
	Datastore: "datastore",
	Queue:     "queue",
	Network:   "network",
	Power:     "power",
	Site:      "site",
	Region:    "region",
	External:  "external",
}

// String returns the kind's name as written in model files.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Kinds returns every kind, in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, numKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if name == s {
			return Kind(k), true
		}
	}
	return 0, false
}

// Infrastructure reports whether the kind is a place or what a place runs
// on (site, region, power, network) rather than software.
func (k Kind) Infrastructure() bool {
	return k == Site || k == Region || k == Power || k == Network
}

// Standby is how a replica serves: active, or a disaster-recovery standby of
// one of the tiers the Kakao article names.
type Standby uint8

// The standby tiers. A standby replica counts toward its node's capacity only
// from its recovery time on; Mirror recovers at once.
const (
	Active Standby = iota // serving now
	Mirror                // the same system run in full alongside: takes over at once
	Hot                   // near-equal resources: takes over in hours (default 1h)
	Warm                  // partial resources (default 24h)
	Cold                  // space and power only (default 72h)
	numStandbys
)

var standbyNames = [...]string{Active: "active", Mirror: "mirror", Hot: "hot", Warm: "warm", Cold: "cold"}

var defaultRecovery = [...]time.Duration{
	Active: 0,
	Mirror: 0,
	Hot:    time.Hour,
	Warm:   24 * time.Hour,
	Cold:   72 * time.Hour,
}

// String returns the tier's name as written in model files.
func (s Standby) String() string {
	if s < numStandbys {
		return standbyNames[s]
	}
	return fmt.Sprintf("Standby(%d)", s)
}

// ParseStandby returns the standby tier named s.
func ParseStandby(s string) (Standby, bool) {
	for t, name := range standbyNames {
		if name == s {
			return Standby(t), true
		}
	}
	return 0, false
}

// DefaultRecovery is the time a standby of this tier takes to serve after
// its primary is lost: 0 for active and mirror, 1h hot, 24h warm, 72h cold.
func (s Standby) DefaultRecovery() time.Duration {
	if s < numStandbys {
		return defaultRecovery[s]
	}
	return 0
}

// NoTier is what Compiled.Tier (and the results built from it) give for
// a node whose criticality tier is not given.
const NoTier = -1

// Tier is a node's criticality tier, 0 the most critical. The zero Tier
// is "not given", so a Node literal that leaves Tier out has no tier, as
// a file that leaves tier out does; TierOf(n) gives tier n.
type Tier struct {
	n   int
	set bool
}

// TierOf returns tier n. Validate accepts 0 to 2^30.
func TierOf(n int) Tier { return Tier{n: n, set: true} }

// Get returns the tier and whether one is given.
func (t Tier) Get() (int, bool) { return t.n, t.set }

// Int returns the tier, or NoTier when none is given.
func (t Tier) Int() int {
	if !t.set {
		return NoTier
	}
	return t.n
}

// String returns the tier as a number, or "none".
func (t Tier) String() string {
	if !t.set {
		return "none"
	}
	return strconv.Itoa(t.n)
}

// Pos is where something was written: a file and a 1-based line. The zero
// Pos means "built in Go", and errors then name only the node and field.
type Pos struct {
	File string
	Line int
}

// String formats the position as file:line, or "" for the zero Pos.
func (p Pos) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	case p.File != "":
		return p.File
	case p.Line > 0:
		return fmt.Sprintf("line %d", p.Line)
	}
	return ""
}

// Model is a system as the user described it. The zero Model is empty and
// ready to use; Add appends nodes. Compile validates it.
type Model struct {
	Name        string
	Description string
	Sources     []string // links the model is based on
	Nodes       []Node   // in the order written
	File        string   // the file it was read from, if any
	// Defaults gives the failure data of the nodes of a kind that have
	// none of their own (see Reliability).
	Defaults map[Kind]Reliability
}

// Add appends nodes to the model and returns the model, so that calls chain.
// It does not validate; Compile does.
func (m *Model) Add(nodes ...Node) *Model {
	m.Nodes = append(m.Nodes, nodes...)
	return m
}

// Node is one thing that can fail.
type Node struct {
	ID          string
	Kind        Kind
	Description string
	Users       int64 // people who use it: the impact weight
	// Tier is the criticality tier, 0 the most critical: Tier:
	// graph.TierOf(0). Left out, in a file or in a Node literal, the node
	// has no tier (the zero Tier), never silently the most critical one.
	Tier   Tier
	Labels map[string]string

	// Region is the region a site belongs to (sites only). A site requires
	// its region: removing the region removes the site.
	Region string

	// Site places the node at one site: shorthand for one active replica
	// that carries the whole demand. Site and Replicas are exclusive.
	Site string

	// Replicas say where the node runs. With more than one, the node is Up
	// while the live replicas' capacity reaches Demand.
	Replicas []Replica

	// Demand is the replica capacity the node needs to be Up. When no
	// replica gives a capacity, every replica counts 1 and Demand defaults
	// to 1 (any one replica carries the node); when capacities are given,
	// Demand is required.
	Demand int64

	// DegradedAt, when positive, is the least replica capacity at which the
	// node is Degraded rather than Down. It must not exceed Demand.
	DegradedAt int64

	Requires []Dep // hard: the node is Down (or Degraded) with them
	Uses     []Dep // soft: the node is at most Degraded without them

	// Restart, when positive, is the time the node needs to serve again
	// once what it needs is back (or it is repaired): a recovery timeline
	// brings a node that went Down or Degraded back Restart after its
	// inputs allow it. 0 means at once.
	Restart time.Duration

	// RTO, when positive, is the node's recovery time objective: how long
	// it may be out after a failure. Policy rules (recover_within,
	// survive_site_loss with within) check recovery timelines against it.
	RTO time.Duration
	// RepairRequires lists what the node's repair needs (remote access, an
	// operations console), when the node is itself failed in a scenario
	// with a repair time: the repair starts once every one of them is not
	// Down and then takes its whole repair time (it starts over: nothing
	// done before counts). OnSite, when positive, is the other way: the
	// repair goes ahead without them, on site, from the failure on, and
	// takes OnSite more than the repair time. The repair is done at the
	// earlier of the two; without OnSite, a repair that waits for what only
	// it brings back is never done.
	RepairRequires []string
	OnSite         time.Duration

	// Availability, or MTBF and MTTR, is the node's own failure data (see
	// Reliability): zero when not given. A node with none, and no default
	// for its kind, never fails by itself.
	Availability float64
	MTBF, MTTR   time.Duration

	Pos    Pos       // where the node's id was written
	fields []fieldAt // where each field was written (decoder only)
}

// fieldAt is where a field of a node was written. A node has a handful:
// a short list searched in order is smaller and faster than a map. It
// keeps the field as a number and the line as an offset from the node's
// (12 bytes instead of a name's 16 and a Pos's 24): a model of 1,000,000
// nodes has some 5,000,000 of them.
type fieldAt struct {
	delta uint32 // line - the node's line
	rep   uint32 // 0 for a field of the node, i+1 for one of replicas[i]
	field uint8  // index in nodeFields, or in replicaFields for a replica's
}

// FieldPos returns where the named field of the node was written, or the
// node's own position when the field was not read from a file.
func (n *Node) FieldPos(field string) Pos {
	if p, ok := n.lookupField(field); ok {
		return p
	}
	return n.Pos
}

// HasField reports whether the node was read from a file that wrote the
// named field: `requires: []` is written, though it decodes to no
// dependency, as a field left out does.
func (n *Node) HasField(field string) bool {
	_, ok := n.lookupField(field)
	return ok
}

// lookupField finds field ("kind", "replicas[1].site") among the node's.
func (n *Node) lookupField(field string) (Pos, bool) {
	if len(n.fields) == 0 {
		return Pos{}, false
	}
	rep, k, ok := fieldNumber(field)
	if !ok {
		return Pos{}, false
	}
	for _, f := range n.fields {
		if f.rep == rep && int(f.field) == k {
			return Pos{File: n.Pos.File, Line: n.Pos.Line + int(f.delta)}, true
		}
	}
	return Pos{}, false
}

// Replica is one placement of a node at a site.
type Replica struct {
	Site     string
	Capacity int64   // share of the node's demand it carries; 0 means 1 when no replica of the node gives a capacity
	Standby  Standby // Active unless a DR tier
	// Recovery overrides the standby tier's default recovery time when
	// positive.
	Recovery time.Duration
	// Requires lists what this replica alone needs (the copy of a database
	// at its own site, say), on top of its site and the node's Requires.
	Requires []Dep
	// FailoverRequires lists what a standby's takeover needs (the
	// operations tools that start it): the takeover starts once every one
	// of them is not Down and then takes the whole recovery time (it starts
	// over), so the standby serves from max(their return) + recovery on.
	// Only a standby that takes time (hot, warm, cold) has it.
	FailoverRequires []string
	Pos              Pos
}

// RecoveryTime is the time from the loss of the primary until the replica
// serves: Recovery when set, else the standby tier's default.
func (r Replica) RecoveryTime() time.Duration {
	if r.Recovery > 0 {
		return r.Recovery
	}
	return r.Standby.DefaultRecovery()
}

// Form says how a dependency was written.
type Form uint8

// The forms of a dependency. All compile to one threshold gate: the live
// weight of the members must reach Need.
const (
	One      Form = iota // a single node
	AnyOfN               // any one of the members
	AtLeastK             // at least Need of the members
	Weighted             // members give capacity; Need is the demand
)

// Dep is one dependency: a single node, or a redundant group of nodes.
type Dep struct {
	Form    Form
	Members []Member
	// Need is the weight of live members the dependent needs to count the
	// dependency as Up: 1 for One and AnyOfN, k for AtLeastK, the demand
	// for Weighted.
	Need int64
	// DegradedAt, when positive (Weighted only), is the least live weight
	// at which the dependency is Degraded rather than Down.
	DegradedAt int64
	Pos        Pos
}

// Member is one node of a dependency with the weight it contributes (1
// except in Weighted groups).
type Member struct {
	ID     string
	Weight int64
	Pos    Pos
}

// On returns a plain dependency on id. It and the group builders (AnyOf,
// AtLeast, Capacity) each return one Dep, so they mix in one literal:
//
//	Requires: []graph.Dep{graph.On("db"), graph.AnyOf("cache-a", "cache-b")}
func On(id string) Dep {
	return Dep{Form: One, Members: []Member{{ID: id, Weight: 1}}, Need: 1}
}

// All returns one plain dependency per id, the list a node that needs
// every one of them writes: Requires: graph.All("db", "auth").
func All(ids ...string) []Dep {
	deps := make([]Dep, len(ids))
	for i, id := range ids {
		deps[i] = On(id)
	}
	return deps
}

// AnyOf returns a dependency satisfied while any one of ids is live.
func AnyOf(ids ...string) Dep {
	return Dep{Form: AnyOfN, Members: unitMembers(ids), Need: 1}
}

// AtLeast returns a dependency satisfied while at least k of ids are live.
func AtLeast(k int, ids ...string) Dep {
	return Dep{Form: AtLeastK, Members: unitMembers(ids), Need: int64(k)}
}

// Capacity returns a capacity-weighted dependency: each member gives its
// weight; the dependency is Up while the live weight reaches demand, and
// Degraded (not Down) while it reaches degradedAt, when degradedAt > 0.
func Capacity(demand, degradedAt int64, members ...Member) Dep {
	return Dep{Form: Weighted, Members: members, Need: demand, DegradedAt: degradedAt}
}

func unitMembers(ids []string) []Member {
	ms := make([]Member, len(ids))
	for i, id := range ids {
		ms[i] = Member{ID: id, Weight: 1}
	}
	return ms
}

// IDs returns the member ids of the dependency.
func (d Dep) IDs() []string {
	ids := make([]string, len(d.Members))
	for i, m := range d.Members {
		ids[i] = m.ID
	}
	return ids
}

// String formats the dependency as it would be written in YAML flow style.
func (d Dep) String() string {
	switch d.Form {
	case One:
		if len(d.Members) == 1 {
			return d.Members[0].ID
		}
	case AnyOfN:
		return fmt.Sprintf("any_of %v", d.IDs())
	case AtLeastK:
		return fmt.Sprintf("at_least %d of %v", d.Need, d.IDs())
	}
	s := "capacity {"
	for i, m := range d.Members {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %d", m.ID, m.Weight)
	}
	return s + fmt.Sprintf("} demand %d", d.Need)
}
