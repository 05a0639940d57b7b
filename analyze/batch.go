package analyze

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// The batch engine is parallel fault simulation: 64 single failures per
// machine word, one per bit ("lane"), pushed through the gates together.
//
// layout is the compiled graph renumbered for the batch engine: vertices
// are "positions" in topological order of the strongly connected
// components (inputs first, the members of a cycle side by side), with
// their own CSR arrays, so that a batch walks its arrays mostly forward and
// a word of the dirty bitmap holds 64 consecutive positions.
//
// A layout never points to its graph: it is the value of the graph's entry
// in the per-graph cache, which holds the graph weakly, and a pointer back
// would keep the graph, and so the entry, alive forever.
type layout struct {
	nodes  int32   // the graph's NodeCount
	vertex []int32 // position → vertex
	pos    []int32 // vertex → position

	flags         []uint8      // per position: isThreshold, isCyclic, isCounted, isTier0
	gate          []graph.Gate // Threshold positions only
	inOff, in     []int32      // hard inputs, as positions
	inW           []int64
	softOff, soft []int32 // soft inputs, as positions
	// Dependents, as positions tagged with depThreshold when the dependent
	// is a Threshold gate and depSoft when it depends softly, so that a
	// batch pushing masks reads nothing else of them.
	depOff, dep []int32

	users []int64 // per position: users of a model node (only isCounted ones)

	// A Threshold gate of at most maxTermInputs inputs is also kept as two
	// monotone formulas over its inputs, so that a batch evaluates it for
	// all 64 lanes with a few word operations instead of summing weights
	// lane by lane: terms[termOff[p]:termOff[p+1]] lists the minimal sets
	// of inputs (bit i: the gate's i-th hard input) whose loss takes it
	// Down, a 0, then the minimal sets whose loss takes it below demand:
	// the minimal cut sets of the threshold function, for Down and for
	// Degraded, found by enumeration (at most 2^6 sets).
	// Empty for other positions and for larger gates, which are summed.
	termOff []int32
	terms   []uint8

	// The model's nodes that something depends on, in the order a ranking
	// batches them (see batchOrder); the others fail alone.
	order []int32
}

// layouts keeps each compiled graph's layout, made on first use: it only
// depends on the graph, and every ranking of the graph (Rank, SPOFs, a
// policy check, a diff) walks the same one.
var layouts perGraph[lazyLayout]

type lazyLayout struct {
	once sync.Once
	l    *layout
}

func layoutFor(c *graph.Compiled) *layout {
	ll := layouts.get(c)
	ll.once.Do(func() {
		l := newLayout(c)
		l.order = l.batchOrder()
		ll.l = l
	})
	return ll.l
}

func newLayout(c *graph.Compiled) *layout {
	rank, comps := order(c)
	n := c.Len()
	// Counting sort by component number keeps the numbering stable.
	count := make([]int32, comps+1)
	for _, r := range rank {
		count[r+1]++
	}
	for i := 0; i < comps; i++ {
		count[i+1] += count[i]
	}
	l := &layout{nodes: int32(c.NodeCount()), vertex: make([]int32, n), pos: make([]int32, n), flags: make([]uint8, n)}
	for v := int32(0); v < int32(n); v++ {
		p := count[rank[v]]
		count[rank[v]]++
		l.vertex[p], l.pos[v] = v, p
	}
	for p := 1; p < n; p++ {
		if rank[l.vertex[p]] == rank[l.vertex[p-1]] {
			l.flags[p] |= isCyclic
			l.flags[p-1] |= isCyclic
		}
	}
	// The arrays are made in position order from the graph's, read in
	// vertex order (sequentially): first each position's data and its
	// number of inputs and dependents, then the edges at their offsets.
	// Each vertex writes its own position only, so both loops run on all
	// cores (parts of vertices): at 5,000,000 nodes the layout is made
	// while the rest of the machine would otherwise wait for it.
	l.users = make([]int64, n)
	l.gate = make([]graph.Gate, n)
	l.inOff, l.softOff, l.depOff = make([]int32, n+1), make([]int32, n+1), make([]int32, n+1)
	parallel(n, func(lo, hi int) {
		for v := int32(lo); v < int32(hi); v++ {
			p := l.pos[v]
			if v < int32(c.NodeCount()) {
				l.flags[p] |= isCounted
				l.users[p] = c.Users(v)
				if Tier0(c, v) {
					l.flags[p] |= isTier0
				}
			}
			if c.Op(v) == graph.Threshold {
				l.flags[p] |= isThreshold
				l.gate[p] = c.Gate(v)
			}
			ins, _ := c.Inputs(v)
			deps, _ := c.Dependents(v)
			l.inOff[p+1] = int32(len(ins))
			l.softOff[p+1] = int32(len(c.SoftInputs(v)))
			l.depOff[p+1] = int32(len(deps) + len(c.SoftDependents(v)))
		}
	})
	for p := range n {
		l.inOff[p+1] += l.inOff[p]
		l.softOff[p+1] += l.softOff[p]
		l.depOff[p+1] += l.depOff[p]
	}
	l.in, l.inW = make([]int32, c.HardEdges()), make([]int64, c.HardEdges())
	l.soft, l.dep = make([]int32, c.Edges()-c.HardEdges()), make([]int32, c.Edges())
	parallel(n, func(lo, hi int) { l.edges(c, int32(lo), int32(hi)) })
	l.termOff = make([]int32, n+1)
	for p := range n {
		if l.flags[p]&isThreshold != 0 {
			l.terms = appendTerms(l.terms, l.gate[p], l.inW[l.inOff[p]:l.inOff[p+1]])
		}
		l.termOff[p+1] = int32(len(l.terms))
	}
	return l
}

