package diff

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// limits are the bounds of Options, resolved.
type limits struct{ chains, spofs, takes int }

// protected reports whether a SPOF of v counts: the tier-0 nodes that are
// not infrastructure and the user-facing nodes (with users).
func protected(c *graph.Compiled, v int32) bool {
	return c.Users(v) > 0 || (c.Tier(v) == 0 && !c.Kind(v).Infrastructure())
}

// watchList returns the protected nodes of c, and those k watches (a
// policy sharing the ranking pass), in vertex order.
func watchList(c *graph.Compiled, k *policy.Checker) []int32 {
	also := make([]bool, c.NodeCount())
	if k != nil {
		for _, v := range k.Watch() {
			also[v] = true
		}
	}
	var watch []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if protected(c, v) || also[v] {
			watch = append(watch, v)
		}
	}
	return watch
}

// Comparing the two models' single failures needs, for each failed node
// both have, the protected nodes it takes Down in each. The pairs (failed,
// protected) grow faster than the model (a failure near the root takes
// most of it), to billions at 1,000,000 nodes, so neither model's pairs are
// kept whole: the old model's candidates run in parts, in the engine's
// batch order, keeping their pairs until about chunkPairs are kept; then
// the same failed nodes run in the new model and are compared with them,
// and the pairs are dropped. What remains per node is two counts.

// chunkPairs is about how many old pairs are kept at a time (8 bytes each
// while gathered, then 4); partOf is how many parts the old model's
// candidates run in at most. Variables for the tests.
var (
	chunkPairs = 1 << 24
	partOf     = 64
)

// comparer compares the single failures of two models, chunk by chunk.
type comparer struct {
	from, to *graph.Compiled
	toOld    []int32 // new vertex → old vertex, or -1
	oldToN   []int32 // old vertex → new vertex, or -1

	// The chunk's old pairs as a compressed sparse row: the protected
	// nodes of old failed node f are down[off[f]:off[f+1]]; pending
	// lists the chunk's failed nodes.
	off     []int
	down    []int32
	pending []int32
	flats   []pairBuf // per worker: (failed, down) pairs gathered
	kept    int
}

// pairBuf gathers (failed, down) pairs in blocks of pairBlock, reused from
// chunk to chunk: no slice doubles and copies what it has (at millions of
// pairs, that copying was a tenth of a diff).
type pairBuf struct {
	blocks [][]uint64
	n      int // pairs in blocks
}

const pairBlock = 1 << 15

func (pb *pairBuf) add(p uint64) {
	k, i := pb.n/pairBlock, pb.n%pairBlock
	if k == len(pb.blocks) {
		pb.blocks = append(pb.blocks, make([]uint64, pairBlock))
	}
	pb.blocks[k][i] = p
	pb.n++
}

// each calls f with every pair.
func (pb *pairBuf) each(f func(p uint64)) {
	for k := 0; k*pairBlock < pb.n; k++ {
		for _, p := range pb.blocks[k][:min(pairBlock, pb.n-k*pairBlock)] {
			f(p)
		}
	}
}

func newComparer(from, to *graph.Compiled) *comparer {
	return &comparer{from: from, to: to, toOld: matching(to, from), oldToN: matching(from, to),
		off: make([]int, from.NodeCount()+1)}
}

// keep runs part of the old model's candidates on r, keeping the pairs of
// failed nodes the new model has too that take protected nodes it has too
// (no other pair is ever compared), and passing every batch to sink (a
// policy's; nil: none).
func (cm *comparer) keep(ctx context.Context, r *analyze.Ranker, part []int32, sink func(int, *analyze.HitBatch)) error {
	c := cm.from
	if cm.flats == nil {
		cm.flats = make([]pairBuf, r.Workers())
	}
	for _, f := range part {
		if cm.oldToN[f] >= 0 {
			cm.pending = append(cm.pending, f)
		}
	}
	err := r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		var mask uint64
		for i, f := range hb.Sources {
			if cm.oldToN[f] >= 0 && !c.Kind(f).Infrastructure() {
				mask |= 1 << i
			}
		}
		flat := &cm.flats[w]
		for i, x := range hb.Down {
			m := hb.Lanes[i] & mask
			if m == 0 || cm.oldToN[x] < 0 || !protected(c, x) {
				continue
			}
			for ; m != 0; m &= m - 1 {
				flat.add(uint64(hb.Sources[bits.TrailingZeros64(m)])<<32 | uint64(uint32(x)))
			}
		}
		if sink != nil {
			sink(w, hb)
		}
	})
	cm.kept = 0
	for _, f := range cm.flats {
		cm.kept += f.n
	}
	return err
}

