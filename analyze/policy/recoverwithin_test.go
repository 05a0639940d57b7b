package policy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// standby is a service active at site a with a standby at b, taking over
// after recovery (a warm standby when recovery is 0), with an rto.
func standby(id string, a, b string, recovery, rto time.Duration) graph.Node {
	n := tier0(svc(id, 100, nil))
	tier := graph.Hot
	if recovery == 0 {
		tier = graph.Warm
	}
	n.Replicas = []graph.Replica{{Site: a}, {Site: b, Standby: tier, Recovery: recovery}}
	n.RTO = rto
	return n
}

func TestRecoverWithin(t *testing.T) {
	hot := standby("talk", "a", "b", 5*time.Minute, 15*time.Minute)
	warm := standby("pay", "a", "b", 0, time.Hour)
	slow := tier0(svc("search", 10, at("b")))
	slow.Restart, slow.RTO = 2*time.Hour, 4*time.Hour
	runCases(t, []ruleCase{
		{"a hot standby meets its rto", []graph.Node{site("a"), site("b"), hot}, RecoverWithin(Tier(0), 24*time.Hour, RecoverWithinOptions{}), nil},
		{"a warm one does not", []graph.Node{site("a"), site("b"), hot, warm}, RecoverWithin(Tier(0), 24*time.Hour, RecoverWithinOptions{}),
			[]string{"pay/a/down"}},
		{"a short repair brings it back in time", []graph.Node{site("a"), site("b"), warm}, RecoverWithin(Tier(0), 30*time.Minute, RecoverWithinOptions{}), nil},
		{"a restart counts", []graph.Node{site("a"), site("b"), slow}, RecoverWithin(Tier(0), 3*time.Hour, RecoverWithinOptions{}),
			[]string{"search/b/down"}},
		{"within instead of rto", []graph.Node{site("a"), site("b"), hot}, RecoverWithin(Tier(0), 24*time.Hour, RecoverWithinOptions{Within: time.Minute}),
			[]string{"talk/a/down"}},
		{"lost for good", []graph.Node{site("a"), site("b"), slow}, RecoverWithin(Tier(0), 0, RecoverWithinOptions{}),
			[]string{"search/b/down"}},
		{"by region", []graph.Node{region("r"), inRegion("a", "r"), inRegion("b", "r"), site("c"), standby("x", "a", "c", 5*time.Minute, time.Hour), standby("y", "a", "b", 5*time.Minute, time.Hour)},
			RecoverWithin(Tier(0), 24*time.Hour, RecoverWithinOptions{Region: true}), []string{"y/r/down"}},
		{"degraded past its rto", []graph.Node{site("a"), site("b"), func() graph.Node {
			n := standby("half", "a", "b", 5*time.Minute, time.Hour)
			n.Demand, n.DegradedAt = 2, 1
			n.Replicas[0].Capacity, n.Replicas[1].Capacity = 2, 1
			return n
		}()}, RecoverWithin(Tier(0), 24*time.Hour, RecoverWithinOptions{}), []string{"half/a/degraded"}},
	})
}

// A violation names the site, the node, its outage, its limit and the
// chain of causes.
func TestLateViolation(t *testing.T) {
	shop := svc("shop", 5, nil, "pay")
	shop.RTO = 2 * time.Hour
	c := compile(t, site("a"), site("b"), standby("pay", "a", "b", 0, time.Hour), shop)
	rr := check(t, c, RecoverWithin(Selector{IDs: []string{"shop"}}, 24*time.Hour, RecoverWithinOptions{}))
	require.Len(t, rr.Violations, 1)
	v := rr.Violations[0]
	assert.Equal(t, "shop", v.Node)
	assert.Equal(t, "a", v.Removed)
	assert.Equal(t, graph.Site, v.RemovedKind)
	assert.Equal(t, analyze.Down, v.State)
	assert.Equal(t, &Late{Repair: 24 * time.Hour, Within: 2 * time.Hour, RTO: true, DownUntil: 24 * time.Hour, DegradedUntil: 24 * time.Hour}, v.Late)
	assert.Equal(t, []string{"shop", "pay", "pay@a", "a"}, v.Chain)

	rr = check(t, c, SurviveSiteLossWithin(Selector{IDs: []string{"shop"}}, 15*time.Minute))
	require.Len(t, rr.Violations, 1)
	assert.Equal(t, &Late{Repair: analyze.Never, Within: 15 * time.Minute, DownUntil: 24 * time.Hour, DegradedUntil: 24 * time.Hour}, rr.Violations[0].Late,
		"lost for good: the warm standby takes over at 24h")
}

