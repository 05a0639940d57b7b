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
	m := &match{from: from, to: to}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.toOld = matching(to, from)
	}()
	m.oldToN = matching(from, to)
	wg.Wait()
	return m
}

// swap is the match of the models the other way round.
func (m *match) swap() *match {
	return &match{from: m.to, to: m.from, toOld: m.oldToN, oldToN: m.toOld}
}

// comparer compares the single failures of two models.
type comparer struct {
	*match
	// keepAs is, per old vertex, the new vertex a pair with it is kept
	// as: a protected node the new model has too; -1 for the others.
	keepAs []int32
	// protTo marks the new model's protected nodes.
	protTo []bool

	// The old model's kept pairs, per old failed node: the new vertices
	// of the protected nodes it takes Down, in list or, for many, in the
	// bitset sets[set-1] (set 0: none); pairs counts them.
	list  [][]int32
	set   []int32
	sets  [][]uint64
	pairs []int32
	mu    sync.Mutex  // guards sets
	ws    []collector // per worker of the old model's ranking
}

// collector is one worker's state of keep: the batch whose hits it is
// collecting (its parts come one after another), and where its failures'
// lists are cut from.
type collector struct {
	cur     *int32 // the Sources of the batch being collected
	sources []int32
	x       []int32  // its hits: the new vertex of a protected node ...
	m       []uint64 // ... and the mask of the failures that take it Down
	per     [64]int32
	arena   []int32
}

// arenaBlock is how many list entries a collector allocates at once (lists
// are shorter than one in 32 nodes; a longer one gets its own).
const arenaBlock = 1 << 18

