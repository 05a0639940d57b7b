package diff

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// limits are the bounds of Options, resolved.
type limits struct{ chains, spofs, takes int }

// protected reports whether a SPOF of v counts: the tier-0 nodes that are
// not infrastructure and the user-facing nodes (with users).
func protected(c *graph.Compiled, v int32) bool {
	return c.Users(v) > 0 || analyze.Tier0(c, v)
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
// most of it): 11 million at 100,000 nodes, 258 million at 1,000,000 on
// the synthetic catalogs. Each model runs once, in its own batch order
// (comparing in matched chunks of failures instead would scatter one
// model's batches: each batch's failures then reach different parts of the
// graph, several times the work of the ranking itself). The old model's
// pairs are kept per failed node, so that a new batch reads only what its
// own failures took in the old model: as the list of those protected
// nodes when they are few, as a bitset over the new model's nodes when
// they are many (more than one in 32). Their sizes follow a power law (the
// few failures near the root hold half the pairs), so both together cost
// about what the ranking gave them in (a mask of a batch's failures per
// protected node), and the comparison reads each pair once. Keeping those
// masks per old batch instead, a new batch, whose failures come from up to
// 64 old batches, read each of those batches whole: 64 times the pairs, a
// quarter of a diff of 1,000,000 nodes.

// match pairs the model nodes of two models by id, once per comparison:
// each direction is a lookup of every id.
type match struct {
	from, to *graph.Compiled
	toOld    []int32 // new vertex → old vertex, or -1
	oldToN   []int32 // old vertex → new vertex, or -1
}

func matchModels(from, to *graph.Compiled) *match {
	m := &match{from: from, to: to, toOld: matching(to, from), oldToN: make([]int32, from.NodeCount())}
	// Model nodes are vertices 0..NodeCount()-1 of both: the match is a
	// bijection of the ids both have, and the other direction its inverse
	// (a lookup of every id of one model, not of both).
	for v := range m.oldToN {
		m.oldToN[v] = -1
	}
	for v, u := range m.toOld {
		if u >= 0 {
			m.oldToN[u] = int32(v)
		}
	}
	return m
}

// comparer compares the single failures of two models.
//
// What it keeps of a protected node is kept by the node's place in the
// batch engine's layout of the new model (HitBatch.Pos), not by vertex:
// a batch's hits come in the order of their places, so the comparison
// reads its per-node state (keepAs, the slots, the old pairs' bitsets)
// in order, where by vertex each hit was a cache miss in arrays of 4 to
// 16 MB at 1,000,000 nodes (most of the comparison's time). Failed nodes
// are still vertices: they are read once per batch.
type comparer struct {
	*match
	// posOld and posNew are each model's places (vertex → place): the
	// ranker's layout, or the vertices themselves for a model with
	// nothing ranked (no hit of it is read).
	posOld, posNew []int32
	// keepAs is, per old place, the new place a pair with it is kept
	// as: a protected node the new model has too; -1 for the others.
	keepAs []int32

	// The old model's kept pairs, per old failed node: the new places
	// of the protected nodes it takes Down, in list or, for many, in the
	// bitset sets[set-1] (set 0: none); pairs counts them.
	list  [][]int32
	set   []int32
	sets  [][]uint64
	pairs []int32
	// spreadOf marks the old failed nodes whose pairs a new batch read.
	spreadOf []bool
	mu       sync.Mutex  // guards sets
	ws       []collector // per worker of the old model's ranking
}

// collector is one worker's state of keep: the batch whose hits it is
// collecting (its parts come one after another), and where its failures'
// lists are cut from.
type collector struct {
	cur     *int32 // the Sources of the batch being collected
	sources []int32
	x       []int32  // its hits: the new place of a protected node ...
	m       []uint64 // ... and the mask of the failures that take it Down
	per     [64]int32
	arena   []int32
	tx      []int32 // sortHits' buffers
	tm      []uint64
}

// arenaBlock is how many list entries a collector allocates at once (lists
// are shorter than one in 32 nodes; a longer one gets its own).
const arenaBlock = 1 << 18

func newComparer(m *match, rOld, rNew *analyze.Ranker) *comparer {
	from := m.from
	// Each model's layout is made on its first ranking, on one core:
	// the two side by side.
	var posNew []int32
	var wg sync.WaitGroup
	wg.Go(func() { posNew = places(m.to, rNew) })
	posOld := places(from, rOld)
	wg.Wait()
	cm := &comparer{match: m, posOld: posOld, posNew: posNew,
		list: make([][]int32, from.NodeCount()), set: make([]int32, from.NodeCount()), pairs: make([]int32, from.NodeCount()),
		keepAs: make([]int32, from.Len()), spreadOf: make([]bool, from.NodeCount())}
	for p := range cm.keepAs {
		cm.keepAs[p] = -1
	}
	for v, u := range cm.oldToN {
		if u >= 0 && protected(from, int32(v)) {
			cm.keepAs[cm.posOld[v]] = cm.posNew[u]
		}
	}
	return cm
}

// places returns the places of c's vertices in r's layout (the vertices
// themselves when r is nil: nothing of c is ranked).
func places(c *graph.Compiled, r *analyze.Ranker) []int32 {
	if r != nil {
		return r.Positions()
	}
	pos := make([]int32, c.Len())
	for v := range pos {
		pos[v] = int32(v)
	}
	return pos
}

// keep runs part of the old model's candidates on r, keeping the hits of
// failed nodes the new model has too on protected nodes it has too (no
// other pair is ever compared), and passing every batch to sink (a
// policy's; nil: none).
func (cm *comparer) keep(ctx context.Context, r *analyze.Ranker, part []int32, sink func(int, *analyze.HitBatch)) error {
	c := cm.from
	if cm.ws == nil {
		cm.ws = make([]collector, r.Workers())
	}
	err := r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		kw := &cm.ws[w]
		if kw.cur != &hb.Sources[0] { // a batch's parts come one after another
			cm.flush(kw)
			kw.cur, kw.sources = &hb.Sources[0], hb.Sources
		}
		var mask uint64
		for i, f := range hb.Sources {
			if cm.oldToN[f] >= 0 && !c.Kind(f).Infrastructure() {
				mask |= 1 << i
			}
		}
		for i, p := range hb.Pos {
			m := hb.Lanes[i] & mask
			if m == 0 || cm.keepAs[p] < 0 {
				continue
			}
			kw.x, kw.m = append(kw.x, cm.keepAs[p]), append(kw.m, m)
			for ; m != 0; m &= m - 1 {
				kw.per[bits.TrailingZeros64(m)]++
			}
		}
		if sink != nil {
			sink(w, hb)
		}
	})
	for w := range cm.ws {
		cm.flush(&cm.ws[w])
	}
	return err
}

