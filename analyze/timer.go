package analyze

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// The earliest-time fixpoint.
//
// Conditions only improve with time (repairs, standbys coming up), so the
// least fixpoint of every time t only improves too, and each vertex v has
// two times: D(v), until which it is Down, and U(v) ≥ D(v), until which it
// is not Up. The two are separate problems: whether v is Down at t depends
// only on which hard inputs are Down at t, and whether it is Up only on
// which hard and soft inputs are Up. Each is a system of equations over
// times, one per vertex, with the removal (D(v) ≥ For of a removed v) and
// one gate each:
//
//	And:       D(v) = max of D(u) over the hard inputs u
//	           (for U: over the hard and soft inputs)
//	Threshold: D(v) = min{t : Σ w_e(t) over hard inputs u with D(u) ≤ t ≥ Floor}
//	           (for U: U(u), Need, and at least every soft input's U)
//
// where w_e(t) is the edge's weight at t: a standby replica's is 0 before
// its recovery time and its capacity after, the others' are constant. The
// times are the least solution of the system (the greatest would keep a
// cycle down forever for want of its own members). They are the times of
// the per-moment fixpoints: the times D*(v) = inf{t : v not Down at t} of
// the least fixpoints at each t satisfy the equations, gate by gate; and
// for any solution D', the sets {v : D'(v) > t} are closed under the gate
// rules at t, so they hold the least fixpoint's Down set, and D* ≤ D'.
//
// The solution is Knuth's generalization of Dijkstra's algorithm (D. E.
// Knuth, "A generalization of Dijkstra's algorithm", Information Processing
// Letters 6(1):1–5, 1977) turned around: Knuth finalizes values in
// increasing order, which reaches the greatest solution when a cycle has no
// outside support; the least one is reached by finalizing in DECREASING
// time order, from the latest repair down, with a max-heap. When a vertex u
// is finalized at τ, every vertex with a later time is final already, so
// for t < τ exactly the inputs still open may be Up: a vertex's key is
//
//	And:       the largest time of a finalized input;
//	Threshold: min(τ, the first t at which the weight of the open inputs,
//	           standbys counted from their recovery times, reaches the floor)
//
// which only grows as inputs are finalized and never exceeds the time being
// processed, so keys pop in decreasing order. Proof sketch that a key k
// popped as the heap's maximum is the vertex's time: the key is a lower
// bound (it assumes every open input Up). If the time were larger, the
// vertex would be Down at some t ≥ k; in the least fixpoint at t, every Down
// vertex has a finite derivation from removed vertices with For > t, and
// the first vertex of that derivation that is not final would have had a
// key > t ≥ k pushed when its Down inputs were finalized: it would have been
// popped before k. Each edge is relaxed once: O(E log V).
//
// Restarts make a vertex later than its inputs (D(v) = gate + Restart),
// which the decreasing-order pass cannot take inside a cycle (the system
// has no finite solution there). So the region is split into strongly
// connected components, inputs first (from the graph's components, found
// once per graph by Tarjan 1972, the package's sccs: recover_order.go),
// and each is solved in turn: D over the components of HARD edges
// only, U over the components of hard and soft edges (a soft edge never
// holds a node Down, so it puts no node in a cycle for D). A component of
// one vertex (most of them) has all its inputs final when it is emitted:
// its gate is applied to their times directly, then its restart added. A
// larger one is solved with the decreasing-order pass above, with the
// times of its outside inputs as events and no restarts inside, and then
// all its members are shifted by the longest restart among them: a cycle
// comes back as a whole. U's pass also starts each member at its D before
// the shift (D°: a node is not Up before it could serve); U's shift is at
// least D's (its component holds D's), so D ≤ U. Without restarts on
// cycles this is the least solution of the whole system, in O(E log V)
// over the region: ordering the region is a radix sort and Tarjan's
// algorithm inside the graph's cycles it meets, each edge enters a
// heap or a sort at most twice (once for D, once for U), and a Threshold
// gate's standby inputs are walked once per pass in recovery-time order.