// edges writes the edges of vertices [lo, hi) at their positions'
// offsets, and marks the positions on a loop as cyclic.
func (l *layout) edges(c *graph.Compiled, lo, hi int32) {
	for v := lo; v < hi; v++ {
		p := l.pos[v]
		ins, ws := c.Inputs(v)
		in, inW := l.in[l.inOff[p]:], l.inW[l.inOff[p]:]
		// A loop, not copy: a vertex has a few inputs, and copy's call of
		// memmove for each was a quarter of this function's time.
		for i, u := range ins {
			in[i], inW[i] = l.pos[u], ws[i]
		}
		soft := l.soft[l.softOff[p]:]
		for i, u := range c.SoftInputs(v) {
			soft[i] = l.pos[u]
		}
		dep := l.dep[l.depOff[p]:l.depOff[p+1]]
		deps, _ := c.Dependents(v)
		for i, w := range deps {
			dep[i] = l.pos[w] | depTag(c, w)
		}
		for i, w := range c.SoftDependents(v) {
			dep[len(deps)+i] = l.pos[w] | depTag(c, w) | depSoft
		}
		for _, e := range dep {
			if e&^depTags == p { // a loop (validation forbids them): evaluate it as a cycle
				l.flags[p] |= isCyclic
			}
		}
	}
}

// Position flags.
const (
	isThreshold uint8 = 1 << iota // a Threshold gate (else an And gate)
	isCyclic                      // a member of a cycle (a component of more than one vertex)
	isCounted                     // a model node, counted by a ranking (replicas and groups are not)
	isTier0                       // a tier-0 node that is not infrastructure
)

// Tags of layout.dep entries; positions are below maxPositions.
const (
	depThreshold = 1 << 30
	depSoft      = 1 << 29
	depTags      = depThreshold | depSoft
	maxPositions = depSoft
)

func depTag(c *graph.Compiled, w int32) int32 {
	if c.Op(w) == graph.Threshold {
		return depThreshold
	}
	return 0
}

// maxTermInputs is the largest gate kept as formulas (see layout.terms):
// at most C(6,3) = 20 sets per formula.
const maxTermInputs = 6

// termInputs is maxTermInputs, or 0 in tests of the summing path.
var termInputs = maxTermInputs

// appendTerms appends gate g's formulas (see layout.terms) for inputs of
// weights ws, or nothing when it has more than maxTermInputs inputs or is
// not Up with every input Up (then it is summed lane by lane, which only
// considers lanes where an input is lost, as Simulate does).
func appendTerms(terms []uint8, g graph.Gate, ws []int64) []uint8 {
	n := len(ws)
	if n > termInputs {
		return terms
	}
	lost := func(set int) (w int64) {
		for i := range n {
			if set&(1<<i) != 0 {
				w += ws[i]
			}
		}
		return w
	}
	// The formulas specialise the one threshold rule (threshold): down
	// over the inputs that are Down, low over those not Up. A test holds
	// them equal to it on every small gate.
	down := func(set int) bool { return threshold(g, g.Base-lost(set), g.Base) == Down }
	low := func(set int) bool { return threshold(g, g.Base, g.Base-lost(set)) != Up }
	if down(0) || low(0) {
		return terms
	}
	// The conditions are monotone (losing more never helps), so a set is
	// minimal when no set one input smaller satisfies it.
	minimal := func(cond func(int) bool) {
		for set := 1; set < 1<<n; set++ {
			if !cond(set) {
				continue
			}
			min := true
			for s := set; s != 0; s &= s - 1 {
				if cond(set &^ (s & -s)) {
					min = false
					break
				}
			}
			if min {
				terms = append(terms, uint8(set))
			}
		}
	}
	minimal(down)
	terms = append(terms, 0)
	minimal(low)
	return terms
}