// flush turns the hits of the batch kw collected into its failures' lists
// and bitsets: each failure is in one batch, so no other worker writes
// them.
func (cm *comparer) flush(kw *collector) {
	if kw.cur == nil {
		return
	}
	n := cm.to.NodeCount()
	words := (len(cm.posNew) + 63) / 64 // over the new places
	// The hits come in the old model's order of places, which is not the
	// new one's: sorted by new place, each lane's bits are set and its
	// list written in order (and read so by spread), where they were a
	// cache miss per pair in 64 bitsets of 137 KB at 1,000,000 nodes. A
	// hit stands for 8 pairs on average (a 100,000-node catalog): one
	// sort of the hits costs less than the misses of the pairs.
	kw.x, kw.m, kw.tx, kw.tm = sortHits(kw.x, kw.m, kw.tx, kw.tm, len(cm.posNew))
	// Each lane's list or bitset, at hand while the pairs are spread:
	// this runs once per pair.
	var list [64][]int32
	var bitset [64][]uint64
	for j, k := range kw.per {
		if k == 0 {
			continue
		}
		f := kw.sources[j]
		cm.pairs[f] = k
		if int(k) > n/32 {
			bitset[j] = make([]uint64, words)
			cm.mu.Lock()
			cm.sets = append(cm.sets, bitset[j])
			cm.set[f] = int32(len(cm.sets))
			cm.mu.Unlock()
			continue
		}
		if int(k) > len(kw.arena) {
			kw.arena = make([]int32, max(arenaBlock, int(k)))
		}
		list[j], kw.arena = kw.arena[:0:k], kw.arena[k:]
	}
	for i, x := range kw.x {
		for m := kw.m[i]; m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m)
			if b := bitset[j]; b != nil {
				b[x/64] |= 1 << (x % 64)
			} else {
				list[j] = append(list[j], x)
			}
		}
	}
	for j, l := range list {
		if l != nil {
			cm.list[kw.sources[j]] = l
		}
	}
	kw.cur, kw.sources, kw.x, kw.m, kw.per = nil, nil, kw.x[:0], kw.m[:0], [64]int32{}
}

