package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Small models built in Go, one concern each. Nodes get tier 1 unless a
// case says otherwise (a Go Node's zero Tier is 0).

func site(id string) graph.Node   { return graph.Node{ID: id, Kind: graph.Site} }
func region(id string) graph.Node { return graph.Node{ID: id, Kind: graph.Region} }

func inRegion(id, r string) graph.Node {
	n := site(id)
	n.Region = r
	return n
}

// svc is a service with users, at the given sites (one active replica
// each, unit capacity), requiring deps.
func svc(id string, users int64, sites []string, deps ...string) graph.Node {
	n := graph.Node{ID: id, Kind: graph.Service, Users: users, Tier: graph.TierOf(1), Requires: graph.All(deps...)}
	if len(sites) == 1 {
		n.Site = sites[0]
	} else {
		for _, s := range sites {
			n.Replicas = append(n.Replicas, graph.Replica{Site: s})
		}
	}
	return n
}

func at(sites ...string) []string { return sites }

func tier0(n graph.Node) graph.Node { n.Tier = graph.TierOf(0); return n }

func compile(t testing.TB, nodes ...graph.Node) *graph.Compiled {
	t.Helper()
	var m graph.Model
	m.Name = "test"
	m.Add(nodes...)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	return c
}

func check(t testing.TB, c *graph.Compiled, r Rule) RuleResult {
	t.Helper()
	res, err := Check(context.Background(), c, &Policy{Rules: []Rule{r}, MaxViolations: -1})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	rr := res.Rules[0]
	if rr.Passed {
		assert.Zero(t, rr.Total, "passed: no violations")
	}
	assert.Equal(t, rr.Total, len(rr.Violations), "all violations listed")
	return rr
}

// got renders violations as "node/removed/state", in their order.
func got(rr RuleResult) []string {
	out := []string{}
	for _, v := range rr.Violations {
		out = append(out, fmt.Sprintf("%s/%s/%s", v.Node, v.Removed, v.State))
	}
	return out
}

type ruleCase struct {
	name  string
	nodes []graph.Node
	rule  Rule
	want  []string // violations as node/removed/state; empty: passes
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rr := check(t, compile(t, tc.nodes...), tc.rule)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, got(rr), "result: %+v", rr)
			assert.Equal(t, len(want) == 0, rr.Passed)
		})
	}
}

func TestSurviveSiteLoss(t *testing.T) {
	capacity := func(id string, demand, floor int64, reps ...graph.Replica) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Users: 10, Tier: graph.TierOf(0), Demand: demand, DegradedAt: floor, Replicas: reps}
	}
	runCases(t, []ruleCase{
		{"two active sites pass", []graph.Node{site("a"), site("b"), tier0(svc("app", 10, at("a", "b")))},
			SurviveSiteLoss(Tier(0)), nil},
		{"one site fails", []graph.Node{site("a"), site("b"), tier0(svc("app", 10, at("a")))},
			SurviveSiteLoss(Tier(0)), []string{"app/a/down"}},
		{"down through a dependency at one site", []graph.Node{site("a"), site("b"),
			graph.Node{ID: "db", Kind: graph.Datastore, Tier: graph.TierOf(1), Site: "a"},
			tier0(svc("app", 10, at("a", "b"), "db"))},
			SurviveSiteLoss(Tier(0)), []string{"app/a/down"}},
		{"degraded counts as not surviving", []graph.Node{site("a"), site("b"),
			capacity("app", 100, 50, graph.Replica{Site: "a", Capacity: 60}, graph.Replica{Site: "b", Capacity: 60})},
			SurviveSiteLoss(Tier(0)), []string{"app/a/degraded", "app/b/degraded"}},
		{"a mirror takes over at once", []graph.Node{site("a"), site("b"),
			capacity("app", 100, 0, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "b", Capacity: 100, Standby: graph.Mirror})},
			SurviveSiteLoss(Tier(0)), nil},
		{"a warm standby does not", []graph.Node{site("a"), site("b"),
			capacity("app", 100, 0, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "b", Capacity: 100, Standby: graph.Warm})},
			SurviveSiteLoss(Tier(0)), []string{"app/a/down"}},
		{"soft dependency at one site degrades", []graph.Node{site("a"), site("b"),
			graph.Node{ID: "chat", Kind: graph.Service, Tier: graph.TierOf(1), Site: "a"},
			func() graph.Node { n := tier0(svc("app", 10, at("a", "b"))); n.Uses = graph.All("chat"); return n }()},
			SurviveSiteLoss(Tier(0)), []string{"app/a/degraded"}},
		{"unselected nodes are not checked", []graph.Node{site("a"), site("b"), svc("app", 10, at("a")), tier0(svc("core", 10, at("a", "b")))},
			SurviveSiteLoss(Tier(0)), nil},
		{"by label", []graph.Node{site("a"), site("b"),
			func() graph.Node {
				n := svc("app", 10, at("a"))
				n.Labels = map[string]string{"team": "talk"}
				return n
			}(),
			svc("other", 10, at("a"))},
			SurviveSiteLoss(Label("team", "talk")), []string{"app/a/down"}},
		{"by id, worst first", []graph.Node{site("a"), site("b"), svc("small", 1, at("b")), svc("big", 100, at("a")), svc("x", 5, at("a"))},
			SurviveSiteLoss(ID("small", "big")), []string{"big/a/down", "small/b/down"}},
		{"the lost site itself is not counted", []graph.Node{tier0(site("a")), tier0(site("b"))},
			SurviveSiteLoss(Kind(graph.Site)), nil},
	})
}

