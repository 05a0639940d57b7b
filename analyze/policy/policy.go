package policy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Policy is a list of rules a model must keep. The zero Policy has no rules
// and every model passes it.
type Policy struct {
	Name        string
	Description string
	Rules       []Rule
	// MaxViolations bounds the violations listed per rule (the count of
	// all of them is kept): 0 means DefaultMaxViolations, a negative
	// number lists them all.
	MaxViolations int
	File          string // the file it was read from, if any
}

// DefaultMaxViolations is how many violations a rule lists when
// Policy.MaxViolations is 0.
const DefaultMaxViolations = 50

func (p *Policy) limit() int {
	switch {
	case p.MaxViolations == 0:
		return DefaultMaxViolations
	case p.MaxViolations < 0:
		return int(^uint(0) >> 1)
	}
	return p.MaxViolations
}

// Rule is one thing a model must keep. The rules are SurviveSiteLoss,
// SurviveRegionLoss, NoSPOF, MaxBlastRadius, MinRedundancyRate and
// SitesAtLeast; Check evaluates them. To check one rule alone, put it in a
// Policy of its own.
type Rule interface {
	// Name is the rule as policy files write it: "no_spof".
	Name() string
	// String says what the rule demands, in a sentence.
	String() string

	info() *meta
	// prepare validates the rule against the model and registers the
	// passes it needs; path names it in problems ("rules[2]").
	prepare(p *plan, path string) (evaluator, []graph.Problem)
}

// meta is what a policy file adds to a rule: a name, a description and
// where it was written.
type meta struct {
	label, desc string
	pos         graph.Pos
	fields      map[string]graph.Pos // where each parameter was written
}

func (m *meta) info() *meta { return m }

// at returns where the rule's field was written, or the rule's position.
func (m *meta) at(field string) graph.Pos {
	if p, ok := m.fields[field]; ok {
		return p
	}
	return m.pos
}

// By says how MinRedundancyRate measures: share of services, or of users.
type By uint8

const (
	ByCount By = iota // the share of services
	ByUsers           // the share of users (user-services)
)

// String returns "count" or "users".
func (b By) String() string {
	if b == ByUsers {
		return "users"
	}
	return "count"
}

// Limit bounds a blast radius: a zero field sets no bound.
type Limit struct {
	// Nodes is the most other nodes a single failure may take Down.
	Nodes int
	// Users is the largest share (0 to 1) of all users that the nodes a
	// single failure takes Down, other than itself, may have.
	Users float64
}

// SurviveSiteLoss demands that the selected nodes stay Up (with or without
// margin left) whichever one site is lost: neither Down nor Degraded.
func SurviveSiteLoss(s Selector) Rule { return &survive{sel: s, kind: graph.Site} }

// SurviveRegionLoss demands that the selected nodes stay Up whichever one
// region (with all its sites) is lost.
func SurviveRegionLoss(s Selector) Rule { return &survive{sel: s, kind: graph.Region} }

// NoSPOF demands that no single node takes a selected node Down: no node,
// other than infrastructure (sites, regions, power, network: the business
// of SurviveSiteLoss) and the nodes that match one of ignore, whose failure
// alone takes a selected node Down. A failure means the whole node, every
// replica of it (a bad release, say); ignore {Redundant: true} to count
// only the nodes that a single physical failure can take away.
func NoSPOF(s Selector, ignore ...Selector) Rule { return &noSPOF{sel: s, ignore: ignore} }

// MaxBlastRadius demands that no single failure of a node that is not
// infrastructure (site, region, power, network), nor one that matches one of
// ignore, takes more than the limit Down with it. The failed node itself is
// not counted: the rule is about what a failure takes along.
func MaxBlastRadius(l Limit, ignore ...Selector) Rule { return &maxRadius{lim: l, ignore: ignore} }

// MinRedundancyRate demands a redundancy rate (analyze.RedundancyRate) of at
// least r (0 to 1): the share of services, or of their users, that stay Up
// whichever one site is lost.
func MinRedundancyRate(r float64, by By) Rule { return &minRate{rate: r, by: by} }

