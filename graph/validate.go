package graph

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// maxIDLen is the longest node id, in bytes.
const maxIDLen = 256

// maxTier is the largest tier: compiled graphs keep tiers in 32 bits.
const maxTier = 1 << 30

// The limits on a model's numbers. They are far above any real system and
// chosen so that no sum an analysis makes can overflow an int64: a total of
// users (MaxTotalUsers) and the difference of two totals fit, and so does
// the weight a gate sums over its members (MaxCapacity). Time sums (a
// restart after a repair after a standby's recovery, along a chain)
// saturate at analyze.Never instead, which reports "not back".
const (
	// MaxUsers is the most users one node may have: 10^15.
	MaxUsers = 1_000_000_000_000_000
	// MaxTotalUsers bounds the users of all the nodes of a model together:
	// 4·10^18, so that a sum of two totals (diff, a comparison) still fits.
	MaxTotalUsers = 4_000_000_000_000_000_000
	// MaxCapacity bounds a node's demand and degraded_at, and the summed
	// capacity of its replicas and of each of its capacity groups: 10^15.
	MaxCapacity = 1_000_000_000_000_000
	// MaxDuration bounds restart and recovery times: 10 years (87,600h).
	MaxDuration = 10 * 365 * 24 * time.Hour
)

// Suggestions compare an unknown id with every id of the model, so their
// work is capped: on a model with a million nodes only the first few
// unknown references get a "did you mean".
const (
	maxSuggestions = 50
	maxSuggestWork = 5_000_000 // ids compared, over all suggestions
)

// Validate checks the rules of the model file format that Decode cannot
// check one field at a time: node id syntax, unique ids, references to nodes
// that exist and are of the right kind, no node depending on itself, group
// sizes, replica capacities against demand, recovery times. Decode and
// Compile run it; models built in Go have no positions, and their problems
// name only the node and field.
//
// It returns nil or a *ValidationError listing every problem, sorted. It
// runs in time linear in the size of the model.
func (m *Model) Validate() error {
	ps, _ := m.validate()
	return ps.err()
}

// validate returns the model's problems and, for Compile, what it resolved.
func (m *Model) validate() (problems, *resolution) {
	nv, nh, ns := sizes(m)
	// The index is sized for every vertex: Compile adds the replicas and
	// groups to it. There are no more references than edges.
	v := validator{m: m, index: make(map[string]int32, nv), refs: make([]int32, 0, nh+ns)}
	for i := range m.Nodes {
		v.identify(i)
	}
	v.defaults()
	if len(v.ps) == 0 && len(m.Nodes) >= splitNodes && splitValidate && runtime.GOMAXPROCS(0) > 1 {
		if v.split() {
			return nil, &resolution{index: v.index, refs: v.refs, vertices: nv, hard: nh, soft: ns}
		}
		v.refs, v.ps, v.hint = v.refs[:0], nil, suggester{}
	}
	var total int64 // users so far, saturating
	for i := range m.Nodes {
		n := &m.Nodes[i]
		v.node(n)
		if n.Users > 0 && n.Users <= MaxUsers && total <= MaxTotalUsers {
			if total = addSat(total, n.Users); total > MaxTotalUsers {
				v.ps.add(n.FieldPos("users"), nodeName(n.ID), "users", "the users of the model add up to more than %d here (the limit is %d in all)", int64(MaxTotalUsers), int64(MaxTotalUsers))
			}
		}
	}
	return v.ps, &resolution{index: v.index, refs: v.refs, vertices: nv, hard: nh, soft: ns}
}

// splitNodes is the size of model from which validate checks the nodes
// on two cores (see split).
const splitNodes = 20_000

// splitValidate turns split on; tests turn it off to compare.
var splitValidate = true

