package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/blastradius-go/blastradius/graph"
)

// A cut set of a target, in the sense of fault-tree analysis (the Open-PSA
// Model Exchange Format and SCRAM: "minimal cut sets", the minimal sets of
// basic events whose joint occurrence makes the top event occur), is a set
// of node failures whose joint removal takes the target Down at t=0 under
// the engine's semantics: groups, capacity, standbys at t=0 (a standby
// that is not a mirror carries nothing then), the least fixpoint through
// cycles. Degraded is not a failure, and the target is not a cut set of
// itself. A cut set is minimal when no proper subset is one.
//
// The search is level by level, smallest sets first, and rests on one
// lemma. For disjoint sets A and B of removed vertices write D(X) for what
// the removal of X takes Down. If D(A∪B) ≠ D(A) ∪ D(B), consider the first
// vertex v to go Down in the run of A∪B that is in neither: the inputs
// Down at that moment are in D(A) ∪ D(B), and they would take v Down in
// the run of A if they were all in D(A), so one with positive weight is in
// D(B)∖D(A), and likewise one in D(A)∖D(B). An And gate needs only one
// Down input, so v is a Threshold gate, not in D(A), that has a Down input
// of positive weight from D(A) (it is "weakened" by A) and another input x
// in D(B): x depends on some b in B through hard inputs (or is b).
//
// Now let S be a minimal cut set of size k and A ⊂ S a proper subset. A and
// B = S∖A are not cut sets, S is, so D(S) ≠ D(A) ∪ D(B), and the lemma
// gives a b in B that is a hard ancestor of an input of a gate weakened
// by A. So every minimal cut set is reached from any one of its members by
// adding, one at a time, a candidate found that way: the extensions of A
// are the candidates that are hard ancestors (or are themselves) of the
// live inputs of positive weight of the gates weakened by A. Prefixes are
// the sets found so far that contain no cut set and are none; each is
// extended by its extensions, which on a redundant model are few (losing
// site s1 weakens the capacity gates of what runs at s1, whose other
// members need s2 and what s2 needs), not every pair of candidates.
//
// The last order needs less. With A = S∖{b} and B = {b} for any b of S,
// the lemma says b alone takes Down a live member of a gate S∖{b}
// weakens. The runs of order 1 say, per vertex, which single failures take
// it Down, so a prefix of the last order is extended only by those of the
// members of its weakened gates (strongExtensions), not by their whole
// hard ancestry: on a redundant catalog, 3 sets per candidate at order 2.
//
// Each set tried costs one run of the event engine confined to the
// targets' hard ancestry (a set closed under hard inputs gives its
// vertices the Down states the whole graph gives them: Down never depends
// on a soft input or on Degraded), and that one run says which targets it
// takes Down, gives the chains of causes of a new cut set, and the
// extensions of a new prefix. Several targets are searched together, up to
// 64 at a time (one bit each in the masks that say for which targets a
// set is a prefix or a cut set), so that a set shared by their ancestries
// is run once.

// CutSet is a minimal cut set of a target: nodes (and replicas, when asked
// for) whose joint failure takes it Down, no subset of which does.
type CutSet struct {
	// IDs are the failed nodes, sorted; Vertices their compiled vertices,
	// in the same order.
	IDs      []string
	Vertices []int32
	// Chains explain the cut set: for each member (in the order of IDs),
	// a chain of causes from the target down to it, every link Down when
	// the cut set fails (group vertices left out, as in every chain).
	Chains [][]string
}

// Order is the number of failures in the cut set.
func (s CutSet) Order() int { return len(s.IDs) }

