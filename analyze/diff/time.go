package diff

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// DefaultRepair is Options.Repair when 0: each site is lost for a day.
const DefaultRepair = 24 * time.Hour

// Times compares what time does in the two models: each site both have,
// lost alone for Repair (analyze.Recover), with standbys taking over and
// restarts as each model says. A model that fails over faster has the same
// blast radii and the same SPOFs, so only time shows it.
type Times struct {
	Repair time.Duration
	// Compared counts the sites lost in both models.
	Compared int
	// Sites are those whose loss changed: a tier-0 node's outage, or the
	// user-hours lost. The largest change of user-hours Down first.
	Sites []SiteTimes
}

// SiteTimes is the loss of one site in both models.
type SiteTimes struct {
	Site string
	// Old and New are the user-service-hours lost in each model
	// (analyze.RecoveryTotals).
	Old, New UserHours
	// Nodes are the tier-0 nodes (not infrastructure) of both models
	// whose outage changed, the largest change first.
	Nodes []NodeTimes
}

// UserHours are the user-service-hours a loss costs.
type UserHours struct{ Down, Degraded float64 }

// NodeTimes is one node's timeline after the loss in both models; a
// zero DegradedUntil means Up throughout.
type NodeTimes struct {
	ID       string
	Users    int64 // in the new model
	Old, New analyze.Recovery
}

// Longer reports whether the node is Down or Degraded for longer in the
// new model; Shorter the reverse. A node can be both (Down shorter,
// Degraded longer).
func (n NodeTimes) Longer() bool {
	return n.New.DownUntil > n.Old.DownUntil || n.New.DegradedUntil > n.Old.DegradedUntil
}

// Shorter reports whether the node is Down or Degraded for less time in
// the new model.
func (n NodeTimes) Shorter() bool {
	return n.New.DownUntil < n.Old.DownUntil || n.New.DegradedUntil < n.Old.DegradedUntil
}

// Longer and Shorter count the tier-0 outages that grew and shrank, over
// every site.
func (t *Times) Longer() int  { return t.count(NodeTimes.Longer) }
func (t *Times) Shorter() int { return t.count(NodeTimes.Shorter) }

func (t *Times) count(f func(NodeTimes) bool) int {
	if t == nil {
		return 0
	}
	n := 0
	for _, s := range t.Sites {
		for _, x := range s.Nodes {
			if f(x) {
				n++
			}
		}
	}
	return n
}

// worse reports whether some loss takes longer or costs more
// user-hours in the new model; better the reverse; empty whether nothing
// changed. Nil Times (not compared) is neither.
func (t *Times) worse() bool {
	if t == nil {
		return false
	}
	for _, s := range t.Sites {
		if s.New.Down > s.Old.Down || s.New.Degraded > s.Old.Degraded {
			return true
		}
	}
	return t.Longer() > 0
}

func (t *Times) better() bool {
	if t == nil {
		return false
	}
	for _, s := range t.Sites {
		if s.New.Down < s.Old.Down || s.New.Degraded < s.Old.Degraded {
			return true
		}
	}
	return t.Shorter() > 0
}

func (t *Times) empty() bool { return t == nil || len(t.Sites) == 0 }

