package analyze

import (
	"cmp"
	"context"
	"math/bits"
	"slices"

	"github.com/blastradius-go/blastradius/graph"
)

// The redundancy rate's two rules, on states: which Up nodes lost
// redundancy (lostLanes) and which Up vertices are left with no margin
// (exposedFrom). The rate reads them from the states of the batch engine
// (LoseEach: 64 site losses in one pass) rather than from an Outcome per
// site; an Outcome, which records "redundancy lost" as the engine runs
// (flagLost), gives exposedFrom its recorded nodes, and a property test
// holds those equal to lostLanes of its states.

// lostLanes is the rule of redundancy lost (Constructs) on the states of
// up to 64 scenarios at once: bad[v] holds the lanes in which vertex v is
// Down or Degraded, and lostLanes returns, per model node, the lanes in
// which it is Up and one of its redundant constructs (a Threshold vertex
// it owns) has an input that is not Up. That is what Simulate records as
// Effect.LostRedundancy: the engine marks a Threshold gate when an input
// of it stops being Up, and an Outcome records the gate's owner when the
// owner is Up (outcome.go). The work is the edges out of the vertices
// that are not Up in some lane, plus a look at every vertex.
func lostLanes(c *graph.Compiled, bad []uint64) []uint64 {
	lost := make([]uint64, c.NodeCount())
	for u, m := range bad {
		if m == 0 {
			continue
		}
		deps, _ := c.Dependents(int32(u))
		for _, g := range deps {
			if c.Op(g) == graph.Threshold {
				lost[c.Owner(g)] |= m
			}
		}
	}
	for v := range lost {
		lost[v] &^= bad[v] // only an Up node lost redundancy
	}
	return lost
}

// laneLists splits per-node lane masks into the nodes of each lane: out[i]
// lists, in vertex order, the nodes whose mask has bit i, for the lanes
// below n.
func laneLists(masks []uint64, n int) [][]int32 {
	out := make([][]int32, n)
	for v, m := range masks {
		for m != 0 {
			i := bits.TrailingZeros64(m)
			m &= m - 1
			if i < n {
				out[i] = append(out[i], int32(v))
			}
		}
	}
	return out
}

// exposedFrom marks in out (false for every vertex on entry) the vertices
// that are Up (redundancy lost or not) but would not survive one more loss
// among the redundancy they have left: a threshold that could lose its
// largest member with nothing failed but cannot now; and, through hard
// edges, what requires such a vertex (a threshold only when that member
// is one it cannot spare). up(v) is the state of vertex v (groups
// included) is Up; lost are the nodes that are Up having lost redundancy,
// whose constructs are where a margin can be gone. It returns the vertices
// it marked, so that a caller reusing out clears only those.
//
// The rate calls it for a loss held as an Outcome (its recorded nodes)
// and for one of the batch engine's states (lostLanes'): one rule, two
// readers of states.
func exposedFrom(c *graph.Compiled, up func(v int32) bool, lost []int32, out []bool) []int32 {
	// spare reports whether threshold v stays at demand without member u
	// (u < 0: without its largest Up member).
	spare := func(v, u int32) bool {
		ins, ws := c.Inputs(v)
		var live, largest, without int64
		for i, x := range ins {
			if up(x) {
				live += ws[i]
				largest = max(largest, ws[i])
				if x == u {
					without = ws[i]
				}
			}
		}
		if u < 0 {
			without = largest
		}
		return threshold(c.Gate(v), live-without, live-without) == Up
	}
	var queue []int32
	for _, n := range lost {
		// One of the node's redundant constructs lost members (the one
		// rule, Constructs) and with them the spare it had.
		for _, v := range Constructs(c, n) {
			if c.Op(v) == graph.Threshold && up(v) && hadSpare(c, v) && !spare(v, -1) && !out[v] {
				out[v] = true
				queue = append(queue, v)
			}
		}
	}
	for i := 0; i < len(queue); i++ {
		u := queue[i]
		deps, _ := c.Dependents(u)
		for _, w := range deps {
			if out[w] || !up(w) {
				continue
			}
			if c.Op(w) == graph.Threshold && spare(w, u) {
				continue
			}
			out[w] = true
			queue = append(queue, w)
		}
	}
	return queue
}

