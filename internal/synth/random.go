package synth

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// thingKinds are the kinds Random draws for nodes that are not sites or
// regions, weighted by repetition.
var thingKinds = [...]graph.Kind{
	graph.Service, graph.Service, graph.Service, graph.Identity, graph.Datastore,
	graph.Datastore, graph.Queue, graph.Network, graph.External, graph.Power,
}

// thingNames are id patterns for Random; the odd ones exercise every
// character an id may hold.
var thingNames = [...]string{"svc-", "db.", "team/api_", "q-", "9lives-", "x"}

// Random returns a small model of n nodes (n >= 1; about 3 to 30 is the
// intended range) for property tests, with every feature of the model mixed
// densely: sites in regions that require power feeds (sometimes either of
// two), hard and soft dependencies in both directions (so cycles are
// common, including through sites), any_of, at_least and capacity groups
// with degraded_at, and replicas with capacities, demand, degraded_at,
// standby tiers, recovery overrides and per-replica requires. Node order is
// shuffled. The model is always valid, and depends only on r.
func Random(r *rand.Rand, n int) *graph.Model {
	m := &graph.Model{Name: "synth-random-" + strconv.Itoa(n)}
	if n <= 0 {
		return m
	}
	var sites, regions, powers int
	if n >= 2 {
		sites = 1 + r.IntN(max(1, min(4, n/5)))
		rest := n - sites
		regions = min(r.IntN(3), rest/2)
		rest -= regions
		powers = min(r.IntN(sites+1), rest/2)
	}
	things := n - sites - regions - powers

	nodes := make([]graph.Node, 0, n)
	for k := range regions {
		nodes = append(nodes, graph.Node{ID: "region-" + strconv.Itoa(k), Kind: graph.Region})
	}
	for k := range powers {
		nodes = append(nodes, graph.Node{ID: "power-" + strconv.Itoa(k), Kind: graph.Power})
	}
	site0 := len(nodes)
	for k := range sites {
		nodes = append(nodes, graph.Node{ID: "site-" + strconv.Itoa(k), Kind: graph.Site})
	}
	thing0 := len(nodes)
	for k := range things {
		kind := thingKinds[r.IntN(len(thingKinds))]
		var tier graph.Tier
		if r.IntN(3) > 0 {
			tier = graph.TierOf(r.IntN(4))
		}
		nd := graph.Node{
			ID:   thingNames[r.IntN(len(thingNames))] + strconv.Itoa(k),
			Kind: kind,
			Tier: tier,
		}
		if r.IntN(2) == 0 {
			nd.Users = int64(r.IntN(10_000))
		}
		if r.IntN(8) == 0 {
			nd.Labels = map[string]string{"team": "t" + strconv.Itoa(r.IntN(3))}
		}
		nodes = append(nodes, nd)
	}

	rg := &randGen{r: r, nodes: nodes}
	for k := range sites {
		i := site0 + k
		rg.begin(i)
		nd := &nodes[i]
		if regions > 0 && r.IntN(5) > 0 {
			nd.Region = nodes[r.IntN(regions)].ID
		}
		switch {
		case powers >= 2 && r.IntN(3) == 0: // dual feed
			a := regions + r.IntN(powers)
			b := regions + (a-regions+1+r.IntN(powers-1))%powers
			rg.fresh(a)
			rg.fresh(b)
			nd.Requires = append(nd.Requires, graph.AnyOf(nodes[a].ID, nodes[b].ID))
		case powers >= 1 && r.IntN(4) > 0:
			p := regions + r.IntN(powers)
			rg.fresh(p)
			nd.Requires = append(nd.Requires, graph.On(nodes[p].ID))
		}
		// Now and then a site needs something that runs at a site: a
		// cycle through the infrastructure.
		if things > 0 && r.IntN(6) == 0 {
			if t := thing0 + r.IntN(things); rg.fresh(t) {
				rg.add(&nd.Requires, &nd.Uses, graph.On(nodes[t].ID))
			}
		}
	}
	for k := range powers {
		// A feed may hang off another feed.
		if powers >= 2 && r.IntN(5) == 0 {
			i := regions + k
			rg.begin(i)
			if p := regions + r.IntN(powers); rg.fresh(p) {
				nodes[i].Requires = graph.All(nodes[p].ID)
			}
		}
	}
	for k := range things {
		i := thing0 + k
		rg.begin(i)
		nd := &nodes[i]
		// Place first: the node's own sites are then never among its
		// dependencies too.
		if sites > 0 && nd.Kind != graph.External && r.IntN(7) > 0 {
			rg.place(nd, site0, sites)
		}
		for range r.IntN(5) {
			if d, ok := rg.dep(); ok {
				rg.add(&nd.Requires, &nd.Uses, d)
			}
		}
	}
	r.Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })
	m.Nodes = nodes
	return m
}