// times loses each site both models have for repair (DefaultRepair when 0;
// a negative repair compares no times), in each model: two Recovers per
// site. Only the affected region of each loss is visited, and, given the
// changes (ch; nil with Options.Whole or when most of the model changed),
// only the sites whose loss can reach a node the change touched
// (timeScope): the others recover alike in both models. Each Recover (one
// loss in one model) is a job of its own, and of its timeline only what
// the comparison reads is kept (lossOf): a worker holds one timeline at a
// time. One worker runs beside the ranking passes, which keep both cores
// busy (a second would hold a second timeline while the passes hold the
// old model's pairs, for no gain in time); once more is closed (the
// passes are done) one more per core joins it.
func (d *Diff) times(ctx context.Context, m *match, repair time.Duration, ch *changes, more <-chan struct{}) error {
	if repair < 0 {
		return nil
	}
	if repair == 0 {
		repair = DefaultRepair
	}
	type pair struct{ from, to int32 }
	var sites []pair
	for v := int32(0); v < int32(m.to.NodeCount()); v++ {
		if fo := m.toOld[v]; m.to.Kind(v) == graph.Site && fo >= 0 && m.from.Kind(fo) == graph.Site {
			sites = append(sites, pair{fo, v})
		}
	}
	compared := len(sites)
	if reach, ok := timeScope(m, ch); ok {
		sites = slices.DeleteFunc(sites, func(p pair) bool { return !reach[p.to] })
	}
	both := bothTier0(m)
	// Job 2i is site i's loss in the old model, 2i+1 in the new one.
	losses := make([]loss, 2*len(sites))
	err := onCoresAfter(ctx, len(losses), more, func(j int) error {
		p, side := sites[j/2], j%2
		c, v := m.from, p.from
		if side == 1 {
			c, v = m.to, p.to
		}
		sc := analyze.Scenario{Failures: []analyze.Failure{{ID: c.VertexName(v), For: repair}}}
		// Only the rows lossOf keeps are built: the nodes tier-0 in both
		// models (a few thousand of a million); the totals are whole.
		only := func(x int32) bool { return x < int32(len(both)) && both[x] }
		if side == 0 {
			only = func(x int32) bool { return x < int32(len(m.oldToN)) && m.oldToN[x] >= 0 && both[m.oldToN[x]] }
		}
		tl, err := analyze.Recover(ctx, c, sc, analyze.RecoverOptions{NoReasons: true, Only: only})
		if err != nil {
			return err
		}
		losses[j] = lossOf(m, tl, side == 1, both)
		return nil
	})
	if err != nil {
		return err
	}
	t := &Times{Repair: repair, Compared: compared}
	for i, p := range sites {
		if st, changed := compareLoss(m, &losses[2*i], &losses[2*i+1]); changed {
			st.Site = m.to.VertexName(p.to)
			t.Sites = append(t.Sites, st)
		}
	}
	slices.SortStableFunc(t.Sites, func(a, b SiteTimes) int {
		return cmp.Or(cmp.Compare(b.New.Down-b.Old.Down, a.New.Down-a.Old.Down), cmp.Compare(a.Site, b.Site))
	})
	d.Times = t
	return nil
}

