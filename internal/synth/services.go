package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// Params controls the shape of a generated model.
type Params struct {
	Nodes       int     // total nodes including sites/regions/power (exact for Nodes >= 4)
	AvgDeps     float64 // average out-edges per service node: dependency member references plus its placement (edge density)
	Sites       int     // number of sites (data centers); regions = max(1, Sites/4); each site requires its region and a power node
	Hubs        int     // shared hubs (identity/login, datastores) that many services require (power-law fan-in)
	CycleFrac   float64 // fraction of services that get a back-edge making a cycle (services call each other)
	GroupFrac   float64 // fraction of dependencies written as any_of / at_least groups / capacity groups
	SoftFrac    float64 // fraction of dependencies that are soft (uses)
	ReplicaFrac float64 // fraction of services with 2-3 replicas across sites (with capacity, demand, degraded_at, standby tiers mixed); the rest `Site: x`
	Seed        int64
}

// Default returns sensible parameters for a service graph of n nodes with
// about five compiled edges per node.
func Default(n int, seed int64) Params {
	return Params{
		Nodes:       n,
		AvgDeps:     5,
		Sites:       min(max(n/50_000, 2), 16),
		Hubs:        min(max(n/2_000, 3), 64),
		CycleFrac:   0.02,
		GroupFrac:   0.02,
		SoftFrac:    0.2,
		ReplicaFrac: 0.02,
		Seed:        seed,
	}
}

// backWindow bounds how far up a back-edge reaches (in service order). A
// back-edge from service i to a service j in (i, i+backWindow] closes a cycle
// through the forward edge j -> i that goes with it; keeping the window small
// keeps strongly connected components local: a component spans a run of
// overlapping windows, and such runs are short while CycleFrac*backWindow is
// well below 1.
const backWindow = 8

// maxDeps caps the dependency references of one service node.
const maxDeps = 48

// hubPick is the probability that a dependency goes to a shared hub rather
// than to another service.
const hubPick = 0.3

// Services returns a realistic service catalog of p.Nodes nodes. Nodes are
// written in layers: regions, power feeds, sites (each requiring its region
// and its power feed), shared hubs (identity, datastores, queues, networks,
// externals), then services. Service i depends mostly "downward": on hubs,
// chosen by a Zipf law so that the first hub (the login) gets the largest
// fan-in, and on services before it, chosen by preferential attachment (a
// uniformly chosen earlier edge endpoint half the time, a uniform earlier
// service otherwise; Barabási and Albert 1999), which gives a power-law
// in-degree. A CycleFrac share of services also get a back-edge to a service
// a few places later, which in turn requires them: services call each other.
// The strongly connected components stay small (a few nodes) while
// CycleFrac is well below 1/8; near 1 they merge into one giant component.
//
// The model is valid and the same for the same Params. Generation allocates
// in large chunks: ids are substrings of one string, dependencies and members
// come from shared arrays.
func Services(p Params) *graph.Model {
	r := rand.New(rand.NewPCG(uint64(p.Seed), 0x5eed_b1a5_7ad1_05))
	l := newLayout(p)
	g := &gen{
		r:   r,
		p:   p,
		l:   l,
		ids: l.ids(),
	}
	m := &graph.Model{
		Name:        "synth-services-" + strconv.Itoa(l.n),
		Description: "synthetic service catalog (internal/synth.Services)",
		Nodes:       make([]graph.Node, l.n),
	}
	g.nodes = m.Nodes
	g.infrastructure()
	g.hubs()
	g.services()
	return m
}

// layout is where each layer of a Services model starts.
type layout struct {
	n                            int
	regions, sites, hubs, svcs   int
	region0, power0, site0, hub0 int
	svc0                         int
}

func newLayout(p Params) layout {
	n := max(p.Nodes, 4)
	s := max(p.Sites, 1)
	h := max(p.Hubs, 0)
	for {
		rg := max(1, s/4)
		if rg+2*s+h < n {
			break
		}
		// Too small for the asked shape: drop hubs first, then sites.
		if h > 0 {
			h = max(0, n-1-rg-2*s)
			continue
		}
		s--
	}
	l := layout{n: n, sites: s, hubs: h, regions: max(1, s/4)}
	l.power0 = l.region0 + l.regions
	l.site0 = l.power0 + s
	l.hub0 = l.site0 + s
	l.svc0 = l.hub0 + h
	l.svcs = n - l.svc0
	return l
}