// survive_site_loss with within: a hot standby with a five-minute takeover
// passes where a warm one fails; without a tolerance both fail.
func TestSurviveWithin(t *testing.T) {
	hot := standby("talk", "a", "b", 5*time.Minute, 0)
	warm := standby("pay", "a", "b", 0, 0)
	runCases(t, []ruleCase{
		{"hot within 15m", []graph.Node{site("a"), site("b"), hot}, SurviveSiteLossWithin(Tier(0), 15*time.Minute), nil},
		{"hot within 1m", []graph.Node{site("a"), site("b"), hot}, SurviveSiteLossWithin(Tier(0), time.Minute), []string{"talk/a/down"}},
		{"warm within 15m", []graph.Node{site("a"), site("b"), hot, warm}, SurviveSiteLossWithin(Tier(0), 15*time.Minute), []string{"pay/a/down"}},
		{"no tolerance", []graph.Node{site("a"), site("b"), hot, warm}, SurviveSiteLoss(Tier(0)), []string{"pay/a/down", "talk/a/down"}},
		{"region within", []graph.Node{region("r"), inRegion("a", "r"), site("b"), hot}, SurviveRegionLossWithin(Tier(0), 15*time.Minute), nil},
	})
}

func TestRecoverWithinFailsClosed(t *testing.T) {
	rr := check(t, compile(t, tier0(svc("app", 10, nil))), RecoverWithin(Tier(0), time.Hour, RecoverWithinOptions{Within: time.Hour}))
	assert.False(t, rr.Passed, "no site to lose")
	assert.Zero(t, rr.Scenarios)
	rr = check(t, compile(t, site("a"), tier0(svc("app", 10, at("a")))), SurviveRegionLossWithin(Tier(0), time.Hour))
	assert.False(t, rr.Passed, "no region to lose")

	c := compile(t, site("a"), site("b"), standby("talk", "a", "b", time.Minute, time.Hour),
		tier0(svc("x", 1, at("a"))), tier0(svc("y", 1, at("a"))), tier0(svc("z", 1, at("a"))), tier0(svc("w", 1, at("a"))))
	for _, tc := range []struct {
		name string
		src  string
		want string
	}{
		{"a node without rto", "rules:\n  - rule: recover_within\n    select: {id: [talk, x]}\n    repair: 1h\n",
			`p.yaml:3: rules[0].select: 1 selected node has no rto: "x" (give them an rto in the model, or the rule a within)`},
		{"many without", "rules:\n  - rule: recover_within\n    select: {tier: 0}\n    repair: 1h\n",
			`p.yaml:3: rules[0].select: 4 selected nodes have no rto: "x", "y", "z" and 1 more (give them an rto in the model, or the rule a within)`},
		{"a selector that picks nothing", "rules:\n  - rule: recover_within\n    select: {tier: 3}\n    repair: 1h\n    within: 1h\n",
			`p.yaml:3: rules[0].select.tier: selects no node: the model has no node of tier 3 (its tiers: 0)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(strings.NewReader(tc.src), "p.yaml")
			require.NoError(t, err)
			_, err = Check(context.Background(), c, p)
			var verr *graph.ValidationError
			require.ErrorAs(t, err, &verr)
			require.Len(t, verr.Problems, 1)
			assert.Equal(t, tc.want, verr.Problems[0].Error())
		})
	}
	// within: a node without an rto is checked against it.
	assert.True(t, check(t, c, RecoverWithin(Selector{IDs: []string{"talk"}}, time.Hour, RecoverWithinOptions{Within: time.Hour})).Passed)
}

func TestRecoverWithinDecode(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // problems, or the rule's String
	}{
		{"full", "rules:\n  - {rule: recover_within, select: {tier: 0}, repair: 24h, within: 15m, by: region}\n",
			[]string{"nodes of tier 0 are back within 15m when any one region is lost for 24h"}},
		{"never", "rules:\n  - {rule: recover_within, select: {tier: 0}, repair: never}\n",
			[]string{"nodes of tier 0 are back within their rto when any one site is lost for good"}},
		{"survive within", "rules:\n  - {rule: survive_site_loss, select: {tier: 0}, within: 1h30m}\n",
			[]string{"nodes of tier 0 are back within 1h30m when any one site is lost for good"}},
		{"missing repair", "rules:\n  - {rule: recover_within, select: {tier: 0}}\n",
			[]string{"p.yaml:2: rules[0].repair: missing: how long each site is out, e.g. 24h, or never"}},
		{"bad values", "rules:\n  - rule: recover_within\n    select: {tier: 0}\n    repair: 0s\n    within: soon\n    by: campus\n",
			[]string{
				"p.yaml:4: rules[0].repair: must be more than 0, got 0s (or never for a site lost for good)",
				`p.yaml:5: rules[0].within: invalid duration "soon": write 90m, 6h, 1h30m or 3d`,
				`p.yaml:6: rules[0].by: unknown grouping "campus": want site or region`,
			}},
		{"survive within 0", "rules:\n  - {rule: survive_site_loss, select: {tier: 0}, within: 0m}\n",
			[]string{"p.yaml:2: rules[0].within: must be more than 0, got 0m (leave it out to allow no outage at all)"}},
		{"within on another rule", "rules:\n  - {rule: no_spof, select: {tier: 0}, within: 1h}\n",
			[]string{"p.yaml:2: rules[0].within: does not apply to rule no_spof (it takes select, ignore)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(strings.NewReader(tc.src), "p.yaml")
			if err != nil {
				var verr *graph.ValidationError
				require.ErrorAs(t, err, &verr)
				var got []string
				for _, pr := range verr.Problems {
					got = append(got, pr.Error())
				}
				assert.Equal(t, tc.want, got)
				return
			}
			require.Len(t, p.Rules, 1)
			assert.Equal(t, tc.want, []string{p.Rules[0].String()})
		})
	}
}

// Rules that lose the sites for the same repair time share the timelines:
// one Recover per lost site per repair time.
func TestRecoveriesShared(t *testing.T) {
	c := compile(t, site("a"), site("b"), standby("talk", "a", "b", time.Minute, time.Hour))
	k, err := Prepare(c, &Policy{Rules: []Rule{
		SurviveSiteLossWithin(Tier(0), time.Hour),
		RecoverWithin(Tier(0), 0, RecoverWithinOptions{}),
		RecoverWithin(Tier(0), 0, RecoverWithinOptions{Within: 30 * time.Second}),
		RecoverWithin(Tier(0), time.Hour, RecoverWithinOptions{}),
		RecoverWithin(Tier(0), time.Hour, RecoverWithinOptions{Region: false}),
	}})
	require.NoError(t, err)
	assert.Equal(t, map[recoverKey]bool{{graph.Site, 0}: true, {graph.Site, time.Hour}: true}, k.pl.recovers)
	res, err := k.Finish(context.Background(), Shared{})
	require.NoError(t, err)
	var passed []bool
	for _, r := range res.Rules {
		passed = append(passed, r.Passed)
	}
	assert.Equal(t, []bool{true, true, false, true, true}, passed, "only the within of 30s fails: back at 1m")
}