// split checks the nodes as validate does, the second half on another
// goroutine: checking is mostly looking ids up in the index, which is
// complete and only read by then, and half of validating a large model
// (1.4 s of CPU at 1,000,000 nodes). Each half keeps its own references,
// appended in order. It returns false, with v to be reset, when any check
// found a problem: then the model is checked again on one goroutine, so
// that problems, and which unknown ids get a suggestion (a budget spent
// in order), are exactly those of one pass.
func (v *validator) split() bool {
	nodes := v.m.Nodes
	h := len(nodes) / 2
	second := validator{m: v.m, index: v.index}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := h; i < len(nodes); i++ {
			second.node(&nodes[i])
		}
	}()
	for i := range h {
		v.node(&nodes[i])
	}
	<-done
	if len(v.ps) > 0 || len(second.ps) > 0 {
		return false
	}
	var total int64
	for i := range nodes {
		if n := nodes[i].Users; n > 0 && n <= MaxUsers {
			if total = addSat(total, n); total > MaxTotalUsers {
				return false
			}
		}
	}
	v.refs = append(v.refs, second.refs...)
	return true
}

type validator struct {
	m     *Model
	index map[string]int32 // id → the first node with it
	refs  []int32          // the node of each reference met, in order (see resolution)
	ps    problems
	hint  suggester

	// With pre, the references are resolved already (the compact load,
	// see load_compact.go): the validator takes pre[np] for the next
	// reference it meets instead of looking it up, and reads the kinds
	// and ids of nodes from kinds and names, there being no m.Nodes.
	// refs stays empty: pre is the resolution.
	pre   []int32
	np    int
	kinds []Kind
	names []string
	self  int32 // with pre: the node being checked
}

// kindOf is the kind of node i.
func (v *validator) kindOf(i int32) Kind {
	if v.kinds != nil {
		return v.kinds[i]
	}
	return v.m.Nodes[i].Kind
}

// lookup finds the node of the next reference, id, without taking it
// (see take).
func (v *validator) lookup(id string) (int32, bool) {
	if v.pre == nil {
		i, ok := v.index[id]
		return i, ok
	}
	// The resolution was made in the order the validator meets the
	// references; one out of step is a bug, reported as a problem so that
	// the compact load gives up rather than compile it.
	if v.np >= len(v.pre) || v.names[v.pre[v.np]] != id {
		return 0, false
	}
	return v.pre[v.np], true
}

// take records that the reference just looked up is node i.
func (v *validator) take(i int32) {
	if v.pre == nil {
		v.refs = append(v.refs, i)
		return
	}
	v.np++
}

// nodeName is how a problem names a node: its id, shortened when it is too
// long to be one.
func nodeName(id string) string {
	if len(id) > maxIDLen {
		return clip(id)
	}
	return id
}

// fieldPos returns where field of n was written, else fallback, else the
// node's position.
func fieldPos(n *Node, field string, fallback Pos) Pos {
	if p, ok := n.lookupField(field); ok {
		return p
	}
	if fallback != (Pos{}) {
		return fallback
	}
	return n.Pos
}

func posOr(p, fallback Pos) Pos {
	if p != (Pos{}) {
		return p
	}
	return fallback
}

func index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// identify checks the id of node i and records it.
func (v *validator) identify(i int) {
	n := &v.m.Nodes[i]
	name := nodeName(n.ID)
	if msg := checkID(n.ID); msg != "" {
		v.ps.add(n.Pos, name, "", "%s", msg)
	}
	first, dup := v.index[n.ID]
	if !dup {
		v.index[n.ID] = int32(i)
		return
	}
	if p := v.m.Nodes[first].Pos; p.Line > 0 {
		v.ps.add(n.Pos, name, "", "duplicate id (first at line %d)", p.Line)
	} else {
		v.ps.add(n.Pos, name, "", "duplicate id (first is node %d)", first)
	}
}

// checkID returns what is wrong with a node id, or "". An id is at most
// 256 bytes of letters, digits, '.', '_', '-' and '/', starting with a letter
// or digit; '@' and ':' are reserved for replica vertices ("node@site") and
// the CLI ("site:ID").
func checkID(id string) string {
	switch {
	case id == "":
		return "empty node id"
	case len(id) > maxIDLen:
		return fmt.Sprintf("id is %d bytes long, more than the limit of %d", len(id), maxIDLen)
	case !utf8.ValidString(id):
		return "id is not valid UTF-8"
	}
	for i, r := range id {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		switch {
		case i == 0:
			return fmt.Sprintf("id must start with a letter or digit, not %q", r)
		case r == '.' || r == '_' || r == '-' || r == '/':
		case r == '@' || r == ':':
			return fmt.Sprintf("invalid character %q in id ('@' and ':' are reserved)", r)
		default:
			return fmt.Sprintf("invalid character %q in id: use letters, digits, '.', '_', '-' and '/'", r)
		}
	}
	return ""
}