// sortHits sorts the places xs (below n), each with its mask ms, by place,
// with tx and tm as buffers of the same lengths, and returns the sorted
// slices and the buffers: an LSD radix sort of at most 11-bit digits (the
// counts stay in the first-level cache), a plain insertion sort for a
// few.
func sortHits(xs []int32, ms []uint64, tx []int32, tm []uint64, n int) ([]int32, []uint64, []int32, []uint64) {
	if len(xs) < 64 {
		for i := 1; i < len(xs); i++ {
			for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
				xs[j], xs[j-1] = xs[j-1], xs[j]
				ms[j], ms[j-1] = ms[j-1], ms[j]
			}
		}
		return xs, ms, tx, tm
	}
	tx, tm = slices.Grow(tx[:0], len(xs))[:len(xs)], slices.Grow(tm[:0], len(ms))[:len(ms)]
	width := bits.Len(uint(max(n-1, 1)))
	passes := (width + 10) / 11
	digit := uint((width + passes - 1) / passes)
	var count [1 << 11]int32
	for shift := uint(0); shift < uint(width); shift += digit {
		clear(count[:])
		mask := int32(1)<<digit - 1
		for _, x := range xs {
			count[x>>shift&mask]++
		}
		sum := int32(0)
		for d, k := range count[:1<<digit] {
			count[d] = sum
			sum += k
		}
		for i, x := range xs {
			d := x >> shift & mask
			tx[count[d]], tm[count[d]] = x, ms[i]
			count[d]++
		}
		xs, tx, ms, tm = tx, xs, tm, ms
	}
	return xs, ms, tx, tm
}

// counter is one worker's state of count: per new place, its slot; the
// places whose mask is set (touched), for the batch whose Sources start
// at batch.
type counter struct {
	slots   []slot
	touched []int32
	batch   *int32
	sources []int32
	// The batch's hits with pairs the old model lacks: the node's place
	// in the order of Takes and the mask of the failures concerned, read
	// once the batch's counts are final (lost) for the failures that may
	// be listed.
	freshAt   []int32
	freshMask []uint64
}

// slot is what count reads of one new node x (by its place in the layout)
// as it compares a pair, side by side: old, the mask of the current
// batch's failures whose old counterparts take x Down in the old model and
// the new model has not (yet) been seen to; fresh, x's place in the new
// model's order of Takes, -1 when x is not protected there (no pair with
// it is counted); fixed, its place in the old model's order. At 1,000,000
// nodes these were three arrays of a vertex each, each read a cache miss
// per hit, a sixth of the comparison.
type slot struct {
	old          uint64
	fresh, fixed int32
}

