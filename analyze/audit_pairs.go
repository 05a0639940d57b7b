package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blastradius-go/blastradius/graph"
)

// pairCutSets is the order-2 search of CutSetsVertices for many targets
// at once, the audit's case: thousands of claims, whose ancestries overlap
// in most of a catalog. CutSetsVertices searches 64 targets at a time, and
// each group runs the single failure of every candidate of its ancestry
// again; here every run is shared by all the targets, on the batch engine.
//
//  1. One sweep of every candidate's single failure, 64 to a batch (as
//     Rank's), indexes the single failures that take each vertex of the
//     targets' hard ancestry Down (its killers). A target's killers other
//     than itself are its cut sets of order 1.
//  2. A second sweep gives each candidate a, again 64 to a batch, what a
//     takes Down; from it, the Threshold gates a weakens (not Down, with a
//     Down input of positive weight) and their live members of positive
//     weight; the killers of those members are a's extensions. By the
//     lemma of cutsets.go with A = {a} and B = {b}, every minimal cut set
//     {a, b} of a target has b among a's extensions (as strongExtensions
//     finds them, over the ancestry of all the targets rather than of 64).
//  3. Each candidate a is then run fixed in every lane, with its
//     extensions one per lane (batch.runWith), and a pair that takes a
//     target Down is one of its cut sets when neither failure takes it
//     Down alone and the target is neither of them.
//
// The cut sets found are then run once more by the event engine, per
// group of 64 targets, for their chains (cutSearch's, so they are the
// chains CutSetsVertices gives). The results equal CutSetsVertices' with
// MaxOrder 2, Kinds and Limit (a test holds them equal on random models,
// truncated ones included), except Candidates and Tried, which are left 0.
func pairCutSets(ctx context.Context, c *graph.Compiled, targets []int32, kinds []graph.Kind, limit int, progress func(done, total int)) ([]CutSetResult, error) {
	if c.Len() >= maxPositions {
		return nil, fmt.Errorf("%d vertices: the batch engine takes fewer than %d", c.Len(), maxPositions)
	}
	opts := CutSetOptions{MaxOrder: 2, Kinds: kinds, Limit: max(limit, 0)}
	allow, err := cutCandidates(c, opts)
	if err != nil {
		return nil, err
	}
	cands, err := candidates(c, kinds, nil)
	if err != nil {
		return nil, err
	}
	none, err := Simulate(ctx, c, Scenario{})
	if err != nil {
		return nil, err
	}
	n := c.Len()
	out := make([]CutSetResult, len(targets))
	// slot[v] is 1 + the index of the first target at v, or 0; a target
	// given twice gets the first one's result.
	slot := make([]int32, n)
	within := make([]bool, n) // the live targets' hard ancestry
	var queue []int32
	for i, t := range targets {
		out[i] = CutSetResult{Target: c.VertexName(t), Vertex: t, MaxOrder: 2, Complete: 2}
		if slot[t] != 0 || none.VertexState(t) == Down {
			continue
		}
		slot[t] = int32(i) + 1
		if !within[t] {
			within[t] = true
			queue = append(queue, t)
		}
	}
	for i := 0; i < len(queue); i++ {
		ins, _ := c.Inputs(queue[i])
		for _, u := range ins {
			if !within[u] {
				within[u] = true
				queue = append(queue, u)
			}
		}
	}
	queue = nil
	var sources []int32 // the candidates in the ancestry
	for _, v := range cands {
		if within[v] {
			sources = append(sources, v)
		}
	}

	// 1. The killers of every vertex of the ancestry, sorted.
	killOff, killers, err := pairKillers(ctx, c, sources, within, progress)
	if err != nil {
		return nil, err
	}
	kills := func(b, x int32) bool {
		_, ok := slices.BinarySearch(killers[killOff[x]:killOff[x+1]], b)
		return ok
	}

	// 2 and 3. The pairs, per candidate a: its extensions, run beside it.
	type hit struct{ t, a, b int32 } // target index; a < b
	var (
		mu   sync.Mutex
		hits []hit
	)
	// Per worker, stamps per vertex (== run for the current a): Down
	// under a, a weakened gate seen, a member seen, an extension found.
	type marks struct {
		down, gate, member, ext []uint32
		run                     uint32
		downs                   [64][]int32 // per lane of the sweep: the ancestry's vertices Down
	}
	perWorker := make([]*marks, runtime.GOMAXPROCS(0))
	err = sweepWorkers(ctx, c, sources, 0, nil, func(w int, l *layout, b *batch, srcs []int32) {
		if perWorker[w] == nil {
			perWorker[w] = &marks{down: make([]uint32, n), gate: make([]uint32, n), member: make([]uint32, n), ext: make([]uint32, n)}
		}
		m := perWorker[w]
		for i := range srcs {
			m.downs[i] = m.downs[i][:0]
		}
		b.run(srcs, func(p int32, down, _ uint64) {
			v := l.vertex[p]
			if !within[v] {
				return
			}
			for d := down; d != 0; d &= d - 1 {
				i := bits.TrailingZeros64(d)
				m.downs[i] = append(m.downs[i], v)
			}
		})
		var local []hit
		var ext []int32
		for i, a := range srcs {
			m.run++
			if m.run == 0 { // wrapped: clear the stamps once
				clear(m.down)
				clear(m.gate)
				clear(m.member)
				clear(m.ext)
				m.run = 1
			}
			run := m.run
			for _, v := range m.downs[i] {
				m.down[v] = run
			}
			ext = ext[:0]
			for _, u := range m.downs[i] {
				deps, dws := c.Dependents(u)
				for j, g := range deps {
					if dws[j] == 0 || !within[g] || c.Op(g) != graph.Threshold || m.down[g] == run || m.gate[g] == run {
						continue
					}
					m.gate[g] = run // each weakened gate once
					ins, ws := c.Inputs(g)
					for k, x := range ins {
						if ws[k] == 0 || m.down[x] == run || m.member[x] == run {
							continue
						}
						m.member[x] = run // each live member once
						for _, bv := range killers[killOff[x]:killOff[x+1]] {
							if bv != a && m.ext[bv] != run {
								m.ext[bv] = run
								ext = append(ext, bv)
							}
						}
					}
				}
			}
			for lo := 0; lo < len(ext); lo += 64 {
				lanes := ext[lo:min(lo+64, len(ext))]
				b.runWith([]int32{a}, lanes, func(p int32, dn, _ uint64) {
					t := l.vertex[p]
					s := slot[t]
					if s == 0 || t == a || m.down[t] == run {
						return
					}
					for d := dn; d != 0; d &= d - 1 {
						bv := lanes[bits.TrailingZeros64(d)]
						if bv == t || kills(bv, t) {
							continue
						}
						local = append(local, hit{s - 1, min(a, bv), max(a, bv)})
					}
				})
			}
		}
		mu.Lock()
		hits = append(hits, local...)
		mu.Unlock()
	}, func(int32) {}) // nothing depends on it: it weakens nothing
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(x, y hit) int {
		return cmp.Or(cmp.Compare(x.t, y.t), cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	hits = slices.Compact(hits)

	// The sets of each target, as CutSetsVertices records them: order 1
	// in vertex order, then order 2 in the order of the pairs, up to the
	// limit; a target with more sets than the limit is truncated.
	sets := make([][][]int32, len(targets))
	h := 0
	for i, t := range targets {
		if slot[t] != int32(i)+1 {
			if none.VertexState(t) == Down && slot[t] == 0 {
				sets[i] = [][]int32{{}}
			}
			continue
		}
		var ss [][]int32
		for _, v := range killers[killOff[t]:killOff[t+1]] {
			if v != t {
				ss = append(ss, []int32{v})
			}
		}
		if limit > 0 && len(ss) > limit {
			ss = ss[:limit]
			out[i].Truncated, out[i].Complete = true, 0
		}
		for ; h < len(hits) && hits[h].t == int32(i); h++ {
			if out[i].Truncated {
				continue
			}
			if limit > 0 && len(ss) >= limit {
				out[i].Truncated, out[i].Complete = true, 1
				continue
			}
			ss = append(ss, []int32{hits[h].a, hits[h].b})
		}
		sets[i] = ss
	}
	if err := pairChains(ctx, c, targets, sets, allow, opts, out); err != nil {
		return nil, err
	}
	for i, t := range targets {
		if j := slot[t] - 1; j >= 0 && j != int32(i) {
			out[i] = out[j]
			out[i].Sets = slices.Clone(out[j].Sets)
		}
	}
	return out, nil
}

// pairKillers runs every source's single failure on the batch engine and
// indexes, for each vertex within, the sources that take it Down (itself
// included, when it is one), sorted: killers[off[x]:off[x+1]].
func pairKillers(ctx context.Context, c *graph.Compiled, sources []int32, within []bool, progress func(done, total int)) (off, killers []int32, err error) {
	type hit struct{ x, a int32 }
	var (
		mu   sync.Mutex
		hits []hit
	)
	err = sweep(ctx, c, sources, 0, progress, func(l *layout, b *batch, srcs []int32) {
		var local []hit
		b.run(srcs, func(p int32, down, _ uint64) {
			x := l.vertex[p]
			if !within[x] {
				return
			}
			for d := down; d != 0; d &= d - 1 {
				local = append(local, hit{x, srcs[bits.TrailingZeros64(d)]})
			}
		})
		mu.Lock()
		hits = append(hits, local...)
		mu.Unlock()
	}, func(v int32) {
		hits = append(hits, hit{v, v}) // alone is called before any batch
	})
	if err != nil {
		return nil, nil, err
	}
	n := c.Len()
	off = make([]int32, n+1)
	for _, h := range hits {
		off[h.x+1]++
	}
	for v := range n {
		off[v+1] += off[v]
	}
	killers = make([]int32, len(hits))
	next := slices.Clone(off[:n])
	for _, h := range hits {
		killers[next[h.x]] = h.a
		next[h.x]++
	}
	for v := range n {
		slices.Sort(killers[off[v]:off[v+1]])
	}
	return off, killers, nil
}

// pairChains fills out[i].Sets from sets[i]: each set run by the event
// engine within the ancestry of its group of 64 targets, as
// CutSetsVertices runs it, for the chains of cutSearch.cutSet; a set the
// run does not find to take its target Down is an error of the search
// (it never happens: the batch engine found it).
func pairChains(ctx context.Context, c *graph.Compiled, targets []int32, sets [][][]int32, allow []bool, opts CutSetOptions, out []CutSetResult) error {
	var groups [][]int // target indices with sets, 64 a group
	for i := range targets {
		if len(sets[i]) == 0 {
			continue
		}
		if len(groups) == 0 || len(groups[len(groups)-1]) == 64 {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
	}
	var (
		mu    sync.Mutex
		first error
	)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(groups))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(groups) || ctx.Err() != nil {
					return
				}
				g := groups[k]
				ts := make([]int32, len(g))
				for j, i := range g {
					ts[j] = targets[i]
				}
				s := newCutSearch(c, ts, allow, opts, 1, nil)
				// One trial per distinct set, for every target of the group
				// that has it.
				byKey := map[string]*trial{}
				var trials []*trial
				for j, i := range g {
					for _, set := range sets[i] {
						k := setKey(set)
						tr := byKey[k]
						if tr == nil {
							tr = &trial{set: set}
							byKey[k] = tr
							trials = append(trials, tr)
						}
						tr.eligible |= 1 << uint(j)
					}
				}
				w := newCutWorker(s)
				for _, tr := range trials {
					w.try(tr, findNothing, false)
					if tr.down != tr.eligible {
						mu.Lock()
						if first == nil {
							first = fmt.Errorf("cut sets: the batch engine and the event engine disagree on the failures %v", tr.set)
						}
						mu.Unlock()
					}
				}
				w.release()
				for _, i := range g {
					r := &out[i]
					for _, set := range sets[i] {
						r.Sets = append(r.Sets, s.cutSet(byKey[setKey(set)], targets[i]))
					}
					slices.SortFunc(r.Sets, func(a, b CutSet) int {
						return cmp.Or(cmp.Compare(len(a.IDs), len(b.IDs)), slices.Compare(a.IDs, b.IDs))
					})
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