// SitesAtLeast demands that the selected nodes serve from at least n sites
// (replicas that are active or mirrors: a hot, warm or cold standby does not
// serve at the moment of failure), and, when n is 2 or more, that the sites
// other than the largest carry the node's demand: the node survives its
// largest site's loss at full capacity.
func SitesAtLeast(n int, s Selector) Rule { return &sitesAtLeast{n: n, sel: s} }

// Selector picks model nodes. Its fields combine with AND, the values of one
// field with OR: {Kinds: [service, identity], Tiers: [0]} picks the tier-0
// services and identities. The zero Selector picks every node.
type Selector struct {
	IDs    []string
	Kinds  []graph.Kind
	Tiers  []int
	Labels map[string]string // every label given must have the value given
	// UserFacing picks only nodes with users.
	UserFacing bool
	// Redundant picks only nodes that SitesAtLeast(2) accepts: serving
	// from two sites or more, the others carrying the demand without the
	// largest.
	Redundant bool

	idPos []graph.Pos // where each id was written, when read from a file
}

// ID returns a Selector of the nodes named.
func ID(ids ...string) Selector { return Selector{IDs: ids} }

// Kind returns a Selector of the nodes of these kinds.
func Kind(kinds ...graph.Kind) Selector { return Selector{Kinds: kinds} }

// Tier returns a Selector of the nodes of these tiers.
func Tier(tiers ...int) Selector { return Selector{Tiers: tiers} }

// Label returns a Selector of the nodes with the label key set to value.
func Label(key, value string) Selector { return Selector{Labels: map[string]string{key: value}} }

// UserFacing returns a Selector of the nodes with users.
func UserFacing() Selector { return Selector{UserFacing: true} }

// String describes the selection: "user-facing nodes of tier 0".
func (s Selector) String() string {
	var adj, qual []string
	if s.UserFacing {
		adj = append(adj, "user-facing")
	}
	if s.Redundant {
		adj = append(adj, "redundant")
	}
	if len(s.IDs) > 0 {
		qual = append(qual, strings.Join(s.IDs, ", "))
	}
	if len(s.Kinds) > 0 {
		ks := make([]string, len(s.Kinds))
		for i, k := range s.Kinds {
			ks[i] = k.String()
		}
		qual = append(qual, "of kind "+strings.Join(ks, " or "))
	}
	if len(s.Tiers) > 0 {
		ts := make([]string, len(s.Tiers))
		for i, t := range s.Tiers {
			ts[i] = strconv.Itoa(t)
		}
		qual = append(qual, "of tier "+strings.Join(ts, " or "))
	}
	if len(s.Labels) > 0 {
		var ls []string
		for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
			ls = append(ls, k+"="+s.Labels[k])
		}
		qual = append(qual, "labelled "+strings.Join(ls, ", "))
	}
	if len(adj) == 0 && len(qual) == 0 {
		return "every node"
	}
	return strings.TrimSpace(strings.Join(adj, " ") + " nodes " + strings.Join(qual, ", "))
}

func ignoring(ignore []Selector) string {
	if len(ignore) == 0 {
		return ""
	}
	parts := make([]string, len(ignore))
	for i, s := range ignore {
		parts[i] = s.String()
	}
	return " (ignoring " + strings.Join(parts, "; ") + ")"
}

type survive struct {
	meta
	sel  Selector
	kind graph.Kind // Site or Region
}

func (r *survive) Name() string {
	if r.kind == graph.Region {
		return "survive_region_loss"
	}
	return "survive_site_loss"
}

func (r *survive) String() string {
	return fmt.Sprintf("%s stay up when any one %s is lost", r.sel, r.kind)
}

type noSPOF struct {
	meta
	sel    Selector
	ignore []Selector
}

func (r *noSPOF) Name() string { return "no_spof" }

func (r *noSPOF) String() string {
	return fmt.Sprintf("no single node takes %s down%s", r.sel, ignoring(r.ignore))
}

