package diff

import (
	"slices"

	"github.com/blastradius-go/blastradius/graph"
)

// A pull request usually changes a few nodes of a large model. A node's
// single failure reaches only its dependents-closure (the vertices that
// depend on it, hard or soft, transitively), and what it does there reads
// only those vertices' own definitions: their gates, their inputs and
// their weights, their users, tier and kind. So a node whose closure holds
// no changed vertex in either model fails the same way in both: the same
// radius, the same protected nodes taken Down. Only the failures that can
// reach a changed vertex, in either model, are ranked and compared: the
// dependency closure of the changed vertices (walking inputs, not
// dependents), which is every node when the models are unrelated.

// scope is the set of failures a comparison ranks: in each model, the ids
// of the nodes whose single failure can reach a changed vertex (those the
// other model has too, in both lists); all is true when that is most of
// the model and every failure is ranked.
type scope struct {
	all      bool
	old, now []string
}

// wholeScope ranks every failure of both models.
var wholeScope = scope{all: true}

// scopeOf returns the failures of m that a comparison needs to rank, from
// the changes ch found (nil: too much changed). Beyond half of the new
// model's nodes it ranks all of them: ranking a subset costs an id lookup
// per failure, and what is left out is small.
func scopeOf(m *match, ch *changes) scope {
	if ch == nil {
		return wholeScope
	}
	// Both models rank a failure either one needs.
	affOld, affNew := m.affected(ch.old, ch.now)
	n := 0
	for _, ok := range affNew {
		if ok {
			n++
		}
	}
	if 2*n > m.to.NodeCount() {
		return wholeScope
	}
	return scope{old: names(m.from, affOld), now: names(m.to, affNew)}
}

// names returns the ids of the marked model nodes of c, in vertex order.
func names(c *graph.Compiled, marked []bool) []string {
	var ids []string
	for v, ok := range marked {
		if ok {
			ids = append(ids, c.VertexName(int32(v)))
		}
	}
	return ids
}

// changes are the vertices of each model that the other lacks or defines
// differently: for a single failure (old, now: sameVertex) and for a
// site's loss over time (timeOld, timeNow: those, and the vertices whose
// recovery differs, sameRecovery, with what they feed; see timeScope).
type changes struct {
	old, now         []bool
	timeOld, timeNow []bool
}

// changesOf finds the changes between m's models in one pass over the new
// model's vertices, one lookup of each name (the failures' scope and the
// sites' read the same vertices: finding them once for each, and the
// counterparts a third time, was three lookups per vertex). It stops,
// returning nil, once more than half the vertices of the new model
// changed: every failure is ranked and every site lost then (two
// unrelated models are told apart in a fraction of their vertices).
func changesOf(m *match) *changes {
	from, to := m.from, m.to
	most := to.Len() / 2
	ch := &changes{old: make([]bool, from.Len()), now: make([]bool, to.Len())}
	seen := make([]bool, from.Len())
	type pair struct{ u, v int32 }
	var recovers []pair // counterparts that recover differently
	changed := 0
	for v := int32(0); v < int32(to.Len()); v++ {
		u, ok := from.Lookup(to.VertexName(v))
		switch {
		case !ok:
			ch.now[v] = true
		case !sameVertex(from, to, u, v):
			ch.old[u], ch.now[v] = true, true
		}
		if ok {
			seen[u] = true
			if !sameRecovery(from, to, u, v) {
				recovers = append(recovers, pair{u, v})
			}
		}
		if ch.now[v] {
			if changed++; changed > most {
				return nil
			}
		}
	}
	for u, ok := range seen {
		if !ok {
			ch.old[u] = true
		}
	}
	ch.timeOld, ch.timeNow = slices.Clone(ch.old), slices.Clone(ch.now)
	for _, p := range recovers {
		ch.timeOld[p.u], ch.timeNow[p.v] = true, true
		for _, side := range []struct {
			c   *graph.Compiled
			x   int32
			chg []bool
		}{{from, p.u, ch.timeOld}, {to, p.v, ch.timeNow}} {
			deps, _ := side.c.Dependents(side.x)
			for _, w := range deps {
				side.chg[w] = true
			}
			for _, w := range side.c.SoftDependents(side.x) {
				side.chg[w] = true
			}
		}
	}
	return ch
}

// sameVertex reports whether vertex u of a and vertex v of b, of the same
// name, are defined alike in everything a single failure's outcome and
// its radius read: what the vertex is and whose, its node's kind, users
// and tier, its gate, its replica's site and standby tier, and its hard
// inputs (by name, in order, with their weights and capacities) and soft
// inputs. Recovery times are not read: a single failure's outcome has no
// time.
func sameVertex(a, b *graph.Compiled, u, v int32) bool {
	if a.VertexKind(u) != b.VertexKind(v) || a.Kind(u) != b.Kind(v) || a.Gate(u) != b.Gate(v) ||
		a.VertexName(a.Owner(u)) != b.VertexName(b.Owner(v)) {
		return false
	}
	switch a.VertexKind(u) {
	case graph.NodeVertex:
		if a.Users(u) != b.Users(v) || a.Tier(u) != b.Tier(v) {
			return false
		}
	case graph.ReplicaVertex:
		if a.Standby(u) != b.Standby(v) || nameOf(a, a.ReplicaSite(u)) != nameOf(b, b.ReplicaSite(v)) {
			return false
		}
	}
	insA, wsA := a.Inputs(u)
	insB, wsB := b.Inputs(v)
	if !slices.Equal(wsA, wsB) || !sameNames(a, b, insA, insB) ||
		!slices.Equal(a.InputCapacity(u), b.InputCapacity(v)) {
		return false
	}
	return sameNames(a, b, a.SoftInputs(u), b.SoftInputs(v))
}

// nameOf is the vertex's name, "" for -1.
func nameOf(c *graph.Compiled, v int32) string {
	if v < 0 {
		return ""
	}
	return c.VertexName(v)
}

func sameNames(a, b *graph.Compiled, xs, ys []int32) bool {
	if len(xs) != len(ys) {
		return false
	}
	for i := range xs {
		if a.VertexName(xs[i]) != b.VertexName(ys[i]) {
			return false
		}
	}
	return true
}

// reaching marks the model nodes of c whose failure can reach a changed
// vertex: the owners of the vertices from which a changed one is reached
// along dependent edges, hard or soft (found by walking inputs back from
// the changed vertices). Failing a node fails all its vertices, so the
// owner of any of them counts.
func reaching(c *graph.Compiled, changed []bool) []bool {
	nodes := make([]bool, c.NodeCount())
	seen := slices.Clone(changed)
	var stack []int32
	for v, ok := range changed {
		if ok {
			stack = append(stack, int32(v))
		}
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes[c.Owner(v)] = true
		ins, _ := c.Inputs(v)
		for _, list := range [][]int32{ins, c.SoftInputs(v)} {
			for _, x := range list {
				if !seen[x] {
					seen[x] = true
					stack = append(stack, x)
				}
			}
		}
	}
	return nodes
}

// affected marks, in each model, the nodes whose failure can reach a
// changed vertex of either model: a node of both is marked in both.
func (m *match) affected(chOld, chNew []bool) (affOld, affNew []bool) {
	affOld, affNew = reaching(m.from, chOld), reaching(m.to, chNew)
	for v, ok := range affOld {
		if u := m.oldToN[v]; ok && u >= 0 {
			affNew[u] = true
		}
	}
	for v, ok := range affNew {
		if u := m.toOld[v]; ok && u >= 0 {
			affOld[u] = true
		}
	}
	return affOld, affNew
}
