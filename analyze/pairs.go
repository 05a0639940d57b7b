package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// Pairs of failures: the "N-2" question an operator of three data centers
// asks. Rank answers which single failure takes the most with it; a pair
// of failures takes what each takes alone, and sometimes more: a service
// replicated at two sites survives either site's loss and goes Down only
// when both are lost. RankPairs ranks the pairs by that "more".
//
// Beyond, precisely. For candidates a and b, let Down(s) be the model's
// nodes (replicas and groups are not counted) Down when the set s is
// removed, and Hit(s) those not Up (Down or Degraded). The pair takes
// Down beyond each alone
//
//	Down({a, b}) \ (Down({a}) ∪ Down({b}))
//
// the users Down under the pair minus the users of the union of what the
// two singles take Down; by monotonicity that union is part of
// Down({a, b}). A node Degraded under a alone and Down under the pair
// counts as Down beyond: the pair made it worse. Degraded beyond is
// Degraded({a, b}) \ (Hit({a}) ∪ Hit({b})): Degraded under the pair and Up
// under each alone; a node already Degraded by one of them is not counted
// again. Tier-0 beyond counts the tier-0 nodes that are not
// infrastructure among both. Pairs are ordered as Rank orders radii, on
// what is beyond: users Down, users Degraded, nodes Down, nodes Degraded,
// largest first.
//
// The engine is Rank's batch engine (parallel fault simulation, 64 lanes
// per word; see batch): each batch removes one fixed candidate a in every
// lane and one other candidate b_i per lane (batch.runWith), so n
// candidates cost about n²/128 batches. Each candidate's single failure is
// run first, 64 to a batch, and kept as the list of vertices it reaches;
// a pair batch then tells what is beyond with two word operations per
// vertex: the mask of lanes whose b_i alone takes the vertex Down (built
// from those lists, once per block of b's) and whether a alone does.

// Pair is the joint failure of two candidates and what it takes beyond
// each alone (see the definition above).
type Pair struct {
	A, B         string // A before B in id order
	KindA, KindB graph.Kind
	// Joint is what the pair takes: every node Down (both failed ones
	// included) or Degraded, as Radius counts them.
	Joint PairReach
	// Beyond is what neither candidate takes alone.
	Beyond PairReach
	// Named names the nodes beyond with the most users, at most
	// PairNamed of them (Beyond counts them all), most users first, then
	// Down before Degraded, then by id.
	Named []string
}

// PairNamed is how many of the nodes beyond a Pair names.
const PairNamed = 5

// PairReach counts the model's nodes (not replicas) in each state and
// their users (user-services), and the tier-0 nodes that are not
// infrastructure among them, as Radius does.
type PairReach struct {
	Down, Degraded           int
	UsersDown, UsersDegraded int64
	Tier0                    int
}

// PairOptions select the candidates of RankPairs and shape its result.
// The zero value pairs every site and region.
type PairOptions struct {
	// Kinds keeps only candidates of these kinds; empty means sites and
	// regions (DefaultPairKinds).
	Kinds []graph.Kind
	// IDs keeps only these candidates; an unknown id is an error.
	IDs []string
	// Top keeps the first Top pairs after sorting; 0 keeps all.
	Top int
	// MaxPairs bounds the pairs tried (n candidates make n(n-1)/2): more is
	// an error naming the number, rather than a run of hours; 0 means
	// DefaultMaxPairs.
	MaxPairs int
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called with the pairs done out of all, from
	// one goroutine at a time.
	Progress func(done, total int)
}

// DefaultPairKinds are the candidates RankPairs pairs by default: the
// places, whose joint loss is the N-2 question.
var DefaultPairKinds = []graph.Kind{graph.Site, graph.Region}

// DefaultMaxPairs is PairOptions.MaxPairs when it is 0: 10 million pairs
// (4,472 candidates), 156,250 batches, each costing what its 64 pairs
// reach (the 45 pairs of the places of a 100,000-node catalog, most of
// the graph each, take 1.6 s).
const DefaultMaxPairs = 10_000_000

