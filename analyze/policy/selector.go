package policy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Selector picks model nodes. Its fields combine with AND, the values of one
// field with OR: {Kinds: [service, identity], Tiers: [0]} picks the tier-0
// services and identities. The zero Selector picks every node.
//
// A rule's selector (select in a policy file) that picks no node of the
// model is an error of Check, not a rule that passes because it checks
// nothing: a typo in a label value must not make a gate vacuous. A
// selector of what a rule ignores may pick nothing: the rule then ignores
// nothing.
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

// where returns where the policy file wrote the field at path
// ("rules[0].select.tier"), or pos.
func (p *plan) where(path string, pos graph.Pos) graph.Pos {
	if at, ok := p.at[path]; ok {
		return at
	}
	return pos
}

// selection resolves a rule's selector to a mark per model node and
// refuses one that marks none (see Selector); path names it in problems
// ("rules[1].select").
func (p *plan) selection(s Selector, path string, pos graph.Pos) ([]bool, []graph.Problem) {
	out, probs := p.marks(s, path, pos)
	if len(probs) == 0 && count(out) == 0 {
		probs = p.empty(s, path, pos)
	}
	return out, probs
}

// marks resolves a selector to a mark per model node.
func (p *plan) marks(s Selector, path string, pos graph.Pos) ([]bool, []graph.Problem) {
	c := p.c
	var probs []graph.Problem
	ids := make(map[int32]bool, len(s.IDs))
	for i, id := range s.IDs {
		at := pos
		if i < len(s.idPos) {
			at = s.idPos[i]
		}
		v, ok := c.Lookup(id)
		if !ok || c.VertexKind(v) != graph.NodeVertex {
			msg := fmt.Sprintf("unknown node %q", id)
			if ok {
				msg = fmt.Sprintf("%q is a replica or a group, not a node of the model", id)
			} else {
				msg += yamltree.DidYouMean(id, c.IDs())
			}
			probs = append(probs, graph.Problem{Pos: at, Field: fmt.Sprintf("%s.id[%d]", path, i), Msg: msg})
			continue
		}
		ids[v] = true
	}
	for i, k := range s.Kinds {
		if _, ok := graph.ParseKind(k.String()); !ok {
			probs = append(probs, graph.Problem{Pos: p.where(path+".kind", pos), Field: fmt.Sprintf("%s.kind[%d]", path, i), Msg: fmt.Sprintf("unknown kind %v", k)})
		}
	}
	for i, t := range s.Tiers {
		if t < 0 {
			probs = append(probs, graph.Problem{Pos: p.where(path+".tier", pos), Field: fmt.Sprintf("%s.tier[%d]", path, i), Msg: fmt.Sprintf("must be >= 0, got %d", t)})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	out := make([]bool, c.NodeCount())
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		out[v] = p.matches(s, v, ids)
	}
	return out, nil
}

func (p *plan) matches(s Selector, v int32, ids map[int32]bool) bool {
	c := p.c
	switch {
	case len(s.IDs) > 0 && !ids[v],
		len(s.Kinds) > 0 && !slices.Contains(s.Kinds, c.Kind(v)),
		len(s.Tiers) > 0 && !slices.Contains(s.Tiers, c.Tier(v)),
		s.UserFacing && c.Users(v) <= 0:
		return false
	}
	if len(s.Labels) > 0 {
		labels := c.Labels(v)
		for k, want := range s.Labels {
			if got, ok := labels[k]; !ok || got != want {
				return false
			}
		}
	}
	if s.Redundant && !p.placement(v).redundant() {
		return false
	}
	return true
}

// empty explains why a selector picks no node: each field that alone picks
// none gets a problem at the line that wrote it, with a suggestion from the
// values the model has; when each picks some but not together, the
// selector as a whole gets one.
func (p *plan) empty(s Selector, path string, pos graph.Pos) []graph.Problem {
	c := p.c
	var probs []graph.Problem
	add := func(field, key, format string, args ...any) {
		probs = append(probs, graph.Problem{Pos: p.where(path+"."+key, pos), Field: path + field,
			Msg: "selects no node: " + fmt.Sprintf(format, args...)})
	}
	n := int32(c.NodeCount())
	kinds, tiers := map[graph.Kind]bool{}, map[int]bool{}
	labels := map[string]map[string]bool{}
	users, redundant := false, false
	for v := range n {
		kinds[c.Kind(v)], tiers[c.Tier(v)] = true, true
		users = users || c.Users(v) > 0
		for k, val := range c.Labels(v) {
			if labels[k] == nil {
				labels[k] = map[string]bool{}
			}
			labels[k][val] = true
		}
	}
	if len(s.Kinds) > 0 && !slices.ContainsFunc(s.Kinds, func(k graph.Kind) bool { return kinds[k] }) {
		add(".kind", "kind", "the model has no node of kind %s", joinKinds(s.Kinds))
	}
	if len(s.Tiers) > 0 && !slices.ContainsFunc(s.Tiers, func(t int) bool { return tiers[t] }) {
		var have []string
		for _, t := range slices.Sorted(maps.Keys(tiers)) {
			if t != graph.NoTier {
				have = append(have, strconv.Itoa(t))
			}
		}
		add(".tier", "tier", "the model has no node of tier %s (its tiers: %s)", joinInts(s.Tiers), orNone(strings.Join(have, ", ")))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		want := s.Labels[k]
		vals, ok := labels[k]
		switch {
		case !ok:
			add(".label."+k, "label."+k, "no node has a label %q%s", k, yamltree.DidYouMean(k, slices.Sorted(maps.Keys(labels))))
		case !vals[want]:
			add(".label."+k, "label."+k, "no node has the label %s=%s%s", k, want, yamltree.DidYouMean(want, slices.Sorted(maps.Keys(vals))))
		}
	}
	if s.UserFacing && !users {
		add(".user_facing", "user_facing", "no node of the model has users")
	}
	if s.Redundant {
		for v := range n {
			if c.Kind(v) != graph.Site && p.placement(v).redundant() {
				redundant = true
				break
			}
		}
		if !redundant {
			add(".redundant", "redundant", "no node of the model serves from two sites that carry it without the largest")
		}
	}
	if len(probs) == 0 {
		probs = append(probs, graph.Problem{Pos: pos, Field: path,
			Msg: fmt.Sprintf("selects no node: no node of the model is one of the %s", s)})
	}
	return probs
}

func joinKinds(ks []graph.Kind) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k.String()
	}
	return strings.Join(parts, " or ")
}

func joinInts(ts []int) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.Itoa(t)
	}
	return strings.Join(parts, " or ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// anyOf resolves a list of selectors to the nodes that match one of them;
// these may be none (an ignore list that ignores nothing).
func (p *plan) anyOf(ss []Selector, path string, pos graph.Pos) ([]bool, []graph.Problem) {
	out := make([]bool, p.c.NodeCount())
	var probs []graph.Problem
	for i, s := range ss {
		m, ps := p.marks(s, fmt.Sprintf("%s[%d]", path, i), pos)
		probs = append(probs, ps...)
		for v, ok := range m {
			out[v] = out[v] || ok
		}
	}
	return out, probs
}

func count(marks []bool) int {
	n := 0
	for _, m := range marks {
		if m {
			n++
		}
	}
	return n
}