// count runs part of the new model's candidates on r, after keep, and
// compares their hits with the old model's: it counts those the old model
// has (same, per old failed node) and those it lacks (fresh, per new
// failed node, in freshCount), keeps the first protected nodes of each
// kind of difference for the failures that may be listed, once a batch's
// counts are final (lost; fresh: of the new failures' pairs the old model
// lacks; fixed: of the old failures' pairs the new model lacks), and
// passes every batch to sink. For each batch, its failures' old pairs
// are spread once into per-node masks, and each watched node's mask is
// split by two word operations into what both models have and what is
// new; what is left of the old masks when the batch ends is what the new
// model lost.
func (cm *comparer) count(ctx context.Context, r *analyze.Ranker, part []int32, sink func(int, *analyze.HitBatch),
	freshCount []int, fresh, fixed *firsts, same []int) error {
	c := cm.to
	// Each worker's slots start as a copy of these.
	slots := make([]slot, len(cm.posNew))
	for p := range slots {
		slots[p] = slot{fresh: -1, fixed: fixed.place[p]}
	}
	for v, p := range cm.posNew[:c.NodeCount()] {
		if protected(c, int32(v)) {
			slots[p].fresh = fresh.place[p]
		}
	}
	cs := make([]*counter, r.Workers())
	err := r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		ct := cs[w]
		if ct == nil {
			ct = &counter{slots: slices.Clone(slots)}
			cs[w] = ct
		}
		if ct.batch != &hb.Sources[0] {
			cm.lost(ct, freshCount, fresh, fixed, same)
			ct.batch, ct.sources = &hb.Sources[0], hb.Sources
			cm.spread(ct, hb.Sources)
		}
		var counted uint64
		for j, f := range hb.Sources {
			if !c.Kind(f).Infrastructure() {
				counted |= 1 << j
			}
		}
		// Per lane, counted here and added once: each failure's counts
		// are its own (one batch, one worker).
		var fr, sm [64]int
		for i, p := range hb.Pos {
			m := hb.Lanes[i] & counted
			if m == 0 {
				continue
			}
			sl := &ct.slots[p]
			px := sl.fresh
			if px < 0 {
				continue
			}
			both := m & sl.old
			sl.old &^= both
			n := m &^ both
			if n != 0 {
				ct.freshAt, ct.freshMask = append(ct.freshAt, px), append(ct.freshMask, n)
			}
			for ; n != 0; n &= n - 1 {
				fr[bits.TrailingZeros64(n)]++
			}
			for ; both != 0; both &= both - 1 {
				sm[bits.TrailingZeros64(both)]++
			}
		}
		for j, f := range hb.Sources {
			freshCount[f] += fr[j]
			if sm[j] > 0 {
				same[cm.toOld[f]] += sm[j]
			}
		}
		if sink != nil {
			sink(w, hb)
		}
	})
	for _, ct := range cs {
		if ct != nil {
			cm.lost(ct, freshCount, fresh, fixed, same)
		}
	}
	return err
}

// spread sets ct.old for a new batch of sources from their old
// counterparts' pairs.
func (cm *comparer) spread(ct *counter, sources []int32) {
	mark := func(x int32, bit uint64) {
		sl := &ct.slots[x]
		if sl.old == 0 {
			ct.touched = append(ct.touched, x)
		}
		sl.old |= bit
	}
	// The bitsets of the batch's failures, read below all at once.
	var sets [64][]uint64
	var setBit [64]uint64
	ns := 0
	for j, f := range sources {
		fo := cm.toOld[f]
		if fo < 0 {
			continue
		}
		cm.spreadOf[fo] = true
		bit := uint64(1) << j
		// Read once: each old failure's counterpart is in one new
		// batch. Its bitset (or, once the rest of its arena block is
		// read too, its list) is garbage from here on.
		if s := cm.set[fo]; s > 0 {
			sets[ns], setBit[ns] = cm.sets[s-1], bit
			ns++
			cm.sets[s-1] = nil
			continue
		}
		for _, x := range cm.list[fo] {
			mark(x, bit)
		}
		cm.list[fo] = nil
	}
	// Word by word over all the bitsets at once, not bitset by bitset:
	// each word's 64 slots are marked by every failure while they are in
	// the first-level cache, where one sweep per bitset went over the
	// whole slot array (17 MB at 1,000,000 nodes) up to 64 times a batch.
	if ns > 0 {
		for k := range sets[0] {
			for i := range ns {
				for w := sets[i][k]; w != 0; w &= w - 1 {
					mark(int32(64*k+bits.TrailingZeros64(w)), setBit[i])
				}
			}
		}
	}
}