// PairRanking is what RankPairs found.
type PairRanking struct {
	// Candidates is how many candidates were paired, Tried how many pairs
	// (Candidates·(Candidates-1)/2).
	Candidates, Tried int
	// Total counts the pairs that take something beyond each alone; Pairs
	// lists them, sorted, at most PairOptions.Top of them. A pair that
	// takes nothing beyond its two singles is not listed.
	Total int
	Pairs []Pair
}

// RankPairs fails every pair of candidates together and ranks the pairs by
// what they take Down beyond each alone (see Pair). It equals two Simulate
// calls per pair, and one per candidate, exactly; tests check it on random
// models.
func RankPairs(ctx context.Context, c *graph.Compiled, opts PairOptions) (*PairRanking, error) {
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = DefaultPairKinds
	}
	cands, err := candidates(c, kinds, opts.IDs)
	if err != nil {
		return nil, err
	}
	n := len(cands)
	tried := n * (n - 1) / 2
	maxPairs := opts.MaxPairs
	if maxPairs <= 0 {
		maxPairs = DefaultMaxPairs
	}
	if tried > maxPairs {
		return nil, fmt.Errorf("%d candidates make %d pairs, more than the %d allowed: choose fewer kinds or ids, or raise the limit", n, tried, maxPairs)
	}
	if c.Len() >= maxPositions {
		return nil, fmt.Errorf("%d vertices: the batch engine takes fewer than %d", c.Len(), maxPositions)
	}
	res := &PairRanking{Candidates: n, Tried: tried}
	if n < 2 {
		res.Pairs = []Pair{}
		return res, ctx.Err()
	}
	pr := newPairRun(c, cands, opts)
	if err := pr.singles(ctx); err != nil {
		return nil, err
	}
	keys, err := pr.pairs(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(keys, func(x, y pairKey) int {
		a, b := &x.beyond, &y.beyond
		return cmp.Or(cmp.Compare(b.UsersDown, a.UsersDown), cmp.Compare(b.UsersDegraded, a.UsersDegraded),
			cmp.Compare(b.Down, a.Down), cmp.Compare(b.Degraded, a.Degraded),
			cmp.Compare(c.VertexName(x.a), c.VertexName(y.a)), cmp.Compare(c.VertexName(x.b), c.VertexName(y.b)))
	})
	res.Total = len(keys)
	if opts.Top > 0 && opts.Top < len(keys) {
		keys = keys[:opts.Top]
	}
	res.Pairs = make([]Pair, len(keys))
	for i, k := range keys {
		named := make([]string, len(k.named))
		for j, v := range k.named {
			named[j] = c.VertexName(v)
		}
		res.Pairs[i] = Pair{A: c.VertexName(k.a), B: c.VertexName(k.b), KindA: c.Kind(k.a), KindB: c.Kind(k.b),
			Joint: k.joint, Beyond: k.beyond, Named: named}
	}
	return res, nil
}

// pairKey is one pair's figures while ranking, a before b in id order.
type pairKey struct {
	a, b          int32
	joint, beyond PairReach
	named         []int32 // vertices, best first
}

// pairRun is one RankPairs: the candidates in batch order and what each
// takes alone.
type pairRun struct {
	c       *graph.Compiled
	l       *layout
	cands   []int32 // in batch order
	workers int
	opts    PairOptions
	// alone[i] lists the positions cands[i] alone takes out of Up, each
	// tagged with aloneDown when it takes it Down.
	alone [][]int32
}

// aloneDown tags a position of pairRun.alone that is Down (else Degraded);
// positions are below maxPositions = 1<<29.
const aloneDown = 1 << 30

