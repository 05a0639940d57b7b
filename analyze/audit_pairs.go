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
//     Rank's: singleSweep, the one that gives the audit its sets of one
//     node), indexes the single failures that take each vertex of the
//     targets' hard ancestry Down (its killers), and what each takes
//     Down. A target's killers other than itself are its cut sets of
//     order 1.
//  2. For each candidate a, in the sweep's batch order, what a takes Down
//     gives the Threshold gates a weakens (not Down, with a Down input of
//     positive weight) and their live members of positive weight; the
//     killers of those members are a's extensions. By the lemma of
//     cutsets.go with A = {a} and B = {b}, every minimal cut set {a, b}
//     of a target has b among a's extensions (as strongExtensions finds
//     them, over the ancestry of all the targets rather than of 64).
//  3. Each candidate a is then run fixed in every lane, with its
//     extensions one per lane (batch.runAbove), and a pair that takes a
//     target Down is one of its cut sets when neither failure takes it
//     Down alone and the target is neither of them.
//
// The cut sets found are then run once more by the event engine for
// their chains (pairChains: each distinct set once, within the ancestry
// of the targets it defeats, so they are the chains CutSetsVertices
// gives). The results equal CutSetsVertices' with
// MaxOrder 2, Kinds and Limit (a test holds them equal on random models,
// truncated ones included), except Candidates and Tried, which are left 0.
func pairCutSets(ctx context.Context, c *graph.Compiled, targets []int32, kinds []graph.Kind, limit int, progress func(done, total int)) ([]CutSetResult, error) {
	sw, err := newSingleSweep(ctx, c, targets, append([]int32{}, targets...), kinds) // not nil: a pair search

	if err != nil {
		return nil, err
	}
	if _, err := sw.run(ctx, limit, nil); err != nil {
		return nil, err
	}
	out, sets, err := pairSearch(ctx, sw, targets, limit, progress)
	if err != nil {
		return nil, err
	}
	if err := pairChains(ctx, c, targets, sets, out, nil); err != nil {
		return nil, err
	}
	return pairDuplicates(c, targets, out), nil
}

// pairSets is pairCutSets without the chains, on the index of a sweep
// already run (sw.pairs, over the ancestry of targets): the sets alone
// (CutSet.Chains nil), for a caller that explains a few of them later
// (pairChains).
func pairSets(ctx context.Context, sw *singleSweep, targets []int32, limit int, progress func(done, total int)) ([]CutSetResult, error) {
	out, sets, err := pairSearch(ctx, sw, targets, limit, progress)
	if err != nil {
		return nil, err
	}
	s := &cutSearch{c: sw.c}
	for i, t := range targets {
		r := &out[i]
		for _, set := range sets[i] {
			r.Sets = append(r.Sets, s.cutSet(&trial{set: set}, t))
		}
		sortCutSets(r.Sets)
	}
	return pairDuplicates(sw.c, targets, out), nil
}

// pairDuplicates gives a target listed twice the result of its first
// listing (the search fills in the first only).
func pairDuplicates(c *graph.Compiled, targets []int32, out []CutSetResult) []CutSetResult {
	first := map[int32]int{}
	for i, t := range targets {
		if j, ok := first[t]; ok {
			out[i] = out[j]
			out[i].Sets = slices.Clone(out[j].Sets)
			continue
		}
		first[t] = i
	}
	return out
}

// sortCutSets puts sets in the order CutSetsVertices gives them: smallest
// first, then by their ids.
func sortCutSets(sets []CutSet) {
	slices.SortFunc(sets, func(a, b CutSet) int {
		return cmp.Or(cmp.Compare(len(a.IDs), len(b.IDs)), slices.Compare(a.IDs, b.IDs))
	})
}

// pairSteps is how many steps of the audit's progress pairSearch is: one
// per source of the index (it reports its own count, the part of it done
// in progressScale).
func pairSteps(sw *singleSweep) int { return len(sw.pairs.sources) }

// progressScale is pairSearch's count of its own progress, done of
// progressScale; extPart the part of it that finding the extensions is
// (see pairSearch).
const (
	progressScale = 1 << 20
	extPart       = 0.2
)