// ref resolves a reference to a node id, reporting an unknown one.
func (v *validator) ref(pos Pos, node, field, id string) (int32, bool) {
	if id == "" {
		v.ps.add(pos, node, field, "empty node id")
		return 0, false
	}
	i, ok := v.lookup(id)
	if !ok {
		if v.pre != nil {
			v.ps.add(pos, node, field, "unknown node %q", clip(id))
			return 0, false
		}
		v.ps.add(pos, node, field, "unknown node %q%s", clip(id), v.hint.didYouMean(id, v.m.Nodes))
		return 0, false
	}
	v.take(i)
	return i, true
}

// target checks a reference that must name a node of kind want.
func (v *validator) target(pos Pos, node, field, id string, want Kind) {
	if i, ok := v.ref(pos, node, field, id); ok {
		if k := v.kindOf(i); k < numKinds && k != want {
			v.ps.add(pos, node, field, "%q is a %v, not a %v", clip(id), k, want)
		}
	}
}

func (v *validator) node(n *Node) {
	name := nodeName(n.ID)
	kindOK := n.Kind < numKinds
	if !kindOK {
		v.ps.add(n.FieldPos("kind"), name, "kind", "unknown kind %v", n.Kind)
	}
	switch {
	case n.Users < 0:
		v.ps.add(n.FieldPos("users"), name, "users", "must be >= 0, got %d", n.Users)
	case n.Users > MaxUsers:
		v.ps.add(n.FieldPos("users"), name, "users", "must be at most %d, got %d", int64(MaxUsers), n.Users)
	}
	if t, ok := n.Tier.Get(); ok && (t < 0 || t > maxTier) {
		v.ps.add(n.FieldPos("tier"), name, "tier", "must be between 0 and %d, got %d", maxTier, t)
	}
	place := kindOK && (n.Kind == Site || n.Kind == Region)
	if n.Region != "" {
		if kindOK && n.Kind != Site {
			v.ps.add(n.FieldPos("region"), name, "region", "only a site belongs to a region, and this is a %v", n.Kind)
		} else {
			v.target(n.FieldPos("region"), name, "region", n.Region, Region)
		}
	}
	if n.Site != "" {
		switch {
		case place:
			v.ps.add(n.FieldPos("site"), name, "site", "a %v does not run at a site", n.Kind)
		case len(n.Replicas) > 0:
			v.ps.add(n.FieldPos("site"), name, "site", "site and replicas are exclusive: list the site among the replicas")
		default:
			v.target(n.FieldPos("site"), name, "site", n.Site, Site)
		}
	}
	switch {
	case n.Restart < 0:
		v.ps.add(n.FieldPos("restart"), name, "restart", "must not be negative, got %v", n.Restart)
	case n.Restart > MaxDuration:
		v.ps.add(n.FieldPos("restart"), name, "restart", "must be at most %v (10 years), got %v", MaxDuration, n.Restart)
	}
	switch {
	case n.RTO < 0:
		v.ps.add(n.FieldPos("rto"), name, "rto", "must not be negative, got %v", n.RTO)
	case n.RTO > MaxDuration:
		v.ps.add(n.FieldPos("rto"), name, "rto", "must be at most %v (10 years), got %v", MaxDuration, n.RTO)
	}
	v.reliability(n, name)
	v.replicas(n, name, place)
	v.recoveryDeps(n, name)
	v.deps(n, name, n.Requires, "requires", n.FieldPos("requires"))
	v.deps(n, name, n.Uses, "uses", n.FieldPos("uses"))
	v.hardAndSoft(n, name)
}