func TestSurviveRegionLoss(t *testing.T) {
	runCases(t, []ruleCase{
		{"replicas in two regions pass", []graph.Node{region("r1"), region("r2"), inRegion("a", "r1"), inRegion("b", "r2"),
			tier0(svc("app", 10, at("a", "b")))}, SurviveRegionLoss(Tier(0)), nil},
		{"two sites of one region fail", []graph.Node{region("r1"), region("r2"), inRegion("a", "r1"), inRegion("b", "r1"), inRegion("c", "r2"),
			tier0(svc("app", 10, at("a", "b")))}, SurviveRegionLoss(Tier(0)), []string{"app/r1/down"}},
		{"the same model survives any one site", []graph.Node{region("r1"), region("r2"), inRegion("a", "r1"), inRegion("b", "r1"), inRegion("c", "r2"),
			tier0(svc("app", 10, at("a", "b")))}, SurviveSiteLoss(Tier(0)), nil},
	})
}

// A rule the model gives nothing to check fails, with no violation to
// list and what it found in the result, rather than pass vacuously: a
// gate about site losses on a model without sites proves nothing.
func TestFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name      string
		nodes     []graph.Node
		rule      Rule
		scenarios int
		rate      *Rate
	}{
		{"survive_site_loss without sites", []graph.Node{svc("app", 10, nil)}, SurviveSiteLoss(Selector{}), 0, nil},
		{"survive_region_loss without regions", []graph.Node{site("a"), tier0(svc("app", 10, at("a")))}, SurviveRegionLoss(Tier(0)), 0, nil},
		{"min_redundancy_rate without sites", []graph.Node{svc("app", 10, nil)}, MinRedundancyRate(0.9, ByUsers), 0,
			&Rate{By: ByUsers, Want: 0.9, Got: 1, Survive: 10, All: 10}},
		{"min_redundancy_rate with nothing to measure", []graph.Node{site("a")}, MinRedundancyRate(1, ByUsers), 1,
			&Rate{By: ByUsers, Want: 1, Got: 1}},
		{"min_redundancy_rate by users without users", []graph.Node{site("a"), site("b"), svc("x", 0, at("a", "b"))}, MinRedundancyRate(0.5, ByUsers), 2,
			&Rate{By: ByUsers, Want: 0.5, Got: 1}},
		{"no_spof that ignores every node", []graph.Node{site("a"), svc("app", 10, at("a")), svc("db", 0, at("a"))},
			NoSPOF(Selector{}, Kind(graph.Service)), 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rr := check(t, compile(t, tc.nodes...), tc.rule)
			assert.False(t, rr.Passed)
			assert.Zero(t, rr.Total)
			assert.Equal(t, tc.scenarios, rr.Scenarios)
			assert.Equal(t, tc.rate, rr.Rate)
		})
	}
	// With sites and services the same rule passes.
	rr := check(t, compile(t, site("a"), site("b"), svc("x", 1, at("a", "b"))), MinRedundancyRate(1, ByUsers))
	assert.True(t, rr.Passed)
}

