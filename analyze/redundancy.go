package analyze

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// Redundancy is the article's "redundancy rate" (이중화율) of a model: how
// much of it survives the loss of any one site, by count and by users.
//
// The services measured are the nodes with users that are not
// infrastructure (site, region, power, network); in a model where no node
// has users, every node that is not infrastructure. A service survives a
// site's loss when it stays Up (redundancy lost or not); it is exposed when
// it stays Up but has no margin left: its own replicas or redundant groups,
// or those of something it requires, would not survive losing one more
// member.
type Redundancy struct {
	Services int
	Users    int64
	// Survive counts the services that stay Up whichever single site is
	// lost; SurviveUsers sums their users.
	Survive      int
	SurviveUsers int64
	// Rate and UsersRate are Survive/Services and SurviveUsers/Users (1
	// when there is nothing to measure).
	Rate      float64
	UsersRate float64
	// Exposed counts the services that survive every single site but are
	// left with no margin by at least one.
	Exposed      int
	ExposedUsers int64
	// Sites is what the loss of each site does, worst first: of each
	// region when By is graph.Region (RedundancyRateBy).
	Sites []SiteLoss
	// By is what is lost one at a time: graph.Site, or graph.Region.
	By graph.Kind
}

// SiteLoss is what the loss of one site does to the measured services.
type SiteLoss struct {
	Site string // the site lost, or the region (Redundancy.By)
	// Down, Degraded and Exposed list services, most users first.
	Down     []string
	Degraded []string
	Exposed  []string
	// Survive counts the services that stay Up.
	Survive       int
	UsersDown     int64
	UsersDegraded int64
	UsersExposed  int64
}

// RedundancyRate removes each site of c in turn and reports what survives.
// It is computed once per compiled graph (policy checks and diffs ask for
// it again) and each call returns its own copy.
func RedundancyRate(ctx context.Context, c *graph.Compiled) (*Redundancy, error) {
	return RedundancyRateFrom(ctx, c, nil)
}

// RedundancyRateBy is RedundancyRate with a grouping: by graph.Site, the
// same, or by graph.Region, each region lost in turn with every site in
// it, since a model whose sites all sit on one campus looks redundant by
// site and is not. Services and survival are counted as by site. It is
// computed once per graph and grouping.
func RedundancyRateBy(ctx context.Context, c *graph.Compiled, by graph.Kind) (*Redundancy, error) {
	switch by {
	case graph.Site:
		return RedundancyRateFrom(ctx, c, nil)
	case graph.Region:
	default:
		return nil, fmt.Errorf("redundancy rate by %v: want by site or by region", by)
	}
	r, err := regionRedundancies.get(c).rate(ctx, c, graph.Region, nil)
	if err != nil {
		return nil, err
	}
	return r.named(c), nil
}

// RedundancyRateFrom is RedundancyRate for a caller that has simulated
// the loss of some sites already: lost(v), when lost is not nil, returns
// the Outcome of Simulate(ctx, c, Fail(site)) for site vertex v, or nil to
// have it simulated here. A policy check that loses every site for its
// rules hands its outcomes over, so that each site is lost once.
func RedundancyRateFrom(ctx context.Context, c *graph.Compiled, lost func(v int32) *Outcome) (*Redundancy, error) {
	r, err := redundancies.get(c).rate(ctx, c, graph.Site, lost)
	if err != nil {
		return nil, err
	}
	return r.named(c), nil
}

// SiteVertices are the lists of a SiteLoss as vertices of the compiled
// graph, in the same order (most users first).
type SiteVertices struct {
	Down, Degraded, Exposed []int32
}

// RedundancyRateVertices is RedundancyRateFrom for a caller that reads the
// lists by vertex: the rate with each SiteLoss's lists left nil, and the
// lists as vertices, one SiteVertices per entry of Sites. The vertices are
// the per-graph copy, shared by every caller: they must not be changed.
// At 1,000,000 nodes and 16 sites the lists hold 14 million entries a
// model, 0.22 GB as names and a quarter of that as vertices; a caller that
// prints none of them (a diff's table) or names only what it prints need
// not hold them twice.
func RedundancyRateVertices(ctx context.Context, c *graph.Compiled, lost func(v int32) *Outcome) (*Redundancy, []SiteVertices, error) {
	r, err := redundancies.get(c).rate(ctx, c, graph.Site, lost)
	if err != nil {
		return nil, nil, err
	}
	out := r.r
	out.Sites = slices.Clone(r.r.Sites)
	return &out, r.lists, nil
}

// redundancies and regionRedundancies keep each graph's redundancy rate,
// by site and by region.
var redundancies, regionRedundancies perGraph[keptRate]

// keptRate is a graph's redundancy rate, computed on the first call.
type keptRate struct {
	mu sync.Mutex
	r  *vertexRate
}