type maxRadius struct {
	meta
	lim    Limit
	ignore []Selector
}

func (r *maxRadius) Name() string { return "max_blast_radius" }

func (r *maxRadius) String() string {
	var parts []string
	if r.lim.Nodes > 0 {
		parts = append(parts, fmt.Sprintf("%d other nodes", r.lim.Nodes))
	}
	if r.lim.Users > 0 {
		parts = append(parts, pct(r.lim.Users)+" of users")
	}
	return fmt.Sprintf("no single failure takes more than %s down with it%s", strings.Join(parts, " or "), ignoring(r.ignore))
}

type minRate struct {
	meta
	rate float64
	by   By
}

func (r *minRate) Name() string { return "min_redundancy_rate" }

func (r *minRate) String() string {
	what := "services"
	if r.by == ByUsers {
		what = "users"
	}
	return fmt.Sprintf("at least %s of %s survive the loss of any one site", pct(r.rate), what)
}

type sitesAtLeast struct {
	meta
	n   int
	sel Selector
}

func (r *sitesAtLeast) Name() string { return "sites_at_least" }

func (r *sitesAtLeast) String() string {
	if r.n >= 2 {
		return fmt.Sprintf("%s serve from at least %d sites and carry their demand without the largest", r.sel, r.n)
	}
	return fmt.Sprintf("%s serve from at least %d site", r.sel, r.n)
}

// pct formats a share as a percentage with at most one decimal: "37.2%".
func pct(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// Result is what Check found: one RuleResult per rule, in policy order.
type Result struct {
	Policy string       `json:"policy"`
	Model  string       `json:"model"`
	Rules  []RuleResult `json:"rules"`
}

// Passed reports whether every rule passed.
func (r *Result) Passed() bool {
	for _, rr := range r.Rules {
		if !rr.Passed {
			return false
		}
	}
	return true
}

// Failed returns the number of rules that failed.
func (r *Result) Failed() int {
	n := 0
	for _, rr := range r.Rules {
		if !rr.Passed {
			n++
		}
	}
	return n
}

// RuleResult is one rule's verdict.
type RuleResult struct {
	Rule        string    `json:"rule"`           // as policy files write it: "no_spof"
	Name        string    `json:"name,omitempty"` // the name the policy file gave it
	Description string    `json:"description"`    // the file's description, or what the rule demands
	Pos         graph.Pos `json:"-"`              // where the policy file wrote it
	Passed      bool      `json:"passed"`
	// Summary says what was checked or measured: "6 nodes, each of 6
	// sites lost", "redundancy rate by users 0%, want at least 90%".
	Summary    string      `json:"summary"`
	Violations []Violation `json:"violations"`
	// Total counts every violation; Violations lists at most the policy's
	// MaxViolations of them, the most important first.
	Total int `json:"total"`
}

// Title names the rule in a report: its name from the file, or the rule
// and what it demands.
func (r RuleResult) Title() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Rule + ": " + r.Description
}

// Violation is one way a model breaks a rule.
type Violation struct {
	// Node is the node that breaks the rule: a service that goes Down, a
	// failure that reaches too far, a node placed at too few sites.
	Node string `json:"node"`
	// Removed is what the scenario that breaks the rule removes: a site, a
	// region or a node; for placement rules, the site whose loss the node
	// would not carry.
	Removed string `json:"removed,omitempty"`
	// State is Node's state in that scenario; Up (left out of JSON) for
	// rules that simulate nothing.
	State analyze.State `json:"state,omitempty"`
	// Chain is the chain of causes from Node down to Removed, e.g.
	// [kakao-games kakao-login kakaotalk kakaotalk@pangyo pangyo].
	Chain []string `json:"chain,omitempty"`
	Msg   string   `json:"message"`
}

// String formats the violation on one line: the node, what is wrong, and
// the chain of causes.
func (v Violation) String() string {
	s := v.Node + ": " + v.Msg
	if len(v.Chain) > 1 {
		s += ": " + strings.Join(v.Chain, " → ")
	}
	return s
}