// CutSetResult is the minimal cut sets of one target.
type CutSetResult struct {
	Target string // the target's name (a node id, a replica or a group vertex's name)
	Vertex int32  // the target's vertex
	// MaxOrder is the largest cut set looked for.
	MaxOrder int
	// Sets are the cut sets found, smallest first, then by IDs.
	Sets []CutSet
	// Truncated says there are more than Limit cut sets and Sets holds
	// Limit of them: every cut set of order Complete or less, and only
	// some of order Complete+1. Complete is MaxOrder when nothing was
	// left out.
	Truncated bool
	Complete  int
	// Candidates is the number of candidates: the target's hard ancestors
	// that the options let fail.
	Candidates int
	// Tried is the number of sets of failures run through the engine
	// for the group of targets searched together (at most 64).
	Tried int
}

// Count returns how many cut sets of each order Sets holds, index 0 for
// order 0 (the empty set, when the target is Down with nothing failed).
func (r *CutSetResult) Count() []int {
	n := make([]int, r.MaxOrder+1)
	for _, s := range r.Sets {
		n[s.Order()]++
	}
	return n
}

// CutSetOptions tune CutSets.
type CutSetOptions struct {
	// MaxOrder is the largest cut set to look for: 2 when 0, at most
	// MaxCutOrder.
	MaxOrder int
	// Kinds, when not empty, lets only nodes of these kinds fail.
	Kinds []graph.Kind
	// Candidates, when not empty, lets only these nodes (or replicas) fail.
	Candidates []string
	// Replicas lets replicas fail too ("kakaotalk@pangyo"), as nodes do.
	Replicas bool
	// Limit, when positive, stops a target's search once it has this many
	// cut sets (see CutSetResult.Truncated).
	Limit int
	// Progress, when set, is called now and then with the sets tried so
	// far and the sets known to be tried at the current order. It may be
	// called from several goroutines, one call at a time.
	Progress func(done, total int)
}

// MaxCutOrder is the largest MaxOrder CutSets takes.
const MaxCutOrder = 8

// CutSets returns the minimal cut sets of target (a node id, or a replica)
// of at most opts.MaxOrder failures. The candidates are the target's hard
// ancestors: every model node (services, sites, regions, power) and, with
// opts.Replicas, replicas. Its order-1 cut sets are exactly the SPOFs
// that SPOFs returns (a test holds them equal).
func CutSets(ctx context.Context, c *graph.Compiled, target string, opts CutSetOptions) (*CutSetResult, error) {
	t, ok := c.Lookup(target)
	if !ok || c.VertexKind(t) != graph.NodeVertex && c.VertexKind(t) != graph.ReplicaVertex {
		return nil, UnknownNode(c, target)
	}
	rs, err := CutSetsVertices(ctx, c, []int32{t}, opts)
	if err != nil {
		return nil, err
	}
	return &rs[0], nil
}