// rate returns the kept rate, computing it first if need be.
func (e *keptRate) rate(ctx context.Context, c *graph.Compiled, by graph.Kind, lost func(v int32) *Outcome) (*vertexRate, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.r == nil {
		// A cancelled run is not kept: the next call computes it again.
		r, err := redundancyRate(ctx, c, by, lost)
		if err != nil {
			return nil, err
		}
		e.r = r
	}
	return e.r, nil
}

// vertexRate is a redundancy rate as it is kept: the lists of each site
// loss as vertices (lists[i] for r.Sites[i], whose lists are nil), named
// for each caller (named). An int32 is a quarter of a string header, and
// the names point into the graph's, so the copy a caller gets costs the
// headers alone.
type vertexRate struct {
	r     Redundancy
	lists []SiteVertices
}

// named returns a copy of the rate with the lists as names, the caller's
// to change.
func (v *vertexRate) named(c *graph.Compiled) *Redundancy {
	out := v.r
	out.Sites = make([]SiteLoss, len(v.r.Sites))
	names := func(vs []int32) []string {
		if vs == nil {
			return nil
		}
		ids := make([]string, len(vs))
		for i, x := range vs {
			ids[i] = c.VertexName(x)
		}
		return ids
	}
	for i, l := range v.r.Sites {
		sv := v.lists[i]
		l.Down, l.Degraded, l.Exposed = names(sv.Down), names(sv.Degraded), names(sv.Exposed)
		out.Sites[i] = l
	}
	return &out
}

// redundancyRate loses each node of kind by (Site or Region) in turn.
func redundancyRate(ctx context.Context, c *graph.Compiled, by graph.Kind, lost func(v int32) *Outcome) (*vertexRate, error) {
	// The services, most users first (the order of each site's lists).
	services := Measured(c)
	slices.SortStableFunc(services, func(a, b int32) int { return cmp.Compare(c.Users(b), c.Users(a)) })
	r := &Redundancy{Services: len(services), By: by}
	for _, v := range services {
		r.Users += c.Users(v)
	}
	survivesAll := make([]bool, c.NodeCount())
	exposedAny := make([]bool, c.NodeCount())
	for _, v := range services {
		survivesAll[v] = true
	}
	type siteLoss struct {
		SiteLoss
		lists SiteVertices
	}
	var losses []siteLoss
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) != by {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var o *Outcome
		if lost != nil {
			o = lost(v)
		}
		if o == nil {
			var err error
			if o, err = Simulate(ctx, c, Fail(c.VertexName(v))); err != nil {
				return nil, err
			}
		}
		exposed := o.exposed()
		loss := siteLoss{SiteLoss: SiteLoss{Site: c.VertexName(v)}}
		for _, s := range services {
			users := c.Users(s)
			switch st := o.stateOf(s); {
			case st == Down:
				loss.lists.Down = append(loss.lists.Down, s)
				loss.UsersDown += users
				survivesAll[s] = false
			case st == Degraded:
				loss.lists.Degraded = append(loss.lists.Degraded, s)
				loss.UsersDegraded += users
				survivesAll[s] = false
			default:
				loss.Survive++
				if exposed[s] {
					loss.lists.Exposed = append(loss.lists.Exposed, s)
					loss.UsersExposed += users
					exposedAny[s] = true
				}
			}
		}
		losses = append(losses, loss)
	}
	for _, v := range services {
		if survivesAll[v] {
			r.Survive++
			r.SurviveUsers += c.Users(v)
			if exposedAny[v] {
				r.Exposed++
				r.ExposedUsers += c.Users(v)
			}
		}
	}
	r.Rate, r.UsersRate = 1, 1
	if r.Services > 0 {
		r.Rate = float64(r.Survive) / float64(r.Services)
	}
	if r.Users > 0 {
		r.UsersRate = float64(r.SurviveUsers) / float64(r.Users)
	}
	slices.SortStableFunc(losses, func(a, b siteLoss) int {
		return cmp.Or(
			cmp.Compare(b.UsersDown, a.UsersDown),
			cmp.Compare(len(b.lists.Down), len(a.lists.Down)),
			cmp.Compare(b.UsersDegraded, a.UsersDegraded),
			cmp.Compare(a.Site, b.Site),
		)
	})
	kept := &vertexRate{r: *r, lists: make([]SiteVertices, len(losses))}
	for i, l := range losses {
		kept.r.Sites = append(kept.r.Sites, l.SiteLoss)
		kept.lists[i] = l.lists
	}
	return kept, nil
}

// exposed marks the vertices that are Up (redundancy lost or not) in the
// outcome but would not survive one more loss among the redundancy they
// have left: a threshold that could lose its largest member with nothing
// failed but cannot now; and, through hard edges, what requires such a
// vertex (a threshold only when that member is one it cannot spare).
func (o *Outcome) exposed() []bool {
	c := o.c
	out := make([]bool, c.Len())
	up := func(v int32) bool { return o.stateOf(v) == Up }
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
	for _, r := range o.recs {
		if !r.lost {
			continue
		}
		// One of the node's redundant constructs lost members (the one
		// rule, Constructs) and with them the spare it had.
		for _, v := range Constructs(c, r.v) {
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
	return out
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
