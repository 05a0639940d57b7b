package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// singleSweep is the audit's one pass of the batch engine over every
// single failure: it gives each target (every claim and owner) its cut
// sets of one node, and, for the pair search of the claims searched at
// order 2 (pairSearch), the index of the single failures that take each
// vertex of their ancestry Down and, per failure, what it takes Down.
// The pair search used to sweep the single failures again for these, in
// candidate order, over an ancestry the first sweep covers (its claims
// are among the targets): on the 100,000-node catalog with redundancy
// everywhere, a third of the audit's sweeps.
//
// The sweep runs over the targets' hard ancestry alone, without soft
// edges and demand (withinLayout): a failure outside it takes no target
// Down, and Down depends on nothing else. The sources are the candidates
// in it, batched in the layout's order (batchOrder, as Rank's), those
// nothing depends on left out (they take down no target but themselves,
// and pair with nothing: a pair's failures both reach the gate they
// bring down).
type singleSweep struct {
	c       *graph.Compiled
	targets []int32
	cands   []int32 // every candidate (CutSetResult.Tried)
	none    *Outcome
	sources []int32 // the candidates swept, in batch order
	l       *layout // the targets' hard ancestry (withinLayout)
	pairs   *pairIndex
}

// pairIndex is what the sweep gives the pair search, over the hard
// ancestry (within) of the claims it searches: for each vertex x of it,
// killers[killOff[x]:killOff[x+1]] are the sources whose single failure
// takes x Down (itself included, when it is one), sorted; for each source
// a, downs[downOff[a]:downOff[a+1]] the vertices of within its failure
// takes Down (the vertices of a run of the sweep, in the order it visits
// them), and reach[a] how many, the cost of a batch it is fixed in.
// sources are the sweep's sources in within, in batch order.
type pairIndex struct {
	within           []bool
	sources          []int32
	l                *layout // withinLayout of within
	killOff, killers []int32
	downOff, downs   []int32
	reach            []int32
}

// newSingleSweep prepares the sweep for targets, and for the pair search
// of pairTargets (a part of targets; nil: no pair search).
func newSingleSweep(ctx context.Context, c *graph.Compiled, targets, pairTargets []int32, kinds []graph.Kind) (*singleSweep, error) {
	if c.Len() >= maxPositions {
		return nil, fmt.Errorf("%d vertices: the batch engine takes fewer than %d", c.Len(), maxPositions)
	}
	cands, err := candidates(c, kinds, nil)
	if err != nil {
		return nil, err
	}
	none, err := Simulate(ctx, c, Scenario{})
	if err != nil {
		return nil, err
	}
	s := &singleSweep{c: c, targets: targets, cands: cands, none: none}
	within := ancestorsOf(c, targets, false)
	allowed := make([]bool, c.NodeCount())
	for _, v := range cands {
		allowed[v] = true
	}
	full := layoutFor(c)
	for _, v := range full.order {
		if allowed[v] && within[v] {
			s.sources = append(s.sources, v)
		}
	}
	s.l = withinLayout(full, within)
	if pairTargets != nil {
		p := &pairIndex{within: ancestorsOf(c, pairTargets, false)}
		for _, v := range s.sources {
			if p.within[v] {
				p.sources = append(p.sources, v)
			}
		}
		p.l = withinLayout(full, p.within)
		s.pairs = p
	}
	return s, nil
}

// steps is how many steps run reports to progress: one per source swept,
// then one per target given its sets (sorting them by name, on the
// catalog with redundancy everywhere about as long as the sweep).
func (s *singleSweep) steps() int { return len(s.sources) + len(s.targets) }

