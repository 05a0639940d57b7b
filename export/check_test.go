package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// Whatever a policy file's text holds, the JUnit report is XML that reads
// back to the same text.
func TestCheckJUnitEscapes(t *testing.T) {
	desc := `a ]]> b <c> & "d"`
	res := &policy.Result{Policy: "p<&>", Model: "m", Rules: []policy.RuleResult{
		{Rule: "no_spof", Name: "n ]]>", Description: desc, Total: 1, Selected: 1, Scenarios: 2,
			Violations: []policy.Violation{{Node: "x", Removed: "]]> <now>", RemovedKind: graph.Service, State: analyze.Down}}},
	}}
	var b bytes.Buffer
	require.NoError(t, export.CheckJUnit(&b, res))
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc), b.String())
	assert.Equal(t, "p<&> on m", doc.Suites[0].Name)
	assert.Equal(t, "n ]]>", doc.Suites[0].Cases[0].Name)
	assert.Equal(t, desc+"\n1 selected node, the single failure of each of 2 nodes\nx: down when service ]]> <now> fails\n", doc.Suites[0].Cases[0].Failure.Text)
}

// The words of each rule's violations and summaries are built here from
// the result's data.
func TestCheckMessages(t *testing.T) {
	site := func(id string) graph.Node { return graph.Node{ID: id, Kind: graph.Site} }
	m := new(graph.Model).Add(site("pangyo"), site("gasan"),
		graph.Node{ID: "talk", Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Demand: 100, DegradedAt: 30,
			Replicas: []graph.Replica{{Site: "pangyo", Capacity: 100}, {Site: "gasan", Capacity: 20, Standby: graph.Warm}}},
		graph.Node{ID: "pay", Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Demand: 100,
			Replicas: []graph.Replica{{Site: "pangyo", Capacity: 60}, {Site: "gasan", Capacity: 50}}},
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 2, Tier: graph.TierOf(2), Site: "gasan", Requires: graph.All("login")})
	c, err := graph.Compile(m)
	require.NoError(t, err)
	res, err := policy.Check(context.Background(), c, &policy.Policy{Rules: []policy.Rule{
		policy.SitesAtLeast(2, policy.Tier(0)),
		policy.NoSPOF(policy.ID("games")),
		policy.MaxBlastRadius(policy.Limit{Nodes: 1, Users: 0.1}),
		policy.SurviveSiteLoss(policy.ID("games")),
		policy.MinRedundancyRate(0.9, policy.ByUsers),
	}})
	require.NoError(t, err)
	var lines []string
	for _, rr := range res.Rules {
		lines = append(lines, "# "+export.CheckSummary(rr))
		for _, v := range rr.Violations {
			lines = append(lines, export.CheckLine(rr, v))
		}
	}
	assert.Equal(t, []string{
		"# the placement of 3 selected nodes",
		"pay: without its largest site pangyo (60), the other sites carry 50 of its demand 100",
		"talk: serves from 1 site (pangyo 100), needs 2; gasan (warm standby, 20) would take over later, not at once",
		"login: has no placement of its own (no site, no replicas), needs 2 sites",
		"# 1 selected node, the single failure of each of 4 nodes",
		"games: down when identity login fails: games → login",
		"games: down when service talk fails: games → login → talk",
		"# the single failure of each of 4 nodes; the largest, talk, takes 2 other nodes (2 users, 50%) down with it",
		"talk: its failure takes 2 other nodes (2 users, 50%) down with it, more than 1 node or 10% of users: games → login → talk",
		"login: its failure takes 1 other node (2 users, 50%) down with it, more than 10% of users: games → login",
		"# 1 selected node, each of 2 sites lost",
		"games: down when site pangyo is lost: games → login → talk → talk@pangyo → pangyo",
		"games: down when site gasan is lost: games → gasan",
		"# redundancy rate by users 0% (0 of 4 users survive the loss of any one site), want at least 90%",
		"games: down when site pangyo is lost: games → login → talk → talk@pangyo → pangyo",
		"pay: down when site pangyo is lost: pay → pay@pangyo → pangyo",
		"talk: down when site pangyo is lost: talk → talk@pangyo → pangyo",
	}, lines)

	// A chain cut after MaxChain links says how many it left out.
	v := policy.Violation{Node: "a", Removed: "s", RemovedKind: graph.Site, State: analyze.Down, Chain: []string{"a", "b"}, ChainCut: 3}
	assert.Equal(t, "a: down when site s is lost: a → b → … 3 more", export.CheckLine(policy.RuleResult{Rule: "survive_site_loss"}, v))

	// A rule that fails closed says why.
	assert.Equal(t, "the model has no sites: nothing shows the selected nodes survive one's loss, so the rule fails",
		export.CheckSummary(policy.RuleResult{Rule: "survive_site_loss"}))
	assert.Equal(t, "the model has no sites: a redundancy rate without a site to lose proves nothing, so the rule fails",
		export.CheckSummary(policy.RuleResult{Rule: "min_redundancy_rate", Rate: &policy.Rate{Got: 1}}))
}