// each calls fn with the new place of each node an old failed node's kept
// pairs take Down.
func (cm *comparer) each(fo int32, fn func(x int32)) {
	if s := cm.set[fo]; s > 0 {
		for k, word := range cm.sets[s-1] {
			for ; word != 0; word &= word - 1 {
				fn(int32(64*k + bits.TrailingZeros64(word)))
			}
		}
		return
	}
	for _, x := range cm.list[fo] {
		fn(x)
	}
}

// lost ends ct's batch, whose counts are final now: the lists of its
// failures that cannot be listed are dropped, and those that can get
// their first pairs the other model lacks: the new failures' from the
// batch's hits kept by count (fresh), the old ones' from the old pairs no
// new hit cleared (fixed, per old failed node); then ct is cleared for
// the next batch.
func (cm *comparer) lost(ct *counter, freshCount []int, fresh, fixed *firsts, same []int) {
	if ct.batch != nil {
		// The batch's counts are final: first pairs are kept only for
		// the failures that may still be listed (firsts.listable), most
		// of a large catalog's failures are not, and adding every pair
		// of every failure to its list was a twentieth of a diff of
		// 100,000 nodes.
		var news, olds [64]int32
		var passNew, passOld uint64
		for j, f := range ct.sources {
			news[j], olds[j] = -1, cm.toOld[f]
			if fresh.listable(f, freshCount[f]) {
				news[j], passNew = f, passNew|1<<j
			}
			if fo := olds[j]; fo >= 0 && !fixed.listable(fo, int(cm.pairs[fo])-same[fo]) {
				olds[j] = -1
			}
			if olds[j] >= 0 {
				passOld |= 1 << j
			}
		}
		if passNew != 0 {
			most := fresh.most(news[:len(ct.sources)])
			for i, px := range ct.freshAt {
				m := ct.freshMask[i] & passNew
				if m == 0 || px > most {
					continue
				}
				for ; m != 0; m &= m - 1 {
					if fresh.add(news[bits.TrailingZeros64(m)], px) {
						most = fresh.most(news[:len(ct.sources)])
					}
				}
			}
		}
		// The old pairs of the batch's failures that no new hit cleared
		// are pairs the new model lacks: one pass over the touched slots,
		// each cleared for the next batch as it is read (a second pass to
		// clear them was a second cache miss per slot).
		most := fixed.most(olds[:len(ct.sources)])
		for _, x := range ct.touched {
			sl := &ct.slots[x]
			if m := sl.old & passOld; m != 0 && sl.fixed <= most {
				for ; m != 0; m &= m - 1 {
					if fixed.add(olds[bits.TrailingZeros64(m)], sl.fixed) {
						most = fixed.most(olds[:len(ct.sources)])
					}
				}
			}
			sl.old = 0
		}
	}
	// Only spread touches slots, and only with a batch: none to clear
	// without one.
	ct.touched, ct.batch, ct.sources = ct.touched[:0], nil, nil
	ct.freshAt, ct.freshMask = ct.freshAt[:0], ct.freshMask[:0]
}

// firsts keeps, per failed node of one model, the places of the first
// protected nodes its failure takes Down and the other model's does not
// (those a SPOF's Takes lists): the k smallest at least, since only those
// are listed. A list is cut to its k smallest whenever it holds 2k, after
// which a place above the k-th cannot make it. Each failed node is in one
// batch, whose calls all come from one worker: its list is its own, no
// lock.
type firsts struct {
	k     int
	floor *floor
	place []int32   // per new place the pairs name: its node's place in the order of Takes
	lists [][]int32 // per failed node
	bound []int32   // per failed node: the k-th smallest place once 2k were kept
}

func newFirsts(failed int, place []int32, k, listed int) *firsts {
	f := &firsts{k: k, place: place, lists: make([][]int32, failed), bound: make([]int32, failed), floor: newFloor(listed, failed)}
	for i := range f.bound {
		f.bound[i] = math.MaxInt32
	}
	return f
}

