package importer_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/stretchr/testify/require"
)

func at(file string, line int) graph.Pos { return graph.Pos{File: file, Line: line} }

func node(id string, k graph.Kind, pos graph.Pos, f func(n *graph.Node)) graph.Node {
	n := graph.Node{ID: id, Kind: k, Pos: pos}
	if f != nil {
		f(&n)
	}
	return n
}

// shop is a catalog, a cluster and traces that disagree the ways the
// report lists.
func shop() []importer.Result {
	catalog := importer.Result{Source: "backstage", Aliases: map[string]string{"web-v2": "Web"}, Nodes: []graph.Node{
		node("Web", graph.Service, at("c.yaml", 4), func(n *graph.Node) {
			n.Users, n.Tier, n.Labels = 100, graph.TierOf(0), map[string]string{"owner": "team-web"}
			n.Requires = graph.All("api", "promo") // promo is never seen in traffic
		}),
		node("api", graph.Service, at("c.yaml", 20), func(n *graph.Node) { n.Requires = graph.All("db") }),
		node("promo", graph.Service, at("c.yaml", 30), nil),
		node("db", graph.Datastore, at("c.yaml", 40), nil),
	}}
	cluster := importer.Result{Source: "k8s", Nodes: []graph.Node{
		node("zone-a", graph.Site, at("k.yaml", 1), func(n *graph.Node) { n.Region = "eu" }),
		node("zone-b", graph.Site, at("k.yaml", 2), func(n *graph.Node) { n.Region = "eu" }),
		node("eu", graph.Region, at("k.yaml", 3), nil),
		node("web-v2", graph.Service, at("k.yaml", 10), func(n *graph.Node) {
			n.Replicas = []graph.Replica{{Site: "zone-a"}, {Site: "zone-b"}}
			n.Labels = map[string]string{"owner": "someone-else", "k8s/namespace": "shop"}
		}),
		node("api", graph.Service, at("k.yaml", 20), func(n *graph.Node) { n.Site = "zone-a" }),
		node("db", graph.Service, at("k.yaml", 30), func(n *graph.Node) { n.Site = "zone-b" }),
		node("flags", graph.Service, at("k.yaml", 40), func(n *graph.Node) { n.Site = "zone-a" }),
	}}
	traces := importer.Result{Source: "traces", Observed: []importer.Edge{
		{From: "web-v2", To: "api", Calls: 10, Pos: at("t.prom", 3)},
		{From: "api", To: "db", Calls: 5, ConnectionType: "database", Pos: at("t.prom", 4)},
		{From: "api", To: "flags", Calls: 7, Failed: 1, Pos: at("t.prom", 5)},
		{From: "Web-V2", To: "Flags", Calls: 2, Pos: at("t.prom", 6)}, // lower-cased: web
	}, Nodes: []graph.Node{
		node("api", graph.Service, at("t.prom", 3), func(n *graph.Node) { n.Requires = graph.All("db", "flags") }),
		node("db", graph.Datastore, at("t.prom", 4), nil),
	}}
	return []importer.Result{cluster, catalog, traces}
}

func ids(deps []graph.Dep) (s []string) {
	for _, d := range deps {
		s = append(s, d.String())
	}
	return s
}

func TestMerge(t *testing.T) {
	m, rep, err := importer.Merge(shop(), nil, importer.MergeOptions{Name: "shop"})
	require.NoError(t, err)
	byID := map[string]*graph.Node{}
	for i := range m.Nodes {
		byID[m.Nodes[i].ID] = &m.Nodes[i]
	}
	web := byID["web"]
	require.NotNil(t, web, "web-v2 (k8s) and Web (catalog) are one node by the catalog's alias")
	require.Len(t, web.Replicas, 2, "placed by Kubernetes")
	require.EqualValues(t, 100, web.Users, "described by the catalog")
	require.Equal(t, "someone-else", web.Labels["owner"], "first source wins a label")
	require.Equal(t, []string{"api", "promo", "flags"}, ids(web.Requires), "the hidden call is a dependency")
	require.Equal(t, graph.Datastore, byID["db"].Kind, "a service kind never overrides")
	require.Equal(t, []string{"db", "flags"}, ids(byID["api"].Requires))
	require.Equal(t, "flags", web.Labels[importer.UndeclaredLabel])
	require.Equal(t, "flags", byID["api"].Labels[importer.UndeclaredLabel])

	hidden := [][2]string{}
	for _, d := range rep.Hidden {
		hidden = append(hidden, [2]string{d.From, d.To})
	}
	require.Equal(t, [][2]string{{"api", "flags"}, {"web", "flags"}}, hidden)
	require.Len(t, rep.Unobserved, 1)
	require.Equal(t, importer.Dependency{From: "web", To: "promo", Source: "backstage", Pos: at("c.yaml", 4)}, rep.Unobserved[0])
	require.Len(t, rep.NotInCatalog, 1)
	require.Equal(t, "flags", rep.NotInCatalog[0].ID)
	require.Equal(t, []string{"k8s", "traces"}, rep.NotInCatalog[0].Sources)
	require.Len(t, rep.Unplaced, 1)
	require.Equal(t, "promo", rep.Unplaced[0].ID)
	require.Equal(t, []importer.Origin{{Source: "k8s", Name: "web-v2", Pos: at("k.yaml", 10)}, {Source: "backstage", Name: "Web", Pos: at("c.yaml", 4)}}, rep.Origins["web"])
}