// CutSetsVertices is CutSets for several targets given as compiled
// vertices, which may be nodes, replicas or group vertices
// (graph.GroupVertex: a redundant group, or a node's replica capacity);
// the results are in the order of targets. Targets whose ancestries
// overlap share the runs of the sets they have in common.
func CutSetsVertices(ctx context.Context, c *graph.Compiled, targets []int32, opts CutSetOptions) ([]CutSetResult, error) {
	if opts.MaxOrder == 0 {
		opts.MaxOrder = 2
	}
	if opts.MaxOrder < 1 || opts.MaxOrder > MaxCutOrder {
		return nil, fmt.Errorf("cut sets of order %d: the order must be 1 to %d", opts.MaxOrder, MaxCutOrder)
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("cut sets: negative limit %d", opts.Limit)
	}
	for _, t := range targets {
		if t < 0 || int(t) >= c.Len() {
			return nil, fmt.Errorf("cut sets: no vertex %d", t)
		}
	}
	allow, err := cutCandidates(c, opts)
	if err != nil {
		return nil, err
	}
	out := make([]CutSetResult, len(targets))
	for i, t := range targets {
		out[i] = CutSetResult{Target: c.VertexName(t), Vertex: t, MaxOrder: opts.MaxOrder, Complete: opts.MaxOrder}
	}
	// Targets are searched 64 at a time, groups on several cores.
	groups := (len(targets) + 63) / 64
	workers := max(1, min(runtime.GOMAXPROCS(0), groups))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
		prog  = progressFunc(opts.Progress)
	)
	inner := 1
	if groups == 1 {
		inner = runtime.GOMAXPROCS(0)
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				g := next
				next++
				stop := first != nil
				mu.Unlock()
				if g >= groups || stop {
					return
				}
				lo, hi := g*64, min(g*64+64, len(targets))
				s := newCutSearch(c, targets[lo:hi], allow, opts, inner, prog)
				if err := s.run(ctx, out[lo:hi]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

// progressFunc serializes calls to f (nil stays nil).
func progressFunc(f func(done, total int)) func(done, total int) {
	if f == nil {
		return nil
	}
	var mu sync.Mutex
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		f(done, total)
	}
}

// cutCandidates marks the vertices the options let fail.
func cutCandidates(c *graph.Compiled, opts CutSetOptions) ([]bool, error) {
	allow := make([]bool, c.Len())
	var kinds [256]bool
	for _, k := range opts.Kinds {
		kinds[k] = true
	}
	ok := func(v int32) bool {
		switch c.VertexKind(v) {
		case graph.NodeVertex:
		case graph.ReplicaVertex:
			if !opts.Replicas && len(opts.Candidates) == 0 {
				return false
			}
		default:
			return false
		}
		return len(opts.Kinds) == 0 || kinds[c.Kind(v)]
	}
	if len(opts.Candidates) > 0 {
		for _, id := range opts.Candidates {
			v, found := c.Lookup(id)
			if !found || (c.VertexKind(v) != graph.NodeVertex && c.VertexKind(v) != graph.ReplicaVertex) {
				return nil, UnknownNode(c, id)
			}
			if ok(v) {
				allow[v] = true
			}
		}
		return allow, nil
	}
	for v := range int32(c.Len()) {
		allow[v] = ok(v)
	}
	return allow, nil
}

// cutSearch is the level-by-level search of one group of at most 64
// targets.
type cutSearch struct {
	c       *graph.Compiled
	targets []int32
	tbit    map[int32]uint64 // target vertex → its bit
	within  []bool           // the targets' hard ancestry, closed under hard inputs
	cands   []int32          // candidates in within, in vertex order
	allow   []bool
	opts    CutSetOptions
	workers int
	prog    func(done, total int)

	// cut maps a set (its key) to the targets it is a cut set of.
	cut map[string]uint64
	// killers[killOff[x]:killOff[x+1]] are the candidates whose single
	// failure takes x Down (see indexKillers).
	killOff, killers []int32
	// active are the targets still searched (not stopped by the limit).
	active uint64
	found  []int // per target: cut sets found
	tried  int
}

func newCutSearch(c *graph.Compiled, targets []int32, allow []bool, opts CutSetOptions, workers int, prog func(done, total int)) *cutSearch {
	s := &cutSearch{c: c, targets: targets, allow: allow, opts: opts, workers: workers, prog: prog,
		tbit: make(map[int32]uint64, len(targets)), cut: map[string]uint64{}, found: make([]int, len(targets))}
	s.within = make([]bool, c.Len())
	queue := make([]int32, 0, 64)
	for i, t := range targets {
		s.tbit[t] |= 1 << uint(i)
		s.active |= 1 << uint(i)
		if !s.within[t] {
			s.within[t] = true
			queue = append(queue, t)
		}
	}
	for i := 0; i < len(queue); i++ {
		ins, _ := c.Inputs(queue[i])
		for _, u := range ins {
			if !s.within[u] {
				s.within[u] = true
				queue = append(queue, u)
			}
		}
	}
	for _, v := range queue {
		if allow[v] {
			s.cands = append(s.cands, v)
		}
	}
	slices.Sort(s.cands)
	return s
}

// trial is one set of failures to run: its members (sorted), the targets
// it may be a minimal cut set of, and what the run found.
type trial struct {
	set      []int32
	eligible uint64 // targets for which no proper subset is a cut set, and not in the set
	down     uint64 // of eligible: the targets the run takes Down
	chains   map[int32][][]string
	ext      []int32 // extensions by the weak rule, when the set is a prefix of a prefix
	members  []int32 // the live members of the gates it weakens, before the last order
	downs    []int32 // order 1 before the last order: what the failure takes Down
}

// What a run of a trial must also find besides the targets' states.
const (
	findNothing = iota
	findExt     // the extensions by the weak rule (the set is a prefix)
	findMembers // the members of weakened gates (the next order is the last)
)

func setKey(set []int32) string {
	return string(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(set))), len(set)*4))
}

