package policy

import (
	"slices"

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
	// MaxChain bounds the links of each violation's chain of causes (the
	// count of those cut is kept, Violation.ChainCut), so that a report
	// stays linear in what it lists however deep the model: 0 means
	// DefaultMaxChain, a negative number keeps every link.
	MaxChain int
	File     string // the file it was read from, if any

	at map[string]graph.Pos // where the file wrote each selector field, by path
}

// DefaultMaxViolations is how many violations a rule lists when
// Policy.MaxViolations is 0.
const DefaultMaxViolations = 50

// DefaultMaxChain is how many links of a chain of causes a violation keeps
// when Policy.MaxChain is 0.
const DefaultMaxChain = 20

func (p *Policy) limit() int { return bound(p.MaxViolations, DefaultMaxViolations) }

func (p *Policy) chainLimit() int { return bound(p.MaxChain, DefaultMaxChain) }

// bound reads a "0 is the default, negative is no bound" setting.
func bound(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return int(^uint(0) >> 1)
	}
	return n
}

// Rule is one thing a model must keep. The rules are SurviveSiteLoss,
// SurviveRegionLoss, NoSPOF, MaxBlastRadius, MinRedundancyRate,
// SitesAtLeast, NoUndeclared and RecoverWithin (and the survive rules with
// a tolerance, SurviveSiteLossWithin); Check evaluates them. To check one rule
// alone, put it in a Policy of its own.
//
// Each rule lives in a file of its own (survive.go, nospof.go, ...) with
// its type, its decoding (registered with register) and its evaluation.
type Rule interface {
	// Name is the rule as policy files write it: "no_spof".
	Name() string
	// String says what the rule demands, in a sentence: the description
	// reports show when the policy gives none.
	String() string

	info() *meta
	// prepare validates the rule against the model and registers the
	// passes it needs; path names it in problems ("rules[2]").
	prepare(p *plan, path string) (evaluator, []graph.Problem)
}

// evaluator is a rule prepared for one Check.
type evaluator interface {
	eval(e *env) (RuleResult, error)
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

// ruleSpec is how a policy file writes one rule: its name, the parameters
// it takes and how to build it from them.
type ruleSpec struct {
	params []string
	decode func(f *ruleFields) Rule
}

// registry holds every rule a policy file may name; each rule's file adds
// itself in an init function, so that adding a rule touches one file.
var registry = map[string]ruleSpec{}

func register(name string, decode func(f *ruleFields) Rule, params ...string) {
	registry[name] = ruleSpec{params: params, decode: decode}
}

// ruleNames returns the rule names, sorted.
func ruleNames() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