// hubKinds is the repeating pattern of hub kinds after the first hub, which
// is the login (identity).
var hubKinds = [...]graph.Kind{
	graph.Datastore, graph.Queue, graph.Datastore, graph.Identity,
	graph.Network, graph.Datastore, graph.Queue, graph.External,
}

func (l layout) hubKind(h int) graph.Kind {
	if h == 0 {
		return graph.Identity
	}
	return hubKinds[(h-1)%len(hubKinds)]
}

// hubRank orders hub kinds into layers: a hub requires only hubs of a lower
// rank, so hubs alone never form a cycle.
func hubRank(k graph.Kind) int {
	switch k {
	case graph.Identity:
		return 3
	case graph.Queue:
		return 2
	case graph.Datastore:
		return 1
	}
	return 0 // network, external
}

// ids builds every node id into one string and slices it, so ids cost three
// allocations in all.
func (l layout) ids() []string {
	ends := make([]int32, l.n)
	var b strings.Builder
	b.Grow(l.n * 12)
	var num [20]byte
	add := func(i int, prefix string, k int) {
		b.WriteString(prefix)
		b.Write(strconv.AppendInt(num[:0], int64(k), 10))
		ends[i] = int32(b.Len())
	}
	for k := range l.regions {
		add(l.region0+k, "region-", k)
	}
	// In index order: ids[i] is the text between the end of id i-1 and
	// ends[i].
	for k := range l.sites {
		add(l.power0+k, "power-", k)
	}
	for k := range l.sites {
		add(l.site0+k, "site-", k)
	}
	for k := range l.hubs {
		add(l.hub0+k, l.hubKind(k).String()+"-", k)
	}
	for k := range l.svcs {
		add(l.svc0+k, "svc-", k)
	}
	all := b.String()
	ids := make([]string, l.n)
	start := int32(0)
	for i, e := range ends {
		ids[i] = all[start:e]
		start = e
	}
	return ids
}

// gen holds the state of one Services run.
type gen struct {
	r     *rand.Rand
	p     Params
	l     layout
	ids   []string
	nodes []graph.Node
	a     arena
	zipf  *rand.Zipf

	// Per-node scratch, reused.
	picked []int32 // node indices this node already references (and itself)
	reqs   []graph.Dep
	uses   []graph.Dep
	mem    []graph.Member
	reps   []graph.Replica

	ends []int32 // service endpoints of earlier edges, for preferential attachment
}

func (g *gen) infrastructure() {
	l := g.l
	for k := range l.regions {
		g.nodes[l.region0+k] = graph.Node{ID: g.ids[l.region0+k], Kind: graph.Region}
	}
	for k := range l.sites {
		g.nodes[l.power0+k] = graph.Node{ID: g.ids[l.power0+k], Kind: graph.Power}
		g.nodes[l.site0+k] = graph.Node{
			ID:       g.ids[l.site0+k],
			Kind:     graph.Site,
			Region:   g.ids[l.region0+min(k/4, l.regions-1)],
			Requires: graph.All(g.ids[l.power0+k]),
		}
	}
}

func (g *gen) hubs() {
	l := g.l
	for h := range l.hubs {
		i := l.hub0 + h
		kind := l.hubKind(h)
		g.begin(i)
		n := &g.nodes[i]
		*n = graph.Node{ID: g.ids[i], Kind: kind, Tier: graph.TierOf(0)}
		if kind == graph.External {
			continue // outside the operator's control: no site, no dependencies
		}
		// One or two hubs of a lower layer.
		rank := hubRank(kind)
		for range 1 + g.r.IntN(2) {
			for range 4 {
				o := g.r.IntN(l.hubs)
				if hubRank(l.hubKind(o)) < rank && l.hubKind(o) != graph.External && g.fresh(l.hub0+o) {
					g.reqs = append(g.reqs, g.one(l.hub0+o))
					break
				}
			}
		}
		// Shared hubs are replicated more often than ordinary services.
		g.place(n, max(g.p.ReplicaFrac, 0.5), rank)
		g.finish(n)
	}
}