func newComparer(m *match) *comparer {
	from, to := m.from, m.to
	cm := &comparer{match: m,
		list: make([][]int32, from.NodeCount()), set: make([]int32, from.NodeCount()), pairs: make([]int32, from.NodeCount()),
		keepAs: make([]int32, from.NodeCount()), protTo: make([]bool, to.NodeCount())}
	for v, u := range cm.oldToN {
		cm.keepAs[v] = -1
		if u >= 0 && protected(from, int32(v)) {
			cm.keepAs[v] = u
		}
	}
	for v := range cm.protTo {
		cm.protTo[v] = protected(to, int32(v))
	}
	return cm
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
		for i, x := range hb.Down {
			m := hb.Lanes[i] & mask
			if m == 0 || cm.keepAs[x] < 0 {
				continue
			}
			kw.x, kw.m = append(kw.x, cm.keepAs[x]), append(kw.m, m)
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
	words := (n + 63) / 64
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

// counter is one worker's state of count: per new vertex x, the mask of
// the current batch's failures whose old counterparts take x Down in the
// old model, set for the batch whose Sources start at batch.
type counter struct {
	old     []uint64
	touched []int32
	batch   *int32
}

// count runs part of the new model's candidates on r, after keep, and
// compares their hits with the old model's: it counts those the old model
// has (same, per old failed node) and those it lacks (fresh, per new
// failed node; or, when each is not nil, calls each with each watched
// node x and the mask of those of the batch's Sources whose pair with x
// is fresh, from the worker w: the calls of one batch all come from one
// worker), and passes every batch to sink. For each batch, its failures'
// old pairs are spread once into per-node masks, and each watched node's
// mask is split by two word operations into what both models have and
// what is new.
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
		for i, x := range hb.Down {
			m := hb.Lanes[i] & counted
			if m == 0 || !cm.protTo[x] {
				continue
			}
			both := m & ct.old[x]
			if each != nil {
				if n := m &^ both; n != 0 {
					each(w, hb.Sources, x, n)
				}
			} else {
				for n := m &^ both; n != 0; n &= n - 1 {
					fr[bits.TrailingZeros64(n)]++
				}
			}
			for ; both != 0; both &= both - 1 {
				sm[bits.TrailingZeros64(both)]++
			}
		}
		for j, f := range hb.Sources {
			if fresh != nil {
				fresh[f] += fr[j]
			}
			if same != nil && sm[j] > 0 {
				same[cm.toOld[f]] += sm[j]
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

// spread sets ct.old for a new batch of sources from their old
// counterparts' pairs.
func (cm *comparer) spread(ct *counter, sources []int32) {
	mark := func(x int32, bit uint64) {
		if ct.old[x] == 0 {
			ct.touched = append(ct.touched, x)
		}
		ct.old[x] |= bit
	}
	for j, f := range sources {
		fo := cm.toOld[f]
		if fo < 0 {
			continue
		}
		bit := uint64(1) << j
		if s := cm.set[fo]; s > 0 {
			for k, word := range cm.sets[s-1] {
				for ; word != 0; word &= word - 1 {
					mark(int32(64*k+bits.TrailingZeros64(word)), bit)
				}
			}
			continue
		}
		for _, x := range cm.list[fo] {
			mark(x, bit)
		}
	}
}

func (ct *counter) clear() {
	for _, x := range ct.touched {
		ct.old[x] = 0
	}
	ct.touched, ct.batch = ct.touched[:0], nil
}

// sides is what Models keeps of each model's single failures: every
// node's radius (oldAt and newAt: per node, the index of its radius, or
// -1), and per failed node the count of its pairs the other model lacks
// (fresh for the new one, fixed for the old one).
type sides struct {
	oldRanked, newRanked []analyze.Radius
	oldAt, newAt         []int32
	fresh                []int // per new failed node
	fixed                []int // per old failed node
}

// rankBoth ranks both models' single failures, each once, sharing each
// model's pass with its policy (kFrom, kTo; nil: none), and counts the
// pairs each model lacks.
func rankBoth(ctx context.Context, m *match, kFrom, kTo *policy.Checker) (*sides, error) {
	from, to := m.from, m.to
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
	cm := newComparer(m)
	sd := &sides{fresh: make([]int, to.NodeCount()), fixed: make([]int, from.NodeCount())}
	if err := cm.keep(ctx, rOld, rOld.Candidates(), sinkOld); err != nil {
		return nil, err
	}
	same := make([]int, from.NodeCount())
	if err := cm.count(ctx, rNew, rNew.Candidates(), sinkNew, sd.fresh, nil, same); err != nil {
		return nil, err
	}
	for fo, n := range cm.pairs {
		sd.fixed[fo] = int(n) - same[fo]
	}
	if sd.oldRanked, err = rOld.Radii(); err != nil {
		return nil, err
	}
	if sd.newRanked, err = rNew.Radii(); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sd.oldAt = radiusIndex(from, sd.oldRanked)
	}()
	sd.newAt = radiusIndex(to, sd.newRanked)
	wg.Wait()
	return sd, nil
}

// radiusIndex returns, per model node of c, the index of its radius in
// radii, or -1.
func radiusIndex(c *graph.Compiled, radii []analyze.Radius) []int32 {
	at := make([]int32, c.NodeCount())
	for v := range at {
		at[v] = -1
	}
	for i, r := range radii {
		if v, ok := c.Lookup(r.ID); ok && int(v) < len(at) {
			at[v] = int32(i)
		}
	}
	return at
}

// freshPairs returns, for each failed node of fs (model b's), the places
// (place[x]) of the protected nodes x that its failure takes Down in b and
// not in model a and that keep accepts: the k smallest at least, since
// only those are listed. It compares the failures of fs alone with their
// counterparts in a.
func freshPairs(ctx context.Context, m *match, fs, place []int32, k int, keep func(x int32) bool) (map[int32][]int32, error) {
	a, b := m.from, m.to
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
	cm := newComparer(m)
	var olds []int32
	for _, f := range fs {
		if fo := cm.toOld[f]; fo >= 0 {
			olds = append(olds, fo)
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
	if len(olds) > 0 {
		rOld, err := analyze.NewRanker(a, analyze.RankOptions{IDs: names(a, olds)}, watchList(a, nil))
		if err != nil {
			return nil, err
		}
		if err := cm.keep(ctx, rOld, rOld.Candidates(), nil); err != nil {
			return nil, err
		}
	}
	err = cm.count(ctx, rNew, rNew.Candidates(), nil, nil, each, nil)
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
func (d *Diff) spofs(ctx context.Context, m *match, sd *sides, lim limits) error {
	// The two lists are independent: each on a core of its own.
	var errFixed error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.FixedSPOFCount, d.FixedSPOFs, errFixed = top(ctx, m.from, sd.fixed, lim, func(fs, place []int32) (map[int32][]int32, error) {
			return freshPairs(ctx, m.swap(), fs, place, lim.takes, func(x int32) bool { return m.oldToN[x] >= 0 })
		})
	}()
	var err error
	d.NewSPOFCount, d.NewSPOFs, err = top(ctx, m.to, sd.fresh, lim, func(fs, place []int32) (map[int32][]int32, error) {
		return freshPairs(ctx, m, fs, place, lim.takes, func(int32) bool { return true })
	})
	wg.Wait()
	if errFixed != nil {
		return errFixed
	}
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
	byUsers := usersOrder(c)
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
