package analyze

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// SPOF is a single point of failure of a target: a node whose failure alone
// takes the target Down.
type SPOF struct {
	ID   string     `json:"id"`
	Kind graph.Kind `json:"-"`
	// Chain is the chain of causes from the target down to this node, e.g.
	// [kakao-games kakao-login kakaotalk kakaotalk@pangyo pangyo].
	Chain []string `json:"chain"`
}

// SPOFs returns every node whose single failure takes target Down, the
// target itself excepted: services and shared entry points as well as sites,
// regions and power feeds, however many hops away. Nodes come first, then
// infrastructure (site, region, power, network); within each, the nearest
// (shortest chain) first, then by id.
//
// Only the target's hard ancestors can take it Down, so only they are
// tried, through the same batch engine as Rank. For pure any-of graphs the
// answer is the target's dominators; the general gate model needs the
// engine.
func SPOFs(ctx context.Context, c *graph.Compiled, target string) ([]SPOF, error) {
	t, ok := c.Lookup(target)
	if !ok || c.VertexKind(t) != graph.NodeVertex {
		e := UnknownNode(c, target)
		return nil, e
	}
	cands := hardAncestors(c, t)
	var (
		hits []int32
		mu   sync.Mutex
	)
	err := sweep(ctx, c, cands, 0, nil, func(l *layout, b *batch, sources []int32) {
		tp := l.pos[t]
		b.run(sources, func(p int32, down, bad uint64) {
			if p != tp {
				return
			}
			mu.Lock()
			for m := down; m != 0; m &= m - 1 {
				hits = append(hits, sources[bits.TrailingZeros64(m)])
			}
			mu.Unlock()
		})
	}, func(int32) {})
	if err != nil {
		return nil, err
	}
	out := make([]SPOF, 0, len(hits))
	within := ancestry(c, t)
	for _, v := range hits {
		sc := Fail(c.VertexName(v))
		out = append(out, SPOF{ID: c.VertexName(v), Kind: c.Kind(v), Chain: chainWithin(c, sc, []int32{v}, target, within)})
	}
	slices.SortFunc(out, func(a, b SPOF) int {
		return cmp.Or(
			cmpBool(a.Kind.Infrastructure(), b.Kind.Infrastructure()),
			cmp.Compare(len(a.Chain), len(b.Chain)),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return out, nil
}

// hardAncestors returns the model nodes other than t from which t can be
// reached over hard edges: the only ones whose failure can take t Down.
func hardAncestors(c *graph.Compiled, t int32) []int32 {
	var out []int32
	for v, in := range ancestors(c, t, false)[:c.NodeCount()] {
		if in && int32(v) != t {
			out = append(out, int32(v))
		}
	}
	return out
}

// Chain returns the chain of causes from target down to failed when failed
// alone fails (a node or a replica), as Simulate(c, Fail(failed)).Chain(target)
// does, or nil when that failure leaves target Up. It simulates only what
// target depends on (hard or soft, directly or not), which gives target and
// its causes the states the whole graph gives them: it costs what target's
// ancestry costs, not what the failure reaches (a hub's failure can reach
// most of a graph).
func Chain(c *graph.Compiled, failed, target string) ([]string, error) {
	t, ok := c.Lookup(target)
	if !ok || c.VertexKind(t) != graph.NodeVertex && c.VertexKind(t) != graph.ReplicaVertex {
		return nil, UnknownNode(c, target)
	}
	sc := Fail(failed)
	vs, err := resolve(c, sc)
	if err != nil {
		return nil, err
	}
	return chainWithin(c, sc, vs, target, ancestry(c, t)), nil
}

// chainWithin is Simulate's chain of target for the removal of vs (from
// sc), run within target's ancestry.
func chainWithin(c *graph.Compiled, sc Scenario, vs []int32, target string, within []bool) []string {
	s := getScratch(c)
	defer putScratch(c, s)
	s.within = within
	defer func() { s.within = nil }()
	for _, v := range vs {
		if within[v] { // a removal outside cannot reach target
			s.remove(c, v)
		}
	}
	s.run(c)
	return s.outcome(c, sc).Chain(target)
}

// ancestry marks t and every vertex t depends on, hard or soft, directly or
// not: a set closed under inputs (see scratch.within).
func ancestry(c *graph.Compiled, t int32) []bool { return ancestors(c, t, true) }

// ancestors marks t and every vertex t depends on over hard edges, and over
// soft ones too when soft is set.
func ancestors(c *graph.Compiled, t int32, soft bool) []bool {
	seen := make([]bool, c.Len())
	seen[t] = true
	queue := []int32{t}
	mark := func(ins []int32) {
		for _, u := range ins {
			if !seen[u] {
				seen[u] = true
				queue = append(queue, u)
			}
		}
	}
	for i := 0; i < len(queue); i++ {
		ins, _ := c.Inputs(queue[i])
		mark(ins)
		if soft {
			mark(c.SoftInputs(queue[i]))
		}
	}
	return seen
}