// replicas checks a node's replicas, and its demand and degraded_at, which
// are about replica capacity.
func (v *validator) replicas(n *Node, name string, place bool) {
	rs := n.Replicas
	switch {
	case n.Demand < 0:
		v.ps.add(n.FieldPos("demand"), name, "demand", "must be > 0, got %d", n.Demand)
	case n.Demand > MaxCapacity:
		v.ps.add(n.FieldPos("demand"), name, "demand", "must be at most %d, got %d", int64(MaxCapacity), n.Demand)
	}
	switch {
	case n.DegradedAt < 0:
		v.ps.add(n.FieldPos("degraded_at"), name, "degraded_at", "must be > 0, got %d", n.DegradedAt)
	case n.DegradedAt > MaxCapacity:
		v.ps.add(n.FieldPos("degraded_at"), name, "degraded_at", "must be at most %d, got %d", int64(MaxCapacity), n.DegradedAt)
	}
	if len(rs) == 0 {
		if n.Demand > 0 {
			v.ps.add(n.FieldPos("demand"), name, "demand", "only a node with replicas has a demand")
		}
		if n.DegradedAt > 0 {
			v.ps.add(n.FieldPos("degraded_at"), name, "degraded_at", "only a node with replicas and a demand has degraded_at")
		}
		return
	}
	if place {
		v.ps.add(n.FieldPos("replicas"), name, "replicas", "a %v has no replicas", n.Kind)
		return
	}
	given := -1      // the first replica that gives a capacity
	known := true    // every standby tier is valid
	var active int64 // capacity (or count) of the active and mirror replicas
	var summed int64 // capacity of all the replicas, saturating
	for i := range rs {
		r := &rs[i]
		at := func(f string) (Pos, string) {
			field := index("replicas", i) + "." + f
			return fieldPos(n, field, r.Pos), field
		}
		if r.Site == "" {
			pos, field := at("site")
			v.ps.add(pos, name, field, "missing: a replica runs at a site")
		} else if s, ok := v.lookup(r.Site); ok && v.kindOf(s) == Site {
			v.take(s)
		} else {
			pos, field := at("site")
			v.target(pos, name, field, r.Site, Site)
		}
		if r.Capacity < 0 {
			pos, field := at("capacity")
			v.ps.add(pos, name, field, "must be > 0, got %d", r.Capacity)
		}
		if r.Capacity != 0 && given < 0 {
			given = i
		}
		switch {
		case r.Standby >= numStandbys:
			pos, field := at("standby")
			v.ps.add(pos, name, field, "unknown standby %v", r.Standby)
			known = false
		case r.Standby == Active && r.Recovery > 0:
			pos, field := at("recovery")
			v.ps.add(pos, name, field, "an active replica has no recovery time: set standby to mirror, hot, warm or cold")
		case r.Standby == Mirror && r.Recovery > 0:
			pos, field := at("recovery")
			v.ps.add(pos, name, field, "a mirror takes over at once: for a standby that needs time, set standby to hot, warm or cold")
		}
		if r.Standby == Active || r.Standby == Mirror {
			active = addSat(active, max(r.Capacity, 0))
		}
		if summed <= MaxCapacity {
			if summed = addSat(summed, max(r.Capacity, 0)); summed > MaxCapacity {
				pos, field := at("capacity")
				v.ps.add(pos, name, field, "the replicas' capacities add up to more than %d here (the limit for a node)", int64(MaxCapacity))
			}
		}
		switch {
		case r.Recovery < 0:
			pos, field := at("recovery")
			v.ps.add(pos, name, field, "must not be negative, got %v", r.Recovery)
		case r.Recovery > MaxDuration:
			pos, field := at("recovery")
			v.ps.add(pos, name, field, "must be at most %v (10 years), got %v", MaxDuration, r.Recovery)
		}
		if len(r.Requires) > 0 {
			pos, field := at("requires")
			v.deps(n, name, r.Requires, field, pos)
		}
	}
	if given >= 0 {
		for i := range rs {
			if rs[i].Capacity == 0 {
				field := index("replicas", i) + ".capacity"
				v.ps.add(fieldPos(n, field, rs[i].Pos), name, field, "missing: replicas[%d] gives a capacity, so every replica needs one", given)
			}
		}
		switch {
		case n.Demand == 0:
			v.ps.add(n.FieldPos("demand"), name, "demand", "missing: replicas with capacities need a demand")
		case n.Demand > 0 && known && active < n.Demand:
			v.ps.add(n.FieldPos("demand"), name, "demand", "active capacity %d is below demand %d: the node is not Up even with nothing failed", active, n.Demand)
		}
		if n.DegradedAt > 0 && n.Demand > 0 && n.DegradedAt > n.Demand {
			v.ps.add(n.FieldPos("degraded_at"), name, "degraded_at", "%d is above demand %d", n.DegradedAt, n.Demand)
		}
		return
	}
	// No capacities: every replica counts 1 and demand defaults to 1.
	if n.DegradedAt > 0 {
		v.ps.add(n.FieldPos("degraded_at"), name, "degraded_at", "only replicas with capacities have degraded_at: give every replica a capacity")
	}
	var count int64
	for i := range rs {
		if rs[i].Standby == Active || rs[i].Standby == Mirror {
			count++
		}
	}
	switch need := max(n.Demand, 1); {
	case !known:
	case count == 0:
		v.ps.add(n.FieldPos("replicas"), name, "replicas", "no active or mirror replica: the node is not Up even with nothing failed")
	case count < need:
		v.ps.add(n.FieldPos("demand"), name, "demand", "active capacity %d is below demand %d: the node is not Up even with nothing failed", count, need)
	}
}