// hadSpare reports whether threshold v, with nothing failed, survives the
// loss of its largest member.
func hadSpare(c *graph.Compiled, v int32) bool {
	_, ws := c.Inputs(v)
	var largest int64
	for _, w := range ws {
		largest = max(largest, w)
	}
	return threshold(c.Gate(v), c.Base(v)-largest, c.Base(v)-largest) == Up
}

// siteState is where the rate reads the states after the loss of node v
// alone: an Outcome of it (o), or loss i of a Losses (ls).
type siteState struct {
	v  int32
	o  *Outcome
	ls *Losses
	i  int
}

// siteStates returns the states after the loss of each node of kind by,
// in vertex order: the outcome lost(v) gives, when lost is not nil and
// gives one; else loss i of held, when held is not nil and holds v's loss
// (the first one if it holds several); else the losses of the others,
// found by one LoseEach.
func siteStates(ctx context.Context, c *graph.Compiled, by graph.Kind, lost func(v int32) *Outcome, held *Losses) ([]siteState, error) {
	var at map[int32]int // held: node → its first loss
	if held != nil {
		at = make(map[int32]int, held.Len())
		for i := held.Len() - 1; i >= 0; i-- {
			at[held.Lost(i)] = i
		}
	}
	var srcs []siteState
	var rest []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) != by {
			continue
		}
		s := siteState{v: v, i: -1}
		if lost != nil {
			s.o = lost(v)
		}
		if i, ok := at[v]; ok && s.o == nil {
			s.ls, s.i = held, i
		}
		if s.o == nil && s.ls == nil {
			s.i = len(rest)
			rest = append(rest, v)
		}
		srcs = append(srcs, s)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		ls, err := LoseEach(ctx, c, rest)
		if err != nil {
			return nil, err
		}
		for i := range srcs {
			if srcs[i].o == nil && srcs[i].ls == nil {
				srcs[i].ls = ls
			}
		}
	}
	return srcs, nil
}

// siteLoss is a SiteLoss as the rate builds it, its lists as vertices.
type siteLoss struct {
	SiteLoss
	lists SiteVertices
}

