package policy_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// The Kakao lesson in a few nodes: the login runs on the messenger, which
// runs in one data center, so a game served from another data center still
// goes down with it.
func ExampleCheck() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000, Tier: graph.TierOf(0), Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3_000_000, Tier: graph.TierOf(2), Site: "gasan",
			Requires: graph.All("login")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	p := &policy.Policy{Rules: []policy.Rule{
		policy.SurviveSiteLoss(policy.Tier(0)),
		policy.NoSPOF(policy.UserFacing()),
		policy.SitesAtLeast(2, policy.UserFacing()),
	}}
	res, err := policy.Check(context.Background(), c, p)
	if err != nil {
		log.Fatal(err)
	}
	// The result is data; export.CheckTable and the other writers word it.
	for _, r := range res.Rules {
		fmt.Printf("%s (%s): passed %v\n", r.Rule, r.Demand(), r.Passed)
		for _, v := range r.Violations {
			line := fmt.Sprintf("   %s %s, %s %s", v.Node, v.State, v.RemovedKind, v.Removed)
			if len(v.Chain) > 0 {
				line += ": " + strings.Join(v.Chain, " → ")
			}
			fmt.Println(line)
		}
	}
	// Output:
	// survive_site_loss (nodes of tier 0 stay up when any one site is lost): passed false
	//    talk down, site pangyo: talk → pangyo
	//    login down, site pangyo: login → talk → pangyo
	// no_spof (no single node takes user-facing nodes down): passed false
	//    games down, identity login: games → login
	//    games down, service talk: games → login → talk
	// sites_at_least (user-facing nodes serve from at least 2 sites and carry their demand without the largest): passed false
	//    talk up, site pangyo
	//    games up, site gasan
}

// A policy file, with the line of each problem.
func ExampleDecode() {
	_, err := policy.Decode(strings.NewReader(`
policy: lessons
rules:
  - rule: no_spof
    select: {tier: 0}
    ignore: {kind: externl}
  - rule: max_blast_radius
    users: 10
`), "policy.yaml")
	fmt.Println(err)
	// Output:
	// policy.yaml:6: rules[0].ignore.kind: unknown kind "externl" (did you mean "external"?): want one of service, identity, datastore, queue, network, power, site, region, external
	// policy.yaml:8: rules[1].users: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got 10
}
