package diff

import (
	"cmp"
	"context"
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

// share returns the hit callback of a ranking pass that answers diff's
// question (own, given the hits whose Down node is protected) and k's.
func share(c *graph.Compiled, k *policy.Checker, own func(analyze.Hit)) func([]analyze.Hit) {
	return func(hs []analyze.Hit) {
		for _, h := range hs {
			if !c.Kind(h.Failed).Infrastructure() && protected(c, h.Down) {
				own(h)
			}
		}
		if k != nil {
			k.Hits(hs)
		}
	}
}

// old is the old model's single failures: every node's radius, and the
// pairs (failed node, protected node it takes Down) as a compressed sparse
// row: the protected nodes of failed node f are down[off[f]:off[f+1]].
// seen marks the pairs the new model has too (one bit each).
type old struct {
	c      *graph.Compiled
	ranked []analyze.Radius
	radii  map[string]analyze.Radius
	off    []int
	down   []int32
	seen   []uint64
}

// rankPairs ranks c's single failures and keeps their pairs, sharing the
// pass with k (nil: no policy). Hits arrive in no order: they are gathered
// as (failed, down) words, then placed by a counting sort on the failed
// node, which costs two passes, not a sort.
func rankPairs(ctx context.Context, c *graph.Compiled, k *policy.Checker) (*old, error) {
	o := &old{c: c, radii: make(map[string]analyze.Radius, c.NodeCount())}
	var flat []uint64
	radii, err := analyze.RankWatchVertices(ctx, c, analyze.RankOptions{}, watchList(c, k), share(c, k, func(h analyze.Hit) {
		flat = append(flat, uint64(h.Failed)<<32|uint64(uint32(h.Down)))
	}))
	if err != nil {
		return nil, err
	}
	o.ranked = radii
	for _, r := range radii {
		o.radii[r.ID] = r
	}
	n := c.NodeCount()
	o.off = make([]int, n+1)
	for _, p := range flat {
		o.off[p>>32+1]++
	}
	for f := 1; f <= n; f++ {
		o.off[f] += o.off[f-1]
	}
	o.down = make([]int32, len(flat))
	next := slices.Clone(o.off[:n])
	for _, p := range flat {
		f := p >> 32
		o.down[next[f]] = int32(uint32(p))
		next[f]++
	}
	flat = nil
	o.seen = make([]uint64, (len(o.down)+63)/64)
	return o, nil
}

// newer is the new model's single failures as compared with the old:
// every node's radius, and per failed node the count of its pairs the old
// model lacks.
type newer struct {
	c      *graph.Compiled
	ranked []analyze.Radius
	radii  map[string]analyze.Radius
	fresh  []int   // per failed node: pairs the old model lacks
	toOld  []int32 // new vertex → old vertex, or -1
	oldToN []int32 // old vertex → new vertex, or -1

	// Scratch of compare, per new vertex: hits per failed node, then
	// 1 + the index in old.down of the pair (failed, this node), or 0.
	count, mark []int32
	buf         []int32
	fs          []int32
	start       []int
}

func newNewer(c *graph.Compiled, o *old) *newer {
	return &newer{c: c, radii: make(map[string]analyze.Radius, c.NodeCount()), fresh: make([]int, c.NodeCount()),
		toOld: matching(c, o.c), oldToN: matching(o.c, c),
		count: make([]int32, c.NodeCount()), mark: make([]int32, c.NodeCount())}
}

// compare compares the hits of one batch of the new model's ranking with
// the old model's pairs: it marks the old pairs it finds seen, and calls
// fresh with each pair the old model lacks. The hits are grouped by failed
// node (a counting sort: a batch holds at most 64 failed nodes), and for
// each, the old model's pairs of the same node are marked on a per-node
// array, so that every look-up is one read: O(hits + old pairs of the
// batch), no search.
func (n *newer) compare(o *old, hs []analyze.Hit, fresh func(f, x int32)) {
	c := n.c
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
		fo := n.toOld[f]
		if fo >= 0 {
			for i := o.off[fo]; i < o.off[fo+1]; i++ {
				if xt := n.oldToN[o.down[i]]; xt >= 0 {
					n.mark[xt] = int32(i) + 1
				}
			}
		}
		for _, x := range n.buf[n.start[g]:n.start[g+1]] {
			if m := n.mark[x]; m > 0 {
				i := int(m - 1)
				o.seen[i/64] |= 1 << (i % 64)
			} else {
				fresh(f, x)
			}
		}
		if fo >= 0 {
			for i := o.off[fo]; i < o.off[fo+1]; i++ {
				if xt := n.oldToN[o.down[i]]; xt >= 0 {
					n.mark[xt] = 0
				}
			}
		}
	}
}