// batchOrder orders the model's nodes that something depends on for
// batching (the failure of a node nothing depends on is that node alone,
// and never batched): the failures of a batch should reach mostly the same
// vertices, since a batch visits the union of what its 64 failures reach.
//
// Each vertex's reach is estimated as 1 plus the estimates of its
// dependents, summed in reverse topological order (shared dependents are
// counted more than once, so it overestimates, but it orders vertices much
// as their true reach does), and each vertex follows its dependent of
// largest estimate, then that one's, to where the chain ends: its channel,
// through which most of its reach goes. Nodes are ordered by estimate in
// steps of a factor of 4, largest first, then by channel, then by estimate.
// Measured on synth.Services at 100k nodes (BenchmarkBatches): 10.6x fewer
// vertex visits than one failure at a time (2.48M against 26.2M); by
// estimate alone 8.4x, in topological order 2.3x.
func (l *layout) batchOrder() []int32 {
	n := len(l.vertex)
	est := make([]float64, n)
	channel := make([]int32, n)
	for p := n - 1; p >= 0; p-- {
		e, best, next := 1.0, -1.0, int32(-1)
		for _, q := range l.dep[l.depOff[p]:l.depOff[p+1]] {
			q &^= depTags
			e += est[q] // 0 for a member of p's cycle not yet estimated
			if q > int32(p) && est[q] > best {
				best, next = est[q], q
			}
		}
		est[p] = min(e, 1e300)
		channel[p] = int32(p)
		if next >= 0 {
			channel[p] = channel[next]
		}
	}
	type key struct {
		group uint64 // step (largest first), then channel
		est   float64
		v     int32
	}
	keys := make([]key, 0, l.nodes)
	for v := range l.nodes {
		p := l.pos[v]
		if l.depOff[p] == l.depOff[p+1] {
			continue
		}
		step := uint64(1024 - int(math.Log2(est[p])/2)) // est ≤ 1e300: 0 ≤ log2/2 < 500
		keys = append(keys, key{step<<32 | uint64(channel[p]), est[p], v})
	}
	byKey := func(a, b key) int {
		switch {
		case a.group != b.group:
			return cmp.Compare(a.group, b.group)
		case a.est != b.est:
			return cmp.Compare(b.est, a.est)
		}
		return cmp.Compare(a.v, b.v)
	}
	// The keys are distinct (by v), so sorting two halves on two cores
	// and merging them gives the one order a single sort gives.
	order := make([]int32, len(keys))
	if h := len(keys) / 2; h >= splitOrder && runtime.GOMAXPROCS(0) > 1 {
		done := make(chan struct{})
		go func() {
			slices.SortFunc(keys[h:], byKey)
			close(done)
		}()
		slices.SortFunc(keys[:h], byKey)
		<-done
		a, b := keys[:h], keys[h:]
		for i := range order {
			if len(b) == 0 || len(a) > 0 && byKey(a[0], b[0]) < 0 {
				order[i], a = a[0].v, a[1:]
			} else {
				order[i], b = b[0].v, b[1:]
			}
		}
		return order
	}
	slices.SortFunc(keys, byKey)
	for i, k := range keys {
		order[i] = k.v
	}
	return order
}

// splitOrder is the number of keys per half from which batchOrder sorts
// on two cores; tests lower it to compare.
var splitOrder = 1 << 16