func TestOverlay(t *testing.T) {
	overlay := &graph.Model{}
	overlay.Add(
		graph.Node{ID: "web", Kind: graph.Service, Users: 500, Uses: graph.All("flags"), Pos: at("o.yaml", 2)},
		graph.Node{ID: "api", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("db", "db-replica")}, Pos: at("o.yaml", 5)},
		graph.Node{ID: "db-replica", Kind: graph.Datastore, Site: "zone-a", Pos: at("o.yaml", 8)},
		graph.Node{ID: "promo", Kind: graph.Service, Site: "zone-b", Pos: at("o.yaml", 10)},
	)
	m, rep, err := importer.Merge(shop(), overlay, importer.MergeOptions{})
	require.NoError(t, err)
	byID := map[string]*graph.Node{}
	for i := range m.Nodes {
		byID[m.Nodes[i].ID] = &m.Nodes[i]
	}
	web := byID["web"]
	require.EqualValues(t, 500, web.Users)
	require.Equal(t, []string{"api", "promo"}, ids(web.Requires), "flags moved to uses")
	require.Equal(t, []string{"flags"}, ids(web.Uses))
	require.Equal(t, []string{"flags", "any_of [db db-replica]"}, ids(byID["api"].Requires))
	require.NotNil(t, byID["db-replica"])
	require.Equal(t, "zone-b", byID["promo"].Site)
	// The overlay declares web → flags; api → flags stays hidden.
	require.Len(t, rep.Hidden, 1)
	require.Equal(t, "api", rep.Hidden[0].From)
	require.Empty(t, web.Labels[importer.UndeclaredLabel])
	require.Empty(t, rep.Unplaced)

	// An empty list drops every imported dependency of that list.
	overlay = &graph.Model{Nodes: []graph.Node{{ID: "web", Kind: graph.Service, Requires: []graph.Dep{}}}}
	m, _, err = importer.Merge(shop(), overlay, importer.MergeOptions{})
	require.NoError(t, err)
	for _, n := range m.Nodes {
		if n.ID == "web" {
			require.Empty(t, n.Requires)
		}
	}
}

// TestOverlayAdds: a node of the overlay that no source knows is added
// and said, with the closest imported id: a misspelt overlay node must not
// add a node and change nothing, silently.
func TestOverlayAdds(t *testing.T) {
	overlay := &graph.Model{}
	overlay.Add(
		graph.Node{ID: "prom", Kind: graph.Service, Site: "zone-b", Pos: at("o.yaml", 2)},
		graph.Node{ID: "db-replica", Kind: graph.Datastore, Site: "zone-a", Pos: at("o.yaml", 4)},
		graph.Node{ID: "api", Kind: graph.Service, Users: 3, Pos: at("o.yaml", 6)},
	)
	m, rep, err := importer.Merge(shop(), overlay, importer.MergeOptions{})
	require.NoError(t, err)
	var got []importer.SourceFinding
	for _, f := range rep.Findings {
		if f.Source == "overlay" {
			got = append(got, f)
		}
	}
	require.Equal(t, []importer.SourceFinding{
		{Source: "overlay", Finding: importer.Finding{Pos: at("o.yaml", 2), Node: "prom", Message: `the overlay adds prom, which no source knows (did you mean "promo"?)`}},
		{Source: "overlay", Finding: importer.Finding{Pos: at("o.yaml", 4), Node: "db-replica", Message: `the overlay adds db-replica, which no source knows`}},
	}, got)
	require.Len(t, m.Nodes, len(mustMerge(t).Nodes)+2, "added all the same")
}

func mustMerge(t *testing.T) *graph.Model {
	m, _, err := importer.Merge(shop(), nil, importer.MergeOptions{})
	require.NoError(t, err)
	return m
}

func TestMergeNames(t *testing.T) {
	results := shop()
	m, _, err := importer.Merge(results, nil, importer.MergeOptions{Names: map[string]string{"k8s:flags": "feature-flags", "flags": "feature-flags"}})
	require.NoError(t, err)
	found := false
	for _, n := range m.Nodes {
		require.NotEqual(t, "flags", n.ID)
		found = found || n.ID == "feature-flags"
	}
	require.True(t, found)
}