// addSat adds non-negative numbers without overflow.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// deps checks a list of dependencies of n written under field ("requires",
// "uses", "replicas[1].requires"); pos is where the list was written.
// Plain dependencies are named by the list ("requires"), groups by their
// index ("requires[2]"), group members by theirs ("requires[2].of[1]").
func (v *validator) deps(n *Node, name string, list []Dep, field string, pos Pos) {
	for i := range list {
		d := &list[i]
		dpos := posOr(d.Pos, pos)
		switch d.Form {
		case One:
			if len(d.Members) != 1 {
				v.ps.add(dpos, name, index(field, i), "a plain dependency names one node, not %d", len(d.Members))
				continue
			}
			v.member(n, name, posOr(d.Members[0].Pos, dpos), field, d.Members[0].ID)
		case AnyOfN, AtLeastK, Weighted:
			v.group(n, name, d, field, i, dpos)
		default:
			v.ps.add(dpos, name, index(field, i), "unknown dependency form %d", d.Form)
		}
	}
	// The same node twice as a plain dependency in one list.
	twice := func(i, first int) {
		id := plainID(&list[i])
		if p := list[first].Pos; p.Line > 0 {
			v.ps.add(posOr(list[i].Pos, pos), name, field, "%q listed twice (first at line %d)", clip(id), p.Line)
		} else {
			v.ps.add(posOr(list[i].Pos, pos), name, field, "%q listed twice", clip(id))
		}
	}
	if v.pre != nil {
		repeats(len(list), func(i int) *byte { return v.idKey(plainID(&list[i])) }, twice)
	} else {
		repeats(len(list), func(i int) string { return plainID(&list[i]) }, twice)
	}
}

// idKey is id, a reference of a node made by the compact load, as a key
// that is equal for equal ids: its bytes' address. Every reference there
// is one of the model's ids, each a string of its own (ids are unique),
// so comparing addresses is comparing the ids, without reading their
// bytes (a read at a random place of the ids per reference: repeats was
// a third of the validator's time at 1,000,000 nodes). "" is nil.
func (v *validator) idKey(id string) *byte {
	if id == "" {
		return nil
	}
	return unsafe.StringData(id)
}

// plainID returns the node of a plain dependency, or "".
func plainID(d *Dep) string {
	if d.Form == One && len(d.Members) == 1 {
		return d.Members[0].ID
	}
	return ""
}

// member checks one node a dependency names.
func (v *validator) member(n *Node, name string, pos Pos, field, id string) {
	if v.self0(n, id) {
		v.ps.add(pos, name, field, "depends on itself")
		return
	}
	v.ref(pos, name, field, id)
}

