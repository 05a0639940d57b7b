package analyze

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
)

// This file holds the rules by which a person names things to analyse, the
// same for the command line and for a Go program that reads user input:
// references to nodes and replicas, lists of kinds, and the --fail-on rule.

// Ref is what a reference such as "site:pangyo" or "kakaotalk@pangyo"
// names, as ParseRef resolves it.
type Ref struct {
	// ID is the node id or the replica's name ("kakaotalk@pangyo"),
	// without the prefix: what a Failure or SPOFs takes.
	ID string
	// Replica is set when ID names one placement of a node, not a node of
	// the model.
	Replica bool
	// Kind is the kind of the node, or of the node the replica belongs to.
	Kind graph.Kind
}

// ParseRef resolves a reference to a node or a replica of c:
//
//	ID           a node id; sites, regions and power feeds are nodes too
//	node@site    one replica of a node (node@site#2: its second replica there)
//	site:ID      ID must be a site
//	region:ID    ID must be a region
//	node:ID      ID must be a node of the model, not a replica
//
// An unknown id is an *UnknownNodeError whose Suggestion is the closest id
// of the same sort: a node for a plain id, a replica for "node@site" (so
// "kakaotalk@pangoy" suggests "kakaotalk@pangyo"), a site for "site:".
// Groups, which have vertices but no name a user writes, are never found.
func ParseRef(c *graph.Compiled, s string) (Ref, error) {
	id, want := s, ""
	if prefix, rest, ok := strings.Cut(s, ":"); ok {
		switch prefix {
		case "site", "region", "node":
			id, want = rest, prefix
		default:
			return Ref{}, fmt.Errorf("unknown prefix %q (want site:, region: or node:)", prefix)
		}
	}
	switch {
	case id == "" && want == "":
		return Ref{}, fmt.Errorf("empty node id")
	case id == "":
		return Ref{}, fmt.Errorf("no id after %q", want+":")
	}
	v, ok := c.Lookup(id)
	if ok && c.VertexKind(v) != graph.NodeVertex && c.VertexKind(v) != graph.ReplicaVertex {
		ok = false
	}
	if !ok {
		e := &UnknownNodeError{ID: id}
		if sug, ok := graph.Suggest(id, refCandidates(c, id, want)); ok {
			e.Suggestion = sug
		}
		return Ref{}, e
	}
	r := Ref{ID: id, Replica: c.VertexKind(v) == graph.ReplicaVertex, Kind: c.Kind(v)}
	switch {
	case want == "":
	case r.Replica:
		return Ref{}, fmt.Errorf("%q is a replica, not a %s", id, want)
	case want == "site" && r.Kind != graph.Site, want == "region" && r.Kind != graph.Region:
		return Ref{}, fmt.Errorf("%q is a %s, not a %s", id, r.Kind, want)
	}
	return r, nil
}

// refCandidates are the names a misspelt reference is compared with: only
// names of the sort it asks for, so that a suggestion is always valid.
// It runs on the error path only, so a walk over every vertex is fine.
func refCandidates(c *graph.Compiled, id, want string) []string {
	replica := strings.Contains(id, "@")
	var names []string
	for v := int32(0); v < int32(c.Len()); v++ {
		switch c.VertexKind(v) {
		case graph.NodeVertex:
			if replica || (want == "site" && c.Kind(v) != graph.Site) || (want == "region" && c.Kind(v) != graph.Region) {
				continue
			}
		case graph.ReplicaVertex:
			if !replica || want != "" {
				continue
			}
		default:
			continue
		}
		names = append(names, c.VertexName(v))
	}
	return names
}

// ParseFailure is ParseRef for a thing to remove: the Failure it returns
// removes the node or replica s names, never repaired.
func ParseFailure(c *graph.Compiled, s string) (Failure, error) {
	r, err := ParseRef(c, s)
	if err != nil {
		return Failure{}, err
	}
	return Failure{ID: r.ID}, nil
}

