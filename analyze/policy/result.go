package policy

import (
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Result is what Check found: one RuleResult per rule, in policy order.
// Results are data: package export words them (export.CheckTable,
// export.CheckSummary, export.CheckMessage).
type Result struct {
	Policy string
	Model  string
	Rules  []RuleResult
}

// Passed reports whether every rule passed.
func (r *Result) Passed() bool { return r.Failed() == 0 }

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

// RuleResult is one rule's verdict, with what was checked.
type RuleResult struct {
	Rule        string    // as policy files write it: "no_spof"
	Name        string    // the name the policy file gave it
	Description string    // the policy file's description, "" when none
	Definition  Rule      // the rule checked (its String says what it demands)
	Pos         graph.Pos // where the policy file wrote it
	Passed      bool
	Violations  []Violation
	// Total counts every violation; Violations lists at most the policy's
	// MaxViolations of them, the most important first. A rule can fail
	// with no violation: when the model gives it nothing to check
	// (SurviveSiteLoss or MinRedundancyRate on a model without sites), it
	// fails closed rather than pass vacuously.
	Total int

	// Selected counts the nodes the rule's selector picked (rules with
	// a selector).
	Selected int
	// Scenarios counts what the rule tried: the sites (SurviveSiteLoss,
	// MinRedundancyRate) or regions (SurviveRegionLoss) lost one at a
	// time, or the nodes whose single failure was tried (NoSPOF,
	// MaxBlastRadius).
	Scenarios int
	// Largest is the single failure that takes the most along
	// (MaxBlastRadius), whether or not it breaks the limit.
	Largest *Reach
	// Rate is the redundancy rate measured (MinRedundancyRate).
	Rate *Rate
	// Unavailable is the most unavailable selected node
	// (MaxUnavailability), whether or not it breaks the limit.
	Unavailable *Unavailable
}

// Title names the rule in a report: its name from the file, or the rule
// and what it demands.
func (r RuleResult) Title() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Rule + ": " + r.Demand()
}

// Demand is the description of the rule: the policy file's, or what the
// rule demands (Definition.String).
func (r RuleResult) Demand() string {
	if r.Description != "" || r.Definition == nil {
		return r.Description
	}
	return r.Definition.String()
}

// Violation is one way a model breaks a rule.
type Violation struct {
	// Node is the node that breaks the rule: a service that goes Down, a
	// failure that reaches too far, a node placed at too few sites. Pos is
	// where the model file wrote it (graph.Compiled.Pos), when it was read
	// from one: code-scanning reports point there.
	Node string
	Pos  graph.Pos
	// Removed is what the scenario that breaks the rule removes: a site, a
	// region or a node; for placement rules, the site whose loss the node
	// would not carry ("" when it has none). RemovedKind is its kind.
	Removed     string
	RemovedKind graph.Kind
	// State is Node's state in that scenario; Up for rules that simulate
	// nothing (SitesAtLeast).
	State analyze.State
	// Chain is the chain of causes from Node down to Removed, e.g.
	// [kakao-games kakao-login kakaotalk kakaotalk@pangyo pangyo], cut
	// after Policy.MaxChain links; ChainCut counts the links cut.
	Chain    []string
	ChainCut int

	// Reach is how far the failure of Node reaches, and Over the limits
	// it breaks (MaxBlastRadius).
	Reach *Reach
	Over  Limit
	// Placement is where Node serves from (SitesAtLeast).
	Placement *Placement
	// Unavailable is what Node measured (MaxUnavailability).
	Unavailable *Unavailable
	// Late is how long Node is out after the loss, against the time it
	// may be (RecoverWithin, and SurviveSiteLoss or SurviveRegionLoss
	// with a tolerance).
	Late *Late
}

// Reach is how far one failure reaches: the other nodes it takes Down and
// their users, also as a share of all the model's users.
type Reach struct {
	Node   string
	Others int
	Users  int64
	Share  float64
}

// Rate is a measured redundancy rate against the rate a rule wants.
type Rate struct {
	By   By
	Want float64
	Got  float64
	// Survive of All services (ByCount) or users (ByUsers) survive the
	// loss of any one site.
	Survive, All int64
}

// Placement is where a node serves from at the moment of a failure
// (active replicas and mirrors), the standby capacity that would take over
// later, its demand and the sites a SitesAtLeast rule wants.
type Placement struct {
	Serving, Standby []SiteCapacity // largest first
	Demand           int64
	// Weighted is true when replicas give capacities other than 1 or the
	// demand is not 1: reports then show capacities.
	Weighted bool
	Want     int // sites
	// Short is true when the node serves from fewer than Want sites;
	// otherwise it serves from enough but the others do not carry its
	// demand without the largest (WithoutLargest).
	Short          bool
	WithoutLargest int64
}

// SiteCapacity is the capacity a node has at one site.
type SiteCapacity struct {
	Site     string
	Capacity int64
	Standby  graph.Standby // for standby capacity
}

// Late is a node that is not back (Up) within the time it may be out
// after the loss of a site or region: its recovery timeline
// (analyze.Recover) against its limit.
type Late struct {
	// Repair is how long the lost site or region is out; analyze.Never
	// when it is lost for good (a tolerance of SurviveSiteLoss).
	Repair time.Duration
	// Within is the time the node may be out: its rto (RTO true) or the
	// rule's within.
	Within time.Duration
	RTO    bool
	// DownUntil and DegradedUntil are the node's recovery
	// (analyze.Recovery): Down until the first, Degraded until the
	// second, Up from then on; analyze.Never when not back.
	DownUntil, DegradedUntil time.Duration
}