func TestMergeInvalid(t *testing.T) {
	// A placement at a site nobody defines is the validator's problem, with
	// the source's file and line.
	r := importer.Result{Source: "backstage", Nodes: []graph.Node{{ID: "web", Site: "nowhere", Pos: at("c.yaml", 3)}}}
	_, _, err := importer.Merge([]importer.Result{r}, nil, importer.MergeOptions{})
	require.ErrorContains(t, err, "c.yaml:3")
	require.ErrorContains(t, err, "nowhere")
}

func TestMergeDangling(t *testing.T) {
	r := importer.Result{Source: "k8s", Nodes: []graph.Node{{ID: "web", Requires: graph.All("Payments Service"), Pos: at("k.yaml", 3)}}}
	m, rep, err := importer.Merge([]importer.Result{r}, nil, importer.MergeOptions{})
	require.NoError(t, err)
	require.Equal(t, "payments-service", m.Nodes[1].ID)
	require.Equal(t, "merge", rep.Findings[0].Source)
	require.Contains(t, rep.Findings[0].Message, "no source describes payments-service")
}

func TestMapName(t *testing.T) {
	for in, want := range map[string]string{
		"Checkout": "checkout", "shop/Web": "shop/web", "checkout service": "checkout-service",
		"a:b@c": "a-b-c", "-x": "x", "  trailing  ": "trailing", "Ünïcode": "ünïcode", "..": "",
	} {
		require.Equal(t, want, importer.MapName(in), in)
	}
}

// TestMergeConflicts: two sources that disagree on a kind or a placement
// keep the first and say so; the overlay's tier and kind win over both.
func TestMergeConflicts(t *testing.T) {
	results := []importer.Result{
		{Source: "k8s", Nodes: []graph.Node{
			{ID: "zone-a", Kind: graph.Site, Pos: at("k.yaml", 1)}, {ID: "zone-b", Kind: graph.Site, Pos: at("k.yaml", 2)},
			{ID: "db", Kind: graph.Datastore, Site: "zone-a", Pos: at("k.yaml", 3)},
		}},
		{Source: "backstage", Nodes: []graph.Node{
			{ID: "db", Kind: graph.Queue, Site: "zone-b", Tier: graph.TierOf(1), Pos: at("c.yaml", 7)},
		}},
	}
	m, rep, err := importer.Merge(results, nil, importer.MergeOptions{})
	require.NoError(t, err)
	require.Equal(t, graph.Datastore, m.Nodes[2].Kind)
	require.Equal(t, "zone-a", m.Nodes[2].Site)
	require.Equal(t, []importer.SourceFinding{
		{Source: "merge", Finding: importer.Finding{Pos: at("c.yaml", 7), Node: "db", Message: "backstage says kind queue, kept datastore from k8s"}},
		{Source: "merge", Finding: importer.Finding{Pos: at("c.yaml", 7), Node: "db", Message: "backstage places it at zone-b, kept zone-a from k8s"}},
	}, rep.Findings)

	overlay := &graph.Model{Nodes: []graph.Node{{ID: "db", Kind: graph.Queue, Tier: graph.TierOf(0)}}}
	m, _, err = importer.Merge(results, overlay, importer.MergeOptions{})
	require.NoError(t, err)
	require.Equal(t, graph.Queue, m.Nodes[2].Kind)
	tier, _ := m.Nodes[2].Tier.Get()
	require.Equal(t, 0, tier)
	require.Equal(t, "zone-a", m.Nodes[2].Site, "an overlay that does not place keeps the placement")
}

// TestMergeNamesUnused: a name mapping that maps nothing (a misspelt
// --map) is a finding, not silence.
func TestMergeNamesUnused(t *testing.T) {
	_, rep, err := importer.Merge(shop(), nil, importer.MergeOptions{Names: map[string]string{"k8s:flags": "feature-flags", "k8s:flgs": "feature-flags"}})
	require.NoError(t, err)
	var got []string
	for _, f := range rep.Findings {
		if f.Source == "merge" && strings.HasPrefix(f.Message, "the name mapping") {
			got = append(got, f.Message)
		}
	}
	require.Equal(t, []string{"the name mapping k8s:flgs=feature-flags maps no name of any source"}, got)
}

