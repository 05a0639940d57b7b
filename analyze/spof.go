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
// tried, nearest first (in hard hops from the target), each by a run of
// the event engine confined to the target's ancestry and stopped at the
// target and at the SPOFs already found nearer than it: those are held Up
// and their gates evaluated by hand on the run's states. A candidate is a
// SPOF exactly when the run takes one of them Down. If it does, its
// failure takes the target Down (states only rise, and that one's failure
// does). Conversely, if its failure takes the target Down, then in the
// whole run some held vertex goes Down first, and up to that moment the
// stopped run makes the same events, so it sees that gate Down. That
// first one is the SPOF's Next: its chain of causes is Next's chain, then
// the run's links from Next down to it (Path), so the chains form a tree.
//
// Each run costs the region between the candidate and the nearer SPOFs,
// not the whole ancestry: on a cycle of n nodes, where every node is a
// SPOF of every other, SPOFs is O(n) (the batch sweep it replaces was
// quadratic there). A candidate that is not a SPOF cannot be stopped
// early, so its run costs all it reaches within the ancestry: a long chain
// of requires that ends in one member of a redundant group would cost the
// square of its length. So once the runs have cost 64 visits per
// candidate (and a million), the batch engine Rank uses decides which of
// the remaining candidates are SPOFs, 64 at a time, and only those are
// run, for their chains. For pure any-of graphs the answer is
// the target's dominators (a test holds the two equal); the general gate
// model needs the engine. Every link of a chain is an input that is Down
// when the SPOF fails; it is a chain of causes, though not always the one
// Simulate(ctx, c, Fail(id)).Chain(target) picks.
func SPOFs(ctx context.Context, c *graph.Compiled, target string) ([]SPOF, error) {
	t, ok := c.Lookup(target)
	if !ok || c.VertexKind(t) != graph.NodeVertex {
		e := UnknownNode(c, target)
		return nil, e
	}
	out, err := spofTree(ctx, c, t, hardAncestors(c, t))
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

// spofTree tries each candidate (the target's hard ancestors) and returns
// the SPOFs among them with their Next, Path and Hops.
func spofTree(ctx context.Context, c *graph.Compiled, t int32, cands []int32) ([]SPOF, error) {
	within := ancestry(c, t)
	dist := hardDistances(c, t)
	order := slices.Clone(cands)
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(dist[a], dist[b]) })
	// confine is the ancestry without the held vertices: the target and
	// the SPOFs found so far that are nearer than the candidate tried.
	// SPOFs found at the candidate's own distance join it only when the
	// distance grows, so a SPOF's Next is strictly nearer the target and
	// the Next links cannot loop.
	confine := slices.Clone(within)
	confine[t] = false
	held := make([]bool, c.Len())
	held[t] = true
	var (
		out     []SPOF
		next    []int32 // per SPOF in out: its Next vertex
		pending []int32 // SPOFs found at the current distance
		at      = int32(-1)
	)
	// A candidate that is not a SPOF is not stopped early: its run costs
	// all it reaches. When the runs have cost more than spofBudget, the
	// batch engine (64 failures per word) decides which of the remaining
	// candidates are SPOFs, and only those are run, for their chains.
	budget := spofBudget(len(cands))
	var hits []bool // per vertex, once the batch engine has decided
	for n, h := range order {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if dist[h] != at {
			for _, p := range pending {
				confine[p], held[p] = false, true
			}
			pending, at = pending[:0], dist[h]
		}
		if hits == nil && budget < 0 {
			var err error
			if hits, err = batchHits(ctx, c, t, order[n:]); err != nil {
				return nil, err
			}
		}
		if hits != nil && !hits[h] {
			continue
		}
		y, path, cost := stoppedChain(c, h, confine, held)
		budget -= cost
		if y < 0 && hits != nil {
			// The batch engine says h is a SPOF, so the stopped run
			// reaches one (see SPOFs); should it not, the whole chain.
			full := chainWithin(c, Fail(c.VertexName(h)), []int32{h}, c.VertexName(t), within)
			y, path = t, full[1:]
		}
		if y < 0 {
			continue
		}
		out = append(out, SPOF{ID: c.VertexName(h), Kind: c.Kind(h), Next: c.VertexName(y), Path: path})
		next = append(next, y)
		pending = append(pending, h)
	}
	// Hops: the target has 0, a SPOF its Next's plus its Path. SPOFs were
	// found nearest first and Next is strictly nearer, so one pass in
	// order finds every Next's Hops already known.
	index := make(map[int32]int, len(out))
	for i := range out {
		v, _ := c.Lookup(out[i].ID)
		index[v] = i
		base := 0
		if k, ok := index[next[i]]; ok {
			base = out[k].Hops
		}
		out[i].Hops = base + len(out[i].Path)
	}
	return out, nil
}

// stoppedChain removes h within confine and returns the first held vertex
// (the target or a nearer SPOF) whose gate the failure takes Down, with
// the links from it down to h; -1 when none goes Down.
func stoppedChain(c *graph.Compiled, h int32, confine, held []bool) (y int32, path []string, cost int) {
	s := getScratch(c)
	defer putScratch(c, s)
	s.within = confine
	defer func() { s.within = nil }()
	s.remove(c, h)
	s.run(c)
	cost = len(s.touched)
	for _, u := range s.touched {
		if s.stateOf(u) != Down {
			continue
		}
		deps, _ := c.Dependents(u)
		for _, y := range deps {
			if y == h || !held[y] || !s.gateDown(c, y) {
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
			return y, path, cost
		}
	}
	return -1, nil, cost
}

// spofBudget is how many vertex visits the stopped runs of SPOFs may make
// over n candidates before the batch engine decides the rest: 64 per
// candidate (what a batch of 64 costs per failure), and a million.
var spofBudget = func(n int) int { return 64*n + 1<<20 }

// batchHits marks the candidates whose single failure takes t Down, by the
// batch engine Rank uses.
func batchHits(ctx context.Context, c *graph.Compiled, t int32, cands []int32) ([]bool, error) {
	hits := make([]bool, c.Len())
	var mu sync.Mutex
	err := sweep(ctx, c, cands, 0, nil, func(l *layout, b *batch, sources []int32) {
		tp := l.pos[t]
		b.run(sources, func(p int32, down, bad uint64) {
			if p != tp {
				return
			}
			mu.Lock()
			for m := down; m != 0; m &= m - 1 {
				hits[sources[bits.TrailingZeros64(m)]] = true
			}
			mu.Unlock()
		})
	}, func(int32) {})
	return hits, err
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
// alone fails (a node or a replica), as Simulate(ctx, c, Fail(failed)).Chain(target)
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
