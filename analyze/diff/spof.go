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
// most of it): hundreds of millions at 1,000,000 nodes. The old model's
// are kept as the ranking gives them, a mask of a batch's failures per
// protected node (12 bytes for about 8 pairs on the synthetic catalogs),
// and each model runs once, in its own batch order: comparing in matched
// chunks of failures instead would scatter one model's batches (each
// batch's failures then reach different parts of the graph, several times
// the work of the ranking itself).

// comparer compares the single failures of two models.
type comparer struct {
	from, to *graph.Compiled
	toOld    []int32 // new vertex → old vertex, or -1
	oldToN   []int32 // old vertex → new vertex, or -1

	// The old model's kept hits: per worker of its ranking, a stream of
	// records; per old failed node, the worker and batch whose records
	// hold its pairs (worker -1: none) and its lane, and how many pairs it
	// has.
	ws    []records
	bw    []int16
	bb    []int32
	lane  []int8
	pairs []int32
}

// records is one worker's kept hits: record i is the protected node x[i]
// and the mask m[i] of its batch's failures that take it Down, in blocks
// of recBlock (no slice doubles and copies what it has); batches[k] are
// the records of the worker's k-th batch with hits.
type records struct {
	x       [][]int32
	m       [][]uint64
	n       int
	batches []recBatch
	cur     *int32 // the Sources of the batch being kept
}

type recBatch struct {
	lo, hi  int
	sources []int32
}

const recBlock = 1 << 14

func (rs *records) add(x int32, m uint64) {
	k, i := rs.n/recBlock, rs.n%recBlock
	if k == len(rs.x) {
		rs.x, rs.m = append(rs.x, make([]int32, recBlock)), append(rs.m, make([]uint64, recBlock))
	}
	rs.x[k][i], rs.m[k][i] = x, m
	rs.n++
}

func newComparer(from, to *graph.Compiled) *comparer {
	cm := &comparer{from: from, to: to, toOld: matching(to, from), oldToN: matching(from, to),
		bw: make([]int16, from.NodeCount()), bb: make([]int32, from.NodeCount()),
		lane: make([]int8, from.NodeCount()), pairs: make([]int32, from.NodeCount())}
	for v := range cm.bw {
		cm.bw[v] = -1
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
		cm.ws = make([]records, r.Workers())
	}
	return r.Run(ctx, part, func(w int, hb *analyze.HitBatch) {
		var mask uint64
		for i, f := range hb.Sources {
			if cm.oldToN[f] >= 0 && !c.Kind(f).Infrastructure() {
				mask |= 1 << i
			}
		}
		rs := &cm.ws[w]
		if rs.cur != &hb.Sources[0] { // a batch's parts come one after another
			rs.cur = &hb.Sources[0]
			rs.batches = append(rs.batches, recBatch{lo: rs.n, hi: rs.n, sources: hb.Sources})
			for i, f := range hb.Sources {
				if mask&(1<<i) != 0 {
					cm.bw[f], cm.bb[f], cm.lane[f] = int16(w), int32(len(rs.batches)-1), int8(i)
				}
			}
		}
		var per [64]int32
		for i, x := range hb.Down {
			m := hb.Lanes[i] & mask
			if m == 0 || cm.oldToN[x] < 0 || !protected(c, x) {
				continue
			}
			rs.add(x, m)
			for ; m != 0; m &= m - 1 {
				per[bits.TrailingZeros64(m)]++
			}
		}
		for i, n := range per {
			if n > 0 {
				cm.pairs[hb.Sources[i]] += n
			}
		}
		rs.batches[len(rs.batches)-1].hi = rs.n
		if sink != nil {
			sink(w, hb)
		}
	})
}

// counter is one worker's state of count: per new vertex x, the mask of
// the current batch's failures whose old counterparts take x Down in the
// old model, set for the batch whose Sources start at batch.
type counter struct {
	old     []uint64
	touched []int32
	batch   *int32
	groups  []group
}

// group is the failures of a new batch whose old counterparts ran in one
// old batch: the mask of their old lanes and each one's new lane.
type group struct {
	w, b  int32
	mask  uint64
	lanes [64]int8
}

// count runs part of the new model's candidates on r, after keep, and
// compares their hits with the old model's: it counts those the old model
// has (same, per old failed node) and those it lacks (fresh, per new
// failed node; or, when each is not nil, calls each with each watched
// node x and the mask of those of the batch's Sources whose pair with x
// is fresh, from the worker w: the calls of one batch all come from one
// worker), and passes every batch to sink. It reads the masks: for each
// batch, the old records of its failures' old batches are spread once into
// per-node masks, and each watched node's mask is split by two word
// operations into what both models have and what is new.
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

// spread sets ct.old for a new batch of sources: the failures are grouped
// by the old batch of their counterparts, and each old batch's records are
// read once.
func (cm *comparer) spread(ct *counter, sources []int32) {
	ct.groups = ct.groups[:0]
	for j, f := range sources {
		fo := cm.toOld[f]
		if fo < 0 || cm.bw[fo] < 0 {
			continue
		}
		w, b := int32(cm.bw[fo]), cm.bb[fo]
		k := 0
		for k < len(ct.groups) && (ct.groups[k].w != w || ct.groups[k].b != b) {
			k++
		}
		if k == len(ct.groups) {
			ct.groups = append(ct.groups, group{w: w, b: b})
		}
		g := &ct.groups[k]
		g.mask |= 1 << cm.lane[fo]
		g.lanes[cm.lane[fo]] = int8(j)
	}
	for k := range ct.groups {
		g := &ct.groups[k]
		rs := &cm.ws[g.w]
		rb := rs.batches[g.b]
		for i := rb.lo; i < rb.hi; i++ {
			sel := rs.m[i/recBlock][i%recBlock] & g.mask
			if sel == 0 {
				continue
			}
			xt := cm.oldToN[rs.x[i/recBlock][i%recBlock]]
			if ct.old[xt] == 0 {
				ct.touched = append(ct.touched, xt)
			}
			for ; sel != 0; sel &= sel - 1 {
				ct.old[xt] |= 1 << g.lanes[bits.TrailingZeros64(sel)]
			}
		}
	}
}

func (ct *counter) clear() {
	for _, x := range ct.touched {
		ct.old[x] = 0
	}
	ct.touched, ct.batch = ct.touched[:0], nil
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

// rankBoth ranks both models' single failures, each once, sharing each model's pass with its policy (kFrom, kTo; nil:
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
// counterparts in a.
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