// self0 reports whether id, the next reference of n, is n's own id. With
// the references resolved (pre), their nodes are compared instead of the
// ids (unique by then), which saves reading the bytes of the id named, a
// read at a random place of the model's ids per reference.
func (v *validator) self0(n *Node, id string) bool {
	if v.pre != nil && v.np < len(v.pre) && v.names[v.pre[v.np]] == id {
		return v.pre[v.np] == v.self
	}
	return id == n.ID
}

// next reports whether the member id of n is a reference with no
// problem, as member would find it, and takes it then: member's path
// (and its field's name) is made only when a problem needs it.
func (v *validator) next(n *Node, id string) bool {
	if id == "" || v.self0(n, id) {
		return false
	}
	i, ok := v.lookup(id)
	if ok {
		v.take(i)
	}
	return ok
}

func groupKey(f Form) string {
	switch f {
	case AnyOfN:
		return "any_of"
	case AtLeastK:
		return "of"
	}
	return "capacity"
}

// group checks a redundant group, the i-th of the list field: its path
// is field[i], made only for a problem (a catalog has hundreds of
// thousands of groups and almost never one).
func (v *validator) group(n *Node, name string, d *Dep, field string, i int, pos Pos) {
	path := func() string { return index(field, i) }
	key := groupKey(d.Form)
	if len(d.Members) == 0 {
		v.ps.add(pos, name, path(), "%s needs at least one node", key)
	}
	var total int64
	weights := true
	for j := range d.Members {
		mb := &d.Members[j]
		mpos := posOr(mb.Pos, pos)
		mpath := func() string { return path() + "." + index(key, j) }
		if !v.next(n, mb.ID) {
			v.member(n, name, mpos, mpath(), mb.ID)
		}
		switch {
		case d.Form == Weighted && mb.Weight <= 0:
			v.ps.add(mpos, name, mpath(), "capacity of %q must be > 0, got %d", clip(mb.ID), mb.Weight)
			weights = false
		case d.Form == Weighted:
			if total <= MaxCapacity {
				if total = addSat(total, mb.Weight); total > MaxCapacity {
					v.ps.add(mpos, name, mpath(), "the group's capacities add up to more than %d here (the limit for a group)", int64(MaxCapacity))
				}
			}
		case mb.Weight != 0 && mb.Weight != 1:
			v.ps.add(mpos, name, mpath(), "weight must be 1 outside capacity groups, got %d", mb.Weight)
		}
	}
	twice := func(j, _ int) {
		v.ps.add(posOr(d.Members[j].Pos, pos), name, path()+"."+index(key, j), "%q is listed twice in the group", clip(d.Members[j].ID))
	}
	if v.pre != nil {
		repeats(len(d.Members), func(j int) *byte { return v.idKey(d.Members[j].ID) }, twice)
	} else {
		repeats(len(d.Members), func(j int) string { return d.Members[j].ID }, twice)
	}
	switch d.Form {
	case AnyOfN:
		if d.Need != 1 {
			v.ps.add(pos, name, path(), "any_of needs 1 live node, not %d", d.Need)
		}
	case AtLeastK:
		switch {
		case d.Need < 1:
			v.ps.add(pos, name, path(), "at_least must be >= 1, got %d", d.Need)
		case d.Need > int64(len(d.Members)):
			v.ps.add(pos, name, path(), "at_least %d is more than the %d nodes in of", d.Need, len(d.Members))
		}
	case Weighted:
		switch {
		case d.Need == 0:
			v.ps.add(pos, name, path(), "missing demand: a capacity group needs one")
		case d.Need < 0:
			v.ps.add(pos, name, path(), "demand must be > 0, got %d", d.Need)
		case d.Need > MaxCapacity:
			v.ps.add(pos, name, path(), "demand must be at most %d, got %d", int64(MaxCapacity), d.Need)
		case weights && len(d.Members) > 0 && total < d.Need:
			v.ps.add(pos, name, path(), "demand %d is above the total capacity %d", d.Need, total)
		}
		switch {
		case d.DegradedAt < 0:
			v.ps.add(pos, name, path(), "degraded_at must be > 0, got %d", d.DegradedAt)
		case d.Need > 0 && d.DegradedAt > d.Need:
			v.ps.add(pos, name, path(), "degraded_at %d is above demand %d", d.DegradedAt, d.Need)
		}
	}
	if d.Form != Weighted && d.DegradedAt != 0 {
		v.ps.add(pos, name, path(), "degraded_at applies to capacity groups only")
	}
}

