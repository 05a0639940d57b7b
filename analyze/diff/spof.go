package diff

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

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
	// nodes of old failed node f are down[off[f]:off[f+1]]; seen marks
	// those the new model has too (one bit each), pending lists the
	// chunk's failed nodes.
	off     []int
	down    []int32
	seen    []uint64
	pending []int32
	flats   [][]uint64 // per worker: (failed, down) pairs gathered
	kept    int

	scratch []*scratch // per worker of the new model's ranking
}

// scratch is one worker's scratch of compare, per new vertex: hits per
// failed node, then 1 + the index in down of the pair (failed, this node),
// or 0.
type scratch struct {
	count, mark []int32
	hits        []analyze.Hit
	buf         []int32
	fs          []int32
	start       []int
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
		cm.flats = make([][]uint64, r.Workers())
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
		flat := cm.flats[w]
		for i, x := range hb.Down {
			m := hb.Lanes[i] & mask
			if m == 0 || cm.oldToN[x] < 0 || !protected(c, x) {
				continue
			}
			for ; m != 0; m &= m - 1 {
				flat = append(flat, uint64(hb.Sources[bits.TrailingZeros64(m)])<<32|uint64(uint32(x)))
			}
		}
		cm.flats[w] = flat
		if sink != nil {
			sink(w, hb)
		}
	})
	for _, f := range cm.flats {
		cm.kept += len(f)
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
	for _, flat := range cm.flats {
		for _, p := range flat {
			cm.off[p>>32+1]++
		}
		total += len(flat)
	}
	for f := 1; f <= n; f++ {
		cm.off[f] += cm.off[f-1]
	}
	cm.down = slices.Grow(cm.down[:0], total)[:total]
	next := slices.Clone(cm.off[:n])
	for w, flat := range cm.flats {
		for _, p := range flat {
			f := p >> 32
			cm.down[next[f]] = int32(uint32(p))
			next[f]++
		}
		cm.flats[w] = flat[:0]
	}
	cm.seen = slices.Grow(cm.seen[:0], (total+63)/64)[:(total+63)/64]
	clear(cm.seen)
	cm.kept = 0
}

// against runs part of the new model's candidates on r, after build, and
// compares their hits with the chunk's old pairs: it marks the old pairs
// it finds seen and calls fresh with each pair the old model lacks (from
// the worker w; f's calls all come from one worker), and passes every
// batch to sink.
func (cm *comparer) against(ctx context.Context, r *analyze.Ranker, part []int32, sink func(int, *analyze.HitBatch), fresh func(w int, f, x int32)) error {
	if cm.scratch == nil {
		cm.scratch = make([]*scratch, r.Workers())
	}
	n := cm.to.NodeCount()
	return r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		sc := cm.scratch[w]
		if sc == nil {
			sc = &scratch{count: make([]int32, n), mark: make([]int32, n)}
			cm.scratch[w] = sc
		}
		sc.hits = sc.hits[:0]
		for i, x := range hb.Down {
			for m := hb.Lanes[i]; m != 0; m &= m - 1 {
				sc.hits = append(sc.hits, analyze.Hit{Failed: hb.Sources[bits.TrailingZeros64(m)], Down: x})
			}
		}
		cm.compare(sc, sc.hits, func(f, x int32) { fresh(w, f, x) })
		if sink != nil {
			sink(w, hb)
		}
	})
}

// compare compares some hits of one batch of the new model's ranking with
// the chunk's old pairs. The hits are grouped by failed node (a counting
// sort: a batch holds at most 64 failed nodes), and for each, the old
// model's pairs of the same node are marked on a per-node array, so that
// every look-up is one read: O(hits + old pairs of the batch), no search.
func (cm *comparer) compare(n *scratch, hs []analyze.Hit, fresh func(f, x int32)) {
	c := cm.to
	n.fs = n.fs[:0]
	for _, h := range hs {
		if c.Kind(h.Failed).Infrastructure() || !protected(c, h.Down) {
			continue
		}
		if n.count[h.Failed] == 0 {
			n.fs = append(n.fs, h.Failed)
		}
		n.count[h.Failed]++
	}
	n.start = n.start[:0]
	total := 0
	for _, f := range n.fs {
		n.start = append(n.start, total)
		total += int(n.count[f])
		n.count[f] = int32(len(n.start)) // now: 1 + the group of f
	}
	n.start = append(n.start, total)
	n.buf = slices.Grow(n.buf[:0], total)[:total]
	next := slices.Clone(n.start[:len(n.fs)])
	for _, h := range hs {
		if c.Kind(h.Failed).Infrastructure() || !protected(c, h.Down) {
			continue
		}
		g := n.count[h.Failed] - 1
		n.buf[next[g]] = h.Down
		next[g]++
	}
	for g, f := range n.fs {
		n.count[f] = 0
		fo := cm.toOld[f]
		if fo >= 0 {
			for i := cm.off[fo]; i < cm.off[fo+1]; i++ {
				if xt := cm.oldToN[cm.down[i]]; xt >= 0 {
					n.mark[xt] = int32(i) + 1
				}
			}
		}
		for _, x := range n.buf[n.start[g]:n.start[g+1]] {
			if m := n.mark[x]; m > 0 {
				i := int(m - 1)
				// Two workers may set bits of one word (the pairs
				// of neighbouring failed nodes).
				atomic.OrUint64(&cm.seen[i/64], 1<<(i%64))
			} else {
				fresh(f, x)
			}
		}
		if fo >= 0 {
			for i := cm.off[fo]; i < cm.off[fo+1]; i++ {
				if xt := cm.oldToN[cm.down[i]]; xt >= 0 {
					n.mark[xt] = 0
				}
			}
		}
	}
}