// add keeps place px for the failed node f (-1: none) and reports whether
// f's bound went down.
func (t *firsts) add(f, px int32) bool {
	if f < 0 || px > t.bound[f] {
		return false
	}
	t.lists[f] = append(t.lists[f], px)
	if t.k < math.MaxInt32/2 && len(t.lists[f]) >= 2*t.k {
		// The k smallest, unsorted (top sorts the ones it lists).
		l := selectSmallest(t.lists[f], t.k)
		t.lists[f], t.bound[f] = l, slices.Max(l)
		return true
	}
	return false
}

// listable says that failed node f's count is final, and reports whether
// f may be listed among the SPOFs: its first pairs are kept only then
// (its list is dropped otherwise).
func (t *firsts) listable(f int32, count int) bool {
	if count <= 0 || !t.floor.offer(count) {
		t.lists[f] = nil
		return false
	}
	return true
}

// floor keeps the n largest final counts offered: a failure whose count
// is below all of them once there are n cannot be among the n listed
// (ties are listed by id, so an equal count stays), and its list need not
// stay alive. The lists of every failure of a 1,000,000-node catalog
// were over a gigabyte; those of the 1,000 listed, a few megabytes.
type floor struct {
	mu  sync.Mutex
	n   int
	min []int // a min-heap of the n largest counts
}

// newFloor returns a floor of the n largest of failed counts (nil, which
// keeps everything, when that is all of them).
func newFloor(n, failed int) *floor {
	if n >= failed {
		return nil
	}
	return &floor{n: n}
}