// run sweeps the single failures, 64 to a batch, on every core, and
// returns for each target the model nodes (of the kinds asked) whose
// failure alone takes it Down, other than itself, sorted by id, at most
// limit (when positive) of them, with no chains (the caller adds them); a
// target Down with nothing failed has none. With a pair search, it fills
// in s.pairs too. The tests hold the sets equal to brute force, and the
// pair search equal to CutSetsVertices.
func (s *singleSweep) run(ctx context.Context, limit int, progress func(done, total int)) ([]CutSetResult, error) {
	c, l := s.c, s.l
	slotOf := make([]int32, c.Len()) // per vertex: 1 + the target's index, or 0
	for i, t := range s.targets {
		if s.none.VertexState(t) != Down && slotOf[t] == 0 {
			slotOf[t] = int32(i) + 1
		}
	}
	var pairWithin []bool
	if s.pairs != nil {
		pairWithin = s.pairs.within
	}
	type hit struct{ slot, v int32 }
	type down struct{ x, a int32 } // a takes x Down
	hits := make([][]int32, len(s.targets))
	var (
		mu    sync.Mutex
		downs []down
		done  int
	)
	err := onWorkers(ctx, nil, l, runtime.GOMAXPROCS(0), (len(s.sources)+63)/64, func(_ int, b *batch, k int) {
		srcs := s.sources[k*64 : min(k*64+64, len(s.sources))]
		var local []hit
		var localDowns []down
		b.run(srcs, func(p int32, dn, _ uint64) {
			x := l.vertex[p]
			if pairWithin != nil && pairWithin[x] {
				for m := dn; m != 0; m &= m - 1 {
					localDowns = append(localDowns, down{x, srcs[bits.TrailingZeros64(m)]})
				}
			}
			t := slotOf[x]
			if t == 0 {
				return
			}
			for m := dn; m != 0; m &= m - 1 {
				if v := srcs[bits.TrailingZeros64(m)]; v != x {
					local = append(local, hit{t - 1, v})
				}
			}
		})
		mu.Lock()
		defer mu.Unlock()
		for _, h := range local {
			hits[h.slot] = append(hits[h.slot], h.v)
		}
		downs = append(downs, localDowns...)
		done += len(srcs)
		if progress != nil {
			progress(done, s.steps())
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]CutSetResult, len(s.targets))
	for i, t := range s.targets {
		if progress != nil && i%1024 == 1023 {
			progress(len(s.sources)+i, s.steps())
		}
		hs := hits[i]
		slices.SortFunc(hs, func(a, b int32) int { return cmp.Compare(c.VertexName(a), c.VertexName(b)) })
		r := CutSetResult{Target: c.VertexName(t), Vertex: t, MaxOrder: 1, Complete: 1, Tried: len(s.cands)}
		if limit > 0 && len(hs) > limit {
			hs, r.Truncated, r.Complete = hs[:limit], true, 0
		}
		for _, v := range hs {
			r.Sets = append(r.Sets, CutSet{IDs: []string{c.VertexName(v)}, Vertices: []int32{v}})
		}
		out[i] = r
	}
	if p := s.pairs; p != nil {
		// Both indexes by counting sort: by vertex (then each list
		// sorted), and by source (each source ran in one batch, so its
		// list keeps the order the run visited its vertices).
		n := c.Len()
		if len(downs) > math.MaxInt32 {
			// The offsets are int32: more pairs would wrap them.
			return nil, fmt.Errorf("audit: %d (failure, vertex) pairs of the single failures are more than the pair search can index (%d)", len(downs), math.MaxInt32)
		}
		p.killOff, p.downOff = make([]int32, n+1), make([]int32, n+1)
		for _, d := range downs {
			p.killOff[d.x+1]++
			p.downOff[d.a+1]++
		}
		for v := range n {
			p.killOff[v+1] += p.killOff[v]
			p.downOff[v+1] += p.downOff[v]
		}
		p.killers, p.downs = make([]int32, len(downs)), make([]int32, len(downs))
		nk, nd := slices.Clone(p.killOff[:n]), slices.Clone(p.downOff[:n])
		for _, d := range downs {
			p.killers[nk[d.x]], p.downs[nd[d.a]] = d.a, d.x
			nk[d.x]++
			nd[d.a]++
		}
		p.reach = make([]int32, n)
		for v := range n {
			slices.Sort(p.killers[p.killOff[v]:p.killOff[v+1]])
			p.reach[v] = p.downOff[v+1] - p.downOff[v]
		}
	}
	return out, nil
}
