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
//
// The chains of causes of a target's SPOFs form a tree rooted at the
// target: each SPOF names the next SPOF toward the target (or the target)
// whose chain its own chain continues, and the links in between. A report
// prints as much of a chain as it wants by following Next (see
// SPOFChains), so the SPOFs of a target on a cycle of n nodes cost O(n),
// not the O(n²) of n full chains.
type SPOF struct {
	ID   string
	Kind graph.Kind
	// Next is the SPOF (or the target) the chain goes through on its way
	// to the target: the chain of causes from the target to this node is
	// Next's chain, then Path.
	Next string
	// Path is the chain's links after Next, down to this node (its last
	// element is ID): [kakaotalk@pangyo pangyo] for pangyo under kakaotalk.
	Path []string
	// Hops is the number of links from the target to this node: the length
	// of its whole chain less one.
	Hops int
}

// SPOFs returns every node whose single failure takes target Down, the
// target itself excepted: services and shared entry points as well as sites,
// regions and power feeds, however many hops away. Nodes come first, then
// infrastructure (site, region, power, network); within each, the nearest
// (fewest hops) first, then by id.
//
// Only the target's hard ancestors can take it Down, so only they are
// tried, through the same batch engine as Rank. For pure any-of graphs the
// answer is the target's dominators; the general gate model needs the
// engine.
//
// Each SPOF's chain is found by simulating its failure within the target's
// ancestry, stopped at the other SPOFs and the target: the first of them
// the failure takes Down is its Next, and the chain goes on as Next's
// does. Every link of such a chain is an input that is Down when the SPOF
// fails (states only rise, so what Next's failure takes Down this failure
// takes Down too); it is a chain of causes, though not always the one
// Simulate(c, Fail(id)).Chain(target) picks. The cost is the region
// between each SPOF and the next ones, not the whole ancestry per SPOF.
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
	slices.Sort(hits)
	out, err := spofTree(ctx, c, t, hits)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b SPOF) int {
		return cmp.Or(
			cmpBool(a.Kind.Infrastructure(), b.Kind.Infrastructure()),
			cmp.Compare(a.Hops, b.Hops),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return out, nil
}

// spofTree finds the Next and Path of each SPOF (hits, ascending) of target
// t, then their Hops.
func spofTree(ctx context.Context, c *graph.Compiled, t int32, hits []int32) ([]SPOF, error) {
	within := ancestry(c, t)
	dist := hardDistances(c, t)
	// Nearest first, so that a SPOF's Next is always strictly nearer the
	// target (in hard hops) and the Next links form a tree.
	order := slices.Clone(hits)
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(dist[a], dist[b]) })
	stop := make([]bool, c.Len())
	stop[t] = true
	for _, h := range hits {
		stop[h] = true
	}
	// A run confined to the ancestry without the target and the SPOFs
	// nearer than the one removed cannot go past them: they are evaluated
	// by hand (gateDown), so each run costs the region up to the nearest
	// SPOFs, not the ancestry.
	confine := slices.Clone(within)
	confine[t] = false
	excluded := 0                    // order[:excluded] are out of confine
	next := make([]int32, len(hits)) // per hit (ascending): its Next vertex
	out := make([]SPOF, len(hits))
	pos := make(map[int32]int, len(hits))
	for i, h := range hits {
		pos[h] = i
	}
	for n, h := range order {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for excluded < len(order) && dist[order[excluded]] < dist[h] {
			confine[order[excluded]] = false
			excluded++
		}
		i := pos[h]
		out[i] = SPOF{ID: c.VertexName(h), Kind: c.Kind(h)}
		y, path := stoppedChain(c, h, confine, func(y int32) bool { return y == t || stop[y] && dist[y] < dist[h] })
		if y < 0 {
			// Not reached with the nearer ones held Up (a threshold that
			// needs more than this failure's share of the region): the
			// whole chain, hung under the target.
			full := chainWithin(c, Fail(c.VertexName(h)), []int32{h}, c.VertexName(t), within)
			y, path = t, full[1:]
		}
		next[i], out[i].Next, out[i].Path = y, c.VertexName(y), path
	}
	// Hops: the target has 0; a SPOF has its Next's plus its Path. Next
	// links form a tree (each points at a SPOF strictly nearer the target
	// in the run that found it, or at the target), walked iteratively.
	index := pos
	hops := make([]int, len(hits))
	for i := range hops {
		hops[i] = -1
	}
	var stack []int
	for i := range hits {
		for j := i; hops[j] < 0; {
			stack = append(stack, j)
			hops[j] = -2 // on the stack: a loop ends here
			k, ok := index[next[j]]
			if !ok || hops[k] == -2 {
				break
			}
			j = k
		}
		for n := len(stack) - 1; n >= 0; n-- {
			j := stack[n]
			base := 0
			if k, ok := index[next[j]]; ok && hops[k] >= 0 {
				base = hops[k]
			}
			hops[j] = base + len(out[j].Path)
		}
		stack = stack[:0]
	}
	for i := range out {
		out[i].Hops = hops[i]
	}
	return out, nil
}

