package export

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Replica bool   `json:"replica,omitempty"`
	State   string `json:"state"` // "down", "degraded" or "redundancy-lost"
	Removed bool   `json:"removed,omitempty"`
	Users   int64  `json:"users"`
	Tier    *int   `json:"tier,omitempty"`
	// Cause is the input that put it in its state: the next link of its
	// chain.
	Cause string `json:"cause,omitempty"`
	// Chain is the chain of causes from the node itself, cut after
	// ChainLinks links; ChainMore counts the links left out.
	Chain     []string        `json:"chain,omitempty"`
	ChainMore int             `json:"chain_more,omitempty"`
	Causes    []CauseRecord   `json:"causes,omitempty"`
	Capacity  *CapacityRecord `json:"capacity,omitempty"`
	// Group is what was left of the redundant group through which the
	// cause acted (or, for a node that lost redundancy, the group that
	// lost it); absent when the cause is a plain dependency.
	Group *GroupRecord `json:"group,omitempty"`
}

// GroupRecord is a redundant group's state in an explanation (see
// analyze.GroupExplanation).
type GroupRecord struct {
	Label string `json:"label"` // as written, or "replicas"
	Rule  string `json:"rule"`  // "any-of", "quorum" or "capacity"
	Live  int64  `json:"live"`
	Up    int64  `json:"up"`
	Need  int64  `json:"need"`
	Floor int64  `json:"floor"`
	Base  int64  `json:"base"`
}

// CauseRecord is one input of a node that is not Up.
type CauseRecord struct {
	ID    string `json:"id"`
	State string `json:"state"` // "down" or "degraded"
	Soft  bool   `json:"soft,omitempty"`
	Group string `json:"group,omitempty"`
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
	doc := outcomeHead(o)
	r := newEffectRecords(o, opts)
	doc.Effects = make([]EffectRecord, len(r.sorted))
	for i := range r.sorted {
		doc.Effects[i] = r.record(i)
	}
	return doc
}

// outcomeHead is the document without its effects.
func outcomeHead(o *analyze.Outcome) OutcomeDoc {
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
	return doc
}

// effectRecords makes the effect records of an outcome one at a time.
type effectRecords struct {
	o      *analyze.Outcome
	chains *analyze.Chains
	sorted []analyze.Effect
	links  int
	// reuse makes each record share the chain and cause slices of the
	// last one: for a writer that is done with a record before it asks
	// for the next.
	reuse  bool
	chain  []string
	causes []CauseRecord
}

func newEffectRecords(o *analyze.Outcome, opts []JSONOptions) *effectRecords {
	r := &effectRecords{o: o, chains: o.Chains(), sorted: o.Sorted(), links: ChainLinks}
	if len(opts) > 0 && opts[0].FullChains {
		r.links = 0
	}
	return r
}

func (r *effectRecords) record(i int) EffectRecord {
	e := r.sorted[i]
	ej := EffectRecord{
		ID: e.ID, Kind: kindLabel(e), Replica: e.Replica, State: shownEffect(e).String(),
		Removed: e.Removed, Users: e.Users, Cause: e.Via,
	}
	var causes []CauseRecord
	if r.reuse {
		causes = r.causes[:0]
	}
	for _, cs := range r.o.EffectCauses(e) {
		causes = append(causes, CauseRecord{ID: cs.ID, State: cs.State.String(), Soft: cs.Soft, Group: cs.Group})
	}
	if len(causes) > 0 {
		ej.Causes = causes
	}
	if e.Tier != graph.NoTier {
		t := e.Tier
		ej.Tier = &t
	}
	if !e.Removed {
		var chain []string
		if r.reuse {
			chain = r.chain[:0]
		}
		ej.Chain, ej.ChainMore = r.chains.AppendCut(append(chain, e.ID), e, r.links)
	}
	if e.Need > 0 {
		ej.Capacity = &CapacityRecord{Live: e.Live, Need: e.Need, Base: e.Base}
	}
	if g := r.o.ExplainEffect(e).Group; g != nil {
		ej.Group = &GroupRecord{Label: g.Label, Rule: g.Rule.String(), Live: g.Live, Up: g.Up, Need: g.Need, Floor: g.Floor, Base: g.Base}
	}
	if r.reuse {
		r.causes = causes
		if ej.Chain != nil {
			r.chain = ej.Chain
		}
	}
	return ej
}

// JSON writes the outcome as an indented OutcomeDoc document. It writes
// the effects one by one (the bytes json.Encoder with a two-space indent
// would write for NewOutcomeDoc), so that a million effects are never one
// document in memory.
func JSON(w io.Writer, o *analyze.Outcome, opts ...JSONOptions) error {
	head, err := json.MarshalIndent(outcomeHead(o), "", "  ")
	if err != nil {
		return err
	}
	// head ends `"effects": null` and the closing brace.
	head = bytes.TrimSuffix(head, []byte("null\n}"))
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head)
	r := newEffectRecords(o, opts)
	r.reuse = true // each record is written before the next is made
	if len(r.sorted) == 0 {
		bw.WriteString("[]\n}\n")
		return bw.Flush()
	}
	bw.WriteString("[")
	var buf []byte
	for i := range r.sorted {
		rec := r.record(i)
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n    "...)
		buf = appendEffect(buf, &rec)
		bw.Write(buf)
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// FailureJSON is the old name of FailureRecord, kept while timeline.go
// still uses it.
//
// Deprecated: use FailureRecord.
type FailureJSON = FailureRecord