// batch propagates up to 64 single failures at once, one per bit of a
// machine word ("lane"): lane i removes sources[i]. Each position holds two
// masks, the lanes in which it is Down and those in which it is not Up
// (bad ⊇ down). A position is evaluated when one of its inputs changed,
// in position order (a bitmap of dirty positions), so outside cycles each
// position is evaluated once per batch, after all its inputs; inside a
// cycle, positions are evaluated again until their masks stop growing,
// which, starting from all-Up, is the least fixpoint, as in Simulate. Only
// positions some lane reaches are evaluated.
//
// An And gate is the OR of its inputs' masks. A small Threshold gate is
// its formulas (layout.terms): ORs of ANDs of its inputs' masks. A larger
// one needs per-lane sums: for the lanes where an input is not Up it adds
// up, lane by lane, the weight lost to Down inputs and to inputs that are
// not Up.
type batch struct {
	l       *layout
	m       []masks  // per position; zero outside a run
	src     []uint64 // per position: the lanes that remove it
	dirty   []uint64 // bitmap of positions to evaluate
	touched []int32  // positions whose masks may be non-zero

	liveLoss, upLoss [64]int64
}

// masks are one position's lanes, kept together (16 bytes) so that reading
// an input is one cache line and the array stays small.
type masks struct {
	down, bad uint64 // lanes where it is Down; where it is not Up (⊇ down)
}

func newBatch(l *layout) *batch {
	n := len(l.vertex)
	return &batch{
		l:     l,
		m:     make([]masks, n),
		src:   make([]uint64, n),
		dirty: make([]uint64, (n+63)/64),
	}
}

// run propagates the failures of sources (vertices, at most 64) and calls
// visit once with every position that is not Up in some lane, then clears
// its state for the next run. Positions are evaluated lowest first, so a
// position on no cycle is evaluated once, after all its inputs, and visited
// then; the members of cycles are visited at the end.
//
// And gates are fed by their inputs: a position that changed ORs its masks
// into its And dependents (bad only into soft ones), so evaluating an And
// gate reads nothing, and inputs the failure never reached are never read.
// Threshold gates, which need per-lane sums, read their inputs when they
// are evaluated. A position on no cycle pushes without checking whether it
// changed anything (its dependents come after it and are evaluated once
// anyway); members of cycles check, so that a cycle stops growing.
func (b *batch) run(sources []int32, visit func(p int32, down, bad uint64)) {
	b.runWith(nil, sources, visit)
}

// runWith is run with the vertices of fixed removed in every lane as well:
// lane i removes fixed and sources[i]. Pairs of failures (RankPairs) are
// one fixed failure and 64 others, one per lane.
func (b *batch) runWith(fixed, sources []int32, visit func(p int32, down, bad uint64)) {
	l := b.l
	lo := len(b.dirty)
	all := uint64(1)<<uint(len(sources)) - 1 // the lanes in use (len 64: wraps to all ones)
	seed := func(s int32, bit uint64) {
		p := l.pos[s]
		b.src[p] |= bit
		if l.flags[p]&isThreshold == 0 {
			// A threshold gate's masks are set when it is evaluated
			// (eval starts from src), so that it pushes when it changes
			// and only then: one that pushed whenever it was a source
			// never stopped when two sources were thresholds on a cycle.
			b.m[p].down |= bit
			b.m[p].bad |= bit
		}
		b.dirty[p/64] |= 1 << uint(p%64)
		lo = min(lo, int(p/64))
	}
	for i, s := range sources {
		seed(s, uint64(1)<<uint(i))
	}
	for _, s := range fixed {
		seed(s, all)
	}
	// The arrays in locals: stores through the masks would otherwise make
	// the compiler reload every slice header from b and l after each one.
	// Positions are unsigned in the pushes: a signed q/64 and q%64 cost
	// three more instructions each, on the hottest line of a ranking.
	m, dirty, flags, depOff, dep := b.m, b.dirty, l.flags, l.depOff, l.dep
	for w := lo; w < len(dirty); w++ {
		// The sources of a batch are spread over the whole graph, so a
		// batch reads every word of dirty after its first source, mostly
		// zeros: skip them eight at a time (at 5,000,000 nodes, ~47,000
		// batches of up to ~88,000 words). A bitmap of the words that may
		// be non-zero costs more than it saves: a store on every push.
		for w+8 <= len(dirty) {
			d := dirty[w : w+8 : w+8]
			if d[0]|d[1]|d[2]|d[3]|d[4]|d[5]|d[6]|d[7] != 0 {
				break
			}
			w += 8
		}
		if w == len(dirty) {
			break
		}
		back := w
		for dirty[w] != 0 {
			p := int32(w*64 + bits.TrailingZeros64(dirty[w]))
			dirty[w] &= dirty[w] - 1
			f := flags[p]
			x := &m[p]
			if f&isThreshold != 0 {
				down, bad := b.eval(p)
				if down == x.down && bad == x.bad {
					continue
				}
				x.down, x.bad = down, bad
			}
			// Every position whose masks were set is evaluated: clear
			// them afterwards (a cycle's members maybe more than once).
			b.touched = append(b.touched, p)
			down, bad := x.down, x.bad
			deps := dep[depOff[p]:depOff[p+1]]
			if f&isCyclic == 0 {
				// Every input came first and is final: so is p, and it is
				// counted while its masks are at hand. Its dependents all
				// come after it and are evaluated once, after all their
				// inputs: mark them without checking what changed.
				visit(p, down, bad)
				for _, e := range deps {
					q := uint32(e) &^ depTags
					if e&depThreshold == 0 {
						soft := -(uint64(uint32(e)/depSoft) & 1) // all ones for a soft edge
						y := &m[q]
						y.down |= down &^ soft
						y.bad |= bad
					}
					dirty[q/64] |= 1 << (q % 64)
				}
				continue
			}
			for _, e := range deps {
				q := uint32(e) &^ depTags
				if e&depThreshold == 0 {
					y := &m[q]
					nd, nb := y.down, y.bad|bad
					if e&depSoft == 0 {
						nd |= down
					}
					nb |= nd
					if nd == y.down && nb == y.bad {
						continue
					}
					y.down, y.bad = nd, nb
				}
				dirty[q/64] |= 1 << (q % 64)
				back = min(back, int(q/64)) // a cycle leads back
			}
			if back < w {
				break // always evaluate the lowest dirty position first
			}
		}
		if back < w {
			w = back - 1
		}
	}
	for _, p := range b.touched {
		if l.flags[p]&isCyclic != 0 {
			if x := b.m[p]; x.bad != 0 {
				visit(p, x.down, x.bad)
			}
		}
		b.m[p] = masks{}
	}
	for _, s := range sources {
		b.src[l.pos[s]] = 0
	}
	for _, s := range fixed {
		b.src[l.pos[s]] = 0
	}
	b.touched = b.touched[:0]
}