// randGen is the state of one Random run.
type randGen struct {
	r      *rand.Rand
	nodes  []graph.Node
	picked []int // nodes the current node references (and itself)
}

func (g *randGen) begin(i int) { g.picked = append(g.picked[:0], i) }

// fresh reports whether node i is not yet referenced by the current node,
// and marks it. Every id a node references is distinct, across requires,
// uses, groups and replica requires.
func (g *randGen) fresh(i int) bool {
	for _, p := range g.picked {
		if p == i {
			return false
		}
	}
	g.picked = append(g.picked, i)
	return true
}

// pick returns up to want fresh nodes, mostly non-site ones, with ids.
func (g *randGen) pick(want int) []string {
	var ids []string
	for range want * 3 {
		if len(ids) == want {
			break
		}
		i := g.r.IntN(len(g.nodes))
		if g.nodes[i].Kind == graph.Site && g.r.IntN(4) > 0 {
			continue // sites are fine targets, but rarer ones
		}
		if g.fresh(i) {
			ids = append(ids, g.nodes[i].ID)
		}
	}
	return ids
}

// dep draws one dependency of any form.
func (g *randGen) dep() (graph.Dep, bool) {
	r := g.r
	switch x := r.IntN(20); {
	case x < 10:
		ids := g.pick(1)
		if len(ids) == 0 {
			return graph.Dep{}, false
		}
		return graph.On(ids[0]), true
	case x < 13:
		ids := g.pick(1 + r.IntN(3))
		if len(ids) == 0 {
			return graph.Dep{}, false
		}
		return graph.AnyOf(ids...), true
	case x < 16:
		ids := g.pick(1 + r.IntN(4))
		if len(ids) == 0 {
			return graph.Dep{}, false
		}
		return graph.AtLeast(1+r.IntN(len(ids)), ids...), true
	default:
		ids := g.pick(1 + r.IntN(4))
		if len(ids) == 0 {
			return graph.Dep{}, false
		}
		ms := make([]graph.Member, len(ids))
		var sum int64
		for k, id := range ids {
			ms[k] = graph.Member{ID: id, Weight: int64(1 + r.IntN(50))}
			sum += ms[k].Weight
		}
		demand := 1 + r.Int64N(sum)
		var degraded int64
		if r.IntN(2) == 0 {
			degraded = 1 + r.Int64N(demand)
		}
		return graph.Capacity(demand, degraded, ms...), true
	}
}

// add appends d to requires, or to uses one time in three.
func (g *randGen) add(requires, uses *[]graph.Dep, d graph.Dep) {
	if g.r.IntN(3) == 0 {
		*uses = append(*uses, d)
		return
	}
	*requires = append(*requires, d)
}

// place gives node nd a site, or 1-3 replicas at distinct sites.
func (g *randGen) place(nd *graph.Node, site0, sites int) {
	r := g.r
	if r.IntN(3) == 0 {
		s := site0 + r.IntN(sites)
		g.fresh(s)
		nd.Site = g.nodes[s].ID
		return
	}
	order := r.Perm(sites)[:1+r.IntN(min(3, sites))]
	for _, s := range order {
		g.fresh(site0 + s)
	}
	reps := make([]graph.Replica, len(order))
	live := false // some replica is active or mirror
	for k, s := range order {
		reps[k] = graph.Replica{Site: g.nodes[site0+s].ID, Standby: graph.Standby(r.IntN(5))}
		live = live || reps[k].Standby <= graph.Mirror
	}
	if !live {
		reps[r.IntN(len(reps))].Standby = graph.Active
	}
	if r.IntN(2) == 0 {
		var serving int64 // active and mirror capacity
		for k := range reps {
			reps[k].Capacity = int64(1 + r.IntN(100))
			if reps[k].Standby <= graph.Mirror {
				serving += reps[k].Capacity
			}
		}
		nd.Demand = 1 + r.Int64N(serving)
		if r.IntN(4) == 0 {
			nd.Demand = serving // no margin at all
		}
		if r.IntN(2) == 0 {
			nd.DegradedAt = 1 + r.Int64N(nd.Demand)
		}
	}
	for k := range reps {
		// Only slow tiers get an override: a mirror with a recovery time
		// would not be a mirror.
		if reps[k].Standby >= graph.Hot && r.IntN(3) == 0 {
			reps[k].Recovery = time.Duration(1+r.IntN(100*60)) * time.Minute
		}
		if r.IntN(3) == 0 {
			var ds []graph.Dep
			for range 1 + r.IntN(2) {
				if ids := g.pick(1 + r.IntN(2)); len(ids) == 1 {
					ds = append(ds, graph.All(ids...)...)
				} else if len(ids) > 1 {
					ds = append(ds, graph.AnyOf(ids...))
				}
			}
			reps[k].Requires = ds
		}
	}
	nd.Replicas = reps
}