func (s *cutSearch) run(ctx context.Context, out []CutSetResult) error {
	s.countCandidates(out)
	sets := make(map[int32][]CutSet, len(s.targets)) // target index → its sets
	// Order 0: the target Down with nothing failed. The empty set is then
	// its one minimal cut set.
	level := []*trial{{set: nil, eligible: s.active}}
	for k := 0; k <= s.opts.MaxOrder && len(level) > 0; k++ {
		find := findNothing
		switch {
		case k == 0 || k == s.opts.MaxOrder:
		case k == s.opts.MaxOrder-1:
			find = findMembers
		default:
			find = findExt
		}
		if err := s.runLevel(ctx, level, find, k == 1 && s.opts.MaxOrder > 1); err != nil {
			return err
		}
		if k == 1 && s.opts.MaxOrder > 1 {
			s.indexKillers(level)
		}
		// Record the cut sets of this level, in set order, up to the limit.
		var stopped uint64
		for _, tr := range level {
			for m := tr.down & s.active; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				if s.opts.Limit > 0 && s.found[i] >= s.opts.Limit {
					stopped |= 1 << uint(i)
					continue
				}
				s.found[i]++
				sets[int32(i)] = append(sets[int32(i)], s.cutSet(tr, s.targets[i]))
			}
			if tr.down != 0 {
				s.cut[setKey(tr.set)] |= tr.down
			}
		}
		// A target with more cut sets than the limit is searched no
		// further. One that has exactly the limit goes on, recording
		// nothing, so that Truncated means a cut set was left out.
		for m := stopped; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			out[i].Truncated, out[i].Complete = true, k-1
			s.active &^= 1 << uint(i)
		}
		if k == s.opts.MaxOrder {
			break
		}
		if k == 0 {
			// Order 1: every candidate (the empty set weakens nothing).
			level = level[:0]
			for _, v := range s.cands {
				if e := s.eligible([]int32{v}); e != 0 {
					level = append(level, &trial{set: []int32{v}, eligible: e})
				}
			}
			continue
		}
		level = s.nextLevel(level, k+1 == s.opts.MaxOrder)
	}
	for i := range out {
		out[i].Sets = sets[int32(i)]
		out[i].Tried = s.tried
		slices.SortFunc(out[i].Sets, func(a, b CutSet) int {
			return cmp.Or(cmp.Compare(len(a.IDs), len(b.IDs)), slices.Compare(a.IDs, b.IDs))
		})
	}
	return nil
}

// countCandidates sets each result's Candidates: the allowed hard
// ancestors of its target. One target's are the search's; several
// targets' cost a walk of each one's ancestry.
func (s *cutSearch) countCandidates(out []CutSetResult) {
	if len(s.targets) == 1 {
		n := len(s.cands)
		if s.allow[s.targets[0]] {
			n--
		}
		out[0].Candidates = n
		return
	}
	seen := make([]uint32, s.c.Len())
	for i, t := range s.targets {
		run := uint32(i + 1)
		seen[t] = run
		q := []int32{t}
		n := 0
		for j := 0; j < len(q); j++ {
			ins, _ := s.c.Inputs(q[j])
			for _, u := range ins {
				if seen[u] != run {
					seen[u] = run
					q = append(q, u)
					if s.allow[u] && u != t {
						n++
					}
				}
			}
		}
		out[i].Candidates = n
	}
}

