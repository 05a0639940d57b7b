package export

import (
	"io"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// OutcomeSchema names the JSON layout JSON writes. It changes only when a
// field changes meaning or goes away; new fields may appear within a
// version. v2: each effect names its cause (the next link of its chain),
// and its chain is cut after ChainLinks links with chain_more counting
// the rest (JSONOptions.FullChains for whole chains), so the document is
// linear in the outcome; v1 carried every chain whole.
const OutcomeSchema = "blastradius/outcome/v2"

// JSONOptions control JSON.
type JSONOptions struct {
	// FullChains puts every chain of causes whole into the document; by
	// default a chain is cut after ChainLinks links (chain_more counts the
	// rest). Every effect names its cause, so whole chains can be followed
	// through the document.
	FullChains bool
}

// OutcomeDoc is the document JSON writes; JSONSchema("outcome") describes
// it.
type OutcomeDoc struct {
	Schema   string          `json:"schema"`
	Model    string          `json:"model"`
	Scenario []FailureRecord `json:"scenario"`
	Totals   TotalsRecord    `json:"totals"`
	Effects  []EffectRecord  `json:"effects"`
}

// FailureRecord is one removed node.
type FailureRecord struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	ForSeconds int64  `json:"for_seconds,omitempty"`
}

// TotalsRecord is an outcome's totals over the model's nodes (replicas
// excluded). Services are the nodes that are not infrastructure (site,
// region, power, network).
type TotalsRecord struct {
	Removed          int   `json:"removed"`
	Down             int   `json:"down"`
	Degraded         int   `json:"degraded"`
	RedundancyLost   int   `json:"redundancy_lost"`
	ServicesDown     int   `json:"services_down"`
	ServicesDegraded int   `json:"services_degraded"`
	UsersDown        int64 `json:"users_down"`
	UsersDegraded    int64 `json:"users_degraded"`
	MaxUsersDown     int64 `json:"max_users_down"`
}

// EffectRecord is one affected node or replica.
type EffectRecord struct {
	ID      string        `json:"id"`
	Kind    string        `json:"kind"`
	Replica bool          `json:"replica,omitempty"`
	State   analyze.State `json:"state"`
	Removed bool          `json:"removed,omitempty"`
	Users   int64         `json:"users"`
	Tier    *int          `json:"tier,omitempty"`
	// Cause is the input that put it in its state: the next link of its
	// chain.
	Cause string `json:"cause,omitempty"`
	// Chain is the chain of causes from the node itself, cut after
	// ChainLinks links; ChainMore counts the links left out.
	Chain     []string        `json:"chain,omitempty"`
	ChainMore int             `json:"chain_more,omitempty"`
	Causes    []CauseRecord   `json:"causes,omitempty"`
	Capacity  *CapacityRecord `json:"capacity,omitempty"`
}

// CauseRecord is one input of a node that is not Up.
type CauseRecord struct {
	ID    string        `json:"id"`
	State analyze.State `json:"state"`
	Soft  bool          `json:"soft,omitempty"`
	Group string        `json:"group,omitempty"`
}

// CapacityRecord is the replica capacity of a node placed at several
// sites.
type CapacityRecord struct {
	Live int64 `json:"live"`
	Need int64 `json:"need"`
	Base int64 `json:"base"`
}

// NewOutcomeDoc builds the JSON document of an outcome, worst first.
func NewOutcomeDoc(o *analyze.Outcome, opts ...JSONOptions) OutcomeDoc {
	var opt JSONOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	links := ChainLinks
	if opt.FullChains {
		links = 0
	}
	c := o.Compiled()
	t := o.Totals
	doc := OutcomeDoc{
		Schema: OutcomeSchema, Model: c.Name(), Scenario: []FailureRecord{},
		Totals: TotalsRecord{
			Removed: t.Removed, Down: t.Down, Degraded: t.Degraded, RedundancyLost: t.RedundancyLost,
			ServicesDown: t.ServicesDown, ServicesDegraded: t.ServicesDegraded,
			UsersDown: t.UsersDown, UsersDegraded: t.UsersDegraded, MaxUsersDown: t.MaxUsersDown,
		},
	}
	for _, f := range o.Scenario.Failures {
		fj := FailureRecord{ID: f.ID, ForSeconds: int64(f.For.Seconds())}
		if v, ok := c.Lookup(f.ID); ok {
			fj.Kind = c.Kind(v).String()
			if c.VertexKind(v) == graph.ReplicaVertex {
				fj.Kind = "replica"
			}
		}
		doc.Scenario = append(doc.Scenario, fj)
	}
	chains := o.Chains()
	sorted := o.Sorted()
	doc.Effects = make([]EffectRecord, len(sorted))
	for i, e := range sorted {
		ej := EffectRecord{
			ID: e.ID, Kind: kindLabel(e), Replica: e.Replica, State: e.State,
			Removed: e.Removed, Users: e.Users, Cause: e.Via,
		}
		for _, cs := range o.Causes(e.ID) {
			ej.Causes = append(ej.Causes, CauseRecord{ID: cs.ID, State: cs.State, Soft: cs.Soft, Group: cs.Group})
		}
		if e.Tier != graph.NoTier {
			t := e.Tier
			ej.Tier = &t
		}
		if !e.Removed {
			rest, more := chains.Cut(e.ID, links)
			ej.Chain = append([]string{e.ID}, rest...)
			ej.ChainMore = more
		}
		if e.Need > 0 {
			ej.Capacity = &CapacityRecord{Live: e.Live, Need: e.Need, Base: e.Base}
		}
		doc.Effects[i] = ej
	}
	return doc
}

// JSON writes the outcome as an indented OutcomeDoc document.
func JSON(w io.Writer, o *analyze.Outcome, opts ...JSONOptions) error {
	return writeJSON(w, NewOutcomeDoc(o, opts...))
}

// FailureJSON is the old name of FailureRecord, kept while timeline.go
// still uses it.
//
// Deprecated: use FailureRecord.
type FailureJSON = FailureRecord