func (g *gen) services() {
	l := g.l
	if l.svcs == 0 {
		return
	}
	if l.hubs > 1 {
		g.zipf = rand.NewZipf(g.r, 1.2, 1, uint64(l.hubs-1))
	}
	g.ends = make([]int32, 0, int(float64(l.svcs)*max(g.p.AvgDeps, 1)))

	// Decide the back-edges first: service j learns, when its turn comes,
	// which of the few services before it point back at it, and requires
	// them, which closes each cycle.
	back := make([]int32, l.svcs)
	for j := range back {
		back[j] = -1
		if g.p.CycleFrac > 0 && g.r.Float64() < g.p.CycleFrac {
			if t := j + 1 + g.r.IntN(backWindow); t < l.svcs {
				back[j] = int32(t)
			}
		}
	}

	mean := max(g.p.AvgDeps-1, 0) // one edge goes to the placement
	foundation := l.svcs / 10
	for j := range l.svcs {
		i := l.svc0 + j
		g.begin(i)
		n := &g.nodes[i]
		kind := graph.Service
		if j < foundation {
			kind = [...]graph.Kind{graph.Datastore, graph.Queue, graph.Service, graph.Service}[j%4]
		}
		users := g.users()
		*n = graph.Node{ID: g.ids[i], Kind: kind, Users: users, Tier: graph.TierOf(tierOf(users))}

		budget := g.count(mean)
		for k := max(0, j-backWindow); k < j; k++ {
			if back[k] == int32(j) && g.fresh(l.svc0+k) {
				g.reqs = append(g.reqs, g.one(l.svc0+k))
				budget--
			}
		}
		if t := back[j]; t >= 0 && g.fresh(l.svc0+int(t)) {
			g.add(g.one(l.svc0 + int(t)))
			budget--
		}
		for budget > 0 {
			if budget >= 2 && g.r.Float64() < g.p.GroupFrac {
				budget -= g.group(j, min(2+g.r.IntN(3), budget))
				continue
			}
			t := g.target(j)
			if t < 0 {
				break
			}
			g.add(g.one(t))
			budget--
		}
		g.place(n, g.p.ReplicaFrac, hubRank(graph.Identity)+1)
		g.finish(n)
	}
}

// count draws the number of dependency references of one service: an
// exponential (long-tailed, like real call graphs) with the given mean.
func (g *gen) count(mean float64) int {
	if mean <= 0 {
		return 0
	}
	return min(int(mean*g.r.ExpFloat64()+0.5), maxDeps)
}

// users draws a Pareto-distributed impact weight: most services have few
// users, a few have tens of millions.
func (g *gen) users() int64 {
	return int64(min(50*math.Pow(1-g.r.Float64(), -1.25), 5e7))
}

func tierOf(users int64) int {
	switch {
	case users >= 1e5:
		return 0
	case users >= 1e3:
		return 1
	case users >= 100:
		return 2
	}
	return 3
}

// begin resets the per-node scratch for node i.
func (g *gen) begin(i int) {
	g.picked = append(g.picked[:0], int32(i))
	g.reqs = g.reqs[:0]
	g.uses = g.uses[:0]
}

// fresh reports whether node i is not yet referenced by the current node (nor
// is it), and marks it referenced. Every id a generated node references is
// distinct, across requires, uses, groups and replica requires.
func (g *gen) fresh(i int) bool {
	for _, p := range g.picked {
		if int(p) == i {
			return false
		}
	}
	g.picked = append(g.picked, int32(i))
	return true
}

// target picks a fresh dependency target for service j: a hub (Zipf) or an
// earlier service (preferential attachment). It returns -1 when it finds
// none in a few tries.
func (g *gen) target(j int) int {
	l := g.l
	for range 4 {
		var t int
		switch {
		case l.hubs > 0 && (j == 0 || g.r.Float64() < hubPick):
			t = l.hub0
			if g.zipf != nil {
				t += int(g.zipf.Uint64())
			}
		case j == 0:
			return -1
		case len(g.ends) > 0 && g.r.IntN(2) == 0:
			t = int(g.ends[g.r.IntN(len(g.ends))])
		default:
			t = l.svc0 + g.r.IntN(j)
		}
		if g.fresh(t) {
			if t >= l.svc0 {
				g.ends = append(g.ends, int32(t))
			}
			return t
		}
	}
	return -1
}

// one returns a plain dependency on node i.
func (g *gen) one(i int) graph.Dep {
	ms := grab(&g.a.members, 1)
	ms[0] = graph.Member{ID: g.ids[i], Weight: 1}
	return graph.Dep{Form: graph.One, Members: ms, Need: 1}
}

// add appends a dependency to requires, or to uses for a SoftFrac share.
func (g *gen) add(d graph.Dep) {
	if g.p.SoftFrac > 0 && g.r.Float64() < g.p.SoftFrac {
		g.uses = append(g.uses, d)
		return
	}
	g.reqs = append(g.reqs, d)
}