// offer reports whether count may be listed, keeping it if it is among
// the n largest so far.
func (fl *floor) offer(count int) bool {
	if fl == nil {
		return true
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	h := fl.min
	switch {
	case len(h) < fl.n:
		h = append(h, count)
		for i := len(h) - 1; i > 0 && h[(i-1)/2] > h[i]; i = (i - 1) / 2 {
			h[i], h[(i-1)/2] = h[(i-1)/2], h[i]
		}
		fl.min = h
		return true
	case count < h[0]:
		return false
	case count > h[0]:
		h[0] = count
		for i := 0; ; {
			l, small := 2*i+1, i
			if l < len(h) && h[l] < h[small] {
				small = l
			}
			if l+1 < len(h) && h[l+1] < h[small] {
				small = l + 1
			}
			if small == i {
				break
			}
			h[i], h[small] = h[small], h[i]
			i = small
		}
	}
	return true
}

// most is the largest bound of fs (-1 ones are left out): a place above
// it is kept for none of them.
func (t *firsts) most(fs []int32) int32 {
	m := int32(-1)
	for _, f := range fs {
		if f >= 0 {
			m = max(m, t.bound[f])
		}
	}
	return m
}

// sides is what Models keeps of each model's single failures: the
// rankers, whose RadiusOf gives every ranked node's radius, and, with a
// policy (whose checks read the ranking), the sorted radii (oldRanked,
// newRanked); per failed node the count of its pairs the other model lacks
// (fresh for the new one, fixed for the old one) and the first of those
// pairs (freshTakes, fixedTakes), and each model's nodes in the order of
// Takes (byUsersOld, byUsersNew).
type sides struct {
	rOld, rNew             *analyze.Ranker // nil: nothing ranked
	oldRanked, newRanked   []analyze.Radius
	fresh                  []int // per new failed node
	fixed                  []int // per old failed node
	freshTakes, fixedTakes *firsts
	byUsersOld, byUsersNew []int32
}

// radius returns r's radius of v, false when v was not ranked.
func radius(r *analyze.Ranker, v int32) (analyze.Radius, bool) {
	if r == nil {
		return analyze.Radius{}, false
	}
	return r.RadiusOf(v)
}

// ranker returns a Ranker of c's failures of ids (all with all), or nil
// when there are none to rank.
func ranker(c *graph.Compiled, all bool, ids []string, k *policy.Checker) (*analyze.Ranker, error) {
	if !all && len(ids) == 0 {
		return nil, nil // no ids would rank every node
	}
	return analyze.NewRanker(c, analyze.RankOptions{IDs: ids}, watchList(c, k))
}

// rankBoth ranks both models' single failures of sc, each once, sharing
// each model's pass with its policy (kFrom, kTo; nil: none; only with
// every failure in scope), counts the pairs each model lacks and keeps
// the first lim.takes of them for the SPOFs that may be listed. The
// sorted radii are made only with a policy (ranked), whose checks read
// them; the diff reads each node's radius from its ranker.
func rankBoth(ctx context.Context, m *match, sc scope, kFrom, kTo *policy.Checker, lim limits) (*sides, error) {
	ranked := kFrom != nil
	from, to := m.from, m.to
	rOld, err := ranker(from, sc.all, sc.old, kFrom)
	if err != nil {
		return nil, err
	}
	rNew, err := ranker(to, sc.all, sc.now, kTo)
	if err != nil {
		return nil, err
	}
	var sinkOld, sinkNew func(int, *analyze.HitBatch)
	if kFrom != nil {
		sinkOld, sinkNew = kFrom.Sink(rOld.Workers()), kTo.Sink(rNew.Workers())
	}
	cm := newComparer(m, rOld, rNew)
	sd := &sides{fresh: make([]int, to.NodeCount()), fixed: make([]int, from.NodeCount())}
	// The order of Takes in each model, and each pair's place in it: the
	// new model's for fresh pairs; the old model's, read by the new
	// place a kept pair names, for fixed ones.
	// Beside the old model's pass, also the new model's batch order (from
	// its layout, which newComparer made beside the old model's): made at
	// the start of the new pass, it left a core idle once the recoveries
	// beside the passes were done.
	var placeOld, newCands []int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if rNew != nil {
			newCands = rNew.Candidates()
		}
		sd.byUsersOld = usersOrder(from)
		placeOld = make([]int32, len(cm.posNew))
		for p := range placeOld {
			placeOld[p] = math.MaxInt32
		}
		for k, v := range sd.byUsersOld {
			if u := m.oldToN[v]; u >= 0 {
				placeOld[cm.posNew[u]] = int32(k)
			}
		}
	}()
	if rOld != nil {
		if err := cm.keep(ctx, rOld, rOld.Candidates(), sinkOld); err != nil {
			wg.Wait()
			return nil, err
		}
	}
	sd.byUsersNew = usersOrder(to)
	placeNew := make([]int32, len(cm.posNew))
	for p := range placeNew {
		placeNew[p] = math.MaxInt32 // not a model node: never a pair
	}
	for k, v := range sd.byUsersNew {
		placeNew[cm.posNew[v]] = int32(k)
	}
	wg.Wait()
	sd.freshTakes = newFirsts(to.NodeCount(), placeNew, lim.takes, lim.spofs)
	sd.fixedTakes = newFirsts(from.NodeCount(), placeOld, lim.takes, lim.spofs)
	same := make([]int, from.NodeCount())
	if rNew != nil {
		if err := cm.count(ctx, rNew, newCands, sinkNew, sd.fresh, sd.freshTakes, sd.fixedTakes, same); err != nil {
			return nil, err
		}
	}
	for fo, n := range cm.pairs {
		sd.fixed[fo] = int(n) - same[fo]
		if n > 0 && !cm.spreadOf[fo] {
			// Its counterpart ran alone (nothing depends on it in the
			// new model): every pair it had is lost.
			cm.each(int32(fo), func(x int32) { sd.fixedTakes.add(int32(fo), placeOld[x]) })
		}
	}
	sd.rOld, sd.rNew = rOld, rNew
	if ranked {
		if rOld != nil {
			if sd.oldRanked, err = rOld.Radii(); err != nil {
				return nil, err
			}
		}
		if rNew != nil {
			if sd.newRanked, err = rNew.Radii(); err != nil {
				return nil, err
			}
		}
	}
	return sd, nil
}

