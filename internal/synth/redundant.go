package synth

import (
	"math/rand/v2"
	"strconv"

	"github.com/blastradius-go/blastradius/graph"
)

// RedundantTiers is the number of service tiers Redundant writes.
const RedundantTiers = 6

// redundantWindow is how far (in service order within the tier below) a
// service looks for what it depends on, given the services per tier:
// services of one product depend on services near them, so a service's
// ancestry is a part of the catalog that grows with it (about 350 nodes of
// a 10,000-node catalog, 2,500 of a 100,000-node one).
func redundantWindow(per int) int { return max(150, per/16) }

// Redundant returns a catalog of about n nodes (n >= 100) with redundancy
// everywhere: the hard case for cut sets, where almost nothing fails alone
// and many pairs do. 4 regions of 4 sites each; every site needs its
// region, its own power feed and a campus feed it shares with one other
// site (the OVH-like common cause); 8 shared hubs (login, datastores), each
// active at three sites, any one of which serves. The services come in
// RedundantTiers tiers. Each runs at two sites (any one replica serves;
// one in ten also has a warm standby at a third, which counts for nothing
// at t=0) and requires two any_of pairs of services of the tier below
// chosen near its own position (tier 0: a pair of hubs); one in five also
// requires a hub, one in ten a single service of the tier below, and one
// in ten uses (softly) another. The model is valid and the same for the
// same n and seed.
func Redundant(n int, seed uint64) *graph.Model {
	r := rand.New(rand.NewPCG(seed, 0x7ed0_da47))
	const regions, sites, hubs = 4, 16, 8
	m := &graph.Model{
		Name:        "synth-redundant-" + strconv.Itoa(n),
		Description: "synthetic catalog with redundancy everywhere (internal/synth.Redundant)",
	}
	add := func(nd graph.Node) { m.Nodes = append(m.Nodes, nd) }
	siteID := func(i int) string { return "site-" + strconv.Itoa(i) }
	for i := range regions {
		add(graph.Node{ID: "region-" + strconv.Itoa(i), Kind: graph.Region})
	}
	for i := range sites / 2 {
		add(graph.Node{ID: "campus-power-" + strconv.Itoa(i), Kind: graph.Power})
	}
	for i := range sites {
		add(graph.Node{ID: "power-" + strconv.Itoa(i), Kind: graph.Power})
		add(graph.Node{
			ID: siteID(i), Kind: graph.Site, Region: "region-" + strconv.Itoa(i/(sites/regions)),
			Requires: graph.All("power-"+strconv.Itoa(i), "campus-power-"+strconv.Itoa(i/2)),
		})
	}
	// twoSites picks two distinct sites, in different campuses.
	twoSites := func() (int, int) {
		a := r.IntN(sites)
		b := (a + 2 + r.IntN(sites-3)) % sites
		if b/2 == a/2 {
			b = (b + 2) % sites
		}
		return a, b
	}
	hubID := func(i int) string { return "hub-" + strconv.Itoa(i) }
	for i := range hubs {
		kind := graph.Datastore
		if i == 0 {
			kind = graph.Identity
		}
		a, b := twoSites()
		c := (max(a, b) + 1 + r.IntN(sites)) % sites
		for c == a || c == b {
			c = (c + 1) % sites
		}
		add(graph.Node{ID: hubID(i), Kind: kind, Replicas: []graph.Replica{{Site: siteID(a)}, {Site: siteID(b)}, {Site: siteID(c)}}})
	}
	rest := max(n-len(m.Nodes), RedundantTiers*4)
	per := rest / RedundantTiers
	svcID := func(tier, i int) string { return "svc-" + strconv.Itoa(tier) + "-" + strconv.Itoa(i) }
	// near picks a service of tier t-1 near position i of tier t.
	window := redundantWindow(per)
	near := func(t, i int) string {
		j := i + r.IntN(2*window+1) - window
		return svcID(t-1, min(max(j, 0), per-1))
	}
	for t := range RedundantTiers {
		for i := range per {
			a, b := twoSites()
			nd := graph.Node{ID: svcID(t, i), Kind: graph.Service, Users: int64(1 + r.IntN(100_000))}
			nd.Replicas = []graph.Replica{{Site: siteID(a)}, {Site: siteID(b)}}
			if r.IntN(10) == 0 {
				c := (a + 1) % sites
				for c == a || c == b {
					c = (c + 1) % sites
				}
				nd.Replicas = append(nd.Replicas, graph.Replica{Site: siteID(c), Standby: graph.Warm})
			}
			pair := func() graph.Dep {
				if t == 0 {
					x := r.IntN(hubs)
					return graph.AnyOf(hubID(x), hubID((x+1+r.IntN(hubs-1))%hubs))
				}
				x := near(t, i)
				y := near(t, i)
				for y == x {
					y = near(t, i)
				}
				return graph.AnyOf(x, y)
			}
			p, q := pair(), pair()
			if p.String() != q.String() {
				nd.Requires = append(nd.Requires, p, q)
			} else {
				nd.Requires = append(nd.Requires, p)
			}
			taken := map[string]bool{}
			for _, d := range nd.Requires {
				for _, id := range d.IDs() {
					taken[id] = true
				}
			}
			one := func(id string) {
				if !taken[id] {
					taken[id] = true
					nd.Requires = append(nd.Requires, graph.On(id))
				}
			}
			if r.IntN(5) == 0 {
				one(hubID(r.IntN(hubs)))
			}
			if t > 0 && r.IntN(10) == 0 {
				one(near(t, i))
			}
			if t > 0 && r.IntN(10) == 0 {
				if id := near(t, i); !taken[id] {
					nd.Uses = append(nd.Uses, graph.On(id))
				}
			}
			add(nd)
		}
	}
	return m
}