// cutSet builds the CutSet of trial tr for target t.
func (s *cutSearch) cutSet(tr *trial, t int32) CutSet {
	cs := CutSet{IDs: make([]string, len(tr.set)), Vertices: make([]int32, len(tr.set))}
	idx := make([]int, len(tr.set))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(s.c.VertexName(tr.set[a]), s.c.VertexName(tr.set[b])) })
	ch := tr.chains[t]
	for j, i := range idx {
		cs.IDs[j], cs.Vertices[j] = s.c.VertexName(tr.set[i]), tr.set[i]
		if ch != nil {
			cs.Chains = append(cs.Chains, ch[i])
		}
	}
	return cs
}

// nextLevel makes the sets of the next order: each prefix of this level
// (a set that is a cut set of none of the targets it was eligible for)
// with each of its extensions, each set once, eligible for the targets
// none of whose subsets is a cut set of them.
func (s *cutSearch) nextLevel(level []*trial, last bool) []*trial {
	seen := map[string]*trial{}
	var next []*trial
	var stamp []bool
	if last {
		stamp = make([]bool, s.c.Len())
	}
	for _, tr := range level {
		live := tr.eligible &^ tr.down & s.active
		if live == 0 {
			continue
		}
		ext := tr.ext
		if last {
			ext = s.strongExtensions(tr, stamp)
		}
		for _, b := range ext {
			set := make([]int32, len(tr.set)+1)
			copy(set, tr.set)
			set[len(tr.set)] = b
			slices.Sort(set)
			key := setKey(set)
			if _, ok := seen[key]; ok {
				continue
			}
			nt := &trial{set: set, eligible: s.eligible(set)}
			seen[key] = nt
			if nt.eligible != 0 {
				next = append(next, nt)
			}
		}
	}
	slices.SortFunc(next, func(a, b *trial) int { return slices.Compare(a.set, b.set) })
	return next
}

// indexKillers makes, from the runs of order 1, the index of which single
// failures take each vertex Down (the failure itself included).
func (s *cutSearch) indexKillers(level []*trial) {
	n := s.c.Len()
	s.killOff = make([]int32, n+1)
	for _, tr := range level {
		for _, x := range tr.downs {
			s.killOff[x+1]++
		}
	}
	for v := range n {
		s.killOff[v+1] += s.killOff[v]
	}
	s.killers = make([]int32, s.killOff[n])
	next := slices.Clone(s.killOff[:n])
	for _, tr := range level {
		for _, x := range tr.downs {
			s.killers[next[x]] = tr.set[0]
			next[x]++
		}
		tr.downs = nil
	}
}

// strongExtensions are the extensions of tr for the last order: the
// single failures that take Down a live member of a gate tr weakens. By
// the lemma with B = {b}, every b of a minimal cut set S of the last order
// is one for S∖{b}, so this finds every cut set of that order from any of
// its prefixes, and far fewer sets than the weak rule (the ancestors of
// those members) makes.
func (s *cutSearch) strongExtensions(tr *trial, stamp []bool) []int32 {
	var ext []int32
	for _, x := range tr.members {
		for _, b := range s.killers[s.killOff[x]:s.killOff[x+1]] {
			if !stamp[b] && !slices.Contains(tr.set, b) {
				stamp[b] = true
				ext = append(ext, b)
			}
		}
	}
	for _, b := range ext {
		stamp[b] = false
	}
	slices.Sort(ext)
	tr.members = nil
	return ext
}