// spofs fills in NewSPOFs and FixedSPOFs from the counts: the lists of the
// first lim.spofs by protected nodes taken (then id), each with its first
// lim.takes protected nodes, most users first (kept by the comparison
// itself: the new model's pairs the old lacks for new SPOFs, the old
// model's pairs the new lacks for fixed ones), and a chain for the first
// lim.chains.
func (d *Diff) spofs(ctx context.Context, m *match, sd *sides, lim limits) error {
	// The two lists are independent: each on a core of its own.
	var errFixed error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.FixedSPOFCount, d.FixedSPOFs, errFixed = top(ctx, m.from, sd.fixed, lim, sd.byUsersOld, sd.fixedTakes)
	}()
	var err error
	d.NewSPOFCount, d.NewSPOFs, err = top(ctx, m.to, sd.fresh, lim, sd.byUsersNew, sd.freshTakes)
	wg.Wait()
	if errFixed != nil {
		return errFixed
	}
	return err
}

// top lists the SPOFs of c whose count is positive: all counted, the first
// lim.spofs (most protected nodes taken, then by id) listed, each with
// the first lim.takes protected nodes of takes (places in byUsers).
func top(ctx context.Context, c *graph.Compiled, counts []int, lim limits, byUsers []int32, takes *firsts) (int, []SPOF, error) {
	var fs []int32
	for f, k := range counts {
		if k > 0 {
			fs = append(fs, int32(f))
		}
	}
	total := len(fs)
	if len(fs) > lim.spofs {
		// Only the first lim.spofs are sorted: those whose count is at
		// least the lim.spofs-th largest (ties with it sorted by id).
		cs := make([]int32, len(fs))
		for i, f := range fs {
			cs[i] = -int32(min(counts[f], math.MaxInt32))
		}
		cut := -slices.Max(selectSmallest(cs, lim.spofs))
		fs = slices.DeleteFunc(fs, func(f int32) bool { return counts[f] < int(cut) })
	}
	slices.SortFunc(fs, func(a, b int32) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(c.VertexName(a), c.VertexName(b)))
	})
	fs = fs[:min(len(fs), lim.spofs)]
	out := make([]SPOF, len(fs))
	for i, f := range fs {
		xs := smallest(takes.lists[f], lim.takes)
		s := SPOF{ID: c.VertexName(f), Kind: c.Kind(f), Takes: make([]string, len(xs)), TakesCount: counts[f]}
		for j, k := range xs {
			s.Takes[j] = c.VertexName(byUsers[k])
		}
		if i < lim.chains && len(xs) > 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
			var err error
			if s.Chain, err = analyze.Chain(c, s.ID, s.Takes[0]); err != nil {
				return 0, nil, err
			}
		}
		out[i] = s
	}
	if len(out) == 0 {
		out = nil
	}
	return total, out, nil
}

// usersOrder returns the model nodes of c, most users first, then in
// model order: an LSD radix sort of 11-bit digits of the users (never
// negative), stable over the model order, leaving out the high digits no
// node has (a comparison sort of a 1,000,000-node catalog was a second of
// CPU per list of SPOFs).
func usersOrder(c *graph.Compiled) []int32 {
	const digit = 11
	order, tmp := make([]int32, c.NodeCount()), make([]int32, c.NodeCount())
	var all uint64
	for v := range order {
		order[v] = int32(v)
		all |= uint64(c.Users(int32(v)))
	}
	var count [1 << digit]int
	for shift := 0; shift < 64 && all>>shift != 0; shift += digit {
		clear(count[:])
		for _, v := range order {
			count[(^uint64(c.Users(v))>>shift)&(1<<digit-1)]++
		}
		sum := 0
		for d, n := range count {
			count[d] = sum
			sum += n
		}
		for _, v := range order {
			d := (^uint64(c.Users(v)) >> shift) & (1<<digit - 1)
			tmp[count[d]] = v
			count[d]++
		}
		order, tmp = tmp, order
	}
	return order
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
	xs = selectSmallest(xs, k)
	slices.Sort(xs)
	return xs
}

// selectSmallest returns the k smallest of xs in any order, reordering xs.
func selectSmallest(xs []int32, k int) []int32 {
	if k >= len(xs) {
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
	return xs[:k]
}