// stoppedChain removes h within confine and returns the first stop vertex
// (a SPOF or the target) the failure takes Down, with the links from it
// down to h; -1 when none goes Down.
func stoppedChain(c *graph.Compiled, h int32, confine []bool, stop func(int32) bool) (int32, []string) {
	s := getScratch(c)
	defer putScratch(c, s)
	s.within = confine
	defer func() { s.within = nil }()
	s.remove(c, h)
	s.run(c)
	for _, u := range s.touched {
		if s.stateOf(u) != Down {
			continue
		}
		deps, _ := c.Dependents(u)
		for _, y := range deps {
			if y == h || !stop(y) || !s.gateDown(c, y) {
				continue
			}
			var path []string
			for v, n := u, 0; v >= 0 && n <= len(s.touched); v, n = s.cause[v], n+1 {
				if k := c.VertexKind(v); k != graph.GroupVertex && k != graph.SoftGroupVertex {
					path = append(path, c.VertexName(v))
				}
				if v == h {
					break
				}
			}
			return y, path
		}
	}
	return -1, nil
}

// gateDown evaluates v's hard gate on the run's states: Down when an And
// gate has a Down input or a Threshold gate's live weight is below its
// floor. It is how a vertex the run was kept from updating learns its state.
func (s *scratch) gateDown(c *graph.Compiled, v int32) bool {
	ins, ws := c.Inputs(v)
	if c.Op(v) != graph.Threshold {
		for _, u := range ins {
			if s.stateOf(u) == Down {
				return true
			}
		}
		return false
	}
	live := int64(0)
	for i, u := range ins {
		if s.stateOf(u) != Down {
			live += ws[i]
		}
	}
	return live < c.Floor(v)
}

// SPOFChains follows the Next links of spofs (as SPOFs returns them for
// target) to give each SPOF's chain of causes, from the target down to the
// SPOF, or its last links only.
type SPOFChains struct {
	target string
	byID   map[string]int
	spofs  []SPOF
}

// NewSPOFChains indexes the SPOFs of target.
func NewSPOFChains(target string, spofs []SPOF) *SPOFChains {
	ch := &SPOFChains{target: target, byID: make(map[string]int, len(spofs)), spofs: spofs}
	for i, s := range spofs {
		ch.byID[s.ID] = i
	}
	return ch
}

// Tail returns the last n links of the chain of spofs[i] (all of it, the
// target included, when n <= 0 or the chain is short), ending at the SPOF,
// and how many links before them were left out. It costs the links it
// returns.
func (ch *SPOFChains) Tail(i, n int) (links []string, more int) {
	s := ch.spofs[i]
	total := s.Hops + 1 // the target too
	keep := total
	if n > 0 && n < total {
		keep = n
	}
	rev := make([]string, 0, keep)
	for j := i; len(rev) < keep; {
		p := ch.spofs[j].Path
		for k := len(p) - 1; k >= 0 && len(rev) < keep; k-- {
			rev = append(rev, p[k])
		}
		nx := ch.spofs[j].Next
		k, ok := ch.byID[nx]
		if !ok || k == j {
			if len(rev) < keep {
				rev = append(rev, nx)
			}
			break
		}
		j = k
	}
	slices.Reverse(rev)
	return rev, total - len(rev)
}

// Chain returns the whole chain of spofs[i], from the target to the SPOF.
func (ch *SPOFChains) Chain(i int) []string {
	links, _ := ch.Tail(i, 0)
	return links
}

// hardDistances is, per vertex, the fewest hard edges from t to it (t
// requires it through that many links), or -1 when t does not reach it.
func hardDistances(c *graph.Compiled, t int32) []int32 {
	dist := make([]int32, c.Len())
	for v := range dist {
		dist[v] = -1
	}
	dist[t] = 0
	queue := []int32{t}
	for i := 0; i < len(queue); i++ {
		ins, _ := c.Inputs(queue[i])
		for _, u := range ins {
			if dist[u] < 0 {
				dist[u] = dist[queue[i]] + 1
				queue = append(queue, u)
			}
		}
	}
	return dist
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