// full reports whether the chunk keeps enough pairs to be compared.
func (cm *comparer) full() bool { return cm.kept >= chunkPairs }

// build places the gathered pairs by failed node (a counting sort: two
// passes, no comparison).
func (cm *comparer) build() {
	n := cm.from.NodeCount()
	clear(cm.off)
	total := 0
	for w := range cm.flats {
		cm.flats[w].each(func(p uint64) { cm.off[p>>32+1]++ })
		total += cm.flats[w].n
	}
	for f := 1; f <= n; f++ {
		cm.off[f] += cm.off[f-1]
	}
	cm.down = slices.Grow(cm.down[:0], total)[:total]
	next := slices.Clone(cm.off[:n])
	for w := range cm.flats {
		cm.flats[w].each(func(p uint64) {
			f := p >> 32
			cm.down[next[f]] = int32(uint32(p))
			next[f]++
		})
		cm.flats[w].n = 0
	}
	cm.kept = 0
}

// counter is one worker's state of count: per new vertex x, the mask of
// the current batch's failures whose old counterparts take x Down in the
// old model, set for the batch whose Sources start at batch.
type counter struct {
	old     []uint64
	touched []int32
	batch   *int32
}

// count runs part of the new model's candidates on r, after build, and
// compares their hits with the chunk's old pairs: it counts those the old
// pairs have (same, per old failed node) and those they lack (fresh, per
// new failed node; or, when each is not nil, calls each with each
// watched node x and the mask of those of the batch's Sources whose pair
// with x is fresh, from the worker w: the calls of one batch all come
// from one worker), and passes
// every batch to sink. It reads the masks: for each batch, the old pairs
// of its failures are spread once into per-node masks, and each watched
// node's mask is split by two word operations into what both models have
// and what is new.
func (cm *comparer) count(ctx context.Context, r *analyze.Ranker, part []int32, sink func(int, *analyze.HitBatch),
	fresh []int, each func(w int, sources []int32, x int32, m uint64), same []int) error {
	c := cm.to
	cs := make([]*counter, r.Workers())
	err := r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		ct := cs[w]
		if ct == nil {
			ct = &counter{old: make([]uint64, c.NodeCount())}
			cs[w] = ct
		}
		if ct.batch != &hb.Sources[0] {
			ct.clear()
			ct.batch = &hb.Sources[0]
			for j, f := range hb.Sources {
				fo := cm.toOld[f]
				if fo < 0 {
					continue
				}
				for i := cm.off[fo]; i < cm.off[fo+1]; i++ {
					xt := cm.oldToN[cm.down[i]]
					if ct.old[xt] == 0 {
						ct.touched = append(ct.touched, xt)
					}
					ct.old[xt] |= 1 << j
				}
			}
		}
		var counted uint64
		for j, f := range hb.Sources {
			if !c.Kind(f).Infrastructure() {
				counted |= 1 << j
			}
		}
		for i, x := range hb.Down {
			m := hb.Lanes[i] & counted
			if m == 0 || !protected(c, x) {
				continue
			}
			both := m & ct.old[x]
			if each != nil {
				if n := m &^ both; n != 0 {
					each(w, hb.Sources, x, n)
				}
			} else {
				for n := m &^ both; n != 0; n &= n - 1 {
					fresh[hb.Sources[bits.TrailingZeros64(n)]]++
				}
			}
			if same != nil {
				for ; both != 0; both &= both - 1 {
					same[cm.toOld[hb.Sources[bits.TrailingZeros64(both)]]]++
				}
			}
		}
		if sink != nil {
			sink(w, hb)
		}
	})
	for _, ct := range cs {
		if ct != nil {
			ct.clear()
		}
	}
	return err
}