// timer solves both problems of one Recover call. Its slices are kept in a
// recScratch between calls.
type timer struct {
	c   *graph.Compiled
	loc []int32 // per vertex of the graph: 1 + local index in the region, 0 outside
	// atD and atU are tmD and tmU per vertex of the graph, 0 outside the
	// region (Up throughout): a gate reads its inputs' times with one
	// load each, not two dependent ones through loc.
	atD, atU []time.Duration
	repair   map[int32]time.Duration
	// takeover overrides the recovery time of the standbys whose takeover
	// waits for what it requires (see recoverdeps); nil when none does.
	takeover map[int32]time.Duration
	p        *progress
	// dOnly skips U: the runs that only learn when the requirements of
	// takeovers and repairs are back need D alone (see solveWaits).
	dOnly bool

	region   []int32         // local index → vertex
	down     []bool          // per local index: Down at t=0+, so in D's region
	repairAt []time.Duration // per local index: the repair time of a removed vertex, else 0
	steps    []step          // a single vertex's Threshold gate
	tmD, tmU []time.Duration
	// rawD is D before the restart shift: when v's gate and repair let
	// it be not Down, its own hard component's restarts aside. U is never
	// below it (a node is not Up before it could serve), and U's own
	// shift is at least D's, so D ≤ U.
	rawD    []time.Duration
	comp    []int32 // per local index: its component in the current run, -1 before
	sccs    sccs
	members []int32 // of the component being solved

	// The region's components from the graph's (recover_order.go), or
	// alt's (tests only: see regionOrder).
	alt          *regionOrder
	keys, keyTmp []uint64 // graph component << 32 | local index
	count        []int32  // sortKeys' counts, one per digit value
	one          [1]int32
	inGroup      []int32 // per local index: its place in group, -1 outside
	group        []int32 // the region's part of one cycle of the graph
	groupMembers []int32
	sorted       []int32      // the region by vertex (byVertex)
	outPos       []int32      // per local index: its place in the timeline, -1 for none
	hours        [][2]float64 // per local index: user-hours Down and Degraded (onlyRows)
	kept         []bool       // per local index: a row onlyRows keeps
	bits         []uint64     // per vertex of the graph, all zero between calls

	// One decreasing-order pass over a component, for D or for U.
	soft        bool            // solving U: soft edges count
	tm          []time.Duration // tmD or tmU
	key, andKey []time.Duration
	final       []bool
	acc         []int64 // Threshold: open weight, standbys before ptr included
	ptr         []int32 // Threshold: the next standby to count, in sb
	sbLo, sbHi  []int32 // Threshold: its standby inputs, sb[sbLo:sbHi], by recovery time
	sb          []standbyEdge
	heap        recHeap
}

// standbyEdge is a standby replica input u of a Threshold vertex, which
// adds inc to the open weight from time at on.
type standbyEdge struct {
	at   time.Duration
	inc  int64
	u    int32
	open bool
}

// recovery is the time from which the standby replica u serves: its
// recovery time, or later when its takeover waited for what it requires.
func (tr *timer) recovery(u int32) time.Duration {
	if tr.takeover != nil {
		if t, ok := tr.takeover[u]; ok {
			return t
		}
	}
	return tr.c.Recovery(u)
}

// rank is v's local index in the region, or -1.
func (tr *timer) rank(v int32) int32 { return tr.loc[v] - 1 }

// solve returns D and U of every vertex of region, in its order; down
// tells the vertices Down at t=0+ (D is 0 for the others).
func (tr *timer) solve(region []int32, down func(v int32) bool) (d, u []time.Duration, err error) {
	tr.clearLoc()
	tr.region = region
	n := len(region)
	tr.down = fill(tr.down, n, false)
	tr.repairAt = fill(tr.repairAt, n, 0)
	for i, v := range region {
		tr.loc[v] = int32(i) + 1
		tr.down[i] = down(v)
	}
	for v, t := range tr.repair {
		if k := tr.rank(v); k >= 0 {
			tr.repairAt[k] = t
		}
	}
	tr.tmD = fill(tr.tmD, n, 0)
	tr.tmU = fill(tr.tmU, n, 0)
	tr.rawD = fill(tr.rawD, n, 0)
	tr.comp = fill(tr.comp, n, -1)
	tr.inGroup = fill(tr.inGroup, n, -1)
	// The pass over a component sets these for its members before use.
	tr.key = slices.Grow(tr.key[:0], n)[:n]
	tr.andKey = slices.Grow(tr.andKey[:0], n)[:n]
	tr.final = slices.Grow(tr.final[:0], n)[:n]
	tr.acc = slices.Grow(tr.acc[:0], n)[:n]
	tr.ptr = slices.Grow(tr.ptr[:0], n)[:n]
	tr.sbLo = slices.Grow(tr.sbLo[:0], n)[:n]
	tr.sbHi = slices.Grow(tr.sbHi[:0], n)[:n]
	if err := tr.tarjan(); err != nil {
		return nil, nil, err
	}
	return tr.tmD, tr.tmU, nil
}