// A selector that picks no node of the model is an error at the line and
// field that made it pick none, with a suggestion where one fits; an
// ignore list may pick nothing.
func TestSelectorPicksNothing(t *testing.T) {
	c := compile(t, site("a"),
		graph.Node{ID: "talk", Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Site: "a", Labels: map[string]string{"team": "talk"}},
		graph.Node{ID: "pay", Kind: graph.Service, Tier: graph.TierOf(1), Site: "a", Labels: map[string]string{"team": "pay"}})
	decode := func(src string) *Policy {
		p, err := Decode(strings.NewReader(src), "p.yaml")
		require.NoError(t, err)
		return p
	}
	for _, tc := range []struct {
		name string
		p    *Policy
		want []string
	}{
		{"a label value typo", decode("rules:\n  - rule: survive_site_loss\n    select:\n      label: {team: tlak}\n"),
			[]string{`p.yaml:4: rules[0].select.label.team: selects no node: no node has the label team=tlak (did you mean "talk"?)`}},
		{"a label key typo", decode("rules:\n  - rule: no_spof\n    select:\n      kind: service\n      label:\n        tema: talk\n"),
			[]string{`p.yaml:6: rules[0].select.label.tema: selects no node: no node has a label "tema" (did you mean "team"?)`}},
		{"a tier no node has", decode("rules:\n  - rule: sites_at_least\n    sites: 2\n    select: {tier: 7}\n"),
			[]string{`p.yaml:4: rules[0].select.tier: selects no node: the model has no node of tier 7 (its tiers: 0, 1)`}},
		{"a kind no node has", decode("rules:\n  - rule: survive_site_loss\n    select: {kind: [queue, external]}\n"),
			[]string{`p.yaml:3: rules[0].select.kind: selects no node: the model has no node of kind queue or external`}},
		{"each field picks some, together none", decode("rules:\n  - rule: survive_site_loss\n    select: {tier: 0, label: {team: pay}}\n"),
			[]string{`p.yaml:3: rules[0].select: selects no node: no node of the model is one of the nodes of tier 0, labelled team=pay`}},
		{"from Go, without a file", &Policy{Rules: []Rule{NoSPOF(Tier(7))}},
			[]string{`rules[0].select.tier: selects no node: the model has no node of tier 7 (its tiers: 0, 1)`}},
		{"user-facing", &Policy{Rules: []Rule{SurviveSiteLoss(Selector{UserFacing: true, Kinds: []graph.Kind{graph.Site}})}},
			[]string{`rules[0].select: selects no node: no node of the model is one of the user-facing nodes of kind site`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(context.Background(), c, tc.p)
			var verr *graph.ValidationError
			require.ErrorAs(t, err, &verr)
			var got []string
			for _, p := range verr.Problems {
				got = append(got, p.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
	// An ignore list that ignores nothing is fine: the rule is only stricter.
	rr := check(t, c, NoSPOF(UserFacing(), Kind(graph.External), Label("team", "tlak")))
	assert.True(t, rr.Passed)
}

func TestNoSPOF(t *testing.T) {
	login := graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0)}
	runCases(t, []ruleCase{
		{"a shared login is a SPOF", []graph.Node{site("a"), login, svc("t", 10, at("a"), "login"), svc("pay", 20, at("a"), "login")},
			NoSPOF(UserFacing()), []string{"pay/login/down", "t/login/down"}},
		{"an any-of group is not", []graph.Node{site("a"), site("b"),
			graph.Node{ID: "db1", Kind: graph.Datastore, Tier: graph.TierOf(1), Site: "a"}, graph.Node{ID: "db2", Kind: graph.Datastore, Tier: graph.TierOf(1), Site: "b"},
			{ID: "app", Kind: graph.Service, Users: 1, Tier: graph.TierOf(1), Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}, Requires: []graph.Dep{graph.AnyOf("db1", "db2")}}},
			NoSPOF(UserFacing()), nil},
		{"sites, regions, power and network are not counted", []graph.Node{region("r"), inRegion("a", "r"),
			graph.Node{ID: "lb", Kind: graph.Network, Tier: graph.TierOf(1)}, svc("app", 10, at("a"), "lb")},
			NoSPOF(UserFacing()), nil},
		{"through a chain", []graph.Node{site("a"), graph.Node{ID: "talk", Kind: graph.Service, Tier: graph.TierOf(0), Site: "a"},
			graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")}, svc("games", 3, at("a"), "login")},
			NoSPOF(ID("games")), []string{"games/login/down", "games/talk/down"}},
		{"a soft dependency is not", []graph.Node{site("a"), login,
			func() graph.Node { n := svc("app", 10, at("a")); n.Uses = graph.All("login"); return n }()},
			NoSPOF(UserFacing()), nil},
		{"ignored kinds", []graph.Node{site("a"), graph.Node{ID: "cards", Kind: graph.External}, login,
			svc("pay", 10, at("a"), "cards", "login")},
			NoSPOF(UserFacing(), Kind(graph.External)), []string{"pay/login/down"}},
		{"ignored when redundant", []graph.Node{site("a"), site("b"),
			graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
			graph.Node{ID: "solo", Kind: graph.Identity, Tier: graph.TierOf(0), Site: "a"},
			svc("app", 10, at("a", "b"), "login", "solo")},
			NoSPOF(UserFacing(), Selector{Redundant: true}), []string{"app/solo/down"}},
		{"a node is not its own SPOF", []graph.Node{site("a"), svc("app", 10, at("a"))},
			NoSPOF(UserFacing()), nil},
		{"a cycle: each breaks the other", []graph.Node{site("a"), svc("x", 2, at("a"), "y"), svc("y", 1, at("a"), "x")},
			NoSPOF(UserFacing()), []string{"x/y/down", "y/x/down"}},
	})
}

func TestMaxBlastRadius(t *testing.T) {
	hub := graph.Node{ID: "hub", Kind: graph.Identity, Tier: graph.TierOf(0)}
	three := []graph.Node{site("a"), hub, svc("s1", 10, at("a"), "hub"), svc("s2", 20, at("a"), "hub"), svc("s3", 30, at("a"), "hub"), svc("big", 40, at("a"))}
	runCases(t, []ruleCase{
		{"more nodes than the limit", three, MaxBlastRadius(Limit{Nodes: 2}), []string{"hub/hub/down"}},
		{"as many as the limit", three, MaxBlastRadius(Limit{Nodes: 3}), nil},
		{"more users than the limit", three, MaxBlastRadius(Limit{Users: 0.5}), []string{"hub/hub/down"}}, // 60 of 100
		{"fewer users than the limit", three, MaxBlastRadius(Limit{Users: 0.6}), nil},
		{"either limit", three, MaxBlastRadius(Limit{Nodes: 5, Users: 0.1}), []string{"hub/hub/down"}},
		{"its own users are not counted", three, MaxBlastRadius(Limit{Users: 0.61}), nil},
		{"infrastructure is not counted", three, MaxBlastRadius(Limit{Nodes: 1}), []string{"hub/hub/down"}},
		{"ignored", three, MaxBlastRadius(Limit{Nodes: 1}, ID("hub")), nil},
		{"largest first", []graph.Node{site("a"), hub, graph.Node{ID: "hub2", Kind: graph.Identity, Tier: graph.TierOf(0)},
			svc("s1", 10, at("a"), "hub"), svc("s2", 20, at("a"), "hub"), svc("s3", 30, at("a"), "hub2"), svc("s4", 1, at("a"), "hub2")},
			MaxBlastRadius(Limit{Nodes: 1}), []string{"hub2/hub2/down", "hub/hub/down"}},
	})
}

func TestMinRedundancyRate(t *testing.T) {
	// Four services: two survive any one site, one needs a, one is
	// degraded without b.
	nodes := []graph.Node{site("a"), site("b"),
		svc("s1", 10, at("a", "b")), svc("s2", 20, at("a", "b")), svc("s3", 30, at("a")),
		{ID: "s4", Kind: graph.Service, Users: 40, Tier: graph.TierOf(1), Demand: 100, DegradedAt: 50,
			Replicas: []graph.Replica{{Site: "a", Capacity: 60}, {Site: "b", Capacity: 60}}}}
	runCases(t, []ruleCase{
		{"by count, at the rate", nodes, MinRedundancyRate(0.5, ByCount), nil},
		{"by count, above it", nodes, MinRedundancyRate(0.51, ByCount), []string{"s4/a/degraded", "s3/a/down"}},
		{"by users, at the rate", nodes, MinRedundancyRate(0.3, ByUsers), nil},
		{"by users, above it", nodes, MinRedundancyRate(0.31, ByUsers), []string{"s4/a/degraded", "s3/a/down"}},
		{"without users every service counts", []graph.Node{site("a"), site("b"), svc("x", 0, at("a", "b")), svc("y", 0, at("b"))},
			MinRedundancyRate(0.6, ByCount), []string{"y/b/down"}},
	})
}

func TestSitesAtLeast(t *testing.T) {
	cap2 := func(id string, demand int64, reps ...graph.Replica) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Demand: demand, Replicas: reps}
	}
	ab := []graph.Node{site("a"), site("b"), site("c")}
	with := func(ns ...graph.Node) []graph.Node { return append(append([]graph.Node{}, ab...), ns...) }
	runCases(t, []ruleCase{
		{"two sites", with(tier0(svc("app", 1, at("a", "b")))), SitesAtLeast(2, Tier(0)), nil},
		{"fewer than three", with(tier0(svc("app", 1, at("a", "b")))), SitesAtLeast(3, Tier(0)), []string{"app/a/up"}},
		{"one site is enough for one", with(tier0(svc("app", 1, at("a")))), SitesAtLeast(1, Tier(0)), nil},
		{"one site is not two", with(tier0(svc("app", 1, at("a")))), SitesAtLeast(2, Tier(0)), []string{"app/a/up"}},
		{"N+1 capacity", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "b", Capacity: 100})),
			SitesAtLeast(2, Tier(0)), nil},
		{"not N+1", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 60}, graph.Replica{Site: "b", Capacity: 70})),
			SitesAtLeast(2, Tier(0)), []string{"app/b/up"}},
		{"a warm standby is not a site", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "b", Capacity: 100, Standby: graph.Warm})),
			SitesAtLeast(2, Tier(0)), []string{"app/a/up"}},
		{"a mirror is", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "b", Capacity: 100, Standby: graph.Mirror})),
			SitesAtLeast(2, Tier(0)), nil},
		{"two replicas at one site are one site", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 100}, graph.Replica{Site: "a", Capacity: 100})),
			SitesAtLeast(2, Tier(0)), []string{"app/a/up"}},
		{"no placement", with(graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0)}), SitesAtLeast(1, Tier(0)), []string{"login//up"}},
		{"three sites, the others carry it", with(cap2("app", 100, graph.Replica{Site: "a", Capacity: 50}, graph.Replica{Site: "b", Capacity: 50}, graph.Replica{Site: "c", Capacity: 50})),
			SitesAtLeast(3, Tier(0)), nil},
	})
}