// eligible is the targets for which set may be a minimal cut set: active,
// not in the set, and with no proper subset a cut set of them (2^k-2
// subsets, k at most MaxCutOrder).
func (s *cutSearch) eligible(set []int32) uint64 {
	e := s.active
	for _, v := range set {
		e &^= s.tbit[v]
	}
	k := len(set)
	sub := make([]int32, 0, k)
	for m := 0; m < 1<<k-1 && e != 0; m++ {
		sub = sub[:0]
		for i := range k {
			if m&(1<<i) != 0 {
				sub = append(sub, set[i])
			}
		}
		e &^= s.cut[setKey(sub)]
	}
	return e
}

// runLevel runs every trial of a level on the workers: which targets it
// takes Down, their chains, and what find asks for; with downs, what it
// takes Down.
func (s *cutSearch) runLevel(ctx context.Context, level []*trial, find int, downs bool) error {
	var (
		mu    sync.Mutex
		done  int
		next  int
		wg    sync.WaitGroup
		errc  error
		total = len(level)
	)
	const chunk = 16
	for range max(1, min(s.workers, (total+chunk-1)/chunk)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newCutWorker(s)
			defer w.release()
			for {
				mu.Lock()
				lo := next
				next += chunk
				if errc == nil {
					errc = ctx.Err()
				}
				stop := errc != nil
				mu.Unlock()
				if lo >= total || stop {
					return
				}
				for _, tr := range level[lo:min(lo+chunk, total)] {
					w.try(tr, find, downs)
				}
				mu.Lock()
				done += min(chunk, total-lo)
				s.tried += min(chunk, total-lo)
				if s.prog != nil {
					s.prog(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if errc == nil {
		errc = ctx.Err()
	}
	return errc
}

// cutWorker holds one goroutine's engine scratch and marks.
type cutWorker struct {
	s  *cutSearch
	sc *scratch
	*cutMarks
}

// cutMarks are a worker's per-vertex arrays, kept per graph between
// searches (two arrays as long as the graph per worker and order were
// most of what a search allocated). The stamps need no clearing: a
// marking is a new run number.
type cutMarks struct {
	stamp []uint32 // per vertex: the run that last marked it
	run   uint32
	queue []int32
	prev  []int32 // chains: the vertex a BFS reached each one from
}

var cutMarkPool graphPool[cutMarks]

func newCutWorker(s *cutSearch) *cutWorker {
	w := &cutWorker{s: s, sc: getScratch(s.c)}
	w.sc.within = s.within
	w.cutMarks = cutMarkPool.get(s.c, func() *cutMarks {
		return &cutMarks{stamp: make([]uint32, s.c.Len()), prev: make([]int32, s.c.Len())}
	})
	return w
}

func (w *cutWorker) release() {
	w.sc.within = nil
	putScratch(w.s.c, w.sc)
	w.queue = w.queue[:0]
	cutMarkPool.put(w.s.c, w.cutMarks)
}

// mark starts a new marking: every vertex unmarked.
func (w *cutMarks) mark() {
	w.run++
	if w.run == 0 { // wrapped: clear the stamps once
		clear(w.stamp)
		w.run = 1
	}
}

// try runs tr's set through the engine within the targets' ancestry.
func (w *cutWorker) try(tr *trial, find int, downs bool) {
	s, sc := w.s, w.sc
	w.runSet(tr.set)
	for m := tr.eligible; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		t := s.targets[i]
		if sc.stateOf(t) == Down {
			tr.down |= 1 << uint(i)
			if tr.chains == nil {
				tr.chains = map[int32][][]string{}
			}
			tr.chains[t] = w.chains(t, tr.set)
		}
	}
	if downs {
		for _, v := range sc.touched {
			if sc.stateOf(v) == Down {
				tr.downs = append(tr.downs, v)
			}
		}
	}
	if tr.eligible&^tr.down == 0 {
		return // a prefix for none of the targets
	}
	switch find {
	case findExt:
		tr.ext = w.extensions(tr.set)
	case findMembers:
		tr.members = w.weakened()
	}
}

// runSet runs the removal of set within the search's ancestry, on a clean
// scratch.
func (w *cutWorker) runSet(set []int32) {
	c, sc := w.s.c, w.sc
	for _, v := range sc.touched {
		sc.flags[v] &^= dynamic
	}
	sc.touched, sc.queue = sc.touched[:0], sc.queue[:0]
	for _, v := range set {
		sc.remove(c, v)
	}
	sc.run(c)
}

// chains returns, for each member of set, the shortest chain of Down
// vertices from t down to it over hard inputs.
func (w *cutWorker) chains(t int32, set []int32) [][]string {
	c, sc := w.s.c, w.sc
	w.mark()
	w.stamp[t] = w.run
	w.prev[t] = -1
	q := append(w.queue[:0], t)
	for i := 0; i < len(q); i++ {
		v := q[i]
		if sc.removed(v) && v != t {
			continue // a removed member: its own inputs did not take it Down
		}
		ins, ws := c.Inputs(v)
		for j, u := range ins {
			if w.stamp[u] == w.run || sc.stateOf(u) != Down || (c.Op(v) == graph.Threshold && ws[j] == 0) {
				continue
			}
			w.stamp[u] = w.run
			w.prev[u] = v
			q = append(q, u)
		}
	}
	w.queue = q
	out := make([][]string, len(set))
	for i, x := range set {
		var rev []string
		if w.stamp[x] == w.run {
			for v := x; v >= 0; v = w.prev[v] {
				if k := c.VertexKind(v); k != graph.GroupVertex && k != graph.SoftGroupVertex || v == t {
					rev = append(rev, c.VertexName(v))
				}
			}
		}
		slices.Reverse(rev)
		out[i] = rev
	}
	return out
}

// extensions returns the candidates that are hard ancestors of (or are)
// a live input of positive weight of a Threshold gate the run weakened:
// not Down, with a Down input of positive weight (see the lemma above).
// Candidates the run took Down are left out: adding one changes nothing.
func (w *cutWorker) extensions(set []int32) []int32 {
	s, c, sc := w.s, w.s.c, w.sc
	q := w.weakenedInto(w.queue[:0])
	// Up the hard inputs from those members, in the same marking.
	for i := 0; i < len(q); i++ {
		ins, _ := c.Inputs(q[i])
		for _, u := range ins {
			if w.stamp[u] != w.run {
				w.stamp[u] = w.run
				q = append(q, u)
			}
		}
	}
	var ext []int32
	for _, v := range q {
		if s.allow[v] && sc.stateOf(v) != Down {
			ext = append(ext, v)
		}
	}
	w.queue = q
	slices.Sort(ext)
	return ext
}

// weakened returns the live members of positive weight of the Threshold
// gates the run weakened (see extensions).
func (w *cutWorker) weakened() []int32 {
	return slices.Clone(w.weakenedInto(w.queue[:0]))
}

// weakenedInto appends the weakened gates' live members to q, each once,
// marked in a new marking.
func (w *cutWorker) weakenedInto(q []int32) []int32 {
	s, c, sc := w.s, w.s.c, w.sc
	w.mark()
	for _, u := range sc.touched {
		if sc.stateOf(u) != Down {
			continue
		}
		deps, dws := c.Dependents(u)
		for j, g := range deps {
			if dws[j] == 0 || !s.within[g] || c.Op(g) != graph.Threshold || sc.stateOf(g) == Down {
				continue
			}
			if w.stamp[g] == w.run {
				continue
			}
			w.stamp[g] = w.run // each weakened gate once
			ins, ws := c.Inputs(g)
			for k, x := range ins {
				if ws[k] == 0 || sc.stateOf(x) == Down || w.stamp[x] == w.run {
					continue
				}
				w.stamp[x] = w.run
				q = append(q, x)
			}
		}
	}
	return q
}