func newPairRun(c *graph.Compiled, cands []int32, opts PairOptions) *pairRun {
	l := layoutFor(c)
	// The batch order puts candidates that reach the same vertices side
	// by side, so that a block of b's reaches few vertices in all; those
	// nothing depends on come last.
	in := make([]bool, c.NodeCount())
	for _, v := range cands {
		in[v] = true
	}
	ordered := make([]int32, 0, len(cands))
	for _, v := range l.order {
		if in[v] {
			ordered = append(ordered, v)
			in[v] = false
		}
	}
	for _, v := range cands {
		if in[v] {
			ordered = append(ordered, v)
		}
	}
	w := opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return &pairRun{c: c, l: l, cands: ordered, workers: w, opts: opts, alone: make([][]int32, len(ordered))}
}

// blocks is how many blocks of 64 candidates there are.
func (pr *pairRun) blocks() int { return (len(pr.cands) + 63) / 64 }

// work runs tasks [0, n) on the workers, each with its batch engine, and
// stops at ctx's end.
func (pr *pairRun) work(ctx context.Context, n int, task func(w int, b *batch, k int)) error {
	return onWorkers(ctx, pr.c, pr.l, pr.workers, n, task)
}

// singles runs every candidate alone, 64 to a batch, and keeps the
// positions each takes out of Up.
func (pr *pairRun) singles(ctx context.Context) error {
	return pr.work(ctx, pr.blocks(), func(_ int, b *batch, k int) {
		lo := k * 64
		block := pr.cands[lo:min(lo+64, len(pr.cands))]
		b.run(block, func(p int32, down, bad uint64) {
			for m := bad; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				e := p
				if down&(1<<i) != 0 {
					e |= aloneDown
				}
				pr.alone[lo+i] = append(pr.alone[lo+i], e)
			}
		})
	})
}

// pairState is one worker's view of the singles of the pairs it runs: per
// position, the lanes of the loaded block whose candidate alone takes it
// Down or out of Up, and the fixed candidate's own state there.
type pairState struct {
	block int     // the block loaded, or -1
	lanes []masks // per position
	fixed []uint8 // per position: 0 Up, 1 Degraded, 2 Down under the fixed candidate alone
	keys  []pairKey
	named [64]namedBest
}

// namedBest keeps the PairNamed best nodes beyond of one lane.
type namedBest struct {
	n    int
	v    [PairNamed]int32
	down [PairNamed]bool
}

// offer keeps v (Down or Degraded beyond) if it is among the best.
func (nb *namedBest) offer(c *graph.Compiled, v int32, down bool) {
	better := func(i int) bool { // v before the i-th
		u := nb.v[i]
		if x, y := c.Users(v), c.Users(u); x != y {
			return x > y
		}
		if down != nb.down[i] {
			return down
		}
		return c.VertexName(v) < c.VertexName(u)
	}
	i := nb.n
	for i > 0 && better(i-1) {
		i--
	}
	if i >= PairNamed {
		return
	}
	end := min(nb.n, PairNamed-1)
	copy(nb.v[i+1:end+1], nb.v[i:end])
	copy(nb.down[i+1:end+1], nb.down[i:end])
	nb.v[i], nb.down[i] = v, down
	nb.n = min(nb.n+1, PairNamed)
}

// pairs runs every pair (i, j), i < j in batch order: task (k, i) fixes
// cands[i] and fails each candidate of block k after it, one per lane.
// Tasks go block by block, so a worker loads a block's singles once for
// many fixed candidates.
func (pr *pairRun) pairs(ctx context.Context) ([]pairKey, error) {
	n := len(pr.cands)
	// Tasks of block k: every i below the block's last candidate.
	first := make([]int, pr.blocks()+1)
	for k := range pr.blocks() {
		first[k+1] = first[k] + min(k*64+64, n) - 1
	}
	states := make([]*pairState, pr.workers)
	var (
		mu   sync.Mutex
		done int
	)
	total := n * (n - 1) / 2
	err := pr.work(ctx, first[len(first)-1], func(w int, b *batch, t int) {
		st := states[w]
		if st == nil {
			st = &pairState{block: -1, lanes: make([]masks, len(pr.l.vertex)), fixed: make([]uint8, len(pr.l.vertex))}
			states[w] = st
		}
		k, _ := slices.BinarySearch(first, t+1)
		k-- // first[k] <= t < first[k+1]
		i := t - first[k]
		pr.load(st, k)
		lo := max(k*64, i+1)
		sources := pr.cands[lo:min(k*64+64, n)]
		pr.runPair(st, b, i, lo, sources)
		if p := pr.opts.Progress; p != nil {
			mu.Lock()
			done += len(sources)
			p(done, total)
			mu.Unlock()
		}
	})
	var keys []pairKey
	for _, st := range states {
		if st != nil {
			keys = append(keys, st.keys...)
		}
	}
	return keys, err
}