// TestOverlayEmptyListFromFile: `requires: []` in an overlay file drops the
// imported dependencies, as the empty list built in Go does (the decoder
// may give nil for it).
func TestOverlayEmptyListFromFile(t *testing.T) {
	overlay, err := graph.Decode(strings.NewReader("nodes:\n  web:\n    kind: service\n    requires: []\n    uses: []\n  flags: {kind: service, uses: []}\n"), "o.yaml", graph.YAML)
	require.NoError(t, err)
	m, _, err := importer.Merge(shop(), overlay, importer.MergeOptions{})
	require.NoError(t, err)
	for _, n := range m.Nodes {
		if n.ID == "web" {
			require.Empty(t, n.Requires)
			require.Empty(t, n.Uses)
		}
	}
	// Left out, the imported ones stay.
	overlay, err = graph.Decode(strings.NewReader("nodes:\n  web: {kind: service}\n"), "o.yaml", graph.YAML)
	require.NoError(t, err)
	m, _, err = importer.Merge(shop(), overlay, importer.MergeOptions{})
	require.NoError(t, err)
	for _, n := range m.Nodes {
		if n.ID == "web" {
			require.NotEmpty(t, n.Requires)
		}
	}
}

// TestObservedSelfCall: a call of a node to itself, as the source names it
// or once two names map to one id, is no dependency: the merged model
// stays valid, and nothing is hidden.
func TestObservedSelfCall(t *testing.T) {
	results := []importer.Result{
		{Source: "k8s", Aliases: map[string]string{"traces:web-v2": "web"}, Nodes: []graph.Node{{ID: "web", Pos: at("k.yaml", 1)}, {ID: "api", Pos: at("k.yaml", 2)}}},
		{Source: "traces", Observed: []importer.Edge{
			{From: "api", To: "api", Calls: 4, Pos: at("t.prom", 1)},
			{From: "web", To: "web-v2", Calls: 3, Pos: at("t.prom", 2)},
			{From: "web", To: "api", Calls: 2, Pos: at("t.prom", 3)},
		}},
	}
	m, rep, err := importer.Merge(results, nil, importer.MergeOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"api"}, ids(m.Nodes[0].Requires))
	require.Empty(t, m.Nodes[1].Requires)
	require.Len(t, rep.Hidden, 1)
	require.Equal(t, []importer.SourceFinding{{Source: "merge", Finding: importer.Finding{Pos: at("t.prom", 2), Node: "web",
		Message: "web calls web-v2, both web: no dependency (a node cannot require itself)"}}}, rep.Findings)
}

// The overlay's and the sources' recovery and failure data reach the
// merged model: rto, repair_requires with on_site, availability (or mtbf
// and mttr), failover_requires on a replica. A new field of graph.Node
// must be merged too: the list of fields below fails this test until it
// is told about one.
func TestMergeKeepsEveryField(t *testing.T) {
	var names []string
	for f := range reflect.TypeFor[graph.Node]().Fields() {
		if f.IsExported() {
			names = append(names, f.Name)
		}
	}
	require.Equal(t, []string{"ID", "Kind", "Description", "Users", "Tier", "Labels", "Region", "Site", "Replicas",
		"Demand", "DegradedAt", "Requires", "Uses", "Restart", "RTO", "RepairRequires", "OnSite", "Availability",
		"MTBF", "MTTR", "Pos"}, names, "graph.Node has a new field: merge it (merge.go, from sources and from the overlay) and list it here")

	overlay := &graph.Model{}
	overlay.Add(
		graph.Node{ID: "api", Kind: graph.Service, RTO: time.Hour, RepairRequires: []string{"db"}, OnSite: 5 * time.Hour,
			Availability: 0.999, Pos: at("o.yaml", 2)},
		graph.Node{ID: "db", Kind: graph.Datastore, MTBF: 8760 * time.Hour, MTTR: 4 * time.Hour, Pos: at("o.yaml", 5),
			Replicas: []graph.Replica{{Site: "zone-b"}, {Site: "zone-a", Standby: graph.Warm, FailoverRequires: []string{"flags"}}}},
	)
	results := shop()
	results[1].Nodes[0].RTO = 15 * time.Minute // the catalog's Web
	m, _, err := importer.Merge(results, overlay, importer.MergeOptions{})
	require.NoError(t, err)
	byID := map[string]*graph.Node{}
	for i := range m.Nodes {
		byID[m.Nodes[i].ID] = &m.Nodes[i]
	}
	api, db := byID["api"], byID["db"]
	require.Equal(t, time.Hour, api.RTO)
	require.Equal(t, []string{"db"}, api.RepairRequires)
	require.Equal(t, 5*time.Hour, api.OnSite)
	require.InDelta(t, 0.999, api.Availability, 0)
	require.Equal(t, 8760*time.Hour, db.MTBF)
	require.Equal(t, 4*time.Hour, db.MTTR)
	require.Equal(t, []string{"flags"}, db.Replicas[1].FailoverRequires)
	require.Equal(t, 15*time.Minute, byID["web"].RTO, "a source's rto")
}