// ParseScenario parses every reference with ParseFailure, in order. Each
// error starts with the reference as written ("site:pangyoo: unknown node
// ..."). A node or replica named twice, even in two spellings ("pangyo"
// and "site:pangyo"), is an error rather than merged: a recovery scenario
// gives each failure its own repair time, and two times for one node would
// leave one of them silently unused.
func ParseScenario(c *graph.Compiled, refs []string) (Scenario, error) {
	sc := Scenario{Failures: make([]Failure, 0, len(refs))}
	first := make(map[string]int, len(refs)) // id → index of the ref that removed it
	for i, s := range refs {
		f, err := ParseFailure(c, s)
		if err != nil {
			return Scenario{}, fmt.Errorf("%s: %w", s, err)
		}
		if j, ok := first[f.ID]; ok {
			return Scenario{}, fmt.Errorf("%s: %q is already removed by %s; name each failure once", s, f.ID, refs[j])
		}
		first[f.ID] = i
		sc.Failures = append(sc.Failures, f)
	}
	return sc, nil
}

// ParseKinds parses a comma-separated list of kinds ("identity, datastore"),
// as rank's --kind takes it. Spaces around a name are ignored and a kind
// listed twice counts once; an empty list, an empty name or an unknown one
// is an error, the last with the closest kind suggested.
func ParseKinds(s string) ([]graph.Kind, error) {
	var kinds []graph.Kind
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("empty kind in %q: want names such as identity,datastore", s)
		}
		k, ok := graph.ParseKind(name)
		if !ok {
			var names []string
			for _, k := range graph.Kinds() {
				names = append(names, k.String())
			}
			hint := ""
			if sug, ok := graph.Suggest(name, names); ok {
				hint = fmt.Sprintf(" (did you mean %q?)", sug)
			}
			return nil, fmt.Errorf("unknown kind %q%s; want one of %s", name, hint, strings.Join(names, ", "))
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

// FailOn is the rule that turns an outcome into a failed run, for a CI gate:
// which states of the nodes a scenario did not itself remove count as a
// finding. The zero value never fails. It is a flag.Value.
type FailOn uint8

// The rules of FailOn.
const (
	FailOnNever    FailOn = iota // no outcome fails
	FailOnDown                   // a node that was not removed is Down
	FailOnDegraded               // a node that was not removed is Degraded or Down
)

// ParseFailOn returns the rule named "down" or "degraded"; "" is
// FailOnNever.
func ParseFailOn(s string) (FailOn, error) {
	switch s {
	case "":
		return FailOnNever, nil
	case "down":
		return FailOnDown, nil
	case "degraded":
		return FailOnDegraded, nil
	}
	return FailOnNever, fmt.Errorf("%q: want down or degraded", s)
}

// String returns the rule's name as ParseFailOn takes it.
func (f FailOn) String() string {
	switch f {
	case FailOnDown:
		return "down"
	case FailOnDegraded:
		return "degraded"
	}
	return ""
}

// Set sets f to the rule named s, for the flag package. Its error does
// not repeat s, which the flag package quotes already.
func (f *FailOn) Set(s string) error {
	r, err := ParseFailOn(s)
	if err != nil {
		return errors.New("want down or degraded")
	}
	*f = r
	return nil
}

// Violated reports whether the outcome breaks the rule: some node of the
// model that the scenario did not remove itself is in a state the rule
// names. Replicas do not count on their own: a lost replica matters through
// its node, and a report that hides replicas must still show why the rule
// failed. Up with redundancy lost never counts.
func (f FailOn) Violated(o *Outcome) bool {
	if f == FailOnNever {
		return false
	}
	for _, e := range o.Effects() {
		if e.Removed || e.Replica {
			continue
		}
		if e.State == Down || (f == FailOnDegraded && e.State == Degraded) {
			return true
		}
	}
	return false
}