// Every rule names the node, the scenario and the chain of causes.
func TestViolationChains(t *testing.T) {
	c := compile(t, site("pangyo"), site("gasan"),
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47, Tier: graph.TierOf(0), Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3, Tier: graph.TierOf(2), Site: "gasan", Requires: graph.All("login")})
	res, err := Check(context.Background(), c, &Policy{Rules: []Rule{
		SurviveSiteLoss(ID("games")),
		NoSPOF(ID("games")),
		MaxBlastRadius(Limit{Nodes: 1}),
		MinRedundancyRate(1, ByUsers),
	}})
	require.NoError(t, err)
	chains := func(i int) []string {
		var out []string
		for _, v := range res.Rules[i].Violations {
			out = append(out, v.Node+" ("+v.Removed+"): "+strings.Join(v.Chain, " → "))
		}
		return out
	}
	assert.Equal(t, []string{"games (pangyo): games → login → talk → pangyo", "games (gasan): games → gasan"}, chains(0))
	assert.Equal(t, []string{"games (login): games → login", "games (talk): games → login → talk"}, chains(1))
	assert.Equal(t, []string{"talk (talk): games → login → talk"}, chains(2), "the chain of the victim with the most users")
	assert.Equal(t, []string{"talk (pangyo): talk → pangyo", "games (pangyo): games → login → talk → pangyo"}, chains(3))
	assert.False(t, res.Passed())
	assert.Equal(t, 4, res.Failed())
}