// pairSearch is the search of pairCutSets, on the index sw.pairs of a
// sweep run over the ancestry of targets (and more): each target's result
// but its Sets, and the sets as vertex lists (sets[i] nil for a target
// listed before, which gets that one's). progress gets the part done, of
// progressScale.
func pairSearch(ctx context.Context, sw *singleSweep, targets []int32, limit int, progress func(done, total int)) ([]CutSetResult, [][][]int32, error) {
	c, none, idx := sw.c, sw.none, sw.pairs
	n := c.Len()
	out := make([]CutSetResult, len(targets))
	// slot[v] is 1 + the index of the first target at v, or 0; a target
	// given twice gets the first one's result.
	slot := make([]int32, n)
	within := idx.within // the targets' hard ancestry
	for i, t := range targets {
		out[i] = CutSetResult{Target: c.VertexName(t), Vertex: t, MaxOrder: 2, Complete: 2}
		if slot[t] == 0 && none.VertexState(t) != Down {
			slot[t] = int32(i) + 1
		}
	}
	// The sources are the sweep's in the ancestry, in its batch order:
	// a's neighbours in it have cascades much like a's, whose runs read
	// the same positions.
	sources := idx.sources

	// Every run below is confined to the ancestry: a set closed under
	// hard inputs, whose vertices the batch engine gives the Down states
	// the whole graph gives them (as cutSearch's runs), and which is a
	// small part of what a failure reaches (a fourteenth of the visits on
	// a catalog of 20,000 nodes).
	l := idx.l

	killOff, killers, reach := idx.killOff, idx.killers, idx.reach
	kills := func(b, x int32) bool {
		_, ok := slices.BinarySearch(killers[killOff[x]:killOff[x+1]], b)
		return ok
	}

	// 2. The extensions of every source, then 3. the runs of each source
	// beside its extensions. The two are apart for the progress: the
	// runs cost about what the extensions run (on the 100,000-node
	// catalog with redundancy everywhere, 16 to 26 µs per extension, a
	// source's cascade was a poor guide), and the batch order puts the
	// largest cascades first, so that the first 64 sources had a third
	// of the extensions. So the progress counts the first part by the
	// sources' reach, a fifth of the search, and the runs by the
	// extensions run.
	var (
		mu       sync.Mutex
		reported float64 // the part of the search done, 0 to 1
	)
	report := func(part float64) {
		// Under mu.
		reported = part
		if progress != nil {
			progress(int(part*progressScale), progressScale)
		}
	}
	extCost := 0
	for _, a := range sources {
		extCost += 1 + int(reach[a])
	}
	// Per worker, stamps per vertex (== run for the current a): Down
	// under a, a weakened gate seen, an extension found.
	type marks struct {
		down, gate, ext []uint32
		run             uint32
		fixedPos        []int32 // the positions of a's downs
		fixed           []bool  // runAbove's scratch
		// Per failure b, the weight of the current gate's live members
		// it takes Down (lost), valid when lostAt is gateRun.
		lost    []int64
		lostAt  []uint32
		gateRun uint32
	}
	perWorker := make([]*marks, runtime.GOMAXPROCS(0))
	marksOf := func(w int) *marks {
		if perWorker[w] == nil {
			perWorker[w] = &marks{down: make([]uint32, n), gate: make([]uint32, n), ext: make([]uint32, n), lost: make([]int64, n), lostAt: make([]uint32, n), fixed: make([]bool, len(l.vertex))}
		}
		m := perWorker[w]
		m.run++
		if m.run == 0 { // wrapped: clear the stamps once
			clear(m.down)
			clear(m.gate)
			clear(m.ext)
			m.run = 1
		}
		return m
	}
	exts := make([][]int32, len(sources)) // per source (by index)
	var extDone, extTotal int
	err := onWorkers(ctx, nil, l, runtime.GOMAXPROCS(0), (len(sources)+63)/64, func(w int, _ *batch, k int) {
		lo := k * 64
		srcs := sources[lo:min(lo+64, len(sources))]
		cost, found := 0, 0
		for i, a := range srcs {
			m := marksOf(w)
			run := m.run
			downs := idx.downs[idx.downOff[a]:idx.downOff[a+1]]
			for _, v := range downs {
				m.down[v] = run
			}
			var ext []int32
			for _, u := range downs {
				deps, dws := c.Dependents(u)
				for j, g := range deps {
					if dws[j] == 0 || !within[g] || c.Op(g) != graph.Threshold || m.down[g] == run || m.gate[g] == run {
						continue
					}
					m.gate[g] = run // each weakened gate once
					// The first vertex the pair takes Down that neither
					// takes alone is such a gate, taken Down by what a and
					// b take Down (an And gate with an input Down under
					// one of them is Down under it): b must take enough of
					// its live members Down to bring it below its floor.
					gate := c.Gate(g)
					ins, ws := c.Inputs(g)
					live := gate.Base
					for k, x := range ins {
						if m.down[x] == run {
							live -= ws[k]
						}
					}
					m.gateRun++
					if m.gateRun == 0 {
						clear(m.lostAt)
						m.gateRun = 1
					}
					for k, x := range ins {
						if ws[k] == 0 || m.down[x] == run {
							continue
						}
						for _, bv := range killers[killOff[x]:killOff[x+1]] {
							if m.ext[bv] == run || !(reach[bv] < reach[a] || reach[bv] == reach[a] && bv < a) {
								continue
							}
							if m.lostAt[bv] != m.gateRun {
								m.lostAt[bv], m.lost[bv] = m.gateRun, 0
							}
							m.lost[bv] += ws[k]
							if threshold(gate, live-m.lost[bv], live-m.lost[bv]) == Down {
								m.ext[bv] = run
								ext = append(ext, bv)
							}
						}
					}
				}
			}
			exts[lo+i] = ext
			cost += 1 + int(reach[a])
			found += len(ext)
		}
		mu.Lock()
		defer mu.Unlock()
		extDone += cost
		extTotal += found
		report(extPart * float64(extDone) / float64(extCost))
	})
	if err != nil {
		return nil, nil, err
	}

	type hit struct{ t, a, b int32 } // target index; a < b
	var (
		hits    []hit
		runDone int
	)
	runCost := float64(extTotal + len(sources))
	err = onWorkers(ctx, nil, l, runtime.GOMAXPROCS(0), (len(sources)+63)/64, func(w int, b *batch, k int) {
		lo := k * 64
		srcs := sources[lo:min(lo+64, len(sources))]
		var local []hit
		ran := 0
		step := func(n int) {
			// Count n runs (or sources) done, now and then.
			ran += n
			if ran >= 4096 {
				mu.Lock()
				runDone += ran
				report(max(reported, extPart+(1-extPart)*float64(runDone)/runCost))
				mu.Unlock()
				ran = 0
			}
		}
		for i, a := range srcs {
			ext := exts[lo+i]
			step(1)
			if len(ext) == 0 {
				continue
			}
			m := marksOf(w)
			run := m.run
			downs := idx.downs[idx.downOff[a]:idx.downOff[a+1]]
			fixed := m.fixedPos[:0]
			for _, v := range downs {
				m.down[v] = run
				fixed = append(fixed, l.pos[v])
			}
			m.fixedPos = fixed
			for lo := 0; lo < len(ext); lo += 64 {
				lanes := ext[lo:min(lo+64, len(ext))]
				b.runAbove(fixed, m.fixed, lanes, func(p int32, dn, _ uint64) {
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
				step(len(lanes))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		hits = append(hits, local...)
		runDone += ran
		report(max(reported, extPart+(1-extPart)*float64(runDone)/runCost))
	})
	if err != nil {
		return nil, nil, err
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
	return out, sets, nil
}

// withinLayout is layout l cut down to the vertices of within, a set
// closed under hard inputs, and to its hard edges: the same positions in
// the same order (each input before its dependents, cycles side by side),
// the same gates with no demand (Need 0, formulas to match), the hard
// edges between vertices of within. Soft edges and demand only degrade: a
// batch on the result gives every vertex of within the Down masks a batch
// on l gives it (Down never depends on a soft input nor on demand, only on
// the floor), and none is ever Degraded, so it visits only what goes
// Down (on the 100,000-node catalog with redundancy everywhere, 40% of a
// pair batch's visits had been positions only degraded). The batch engine
// runs on it unchanged.
func withinLayout(l *layout, within []bool) *layout {
	newPos := make([]int32, len(l.vertex)) // old position → new position, or -1
	r := &layout{nodes: l.nodes, pos: make([]int32, len(l.pos))}
	for p, v := range l.vertex {
		newPos[p] = -1
		if within[v] {
			newPos[p] = int32(len(r.vertex))
			r.vertex = append(r.vertex, v)
		}
	}
	for v, p := range l.pos {
		r.pos[v] = newPos[p]
	}
	n := len(r.vertex)
	r.flags, r.gate, r.users = make([]uint8, n), make([]graph.Gate, n), make([]int64, n)
	r.inOff, r.softOff, r.depOff, r.termOff = make([]int32, 1, n+1), make([]int32, 1, n+1), make([]int32, 1, n+1), make([]int32, 1, n+1)
	for q, v := range r.vertex {
		p := l.pos[v]
		r.flags[q], r.gate[q], r.users[q] = l.flags[p], l.gate[p], l.users[p]
		for e := l.inOff[p]; e < l.inOff[p+1]; e++ {
			r.in = append(r.in, newPos[l.in[e]]) // closed under hard inputs: always kept
			r.inW = append(r.inW, l.inW[e])
		}
		for _, e := range l.dep[l.depOff[p]:l.depOff[p+1]] {
			if d := newPos[e&^depTags]; d >= 0 && e&depSoft == 0 {
				r.dep = append(r.dep, d|e&depTags)
			}
		}
		if r.flags[q]&isThreshold != 0 {
			// Demand is dropped: what falls below it is Degraded, which
			// the search never asks, and which would spread over the
			// hard edges beyond what goes Down.
			r.gate[q].Need = 0
			r.terms = appendTerms(r.terms, r.gate[q], l.inW[l.inOff[p]:l.inOff[p+1]])
		}
		r.inOff = append(r.inOff, int32(len(r.in)))
		r.softOff = append(r.softOff, int32(len(r.soft)))
		r.depOff = append(r.depOff, int32(len(r.dep)))
		r.termOff = append(r.termOff, int32(len(r.terms)))
	}
	return r
}

// onCores starts one worker per core (at most n, at least one), numbered
// from 0, and returns when they all have: each calls next for the tasks
// of [0, n) it takes, until next says there are none left or ctx ended.
// Workers set up what they keep between tasks (an engine, scratch)
// before their first.
func onCores(ctx context.Context, n int, worker func(w int, next func() (int, bool))) {
	var (
		counter atomic.Int64
		wg      sync.WaitGroup
	)
	next := func() (int, bool) {
		k := int(counter.Add(1)) - 1
		return k, k < n && ctx.Err() == nil
	}
	for w := range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(w, next)
		}()
	}
	wg.Wait()
}

// pairChains fills out[i].Sets from sets[i]: each distinct set run once
// by the event engine within the ancestry of the targets that have it, for the
// chains of every target that has it (cutWorker.chains, as
// CutSetsVertices gives them); a set the run does not find to take its
// target Down is an error of the search (it never happens: the batch
// engine found it). progress, when set, counts the distinct sets run.
func pairChains(ctx context.Context, c *graph.Compiled, targets []int32, sets [][][]int32, out []CutSetResult, progress func(done, total int)) error {
	type use struct {
		set []int32
		ts  []int // target indices
	}
	byKey := map[string]int{}
	var uses []use
	for i := range targets {
		for _, set := range sets[i] {
			k := setKey(set)
			j, ok := byKey[k]
			if !ok {
				j = len(uses)
				byKey[k] = j
				uses = append(uses, use{set: set})
			}
			uses[j].ts = append(uses[j].ts, i)
		}
	}
	// The search holds what a worker reads: the graph (each worker keeps
	// its own ancestry).
	s := &cutSearch{c: c}
	trials := make([]*trial, len(uses))
	var (
		mu    sync.Mutex
		first error
		ran   int
	)
	onCores(ctx, len(uses), func(_ int, next func() (int, bool)) {
		w := newCutWorker(s)
		defer w.release()
		// Each set runs within the ancestry of its own targets (a
		// pair's are one or a few claims, a small part of the whole).
		mine := make([]bool, c.Len())
		w.sc.within = mine
		var anc []int32
		for k, ok := next(); ok; k, ok = next() {
			u := uses[k]
			for _, v := range anc {
				mine[v] = false
			}
			anc = anc[:0]
			for _, i := range u.ts {
				if t := targets[i]; !mine[t] {
					mine[t] = true
					anc = append(anc, t)
				}
			}
			for j := 0; j < len(anc); j++ {
				ins, _ := c.Inputs(anc[j])
				for _, x := range ins {
					if !mine[x] {
						mine[x] = true
						anc = append(anc, x)
					}
				}
			}
			w.runSet(u.set)
			tr := &trial{set: u.set, chains: map[int32][][]string{}}
			for _, i := range u.ts {
				t := targets[i]
				if w.sc.stateOf(t) != Down {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("cut sets: the batch engine and the event engine disagree on %v for %s", u.set, c.VertexName(t))
					}
					mu.Unlock()
					continue
				}
				tr.chains[t] = w.chains(t, u.set)
			}
			trials[k] = tr
			if progress != nil {
				mu.Lock()
				ran++
				progress(ran, len(uses))
				mu.Unlock()
			}
		}
	})
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, t := range targets {
		r := &out[i]
		for _, set := range sets[i] {
			r.Sets = append(r.Sets, s.cutSet(trials[byKey[setKey(set)]], t))
		}
		sortCutSets(r.Sets)
	}
	return nil
}