// hardAndSoft reports a node both in requires and uses (as plain
// dependencies): it is one or the other.
func (v *validator) hardAndSoft(n *Node, name string) {
	if len(n.Requires) == 0 || len(n.Uses) == 0 {
		return
	}
	hard := func(id string) bool {
		for i := range n.Requires {
			if plainID(&n.Requires[i]) == id {
				return true
			}
		}
		return false
	}
	if len(n.Requires)*len(n.Uses) > 64 {
		set := make(map[string]bool, len(n.Requires))
		for i := range n.Requires {
			set[plainID(&n.Requires[i])] = true
		}
		hard = func(id string) bool { return set[id] }
	}
	for i := range n.Uses {
		if id := plainID(&n.Uses[i]); id != "" && hard(id) {
			v.ps.add(posOr(n.Uses[i].Pos, n.FieldPos("uses")), name, "uses", "%q is also in requires: a dependency is hard or soft, not both", clip(id))
		}
	}
}

// repeats calls dup(i, first) for every element i whose key (not the zero
// key) equals that of an earlier element, first being the earliest. Short
// lists are scanned, long ones use a map.
func repeats[K comparable](n int, key func(int) K, dup func(i, first int)) {
	if n < 2 {
		return
	}
	if n <= 8 {
		var zero K
		for i := 1; i < n; i++ {
			k := key(i)
			if k == zero {
				continue
			}
			for j := range i {
				if key(j) == k {
					dup(i, j)
					break
				}
			}
		}
		return
	}
	var zero K
	seen := make(map[K]int, n)
	for i := range n {
		k := key(i)
		if k == zero {
			continue
		}
		if j, ok := seen[k]; ok {
			dup(i, j)
		} else {
			seen[k] = i
		}
	}
}

// suggester finds "did you mean" candidates among a model's ids, with the
// same answers as Suggest but bounded work: ids are indexed by length once,
// so that only those of a length close enough are compared; the edit
// distance stops once it exceeds the best so far; and the number of
// suggestions and of ids compared is capped.
type suggester struct {
	byLen       map[int][]string
	calls, work int
}

func (s *suggester) didYouMean(id string, nodes []Node) string {
	// A longer id is not a misspelt id, and would make the distance slow.
	if len(id) > maxIDLen || s.calls >= maxSuggestions || s.work >= maxSuggestWork {
		return ""
	}
	s.calls++
	if s.byLen == nil {
		s.byLen = make(map[int][]string)
		for i := range nodes {
			c := nodes[i].ID
			s.byLen[len(c)] = append(s.byLen[len(c)], c)
		}
		s.work += len(nodes)
	}
	limit := yamltree.SuggestLimit(id)
	best, bestD := "", limit
	found := false
	var want, used [256]int16 // byte counts of id, and scratch
	for i := 0; i < len(id); i++ {
		want[id[i]]++
	}
	for l := len(id) - limit; l <= len(id)+limit; l++ {
		cands := s.byLen[l]
		if s.work+len(cands) > maxSuggestWork {
			return ""
		}
		s.work += len(cands)
		for _, c := range cands {
			if diff := len(c) - len(id); diff > bestD || -diff > bestD {
				continue
			}
			// The bag distance, the larger of the bytes of c missing
			// from id and those of id missing from c (as multisets), is
			// at most the edit distance, and much cheaper.
			extra := 0
			for i := 0; i < len(c); i++ {
				if b := c[i]; used[b] < want[b] {
					used[b]++
				} else {
					extra++
				}
			}
			for i := 0; i < len(c); i++ {
				used[c[i]] = 0
			}
			if max(extra, len(id)-len(c)+extra) > bestD {
				continue
			}
			d := yamltree.Distance(id, c, bestD)
			if d < bestD || d == bestD && (!found || c < best) {
				best, bestD, found = c, d, true
			}
		}
	}
	if !found {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