func (ct *counter) clear() {
	for _, x := range ct.touched {
		ct.old[x] = 0
	}
	ct.touched, ct.batch = ct.touched[:0], nil
}

// chunks runs order, candidates of the old model's ranking r, in parts,
// keeping their pairs (and passing every batch to sink), and whenever
// about chunkPairs are kept, and at the end, places them (build) and
// calls compare with the new model's counterparts of the chunk's failed
// nodes (cm.pending until compare returns).
func (cm *comparer) chunks(ctx context.Context, r *analyze.Ranker, order []int32, sink func(int, *analyze.HitBatch), compare func(part []int32) error) error {
	flush := func() error {
		cm.build()
		err := compare(cm.newParts())
		cm.pending = cm.pending[:0]
		return err
	}
	step := max(64, (len(order)/partOf+63)/64*64) // whole batches
	for lo := 0; lo < len(order); lo += step {
		if err := cm.keep(ctx, r, order[lo:min(lo+step, len(order))], sink); err != nil {
			return err
		}
		if cm.full() {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// newParts returns, for the chunk's old failed nodes, the new model's.
func (cm *comparer) newParts() []int32 {
	out := make([]int32, len(cm.pending))
	for i, f := range cm.pending {
		out[i] = cm.oldToN[f]
	}
	return out
}

// sides is what Compare keeps of each model's single failures: every
// node's radius, and per failed node the count of its pairs the other
// model lacks (fresh for the new one, fixed for the old one).
type sides struct {
	oldRanked, newRanked []analyze.Radius
	oldRadii, newRadii   map[string]analyze.Radius
	fresh                []int // per new failed node
	fixed                []int // per old failed node
}

// rankBoth ranks both models' single failures, chunk by chunk (see
// chunkPairs), sharing each model's pass with its policy (kFrom, kTo; nil:
// none), and counts the pairs each model lacks.
func rankBoth(ctx context.Context, from, to *graph.Compiled, kFrom, kTo *policy.Checker) (*sides, error) {
	rOld, err := analyze.NewRanker(from, analyze.RankOptions{}, watchList(from, kFrom))
	if err != nil {
		return nil, err
	}
	rNew, err := analyze.NewRanker(to, analyze.RankOptions{}, watchList(to, kTo))
	if err != nil {
		return nil, err
	}
	var sinkOld, sinkNew func(int, *analyze.HitBatch)
	if kFrom != nil {
		sinkOld, sinkNew = kFrom.Sink(rOld.Workers()), kTo.Sink(rNew.Workers())
	}
	cm := newComparer(from, to)
	sd := &sides{fresh: make([]int, to.NodeCount()), fixed: make([]int, from.NodeCount())}
	same := make([]int, from.NodeCount())
	err = cm.chunks(ctx, rOld, rOld.Candidates(), sinkOld, func(part []int32) error {
		if err := cm.count(ctx, rNew, part, sinkNew, sd.fresh, nil, same); err != nil {
			return err
		}
		for _, fo := range cm.pending {
			sd.fixed[fo] = cm.off[fo+1] - cm.off[fo] - same[fo]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The new model's nodes the old one lacks: all their pairs are fresh.
	var only []int32
	for f, fo := range cm.toOld {
		if fo < 0 {
			only = append(only, int32(f))
		}
	}
	cm.build()
	if err := cm.count(ctx, rNew, only, sinkNew, sd.fresh, nil, same); err != nil {
		return nil, err
	}
	if sd.oldRanked, err = rOld.Radii(); err != nil {
		return nil, err
	}
	if sd.newRanked, err = rNew.Radii(); err != nil {
		return nil, err
	}
	sd.oldRadii, sd.newRadii = byID(sd.oldRanked), byID(sd.newRanked)
	return sd, nil
}

func byID(radii []analyze.Radius) map[string]analyze.Radius {
	out := make(map[string]analyze.Radius, len(radii))
	for _, r := range radii {
		out[r.ID] = r
	}
	return out
}

// freshPairs returns, for each failed node of fs (model b's), the places
// (place[x]) of the protected nodes x that its failure takes Down in b and
// not in model a and that keep accepts: the k smallest at least, since
// only those are listed. It compares the failures of fs alone with their
// counterparts in a (one chunk).
func freshPairs(ctx context.Context, a, b *graph.Compiled, fs, place []int32, k int, keep func(x int32) bool) (map[int32][]int32, error) {
	if len(fs) == 0 {
		return nil, nil // no ids would rank every node
	}
	names := func(c *graph.Compiled, vs []int32) []string {
		ids := make([]string, len(vs))
		for i, v := range vs {
			ids[i] = c.VertexName(v)
		}
		return ids
	}
	cm := newComparer(a, b)
	var olds, only []int32
	for _, f := range fs {
		if fo := cm.toOld[f]; fo >= 0 {
			olds = append(olds, fo)
		} else {
			only = append(only, f)
		}
	}
	rNew, err := analyze.NewRanker(b, analyze.RankOptions{IDs: names(b, fs)}, watchList(b, nil))
	if err != nil {
		return nil, err
	}
	// Each list keeps its k smallest places: cut to them whenever it
	// holds 2k, after which a place above the k-th cannot make it, and a
	// node placed above every bound of a batch is passed over at once.
	// The calls of one batch come from one worker: each failed node's
	// list is its own, no lock.
	slot := make([]int32, b.NodeCount())
	for i, f := range fs {
		slot[f] = int32(i)
	}
	lists := make([][]int32, len(fs))
	bound := make([]int32, len(fs))
	for i := range bound {
		bound[i] = math.MaxInt32
	}
	type batchState struct {
		sources *int32
		most    int32 // the largest bound of the batch's failures
	}
	states := make([]batchState, rNew.Workers())
	most := func(sources []int32) int32 {
		m := int32(-1)
		for _, f := range sources {
			m = max(m, bound[slot[f]])
		}
		return m
	}
	each := func(w int, sources []int32, x int32, m uint64) {
		st := &states[w]
		if st.sources != &sources[0] {
			st.sources, st.most = &sources[0], most(sources)
		}
		px := place[x]
		if px > st.most || !keep(x) {
			return
		}
		for ; m != 0; m &= m - 1 {
			i := slot[sources[bits.TrailingZeros64(m)]]
			if px > bound[i] {
				continue
			}
			lists[i] = append(lists[i], px)
			if k < math.MaxInt32 && len(lists[i]) >= 2*k {
				lists[i] = smallest(lists[i], k)
				bound[i] = lists[i][k-1]
				st.most = most(sources)
			}
		}
	}
	// In chunks, as in Compare: the listed failures are the largest.
	if len(olds) > 0 {
		rOld, err := analyze.NewRanker(a, analyze.RankOptions{IDs: names(a, olds)}, watchList(a, nil))
		if err != nil {
			return nil, err
		}
		err = cm.chunks(ctx, rOld, rOld.Candidates(), nil, func(part []int32) error {
			clear(states)
			return cm.count(ctx, rNew, part, nil, nil, each, nil)
		})
		if err != nil {
			return nil, err
		}
	}
	cm.build()
	clear(states)
	err = cm.count(ctx, rNew, only, nil, nil, each, nil)
	takes := make(map[int32][]int32, len(fs))
	for i, f := range fs {
		takes[f] = lists[i]
	}
	return takes, err
}

// spofs fills in NewSPOFs and FixedSPOFs from the counts: the lists of the
// first lim.spofs by protected nodes taken (then id), each with its first
// lim.takes protected nodes, most users first, and a chain for the first
// lim.chains. The pairs of the listed failures, not kept, come from a
// second comparison of those failures alone: the new model's against the
// old for new SPOFs, the old model's against the new for fixed ones (a
// fixed SPOF is a new one of the change undone, among nodes both have).
func (d *Diff) spofs(ctx context.Context, from, to *graph.Compiled, sd *sides, lim limits) error {
	oldToN := matching(from, to)
	var err error
	d.FixedSPOFCount, d.FixedSPOFs, err = top(ctx, from, sd.fixed, lim, func(fs, place []int32) (map[int32][]int32, error) {
		return freshPairs(ctx, to, from, fs, place, lim.takes, func(x int32) bool { return oldToN[x] >= 0 })
	})
	if err != nil {
		return err
	}
	d.NewSPOFCount, d.NewSPOFs, err = top(ctx, to, sd.fresh, lim, func(fs, place []int32) (map[int32][]int32, error) {
		return freshPairs(ctx, from, to, fs, place, lim.takes, func(int32) bool { return true })
	})
	return err
}

// top lists the SPOFs of c whose count is positive: all counted, the first
// lim.spofs (most protected nodes taken, then by id) listed, with the
// protected nodes takes returns for them: given the place of each node
// in the order of Takes, it returns for each failure the places of its
// first lim.takes protected nodes at least.
func top(ctx context.Context, c *graph.Compiled, counts []int, lim limits, takes func(fs, place []int32) (map[int32][]int32, error)) (int, []SPOF, error) {
	var fs []int32
	for f, k := range counts {
		if k > 0 {
			fs = append(fs, int32(f))
		}
	}
	total := len(fs)
	slices.SortFunc(fs, func(a, b int32) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(c.VertexName(a), c.VertexName(b)))
	})
	fs = fs[:min(len(fs), lim.spofs)]
	if len(fs) == 0 {
		return total, nil, nil
	}
	// Most users first, then in model order: number the nodes in that
	// order once and sort numbers, not nodes by a comparison (the listed
	// SPOFs of two unrelated catalogs take millions of nodes together).
	byUsers := make([]int32, c.NodeCount())
	for v := range byUsers {
		byUsers[v] = int32(v)
	}
	slices.SortFunc(byUsers, func(a, b int32) int { return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(a, b)) })
	place := make([]int32, len(byUsers))
	for k, v := range byUsers {
		place[v] = int32(k)
	}
	tk, err := takes(fs, place)
	if err != nil {
		return 0, nil, err
	}
	out := make([]SPOF, len(fs))
	for i, f := range fs {
		xs := smallest(tk[f], lim.takes)
		s := SPOF{ID: c.VertexName(f), Kind: c.Kind(f), Takes: make([]string, len(xs)), TakesCount: counts[f]}
		for j, k := range xs {
			s.Takes[j] = c.VertexName(byUsers[k])
		}
		if i < lim.chains && len(xs) > 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
			if s.Chain, err = analyze.Chain(c, s.ID, s.Takes[0]); err != nil {
				return 0, nil, err
			}
		}
		out[i] = s
	}
	return total, out, nil
}

// matching maps each model node of a to the node of b with the same id, or
// -1.
func matching(a, b *graph.Compiled) []int32 {
	out := make([]int32, a.NodeCount())
	for v := range out {
		out[v] = -1
		if u, ok := b.Lookup(a.VertexName(int32(v))); ok && b.VertexKind(u) == graph.NodeVertex {
			out[v] = u
		}
	}
	return out
}

// smallest returns the k smallest of xs, sorted, reordering xs: Hoare's
// selection (quickselect, expected linear time) and then a sort of the k,
// since a SPOF of a large catalog takes far more nodes than are listed.
func smallest(xs []int32, k int) []int32 {
	if k >= len(xs) {
		slices.Sort(xs)
		return xs
	}
	lo, hi := 0, len(xs)-1
	for lo < hi {
		// Median of three as the pivot, against sorted input.
		mid := lo + (hi-lo)/2
		p := max(min(xs[lo], xs[mid]), min(max(xs[lo], xs[mid]), xs[hi]))
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			lo = hi
		}
	}
	xs = xs[:k]
	slices.Sort(xs)
	return xs
}