// clearLoc forgets the region, leaving loc all zero.
func (tr *timer) clearLoc() {
	for _, v := range tr.region {
		tr.loc[v], tr.atD[v], tr.atU[v] = 0, 0, 0
	}
	tr.region = nil
}

func fill[T any](s []T, n int, x T) []T {
	s = slices.Grow(s[:0], n)[:n]
	for i := range s {
		s[i] = x
	}
	return s
}

// tarjan solves the region component by component, in two runs: D over
// the components of hard edges, then U over the components of hard and
// soft edges. A soft edge never holds a node Down, so it must not put the
// node in a cycle for D; for U it does (a node Degraded by what it uses
// waits for it to be Up). The components come inputs first, so a
// component's inputs are final when it is solved: from the graph's
// components (regionComponents).
func (tr *timer) tarjan() error {
	for _, soft := range []bool{false, true} {
		if soft && tr.dOnly {
			break
		}
		tr.soft = soft
		id := int32(0)
		for i := range tr.comp {
			tr.comp[i] = -1
		}
		emit := func(members []int32) error {
			tr.members = append(tr.members[:0], members...)
			for _, m := range members {
				tr.comp[m] = id
			}
			tr.component(id, soft)
			id++
			if soft {
				return tr.p.add(len(members))
			}
			return nil
		}
		var err error
		if tr.alt != nil {
			err = tr.alt.components(tr, soft, emit)
		} else {
			err = tr.regionComponents(soft, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// component solves the members of component id (tr.members) for D (soft
// false: a component of hard edges, only its members Down at t=0+) or U:
// a decreasing-order pass with no restarts inside, then shifted by the
// longest restart among the members.
func (tr *timer) component(id int32, soft bool) {
	if len(tr.members) == 1 {
		tr.single(tr.members[0], soft)
		return
	}
	var restart time.Duration
	for _, m := range tr.members {
		restart = max(restart, tr.c.Restart(tr.region[m]))
	}
	tr.pass(id, soft, restart)
}

// single solves a component of one vertex, whose inputs are all final:
// its gate applied to their times, then its restart.
func (tr *timer) single(m int32, soft bool) {
	c := tr.c
	v := tr.region[m]
	if !soft && !tr.down[m] {
		return
	}
	ins, _ := c.Inputs(v)
	t := tr.repairAt[m]
	at := tr.atD
	if soft {
		at = tr.atU
		t = max(t, tr.rawD[m])
	}
	if c.Op(v) == graph.Threshold {
		t = max(t, tr.gate(v, at, soft))
	} else {
		for _, in := range ins {
			t = max(t, at[in])
		}
	}
	if soft {
		for _, in := range c.SoftInputs(v) {
			t = max(t, at[in])
		}
	}
	if !soft {
		tr.rawD[m] = t
	}
	if r := c.Restart(v); r > 0 && t > 0 {
		t = addSat(t, r)
	}
	tr.setTime(m, soft, t)
}

// setTime sets local index m's D (soft false) or U to t.
func (tr *timer) setTime(m int32, soft bool, t time.Duration) {
	if soft {
		tr.tmU[m], tr.atU[tr.region[m]] = t, t
	} else {
		tr.tmD[m], tr.atD[tr.region[m]] = t, t
	}
}

// step is a change of a Threshold gate's weight at a time.
type step struct {
	at time.Duration
	w  int64
}

// gate is the first time at which the weight of the Threshold vertex v's
// inputs that are back (at: atD or atU), standbys from their recovery
// times, reaches its floor (or its need, for U), or Never.
func (tr *timer) gate(v int32, at []time.Duration, soft bool) time.Duration {
	c := tr.c
	need := weightNeeded(c.Gate(v), soft)
	ins, ws := c.Inputs(v)
	caps := c.InputCapacity(v)
	tr.steps = tr.steps[:0]
	var now int64 // the weight at time 0
	for j, u := range ins {
		back := at[u]
		if back == Never {
			continue
		}
		if back == 0 {
			now += ws[j]
		} else {
			tr.steps = append(tr.steps, step{back, ws[j]})
		}
		if caps[j] > ws[j] {
			tr.steps = append(tr.steps, step{max(back, tr.recovery(u)), caps[j] - ws[j]})
		}
	}
	if now >= need {
		return 0
	}
	slices.SortFunc(tr.steps, func(a, b step) int { return cmp.Compare(a.at, b.at) })
	for _, st := range tr.steps {
		if now += st.w; now >= need {
			return st.at
		}
	}
	return Never
}

// member reports whether local index j takes part in the pass over
// component id.
func (tr *timer) member(j, id int32) bool {
	return j >= 0 && tr.comp[j] == id && (tr.soft || tr.down[j]) && !tr.final[j]
}

// pass is the decreasing-order pass over component id, for D (soft
// false) or U.
func (tr *timer) pass(id int32, soft bool, restart time.Duration) {
	c := tr.c
	tr.soft = soft
	tr.tm = tr.tmD
	if soft {
		tr.tm = tr.tmU
	}
	tr.heap = tr.heap[:0]
	tr.sb = tr.sb[:0]
	for _, m := range tr.members {
		tr.key[m], tr.andKey[m], tr.final[m], tr.acc[m] = 0, 0, false, 0
		if !tr.member(m, id) {
			continue
		}
		v := tr.region[m]
		t := tr.repairAt[m]
		if soft {
			t = max(t, tr.rawD[m]) // not Up before it could serve
		}
		if t > 0 {
			tr.andKey[m], tr.key[m] = t, t
			tr.heap.push(recItem{t: t, i: m, u: -1})
		}
		ins, ws := c.Inputs(v)
		thr := c.Op(v) == graph.Threshold
		if thr {
			// Every input counts until it is finalized, a standby from
			// its recovery time on.
			caps := c.InputCapacity(v)
			tr.sbLo[m] = int32(len(tr.sb))
			for j, u := range ins {
				tr.acc[m] += ws[j]
				if caps[j] > ws[j] {
					tr.sb = append(tr.sb, standbyEdge{at: tr.recovery(u), inc: caps[j] - ws[j], u: u, open: true})
				}
			}
			tr.sbHi[m] = int32(len(tr.sb))
			slices.SortFunc(tr.sb[tr.sbLo[m]:], func(a, b standbyEdge) int { return cmp.Compare(a.at, b.at) })
			tr.ptr[m] = tr.sbLo[m]
		}
		// The inputs of earlier components are events at their times.
		for j, u := range ins {
			if k := tr.rank(u); k >= 0 && tr.comp[k] != id && tr.tm[k] > 0 {
				it := recItem{t: tr.tm[k], i: m, u: u, and: !thr}
				if thr {
					it.w = ws[j]
				}
				tr.heap.push(it)
			}
		}
		if soft {
			for _, u := range c.SoftInputs(v) {
				if k := tr.rank(u); k >= 0 && tr.comp[k] != id && tr.tm[k] > 0 {
					tr.heap.push(recItem{t: tr.tm[k], i: m, u: u, and: true})
				}
			}
		}
	}
	for len(tr.heap) > 0 {
		it := tr.heap.pop()
		m := it.i
		if tr.final[m] {
			continue
		}
		if it.u >= 0 {
			tr.relax(m, it)
			continue
		}
		if it.t != tr.key[m] {
			continue // a stale key
		}
		// The heap's maximum: m's time is it.t. Its dependents in the
		// component learn that it is Down (not Up) until then.
		tr.final[m] = true
		v := tr.region[m]
		deps, ws := c.Dependents(v)
		for k, y := range deps {
			if j := tr.rank(y); tr.member(j, id) {
				tr.relax(j, recItem{t: it.t, i: j, u: v, w: ws[k], and: c.Op(y) != graph.Threshold})
			}
		}
		if soft {
			for _, y := range c.SoftDependents(v) {
				if j := tr.rank(y); tr.member(j, id) {
					tr.relax(j, recItem{t: it.t, i: j, u: v, and: true})
				}
			}
		}
	}
	for _, m := range tr.members {
		if t := tr.key[m]; t > 0 && (soft || tr.down[m]) {
			if !soft {
				tr.rawD[m] = t
			}
			tr.setTime(m, soft, addSat(t, restart))
		}
	}
}

// relax tells member m that its input it.u is Down (or not Up) until it.t
// and Up from then, it.t being no later than anything finalized before,
// and pushes m's new key if it grew.
func (tr *timer) relax(m int32, it recItem) {
	k := tr.andKey[m]
	if it.and {
		k = max(k, it.t)
		tr.andKey[m] = k
	} else {
		k = max(k, tr.threshold(m, it))
	}
	if k > tr.key[m] {
		tr.key[m] = k
		tr.heap.push(recItem{t: k, i: m, u: -1})
	}
}

// threshold takes the finalized input it.u out of Threshold member m's open
// weight and returns m's key from the gate: it.t when the open inputs do
// not reach the need before it.t, else the first time they do (a standby's
// recovery time, or 0).
func (tr *timer) threshold(m int32, it recItem) time.Duration {
	tr.acc[m] -= it.w
	if tr.c.Recovery(it.u) > 0 {
		for k := tr.sbLo[m]; k < tr.sbHi[m]; k++ {
			if e := &tr.sb[k]; e.u == it.u && e.open {
				e.open = false
				if k < tr.ptr[m] {
					tr.acc[m] -= e.inc
				}
				break
			}
		}
	}
	// The open weight only falls, so the first time it reaches the need
	// only moves later: advance through the standbys by recovery time.
	need := weightNeeded(tr.c.Gate(tr.region[m]), tr.soft)
	for tr.acc[m] < need && tr.ptr[m] < tr.sbHi[m] {
		if e := tr.sb[tr.ptr[m]]; e.open {
			tr.acc[m] += e.inc
		}
		tr.ptr[m]++
	}
	if tr.acc[m] < need {
		return it.t
	}
	if tr.ptr[m] == tr.sbLo[m] {
		return 0
	}
	return min(it.t, tr.sb[tr.ptr[m]-1].at)
}

// addSat adds two non-negative durations, saturating at Never.
func addSat(a, b time.Duration) time.Duration {
	if a > Never-b {
		return Never
	}
	return a + b
}

// recItem is an entry of the max-heap of one component's pass: member i's
// own key (u < 0), or the news that its input u is final at t (with the
// edge's weight w at the moment of failure; and: the input counts as an
// And input: the member is an And gate or the edge is soft).
type recItem struct {
	t   time.Duration
	w   int64
	i   int32
	u   int32
	and bool
}

// recHeap is a binary max-heap on t.
type recHeap []recItem

func (h *recHeap) push(it recItem) {
	*h = append(*h, it)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p].t >= a[i].t {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *recHeap) pop() recItem {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		if r := l + 1; r < len(a) && a[r].t > a[l].t {
			l = r
		}
		if a[i].t >= a[l].t {
			break
		}
		a[i], a[l] = a[l], a[i]
		i = l
	}
	*h = a
	return top
}

// progress reports to RecoverOptions.Progress and checks the context every
// so many vertices.
type progress struct {
	ctx         context.Context
	f           func(done, total int)
	done, total int
	next        int
}

const progressEvery = 1 << 14

func (p *progress) add(n int) error {
	p.done += n
	if p.done < p.next {
		return nil
	}
	p.next = p.done + progressEvery
	p.report()
	return p.ctx.Err()
}

func (p *progress) report() {
	if p.f != nil {
		p.f(p.done, p.total)
	}
}

// recScratch keeps a timer's arrays between calls on one compiled graph,
// like the engine's scratch: loc, atD and atU are sized for the graph
// (20 bytes per vertex) and all zero between runs, the rest (D and U of
// the region too, which no Timeline keeps) is sized for the regions seen
// so far.
type recScratch struct {
	tr     timer
	region []int32 // Recover's region, kept for the next call
}

var recScratches graphPool[recScratch]

func getRecScratch(c *graph.Compiled) *recScratch {
	return recScratches.get(c, func() *recScratch {
		n := c.Len()
		return &recScratch{tr: timer{loc: make([]int32, n), atD: make([]time.Duration, n), atU: make([]time.Duration, n)}}
	})
}

func putRecScratch(c *graph.Compiled, s *recScratch) {
	s.tr.clearLoc()
	s.tr.c, s.tr.repair, s.tr.takeover, s.tr.p, s.tr.tm = nil, nil, nil, nil, nil
	s.tr.dOnly, s.tr.alt = false, nil
	recScratches.put(c, s)
}