// fixedTakes calls f on each pair of the old model's failed node fo, of
// the chunk compared, that the new model lacks.
func (cm *comparer) fixedTakes(fo int32, f func(x int32)) {
	for i := cm.off[fo]; i < cm.off[fo+1]; i++ {
		if cm.seen[i/64]&(1<<(i%64)) == 0 {
			f(cm.down[i])
		}
	}
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
	countFresh := func(_ int, f, _ int32) { sd.fresh[f]++ }
	compare := func() error {
		cm.build()
		if err := cm.against(ctx, rNew, cm.newParts(), sinkNew, countFresh); err != nil {
			return err
		}
		for _, fo := range cm.pending {
			cm.fixedTakes(fo, func(int32) { sd.fixed[fo]++ })
		}
		cm.pending = cm.pending[:0]
		return nil
	}
	order := rOld.Candidates()
	step := max(64, (len(order)/partOf+63)/64*64) // whole batches
	for lo := 0; lo < len(order); lo += step {
		if err := cm.keep(ctx, rOld, order[lo:min(lo+step, len(order))], sinkOld); err != nil {
			return nil, err
		}
		if cm.full() {
			if err := compare(); err != nil {
				return nil, err
			}
		}
	}
	if err := compare(); err != nil {
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
	if err := cm.against(ctx, rNew, only, sinkNew, countFresh); err != nil {
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

// pairsOf compares the single failures of the old failed nodes olds and
// the new failed nodes news alone (one chunk), calling fresh with each
// pair of news the old model lacks, and returns the comparer holding
// olds' pairs, seen marked.
func pairsOf(ctx context.Context, from, to *graph.Compiled, olds, news []int32, fresh func(f, x int32)) (*comparer, error) {
	names := func(c *graph.Compiled, vs []int32) []string {
		ids := make([]string, len(vs))
		for i, v := range vs {
			ids[i] = c.VertexName(v)
		}
		return ids
	}
	cm := newComparer(from, to)
	if len(olds) > 0 { // no ids would rank every node
		rOld, err := analyze.NewRanker(from, analyze.RankOptions{IDs: names(from, olds)}, watchList(from, nil))
		if err != nil {
			return nil, err
		}
		if err := cm.keep(ctx, rOld, rOld.Candidates(), nil); err != nil {
			return nil, err
		}
	}
	cm.build()
	if len(news) == 0 {
		return cm, nil
	}
	rNew, err := analyze.NewRanker(to, analyze.RankOptions{IDs: names(to, news)}, watchList(to, nil))
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	err = cm.against(ctx, rNew, rNew.Candidates(), nil, func(_ int, f, x int32) {
		mu.Lock()
		defer mu.Unlock()
		fresh(f, x)
	})
	return cm, err
}

// spofs fills in NewSPOFs and FixedSPOFs from the counts: the lists of the
// first lim.spofs by protected nodes taken (then id), each with its first
// lim.takes protected nodes, most users first, and a chain for the first
// lim.chains. The pairs of the listed failures, not kept, come from a
// second comparison of those failures alone.
func (d *Diff) spofs(ctx context.Context, from, to *graph.Compiled, sd *sides, lim limits) error {
	var err error
	d.FixedSPOFCount, d.FixedSPOFs, err = top(ctx, from, sd.fixed, lim, func(fs []int32) (map[int32][]int32, error) {
		oldToN := matching(from, to)
		news := make([]int32, len(fs))
		for i, f := range fs {
			news[i] = oldToN[f] // fixed counts only nodes both models have
		}
		cm, err := pairsOf(ctx, from, to, fs, news, func(int32, int32) {})
		if err != nil {
			return nil, err
		}
		takes := make(map[int32][]int32, len(fs))
		for _, f := range fs {
			cm.fixedTakes(f, func(x int32) { takes[f] = append(takes[f], x) })
		}
		return takes, nil
	})
	if err != nil {
		return err
	}
	toOld := matching(to, from)
	d.NewSPOFCount, d.NewSPOFs, err = top(ctx, to, sd.fresh, lim, func(fs []int32) (map[int32][]int32, error) {
		var olds []int32
		for _, f := range fs {
			if fo := toOld[f]; fo >= 0 {
				olds = append(olds, fo)
			}
		}
		takes := make(map[int32][]int32, len(fs))
		_, err := pairsOf(ctx, from, to, olds, fs, func(f, x int32) { takes[f] = append(takes[f], x) })
		return takes, err
	})
	return err
}

// top lists the SPOFs of c whose count is positive: all counted, the first
// lim.spofs (most protected nodes taken, then by id) listed, with the
// protected nodes takes returns for them.
func top(ctx context.Context, c *graph.Compiled, counts []int, lim limits, takes func([]int32) (map[int32][]int32, error)) (int, []SPOF, error) {
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
	tk, err := takes(fs)
	if err != nil {
		return 0, nil, err
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
	out := make([]SPOF, len(fs))
	for i, f := range fs {
		xs := tk[f]
		for j, x := range xs {
			xs[j] = place[x]
		}
		xs = smallest(xs, lim.takes)
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