// onCoresAfter runs job(j) for each j in [0, n): one worker from the
// start, and one more per core once more is closed, each taking the next
// job when done with one. It returns the first error by job (ctx's once
// it ended: no job starts then).
func onCoresAfter(ctx context.Context, n int, more <-chan struct{}, job func(j int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	work := func() {
		for {
			j := int(next.Add(1)) - 1
			if j >= n || ctx.Err() != nil {
				return
			}
			errs[j] = job(j)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-more:
				work()
			case <-ctx.Done():
			}
		}()
	}
	work()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// loss is what the comparison reads of one site's loss in one model: the
// user-hours, and the recoveries of the nodes that are tier-0 in both
// models (bothTier0), by the new model's vertex. A timeline holds every
// node the loss reaches (most of a catalog); this, a few hundred.
type loss struct {
	hours UserHours
	tier0 map[int32]analyze.Recovery
}

// bothTier0 marks the new model's nodes that are tier-0 nodes, not
// infrastructure, in both models: the only nodes whose outages are
// compared.
func bothTier0(m *match) []bool {
	both := make([]bool, m.to.NodeCount())
	for v, fo := range m.toOld {
		both[v] = fo >= 0 && tier0(m.to, int32(v)) && tier0(m.from, fo)
	}
	return both
}

// lossOf keeps what the comparison reads of tl, a timeline of the new
// model (isNew) or of the old one (Recover built only those rows:
// RecoverOptions.Only).
func lossOf(m *match, tl *analyze.Timeline, isNew bool, both []bool) loss {
	l := loss{hours: UserHours{tl.Totals.DownUserHours, tl.Totals.DegradedUserHours}, tier0: make(map[int32]analyze.Recovery)}
	for _, r := range tl.Recoveries {
		if r.Replica {
			continue
		}
		v := r.Vertex
		if !isNew {
			v = m.oldToN[v]
		}
		if v >= 0 && both[v] {
			l.tier0[v] = r
		}
	}
	return l
}

// compareLoss compares one site's loss in the two models: the user-hours
// and the tier-0 nodes of both whose outage differs. A node of either
// model's timeline may be affected in one only: the other model's side is
// then Up throughout (the zero Recovery).
func compareLoss(m *match, old, now *loss) (SiteTimes, bool) {
	st := SiteTimes{Old: old.hours, New: now.hours}
	add := func(v int32, o, r analyze.Recovery) {
		if o.DownUntil != r.DownUntil || o.DegradedUntil != r.DegradedUntil {
			st.Nodes = append(st.Nodes, NodeTimes{ID: m.to.VertexName(v), Users: m.to.Users(v), Old: o, New: r})
		}
	}
	for v, r := range now.tier0 {
		add(v, old.tier0[v], r)
	}
	for v, o := range old.tier0 {
		if _, ok := now.tier0[v]; !ok {
			add(v, o, analyze.Recovery{})
		}
	}
	// Ids are unique: the order is total, whatever order the maps gave.
	slices.SortFunc(st.Nodes, func(a, b NodeTimes) int {
		return cmp.Or(cmp.Compare(change(b), change(a)), cmp.Compare(b.Users, a.Users), cmp.Compare(a.ID, b.ID))
	})
	return st, len(st.Nodes) > 0 || st.Old != st.New
}

// tier0 reports whether v is a tier-0 node that is not infrastructure.
func tier0(c *graph.Compiled, v int32) bool { return c.Tier(v) == 0 && !c.Kind(v).Infrastructure() }

// change is how much a node's outage changed, the larger of its Down and
// Degraded ends; a time that is Never on one side only is the largest
// change.
func change(n NodeTimes) time.Duration {
	diff := func(a, b time.Duration) time.Duration {
		switch {
		case a == b:
			return 0
		case a == analyze.Never || b == analyze.Never:
			return analyze.Never
		case a > b:
			return a - b
		}
		return b - a
	}
	return max(diff(n.Old.DownUntil, n.New.DownUntil), diff(n.Old.DegradedUntil, n.New.DegradedUntil))
}

// timeScope marks the nodes of the new model whose loss can reach a vertex
// whose recovery the change touched, in either model, from the changes ch
// found; false when too much changed to be worth it (ch nil). A site's
// loss for a repair time plays out over what it reaches (the nodes it
// takes Down or Degraded) and reads, besides their gates (scopeOf's
// changes), their restarts, repair requirements and on-site times, and
// the standby replicas they wait for: a standby's tier, recovery time or
// failover requirements belong to the replica, which the site's loss need
// not reach, so a replica whose recovery changed counts as a change of
// what it feeds as well (changesOf). What a loss does not reach stays Up
// throughout in both models.
func timeScope(m *match, ch *changes) ([]bool, bool) {
	if ch == nil {
		return nil, false
	}
	_, affNew := m.affected(ch.timeOld, ch.timeNow)
	return affNew, true
}

// sameRecovery reports whether u of a and v of b recover alike, given the
// same gates and inputs: the same restart, standby recovery time, failover
// and repair requirements and on-site time.
func sameRecovery(a, b *graph.Compiled, u, v int32) bool {
	return a.Restart(u) == b.Restart(v) && a.Recovery(u) == b.Recovery(v) && a.Standby(u) == b.Standby(v) &&
		a.OnSite(u) == b.OnSite(v) && sameNames(a, b, a.FailoverRequires(u), b.FailoverRequires(v)) &&
		sameNames(a, b, a.RepairRequires(u), b.RepairRequires(v))
}