// readLosses reads what each loss of srcs does to the services (most
// users first): each loss's lists and counts, and per node whether it
// survives every loss and whether some loss leaves it exposed. A loss from
// an Outcome is read service by service; the losses of a batch of the
// batch engine (64 lanes) are read together, each service's lanes from
// one word per state, where reading every service's state once per loss
// was half the rate's time (a cache miss each: the services are in users
// order, the states in vertex order).
func readLosses(ctx context.Context, c *graph.Compiled, services []int32, srcs []siteState) (losses []siteLoss, survivesAll, exposedAny []bool, err error) {
	losses = make([]siteLoss, len(srcs))
	survivesAll, exposedAny = make([]bool, c.NodeCount()), make([]bool, c.NodeCount())
	for _, s := range services {
		survivesAll[s] = true
	}
	add := func(l *siteLoss, s int32, st State) {
		users := c.Users(s)
		switch st {
		case Down:
			l.lists.Down = append(l.lists.Down, s)
			l.UsersDown += users
			survivesAll[s] = false
		case Degraded:
			l.lists.Degraded = append(l.lists.Degraded, s)
			l.UsersDegraded += users
			survivesAll[s] = false
		default: // Up, exposed
			l.lists.Exposed = append(l.lists.Exposed, s)
			l.UsersExposed += users
			exposedAny[s] = true
		}
	}
	exposed := make([]bool, c.Len()) // cleared after each loss
	type batchOf struct {
		ls *Losses
		k  int
	}
	var batches []batchOf
	lanes := map[batchOf][]int{} // lane → index in srcs, -1 for none
	for j, src := range srcs {
		losses[j].Site = c.VertexName(src.v)
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		if src.o == nil {
			b := batchOf{src.ls, src.i / 64}
			if lanes[b] == nil {
				batches = append(batches, b)
				lanes[b] = slices.Repeat([]int{-1}, 64)
			}
			lanes[b][src.i%64] = j
			continue
		}
		o, l := src.o, &losses[j]
		marked := exposedFrom(c, func(v int32) bool { return o.stateOf(v) == Up }, o.lostNodes(), exposed)
		for _, s := range services {
			if st := o.stateOf(s); st != Up {
				add(l, s, st)
			} else if exposed[s] {
				add(l, s, Up)
			}
		}
		for _, v := range marked {
			exposed[v] = false
		}
	}
	for _, b := range batches {
		down, bad := b.ls.down[b.k], b.ls.bad[b.k]
		var read uint64 // the lanes the rate reads
		for lane, j := range lanes[b] {
			if j >= 0 {
				read |= 1 << lane
			}
		}
		// The nodes that lost redundancy in each lane read: one lostLanes
		// for the batch.
		owners := lostLanes(c, bad)
		for v := range owners {
			owners[v] &= read
		}
		lost := laneLists(owners, 64)
		expo := make([]uint64, c.NodeCount())
		for lane, j := range lanes[b] {
			if j < 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, err
			}
			bit := uint64(1) << lane
			marked := exposedFrom(c, func(v int32) bool { return bad[v]&bit == 0 }, lost[lane], exposed)
			for _, v := range marked {
				exposed[v] = false
				if v < int32(len(expo)) {
					expo[v] |= bit
				}
			}
		}
		at := lanes[b]
		each := func(s int32, m uint64, st State) {
			for m != 0 {
				lane := bits.TrailingZeros64(m)
				m &= m - 1
				add(&losses[at[lane]], s, st)
			}
		}
		// The lists at their length, counted first: grown by append they
		// were three times their size in garbage (14 million entries a
		// model at 1,000,000 nodes), made as a diff's two models name
		// theirs side by side.
		var n [3][64]int
		for _, s := range services {
			d, x := down[s]&read, bad[s]&read
			for i, m := range [3]uint64{d, x &^ d, expo[s] & read &^ x} {
				for ; m != 0; m &= m - 1 {
					n[i][bits.TrailingZeros64(m)]++
				}
			}
		}
		for lane, j := range at {
			if j < 0 {
				continue
			}
			l := &losses[j].lists
			for i, list := range [3]*[]int32{&l.Down, &l.Degraded, &l.Exposed} {
				if n[i][lane] > 0 { // nil when empty, as append leaves it
					*list = make([]int32, 0, n[i][lane])
				}
			}
		}
		for _, s := range services {
			d, x := down[s]&read, bad[s]&read
			each(s, d, Down)
			each(s, x&^d, Degraded)
			each(s, expo[s]&read&^x, Up)
		}
	}
	for j := range losses {
		l := &losses[j]
		l.Survive = len(services) - len(l.lists.Down) - len(l.lists.Degraded)
	}
	return losses, survivesAll, exposedAny, nil
}

// lostNodes returns the nodes the outcome records as Up having lost
// redundancy, in the order of its records.
func (o *Outcome) lostNodes() []int32 {
	var lost []int32
	for _, r := range o.recs {
		if r.lost {
			lost = append(lost, r.v)
		}
	}
	return lost
}

// byUsers orders the services vs (in vertex order) most users first, then
// in vertex order: the order of a rate's lists. It is the stable sort by
// users it replaces, which was a third of the rate's time as a stable sort
// (symmerge) of vertices once the sites were lost by the batch engine:
// a sort of integers when the users and the vertex fit in one word
// (users below 2^40 at 2^24 nodes), else of (users, vertex) pairs.
func byUsers(c *graph.Compiled, vs []int32) []int32 {
	return sortByUsers(vs, c.Users, bits.Len(uint(c.NodeCount())))
}

// sortByUsers is byUsers of vertices below 2^vbits.
func sortByUsers(vs []int32, users func(v int32) int64, vbits int) []int32 {
	var most int64
	for _, v := range vs {
		most = max(most, users(v))
	}
	if bits.Len64(uint64(most))+vbits <= 64 {
		keys := make([]uint64, len(vs))
		for i, v := range vs {
			keys[i] = uint64(most-users(v))<<vbits | uint64(v)
		}
		slices.Sort(keys)
		for i, k := range keys {
			vs[i] = int32(k & (1<<vbits - 1))
		}
		return vs
	}
	type key struct {
		users int64
		v     int32
	}
	keys := make([]key, len(vs))
	for i, v := range vs {
		keys[i] = key{users(v), v}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.users != b.users {
			return cmp.Compare(b.users, a.users)
		}
		return cmp.Compare(a.v, b.v)
	})
	for i, k := range keys {
		vs[i] = k.v
	}
	return vs
}