func TestCheckProblems(t *testing.T) {
	c := compile(t, site("pangyo"), svc("kakao-login", 1, at("pangyo")))
	p := &Policy{Rules: []Rule{
		SurviveSiteLoss(ID("kakao-logn", "pangyo@x", "nope-nothing-alike")),
		NoSPOF(Tier(-1), Kind(graph.Kind(99))),
		MaxBlastRadius(Limit{}),
		MaxBlastRadius(Limit{Nodes: -1, Users: 1.5}),
		MinRedundancyRate(2, By(7)),
		SitesAtLeast(0, Selector{}),
		nil,
	}}
	_, err := Check(context.Background(), c, p)
	var ve *graph.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var lines []string
	for _, p := range ve.Problems {
		lines = append(lines, p.Error())
	}
	assert.Equal(t, []string{
		`rules[0].select.id[0]: unknown node "kakao-logn" (did you mean "kakao-login"?)`,
		`rules[0].select.id[1]: unknown node "pangyo@x" (did you mean "pangyo"?)`,
		`rules[0].select.id[2]: unknown node "nope-nothing-alike"`,
		`rules[1].ignore[0].kind[0]: unknown kind Kind(99)`,
		`rules[1].select.tier[0]: must be >= 0, got -1`,
		`rules[2]: give a limit: nodes, users or both`,
		`rules[3].nodes: must be > 0, got -1`,
		`rules[3].users: must be a share from 0 to 1 (0% to 100%), got 1.5`,
		`rules[4].by: unknown measure By(7): want ByCount or ByUsers`,
		`rules[4].rate: must be a share from 0 to 1 (0% to 100%), got 2`,
		`rules[5].sites: must be at least 1, got 0`,
		`rules[6]: no rule (nil)`,
	}, lines)
}

