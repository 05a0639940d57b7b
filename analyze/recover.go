package analyze

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// Never is the time of an event that does not happen within the horizon:
// the DownUntil or DegradedUntil of a node that is not back, the repair time
// of a failure that is not repaired.
const Never = time.Duration(math.MaxInt64)

// DefaultHorizon is the horizon of Recover when RecoverOptions.Horizon is 0:
// 30 days.
const DefaultHorizon = 30 * 24 * time.Hour

// RecoverOptions control Recover.
type RecoverOptions struct {
	// Horizon is how far the timeline looks: a node not back by then is
	// reported as Never, and user-hours are counted up to it. 0 means
	// DefaultHorizon.
	Horizon time.Duration
	// Progress, when set, is called now and then with the number of
	// affected vertices whose times are known and their total.
	Progress func(done, total int)
	// NoReasons leaves every Recovery's Why empty: for callers that read
	// only times and user-hours (diff's comparison of recovery times),
	// which then do not pay for the explanations (about a sixth of a
	// Recover of a large site). Every other field is the same.
	NoReasons bool
	// Only, when set, keeps in Timeline.Recoveries only the affected
	// nodes and replicas whose vertex v (graph.Compiled's dense number)
	// has Only(v) true, in the order a full timeline lists them; the
	// others' rows are never built. For callers that read the totals and a
	// few nodes (diff's comparison of recovery times reads the user-hours
	// and the tier-0 nodes): at a million nodes building the rows is about
	// a sixth of a Recover. Totals are still those of every affected node,
	// equal to a full Recover's, and each kept Recovery equals the full
	// Recover's. A node left out is not listed though it may be affected:
	// Timeline.Recovery reports false for it. Only is called once for each
	// affected node and replica, from the goroutine that called Recover.
	Only func(v int32) bool
}

// Recovery is the timeline of one node (or replica) that is not Up at some
// time after the failure. Nothing fails after t=0 and repairs only bring
// things back, so each node's timeline is one Down interval followed by one
// Degraded interval: it is Down on [0, DownUntil), Degraded on [DownUntil,
// DegradedUntil) and Up from DegradedUntil on. Either time is Never when it
// lies beyond the horizon; DownUntil is 0 for a node that is only Degraded.
type Recovery struct {
	// Vertex is the dense vertex number of graph.Compiled, low-level: for
	// tools that index per-vertex arrays. ID names the same node.
	Vertex  int32
	ID      string
	Kind    graph.Kind
	Replica bool // a placement "node@site", not a node of the model
	Removed bool // removed by the scenario itself
	// Repair is a removed node's repair time, as the scenario gives it
	// (Never when it is not repaired), even when it lies beyond the
	// horizon; 0 for the others. For a node whose repair waited for its
	// graph.Node.RepairRequires, or went on site, it is when the repair
	// was done.
	Repair time.Duration
	Users  int64
	Tier   int

	DownUntil     time.Duration
	DegradedUntil time.Duration

	// Why explains when it is back: the end of Down for a node that was
	// Down, of Degraded for one that was only Degraded.
	Why RecoveryReason

	// DownUserHours is Users times the hours Down, DegradedUserHours
	// Users times the hours Degraded, both counted up to the horizon.
	DownUserHours     float64
	DegradedUserHours float64
}

// Down is how long the node is Down, up to the horizon h.
func (r Recovery) Down(h time.Duration) time.Duration { return min(r.DownUntil, h) }

// Degraded is how long the node is Degraded, up to the horizon h.
func (r Recovery) Degraded(h time.Duration) time.Duration {
	return min(r.DegradedUntil, h) - min(r.DownUntil, h)
}

// RecoveryTotals sum a timeline over the nodes of the model (replicas
// excluded, except in AllUp).
type RecoveryTotals struct {
	Down     int // nodes Down at some time, removed ones included
	Degraded int // nodes Degraded but never Down
	// EverDegraded counts the nodes Degraded at some time, Down before or
	// not: those with a Degraded span, whose user-hours DegradedUserHours
	// sums.
	EverDegraded int
	// DownUserHours and DegradedUserHours sum the nodes' user-hours:
	// "user-service-hours", counting a person once per service they use.
	DownUserHours     float64
	DegradedUserHours float64
	// AllUp is the time from which every node and replica is Up again (0
	// when nothing was affected), or Never.
	AllUp time.Duration
}

// Timeline is the result of Recover: for every node and replica that is
// not Up at some time, when it is Down and Degraded.
type Timeline struct {
	Scenario Scenario
	Horizon  time.Duration
	Totals   RecoveryTotals
	// Recoveries are the affected nodes and replicas, in the order the
	// failure reached them; Sorted orders them by outage. A node not
	// listed is Up throughout.
	Recoveries []Recovery

	c     *graph.Compiled
	once  sync.Once
	index map[int32]int32 // vertex → Recoveries index, built on first use
}

