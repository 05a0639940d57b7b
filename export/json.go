package export

import (
	"bytes"
	_ "embed" // the JSON Schema of OutcomeJSON
	"encoding/json"
	"io"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// OutcomeSchema names the JSON layout JSON writes. It changes only when a
// field changes meaning or goes away; new fields may appear within a version.
const OutcomeSchema = "blastradius/outcome/v1"

//go:embed outcome.schema.json
var outcomeSchemaFile []byte

// OutcomeJSONSchema returns the JSON Schema (draft 2020-12) of the
// documents JSON writes, the file export/outcome.schema.json: every field,
// its type and its meaning. Tests validate real outputs against it.
func OutcomeJSONSchema() []byte { return bytes.Clone(outcomeSchemaFile) }

// OutcomeJSON is the document JSON writes; OutcomeJSONSchema describes it.
type OutcomeJSON struct {
	Schema   string         `json:"schema"`
	Model    string         `json:"model"`
	Scenario []FailureJSON  `json:"scenario"`
	Totals   analyze.Totals `json:"totals"`
	Effects  []EffectJSON   `json:"effects"`
}

// FailureJSON is one removed node.
type FailureJSON struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	ForSeconds int64  `json:"for_seconds,omitempty"`
}

// EffectJSON is one affected node or replica.
type EffectJSON struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Replica  bool            `json:"replica,omitempty"`
	State    analyze.State   `json:"state"`
	Removed  bool            `json:"removed,omitempty"`
	Users    int64           `json:"users"`
	Tier     *int            `json:"tier,omitempty"`
	Chain    []string        `json:"chain,omitempty"`
	Causes   []analyze.Cause `json:"causes,omitempty"`
	Capacity *CapacityJSON   `json:"capacity,omitempty"`
}

// CapacityJSON is the replica capacity of a node placed at several sites.
type CapacityJSON struct {
	Live int64 `json:"live"`
	Need int64 `json:"need"`
	Base int64 `json:"base"`
}

// NewOutcomeJSON builds the JSON document of an outcome, worst first.
func NewOutcomeJSON(o *analyze.Outcome) OutcomeJSON {
	c := o.Compiled()
	doc := OutcomeJSON{Schema: OutcomeSchema, Model: c.Name(), Totals: o.Totals, Scenario: []FailureJSON{}}
	for _, f := range o.Scenario.Failures {
		fj := FailureJSON{ID: f.ID, ForSeconds: int64(f.For.Seconds())}
		if v, ok := c.Lookup(f.ID); ok {
			fj.Kind = c.Kind(v).String()
			if c.VertexKind(v) == graph.ReplicaVertex {
				fj.Kind = "replica"
			}
		}
		doc.Scenario = append(doc.Scenario, fj)
	}
	sorted := o.Sorted()
	doc.Effects = make([]EffectJSON, len(sorted))
	for i, e := range sorted {
		ej := EffectJSON{
			ID: e.ID, Kind: kindLabel(e), Replica: e.Replica, State: e.State,
			Removed: e.Removed, Users: e.Users, Causes: o.Causes(e.ID),
		}
		if e.Tier != graph.NoTier {
			t := e.Tier
			ej.Tier = &t
		}
		if !e.Removed {
			ej.Chain = o.Chain(e.ID)
		}
		if e.Need > 0 {
			ej.Capacity = &CapacityJSON{Live: e.Live, Need: e.Need, Base: e.Base}
		}
		doc.Effects[i] = ej
	}
	return doc
}

// JSON writes the outcome as an indented OutcomeJSON document.
func JSON(w io.Writer, o *analyze.Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewOutcomeJSON(o))
}
