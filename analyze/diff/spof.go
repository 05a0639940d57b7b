package diff

import (
	"cmp"
	"context"
	"slices"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// limits are the bounds of Options, resolved.
type limits struct{ chains, spofs, takes int }

// protected reports whether a SPOF of v counts: the tier-0 nodes that are
// not infrastructure and the user-facing nodes (with users).
func protected(c *graph.Compiled, v int32) bool {
	return c.Users(v) > 0 || (c.Tier(v) == 0 && !c.Kind(v).Infrastructure())
}

func watchList(c *graph.Compiled) []int32 {
	var watch []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if protected(c, v) {
			watch = append(watch, v)
		}
	}
	return watch
}

// old is the old model's single failures: every node's radius, and the
// pairs (failed node, protected node it takes Down) as a compressed sparse
// row: the protected nodes of failed node f are down[off[f]:off[f+1]],
// sorted, so that a pair of the new model is looked up by binary search.
// seen marks the pairs the new model has too (one bit each).
type old struct {
	c     *graph.Compiled
	radii map[string]analyze.Radius
	off   []int
	down  []int32
	seen  []uint64
}

// has returns the index of pair (f, x) in down, or -1.
func (o *old) has(f, x int32) int {
	seg := o.down[o.off[f]:o.off[f+1]]
	if i, ok := slices.BinarySearch(seg, x); ok {
		return o.off[f] + i
	}
	return -1
}

// rankPairs ranks c's single failures and keeps their pairs. Hits arrive
// in no order: they are gathered as (failed, down) words, then placed by
// a counting sort on the failed node, which costs two passes, not a sort.
func rankPairs(ctx context.Context, c *graph.Compiled) (*old, error) {
	o := &old{c: c, radii: make(map[string]analyze.Radius, c.NodeCount())}
	var flat []uint64
	radii, err := analyze.RankWatch(ctx, c, analyze.RankOptions{}, watchList(c), func(hs []analyze.Hit) {
		for _, h := range hs {
			if !c.Kind(h.Failed).Infrastructure() {
				flat = append(flat, uint64(h.Failed)<<32|uint64(uint32(h.Down)))
			}
		}
	})
	if err != nil {
		return nil, err
	}
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
	for f := range n {
		slices.Sort(o.down[o.off[f]:o.off[f+1]])
	}
	o.seen = make([]uint64, (len(o.down)+63)/64)
	return o, nil
}

// new is the new model's single failures as compared with the old: every
// node's radius, and per failed node the count of its pairs the old model
// lacks.
type newer struct {
	c      *graph.Compiled
	radii  map[string]analyze.Radius
	fresh  []int   // per failed node: pairs the old model lacks
	toOld  []int32 // new vertex → old vertex, or -1
	oldToN []int32 // old vertex → new vertex, or -1
}

// isNew reports whether the pair (f, x) of the new model is new, marking
// it seen in the old model's pairs when it is not.
func (n *newer) isNew(o *old, f, x int32) bool {
	fo, xo := n.toOld[f], n.toOld[x]
	if fo < 0 || xo < 0 {
		return true
	}
	i := o.has(fo, xo)
	if i < 0 {
		return true
	}
	o.seen[i/64] |= 1 << (i % 64)
	return false
}

// rankAgainst ranks c's single failures, comparing each pair with those
// of o as it comes and keeping only counts.
func rankAgainst(ctx context.Context, c *graph.Compiled, o *old) (*newer, error) {
	n := &newer{c: c, radii: make(map[string]analyze.Radius, c.NodeCount()), fresh: make([]int, c.NodeCount()),
		toOld: matching(c, o.c), oldToN: matching(o.c, c)}
	radii, err := analyze.RankWatch(ctx, c, analyze.RankOptions{}, watchList(c), func(hs []analyze.Hit) {
		for _, h := range hs {
			if !c.Kind(h.Failed).Infrastructure() && n.isNew(o, h.Failed, h.Down) {
				n.fresh[h.Failed]++
			}
		}
	})
	if err != nil {
		return nil, err
	}
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
		_, err := analyze.RankWatch(ctx, n.c, analyze.RankOptions{IDs: ids}, watchList(n.c), func(hs []analyze.Hit) {
			for _, h := range hs {
				fo, xo := n.toOld[h.Failed], n.toOld[h.Down]
				if want[h.Failed] && (fo < 0 || xo < 0 || o.has(fo, xo) < 0) {
					takes[h.Failed] = append(takes[h.Failed], h.Down)
				}
			}
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
	out := make([]SPOF, len(fs))
	for i, f := range fs {
		xs := tk[f]
		// Most users first, then in model order.
		slices.SortFunc(xs, func(a, b int32) int { return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(a, b)) })
		xs = xs[:min(len(xs), lim.takes)]
		s := SPOF{ID: c.VertexName(f), Kind: c.Kind(f), Takes: make([]string, len(xs)), TakesCount: counts[f]}
		for j, x := range xs {
			s.Takes[j] = c.VertexName(x)
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