// Compiled returns the graph the timeline was computed on.
func (tl *Timeline) Compiled() *graph.Compiled { return tl.c }

// Recovery returns the timeline of the node or replica id, and false when
// it is Up throughout (or unknown).
func (tl *Timeline) Recovery(id string) (Recovery, bool) {
	v, ok := tl.c.Lookup(id)
	if !ok {
		return Recovery{}, false
	}
	tl.once.Do(func() {
		tl.index = make(map[int32]int32, len(tl.Recoveries))
		for i, r := range tl.Recoveries {
			tl.index[r.Vertex] = int32(i)
		}
	})
	i, ok := tl.index[v]
	if !ok {
		return Recovery{}, false
	}
	return tl.Recoveries[i], true
}

// Recover computes when every node is Down and Degraded after the failures
// of sc, as they are repaired (Failure.For) and as standby replicas take
// over (their recovery time), and the user-hours lost.
//
// The contract: a removed node is Down on [0, For) (For 0: for good). A
// standby replica that is not a mirror carries nothing before its recovery
// time and its full capacity from then on; active replicas and mirrors
// carry theirs throughout. At every time t the state of every node is
// Simulate's least fixpoint under the conditions of time t. A node with a
// restart time (graph.Node.Restart) that went Down or Degraded comes back
// that long after its inputs (and its own repair) allow it. The members of
// a dependency cycle among the affected nodes come back together, when what
// the cycle needs from outside allows it plus the longest restart among
// them: for the end of Down, cycles of hard dependencies only (requires,
// placements); for the end of Degraded, cycles through uses too, and never
// before the node's Down would end without that shift.
//
// A standby whose takeover needs something (graph.Replica.FailoverRequires)
// starts its takeover once all of it is not Down and serves its recovery
// time after that; a removed node whose repair needs something
// (graph.Node.RepairRequires) is repaired its repair time after all of it
// is not Down, or on site (graph.Node.OnSite) at its repair time plus the
// on-site time, whichever is first, and never when neither happens. Both
// are part of the same earliest-time fixpoint (see recover_deps.go). Each
// Recovery's Why says what its time waited for.
//
// Its work is O(E log V) over the affected region only (E, V: the edges and
// vertices that are not Up at t=0), not over the graph, after a first call
// on a graph has found the graph's dependency cycles and their order (two
// linear passes over the graph, kept with it: about 8 bytes per vertex).
// It is safe to call concurrently on one compiled graph; each concurrent
// caller's arrays (about 20 bytes per vertex of the graph, and what the
// region needs) are kept for the next call.
func Recover(ctx context.Context, c *graph.Compiled, sc Scenario, opts RecoverOptions) (*Timeline, error) {
	return recoverWith(ctx, c, sc, opts, nil)
}

