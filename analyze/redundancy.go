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
// it again) and each call returns its own copy. The sites are lost by the
// batch engine (LoseEach: 64 sites in one pass over the graph, not a
// Simulate each), and the rate read from their states.
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
	r, err := regionRedundancies.get(c).rate(ctx, c, graph.Region, nil, nil)
	if err != nil {
		return nil, err
	}
	return r.named(c), nil
}

// RedundancyRateFrom is RedundancyRate for a caller that has simulated
// the loss of some sites already: lost(v), when lost is not nil, returns
// the Outcome of Simulate(ctx, c, Fail(site)) for site vertex v, or nil to
// have it lost here (the sites without an outcome in one LoseEach). A
// caller that simulated every site for its own questions hands its
// outcomes over, so that each site is lost once; one that lost them with
// LoseEach calls RedundancyRateLosses.
func RedundancyRateFrom(ctx context.Context, c *graph.Compiled, lost func(v int32) *Outcome) (*Redundancy, error) {
	r, err := redundancies.get(c).rate(ctx, c, graph.Site, lost, nil)
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
// prints none of them or names only what it prints need not hold them
// twice. (A diff, which loses the sites for its check too, calls
// RedundancyRateLosses.)
func RedundancyRateVertices(ctx context.Context, c *graph.Compiled, lost func(v int32) *Outcome) (*Redundancy, []SiteVertices, error) {
	r, err := redundancies.get(c).rate(ctx, c, graph.Site, lost, nil)
	if err != nil {
		return nil, nil, err
	}
	out := r.r
	out.Sites = slices.Clone(r.r.Sites)
	return &out, r.lists, nil
}

// RedundancyRateLosses is RedundancyRate for a caller that lost the sites
// for its own questions (LoseEach; a diff does, for its policy check): the
// rate reads the states of held, which holds the loss of each site of c
// beside any others, in any order (a site it does not hold is lost here;
// a nil held holds none).
// It returns the rate with its lists named, the caller's to change, and
// the same lists as vertices, shared as RedundancyRateVertices shares
// them. Like RedundancyRate it is computed once per graph: when it was
// already, held is not read.
func RedundancyRateLosses(ctx context.Context, c *graph.Compiled, held *Losses) (*Redundancy, []SiteVertices, error) {
	r, err := redundancies.get(c).rate(ctx, c, graph.Site, nil, held)
	if err != nil {
		return nil, nil, err
	}
	return r.named(c), r.lists, nil
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
// The losses, when not computed here, come from lost or held
// (redundancyRate).
func (e *keptRate) rate(ctx context.Context, c *graph.Compiled, by graph.Kind, lost func(v int32) *Outcome, held *Losses) (*vertexRate, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.r == nil {
		// A cancelled run is not kept: the next call computes it again.
		r, err := redundancyRate(ctx, c, by, lost, held)
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

// redundancyRate loses each node of kind by (Site or Region) in turn: the
// outcome lost(v) gives, when lost is not nil and gives one, else the loss
// held holds, when held is not nil and holds it, else one of the losses
// that one LoseEach here finds for all the others (64 a pass of the batch
// engine, not a Simulate each).
func redundancyRate(ctx context.Context, c *graph.Compiled, by graph.Kind, lost func(v int32) *Outcome, held *Losses) (*vertexRate, error) {
	if held != nil && held.c != c {
		return nil, fmt.Errorf("redundancy rate: the losses are of another graph")
	}
	services := byUsers(c, Measured(c))
	r := &Redundancy{Services: len(services), By: by}
	for _, v := range services {
		r.Users += c.Users(v)
	}
	srcs, err := siteStates(ctx, c, by, lost, held)
	if err != nil {
		return nil, err
	}
	losses, survivesAll, exposedAny, err := readLosses(ctx, c, services, srcs)
	if err != nil {
		return nil, err
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