// group adds an any_of, at_least or capacity group of up to size members
// for service j and returns how many members it got.
func (g *gen) group(j, size int) int {
	g.mem = g.mem[:0]
	for range size {
		t := g.target(j)
		if t < 0 {
			break
		}
		g.mem = append(g.mem, graph.Member{ID: g.ids[t], Weight: 1})
	}
	n := len(g.mem)
	if n == 0 {
		return 1 // nothing left to pick; count the attempt so the loop ends
	}
	d := graph.Dep{Need: 1}
	switch g.r.IntN(3) {
	case 0:
		d.Form = graph.AnyOfN
	case 1:
		d.Form = graph.AtLeastK
		d.Need = int64(max(1, n-1)) // lose one and still be Up
		if g.r.IntN(4) == 0 {
			d.Need = int64(n) // all needed: redundancy in name only
		}
	default:
		d.Form = graph.Weighted
		var sum int64
		for k := range g.mem {
			w := int64(10 * (1 + g.r.IntN(10)))
			g.mem[k].Weight = w
			sum += w
		}
		d.Need = max(1, sum*int64(50+g.r.IntN(51))/100)
		if g.r.IntN(2) == 0 {
			d.DegradedAt = max(1, d.Need/2)
		}
	}
	d.Members = take(&g.a.members, g.mem)
	g.add(d)
	return n
}

// place puts node n at one site, or with probability frac in 2-3 replicas at
// distinct sites. A replica may require a hub of rank below below.
func (g *gen) place(n *graph.Node, frac float64, below int) {
	l := g.l
	s0 := g.r.IntN(l.sites)
	if l.sites < 2 || frac <= 0 || g.r.Float64() >= frac {
		n.Site = g.ids[l.site0+s0]
		return
	}
	nr := min(2+g.r.IntN(2), l.sites)
	g.reps = g.reps[:0]
	step := 1 + g.r.IntN(l.sites-1)
	for k := range nr {
		s := (s0 + k*step) % l.sites
		dup := false
		for _, rep := range g.reps {
			if rep.Site == g.ids[l.site0+s] {
				dup = true
			}
		}
		if !dup {
			g.reps = append(g.reps, graph.Replica{Site: g.ids[l.site0+s]})
		}
	}
	if len(g.reps) < 2 {
		n.Site = g.ids[l.site0+s0]
		return
	}
	reps := g.reps
	if g.r.IntN(2) == 0 {
		// Capacity-weighted: the node needs 100.
		n.Demand = 100
		switch g.r.IntN(3) {
		case 0: // active-active, sized for the loss of one replica or not
			c := int64(100 / (len(reps) - 1))
			if g.r.IntN(2) == 0 {
				c = 60
				n.DegradedAt = 50
			}
			for k := range reps {
				reps[k].Capacity = c
			}
		case 1: // one active, the rest standbys of mixed tiers
			reps[0].Capacity = 100
			for k := 1; k < len(reps); k++ {
				reps[k].Capacity = int64(50 * (1 + g.r.IntN(2)))
				reps[k].Standby = graph.Standby(1 + g.r.IntN(4))
			}
			n.DegradedAt = 50
		default: // uneven actives, and maybe a cold site
			reps[0].Capacity = 70
			reps[1].Capacity = 40
			for k := 2; k < len(reps); k++ {
				reps[k].Capacity = 100
				reps[k].Standby = graph.Cold
			}
			n.DegradedAt = 30
		}
	} else {
		// Unit replicas: any one carries the node.
		for k := 1; k < len(reps); k++ {
			reps[k].Standby = graph.Standby(g.r.IntN(5))
		}
	}
	for k := range reps {
		if reps[k].Standby >= graph.Hot && g.r.IntN(4) == 0 {
			// A drilled standby: half the tier's default plus 30m.
			reps[k].Recovery = reps[k].Standby.DefaultRecovery()/2 + 30*time.Minute
		}
		// A replica may need its own copy of a shared datastore.
		if l.hubs > 0 && g.r.IntN(4) == 0 {
			h := g.r.IntN(l.hubs)
			if hk := l.hubKind(h); hk != graph.External && hubRank(hk) < below && g.fresh(l.hub0+h) {
				ds := grab(&g.a.deps, 1)
				ds[0] = g.one(l.hub0 + h)
				reps[k].Requires = ds
			}
		}
	}
	n.Replicas = take(&g.a.replicas, reps)
}

// finish moves the scratch dependencies of node n into the arena.
func (g *gen) finish(n *graph.Node) {
	n.Requires = take(&g.a.deps, g.reqs)
	n.Uses = take(&g.a.deps, g.uses)
}