// recoverWith is Recover; alt, when not nil, is another way to number the
// region and find its components (see regionOrder), for the tests and
// benchmarks that hold it equal to Recover's.
func recoverWith(ctx context.Context, c *graph.Compiled, sc Scenario, opts RecoverOptions, alt *regionOrder) (*Timeline, error) {
	vs, err := resolve(c, sc)
	if err != nil {
		return nil, err
	}
	horizon := opts.Horizon
	if horizon <= 0 {
		horizon = DefaultHorizon
	}
	// The state at t=0+: every failure in force, no standby serving. It
	// is the region the times are computed on: what is Up then is Up
	// throughout.
	s := getScratch(c)
	defer putScratch(c, s)
	repair := make(map[int32]time.Duration, len(vs))
	for i, v := range vs {
		s.remove(c, v)
		t := sc.Failures[i].For
		if t == 0 {
			t = Never
		}
		repair[v] = max(repair[v], t)
	}
	s.run(c)

	// The region: what is not Up at t=0+. What is Up then is Up
	// throughout.
	rs := getRecScratch(c)
	defer putRecScratch(c, rs)
	region := rs.region[:0]
	for _, v := range s.touched {
		if s.stateOf(v) != Up {
			region = append(region, v)
		}
	}
	rs.region = region
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tr := &rs.tr
	tr.c, tr.repair, tr.alt = c, repair, alt
	tr.p = &progress{ctx: ctx, f: opts.Progress, total: len(region)}
	isDown := func(v int32) bool { return s.stateOf(v) == Down }
	waits := recWaits(c, region, repair, isDown)
	var local []int32
	if alt != nil {
		local = alt.number(tr, region)
	} else {
		local = tr.byVertex(region)
	}
	downUntil, upAt, err := tr.solveWaits(local, isDown, waits)
	if err != nil {
		return nil, err
	}
	tr.p.report()

	wx := newWaitIndex(waits)
	tl := &Timeline{Scenario: sc, Horizon: horizon, c: c}
	row := func(i int32, v int32) Recovery {
		r := Recovery{
			Vertex:        v,
			ID:            c.VertexName(v),
			Kind:          c.Kind(v),
			Replica:       c.VertexKind(v) == graph.ReplicaVertex,
			Users:         c.Users(v),
			Tier:          c.Tier(v),
			DownUntil:     clip(downUntil[i], horizon),
			DegradedUntil: clip(upAt[i], horizon),
		}
		if t := tr.repairAt[i]; t > 0 {
			// Not clipped: a site repaired at 11h is repaired then, also
			// when the timeline looks only 1h ahead.
			r.Removed, r.Repair = true, t
		}
		if !opts.NoReasons {
			r.Why = tr.why(i, wx)
		}
		r.setHours(horizon)
		return r
	}
	if opts.Only != nil {
		tr.onlyRows(tl, region, local, downUntil, upAt, opts.Only, row)
		return tl, nil
	}
	// The timeline lists the nodes and replicas in the order the failure
	// reached them, but they are filled in in the timer's order (by
	// vertex), in which the graph's arrays and the
	// timer's are read nearly in order: place each first.
	at := fill(tr.outPos, len(local), -1)
	tr.outPos = at
	n := int32(0)
	for _, v := range region {
		if k := c.VertexKind(v); k == graph.NodeVertex || k == graph.ReplicaVertex {
			at[tr.rank(v)] = n
			n++
		}
	}
	tl.Recoveries = make([]Recovery, n)
	for i, v := range local {
		if at[i] < 0 {
			continue
		}
		tl.Recoveries[at[i]] = row(int32(i), v)
	}
	// The totals in the timeline's order: sums of floats depend on it.
	for i := range tl.Recoveries {
		tl.add(&tl.Recoveries[i])
	}
	return tl, nil
}

// setHours sets r's user-hours from its users and times, up to horizon.
// The conversions round each product to a float64 (the language lets an
// implementation fuse a product into the sum that follows it otherwise),
// so that totals summed from these values are the same wherever the row
// was built.
func (r *Recovery) setHours(horizon time.Duration) {
	hours := func(t time.Duration) float64 { return min(t, horizon).Hours() }
	r.DownUserHours = float64(float64(r.Users) * hours(r.DownUntil))
	r.DegradedUserHours = float64(float64(r.Users) * (hours(r.DegradedUntil) - hours(r.DownUntil)))
}

// clip reports t as Never when it lies beyond the horizon.
func clip(t, horizon time.Duration) time.Duration {
	if t > horizon {
		return Never
	}
	return t
}

// add counts r in the totals: count, then its user-hours.
func (tl *Timeline) add(r *Recovery) {
	tl.count(r)
	if !r.Replica {
		tl.Totals.DownUserHours += r.DownUserHours
		tl.Totals.DegradedUserHours += r.DegradedUserHours
	}
}

// count counts r in the totals but for the user-hours, which are sums of
// floats, whose value depends on their order; the rest does not.
func (tl *Timeline) count(r *Recovery) {
	t := &tl.Totals
	t.AllUp = max(t.AllUp, r.DegradedUntil)
	if r.Replica {
		return
	}
	if r.DownUntil > 0 {
		t.Down++
	} else {
		t.Degraded++
	}
	if r.DegradedUntil > r.DownUntil {
		t.EverDegraded++
	}
}

// Sorted returns the recoveries, the longest outage first: by DownUntil,
// then DegradedUntil, then users, then in model order (nodes before
// replicas). It returns a new slice each time.
func (tl *Timeline) Sorted() []Recovery {
	// Sort small keys, not the recoveries themselves.
	type key struct {
		down, up time.Duration
		users    int64
		v, i     int32
	}
	keys := make([]key, len(tl.Recoveries))
	for i, r := range tl.Recoveries {
		// A replica's vertex number is above every node's.
		keys[i] = key{r.DownUntil, r.DegradedUntil, r.Users, r.Vertex, int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.down != b.down:
			return cmp.Compare(b.down, a.down)
		case a.up != b.up:
			return cmp.Compare(b.up, a.up)
		case a.users != b.users:
			return cmp.Compare(b.users, a.users)
		}
		return cmp.Compare(a.v, b.v)
	})
	sorted := make([]Recovery, len(keys))
	for i, k := range keys {
		sorted[i] = tl.Recoveries[k.i]
	}
	return sorted
}