// load makes block k's singles the worker's lane masks.
func (pr *pairRun) load(st *pairState, k int) {
	if st.block == k {
		return
	}
	set := func(k int, on bool) {
		lo := k * 64
		for i := lo; i < min(lo+64, len(pr.cands)); i++ {
			bit := uint64(1) << uint(i-lo)
			for _, e := range pr.alone[i] {
				x := &st.lanes[e&^aloneDown]
				if on {
					x.bad |= bit
					if e&aloneDown != 0 {
						x.down |= bit
					}
				} else {
					*x = masks{}
				}
			}
		}
	}
	if st.block >= 0 {
		set(st.block, false)
	}
	set(k, true)
	st.block = k
}

// runPair runs the pairs of cands[i] with sources (cands[lo:...], lane t
// for cands[lo+t]) and keeps those that take something beyond.
func (pr *pairRun) runPair(st *pairState, b *batch, i, lo int, sources []int32) {
	l := pr.l
	for _, e := range pr.alone[i] {
		st.fixed[e&^aloneDown] = 1 + uint8(e/aloneDown)
	}
	joint := laneSumsPool.Get().(*laneSums)
	beyond := laneSumsPool.Get().(*laneSums)
	joint.reset()
	beyond.reset()
	shift := uint(lo % 64) // the loaded block's lane of sources[0]
	fixed := []int32{pr.cands[i]}
	b.runWith(fixed, sources, func(p int32, down, bad uint64) {
		f := l.flags[p]
		if f&isCounted == 0 { // replicas and groups are not counted
			return
		}
		joint.add(down, bad, l.users[p], f&isTier0 != 0)
		// What b_t alone or a alone takes is not beyond.
		x := st.lanes[p]
		soloDown, soloBad := x.down>>shift, x.bad>>shift
		switch st.fixed[p] {
		case 2:
			soloDown, soloBad = ^uint64(0), ^uint64(0)
		case 1:
			soloBad = ^uint64(0)
		}
		bd := down &^ soloDown
		bg := bad &^ down &^ soloBad
		if bd|bg != 0 {
			beyond.add(bd, bd|bg, l.users[p], f&isTier0 != 0)
			v := l.vertex[p]
			for m := bd | bg; m != 0; m &= m - 1 {
				t := bits.TrailingZeros64(m)
				st.named[t].offer(pr.c, v, bd&(1<<t) != 0)
			}
		}
	})
	joint.sums()
	beyond.sums()
	a := pr.cands[i]
	for t, v := range sources {
		nb := &st.named[t]
		named := nb.v[:nb.n]
		nb.n = 0
		by := reachOf(beyond, t)
		if by == (PairReach{}) {
			continue
		}
		x, y := a, v
		if pr.c.VertexName(x) > pr.c.VertexName(y) {
			x, y = y, x
		}
		st.keys = append(st.keys, pairKey{a: x, b: y, joint: reachOf(joint, t), beyond: by, named: slices.Clone(named)})
	}
	laneSumsPool.Put(joint)
	laneSumsPool.Put(beyond)
	for _, e := range pr.alone[i] {
		st.fixed[e&^aloneDown] = 0
	}
}

func reachOf(s *laneSums, t int) PairReach {
	return PairReach{Down: int(s.down.count[t]), Degraded: int(s.degraded.count[t]),
		UsersDown: s.down.users[t], UsersDegraded: s.degraded.users[t], Tier0: int(s.tier0[t])}
}