// eval computes Threshold position p's masks from its inputs' masks (And
// gates are fed by their inputs instead).
func (b *batch) eval(p int32) (down, bad uint64) {
	l := b.l
	down = b.src[p]
	lo, hi := l.inOff[p], l.inOff[p+1]
	if ts := l.terms[l.termOff[p]:l.termOff[p+1]]; len(ts) > 0 {
		var dm, bm [maxTermInputs]uint64
		for i, u := range l.in[lo:hi] {
			dm[i], bm[i] = b.m[u].down, b.m[u].bad
		}
		k := 0
		for ; ts[k] != 0; k++ {
			t := ^uint64(0)
			for s := ts[k]; s != 0; s &= s - 1 {
				t &= dm[bits.TrailingZeros8(s)]
			}
			down |= t
		}
		for k++; k < len(ts); k++ {
			t := ^uint64(0)
			for s := ts[k]; s != 0; s &= s - 1 {
				t &= bm[bits.TrailingZeros8(s)]
			}
			bad |= t
		}
	} else {
		var lanes uint64
		for _, u := range l.in[lo:hi] {
			lanes |= b.m[u].bad
		}
		if lanes != 0 {
			for m := lanes; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				b.liveLoss[i], b.upLoss[i] = 0, 0
			}
			for e := lo; e < hi; e++ {
				u, w := l.in[e], l.inW[e]
				if w == 0 {
					continue
				}
				for m := b.m[u].down; m != 0; m &= m - 1 {
					b.liveLoss[bits.TrailingZeros64(m)] += w
				}
				for m := b.m[u].bad; m != 0; m &= m - 1 {
					b.upLoss[bits.TrailingZeros64(m)] += w
				}
			}
			g := l.gate[p]
			for m := lanes; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				switch threshold(g, g.Base-b.liveLoss[i], g.Base-b.upLoss[i]) {
				case Down:
					down |= 1 << uint(i)
				case Degraded:
					bad |= 1 << uint(i)
				}
			}
		}
	}
	for _, u := range l.soft[l.softOff[p]:l.softOff[p+1]] {
		bad |= b.m[u].bad
	}
	return down, bad | down
}