// rankAgainst ranks c's single failures, comparing each pair with those
// of o as it comes and keeping only counts, sharing the pass with k (nil:
// no policy).
func rankAgainst(ctx context.Context, c *graph.Compiled, o *old, k *policy.Checker) (*newer, error) {
	n := newNewer(c, o)
	radii, err := analyze.RankWatchVertices(ctx, c, analyze.RankOptions{}, watchList(c, k), func(hs []analyze.Hit) {
		n.compare(o, hs, func(f, _ int32) { n.fresh[f]++ })
		if k != nil {
			k.Hits(hs)
		}
	})
	if err != nil {
		return nil, err
	}
	n.ranked = radii
	for _, r := range radii {
		n.radii[r.ID] = r
	}
	return n, nil
}

// fixedTakes calls f on each pair of the old model's failed node fo that
// the new model lacks, while having both nodes.
func (n *newer) fixedTakes(o *old, fo int32, f func(x int32)) {
	if n.oldToN[fo] < 0 {
		return
	}
	for i := o.off[fo]; i < o.off[fo+1]; i++ {
		if x := o.down[i]; o.seen[i/64]&(1<<(i%64)) == 0 && n.oldToN[x] >= 0 {
			f(x)
		}
	}
}

// spofs fills in NewSPOFs and FixedSPOFs: the counts of all, the lists of
// the first lim.spofs by protected nodes taken (then id), each with its
// first lim.takes protected nodes, most users first, and a chain for the
// first lim.chains.
func (d *Diff) spofs(ctx context.Context, o *old, n *newer, lim limits) error {
	// Fixed: counted from the old pairs not seen.
	fixed := make([]int, o.c.NodeCount())
	for fo := range int32(o.c.NodeCount()) {
		n.fixedTakes(o, fo, func(int32) { fixed[fo]++ })
	}
	var err error
	d.FixedSPOFCount, d.FixedSPOFs, err = top(ctx, o.c, fixed, lim, func(fs []int32) (map[int32][]int32, error) {
		takes := make(map[int32][]int32, len(fs))
		for _, f := range fs {
			n.fixedTakes(o, f, func(x int32) { takes[f] = append(takes[f], x) })
		}
		return takes, nil
	})
	if err != nil {
		return err
	}
	// New: the listed failures ranked again, alone, for their pairs.
	d.NewSPOFCount, d.NewSPOFs, err = top(ctx, n.c, n.fresh, lim, func(fs []int32) (map[int32][]int32, error) {
		ids := make([]string, len(fs))
		want := make([]bool, n.c.NodeCount())
		for i, f := range fs {
			ids[i], want[f] = n.c.VertexName(f), true
		}
		takes := make(map[int32][]int32, len(fs))
		_, err := analyze.RankWatchVertices(ctx, n.c, analyze.RankOptions{IDs: ids}, watchList(n.c, nil), func(hs []analyze.Hit) {
			n.compare(o, hs, func(f, x int32) {
				if want[f] {
					takes[f] = append(takes[f], x)
				}
			})
		})
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