// A replica is not a node a selector can name.
func TestCheckReplicaID(t *testing.T) {
	c := compile(t, site("a"), site("b"), svc("app", 1, at("a", "b")))
	_, err := Check(context.Background(), c, &Policy{Rules: []Rule{NoSPOF(ID("app@a"))}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"app@a" is a replica or a group, not a node of the model`)
}

// MaxViolations cuts the list, not the count, and the list is the same
// whatever the order the ranking pass finds violations in.
func TestMaxViolations(t *testing.T) {
	nodes := []graph.Node{site("a"), {ID: "hub", Kind: graph.Identity, Tier: graph.TierOf(0)}}
	for i := range 200 {
		nodes = append(nodes, svc(fmt.Sprintf("s%03d", i), int64(i%7), at("a"), "hub"))
	}
	c := compile(t, nodes...)
	var first []string
	for _, limit := range []int{0, 5, -1} {
		res, err := Check(context.Background(), c, &Policy{Rules: []Rule{NoSPOF(UserFacing()), SurviveSiteLoss(UserFacing())}, MaxViolations: limit})
		require.NoError(t, err)
		for _, rr := range res.Rules {
			want := min(rr.Total, DefaultMaxViolations)
			switch limit {
			case 5:
				want = 5
			case -1:
				want = rr.Total
			}
			assert.Len(t, rr.Violations, want)
			assert.Greater(t, rr.Total, 100)
		}
		if first == nil {
			first = got(res.Rules[0])
		} else {
			n := min(len(first), len(res.Rules[0].Violations))
			assert.Equal(t, first[:n], got(res.Rules[0])[:n], "the same order whatever the limit")
		}
		assert.Equal(t, "s006/hub/down", got(res.Rules[0])[0], "most users first, then id")
	}
}

// An empty policy passes.
func TestEmpty(t *testing.T) {
	c := compile(t, site("a"), svc("app", 1, at("a")))
	res, err := Check(context.Background(), c, &Policy{})
	require.NoError(t, err)
	assert.True(t, res.Passed())
}

func TestCheckCancelled(t *testing.T) {
	c := compile(t, site("a"), svc("app", 1, at("a")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range []Rule{NoSPOF(Selector{}), SurviveSiteLoss(Selector{})} {
		_, err := Check(ctx, c, &Policy{Rules: []Rule{r}})
		assert.ErrorIs(t, err, context.Canceled, r.Name())
	}
}

func TestDescriptions(t *testing.T) {
	for _, tc := range []struct {
		r    Rule
		want string
	}{
		{SurviveSiteLoss(Tier(0)), "nodes of tier 0 stay up when any one site is lost"},
		{SurviveRegionLoss(Selector{}), "every node stay up when any one region is lost"},
		{NoSPOF(UserFacing(), Kind(graph.External), Selector{Redundant: true}), "no single node takes user-facing nodes down (ignoring nodes of kind external; redundant nodes)"},
		{MaxBlastRadius(Limit{Nodes: 5, Users: 0.1}), "no single failure takes more than 5 other nodes or 10% of users down with it"},
		{MinRedundancyRate(0.9, ByUsers), "at least 90% of users survive the loss of any one site"},
		{SitesAtLeast(2, Selector{Kinds: []graph.Kind{graph.Service, graph.Identity}, Labels: map[string]string{"b": "2", "a": "1"}}),
			"nodes of kind service or identity, labelled a=1, b=2 serve from at least 2 sites and carry their demand without the largest"},
		{SitesAtLeast(1, ID("x", "y")), "nodes x, y serve from at least 1 site"},
	} {
		assert.Equal(t, tc.want, tc.r.String())
	}
	assert.Equal(t, "users", ByUsers.String())
	assert.Equal(t, "count", ByCount.String())
	assert.Equal(t, "37.2%", pct(0.372))
}

// A chain longer than the policy's MaxChain keeps its first links and
// counts the rest; max_chain in a file sets it.
func TestChainCut(t *testing.T) {
	nodes := []graph.Node{site("a"), svc("n0", 1, at("a"))}
	for i := 1; i < 30; i++ {
		nodes = append(nodes, svc(fmt.Sprint("n", i), 1, nil, fmt.Sprint("n", i-1)))
	}
	nodes[len(nodes)-1].Users = 100
	c := compile(t, nodes...)
	for _, tc := range []struct {
		max        int
		links, cut int
	}{{0, 20, 11}, {3, 3, 28}, {-1, 31, 0}} {
		res, err := Check(context.Background(), c, &Policy{MaxChain: tc.max, Rules: []Rule{SurviveSiteLoss(ID("n29"))}})
		require.NoError(t, err)
		v := res.Rules[0].Violations[0]
		assert.Len(t, v.Chain, tc.links, "max %d", tc.max)
		assert.Equal(t, tc.cut, v.ChainCut, "max %d", tc.max)
		assert.Equal(t, "n29", v.Chain[0])
	}
	for src, want := range map[string]int{"max_chain: 3\n": 3, "max_chain: all\n": -1, "": 0} {
		p, err := Decode(strings.NewReader(src+"rules: [{rule: no_spof, select: {}}]\n"), "p.yaml")
		require.NoError(t, err)
		assert.Equal(t, want, p.MaxChain, src)
	}
	_, err := Decode(strings.NewReader("max_chain: 0\nrules: [{rule: no_spof, select: {}}]\n"), "p.yaml")
	assert.EqualError(t, err, "p.yaml:1: max_chain: must be > 0 or all, got 0")
}

// The largest blast radius among ties is the first in Rank's order (by
// id here), whichever order the ranking's radii are read in: node by node
// from Check's own ranking, or sorted from a shared one.
func TestMaxRadiusLargestTie(t *testing.T) {
	c := compile(t, svc("zeta", 0, nil), svc("zeta-app", 0, nil, "zeta"),
		svc("alpha", 0, nil), svc("alpha-app", 0, nil, "alpha"))
	p := &Policy{Rules: []Rule{MaxBlastRadius(Limit{Nodes: 5})}}
	res, err := Check(context.Background(), c, p)
	require.NoError(t, err)
	require.NotNil(t, res.Rules[0].Largest)
	assert.Equal(t, "alpha", res.Rules[0].Largest.Node)
	radii, err := analyze.Rank(context.Background(), c, analyze.RankOptions{})
	require.NoError(t, err)
	k, err := Prepare(c, p)
	require.NoError(t, err)
	shared, err := k.Finish(context.Background(), Shared{Radii: radii})
	require.NoError(t, err)
	assert.Equal(t, res.Rules, shared.Rules)
}
