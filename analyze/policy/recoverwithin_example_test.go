package policy_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// Recovery objectives as gates: chat's hot standby takes over in five
// minutes, payments' warm one in a day, and each has an rto.
func ExampleRecoverWithin() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "seoul", Kind: graph.Site},
		graph.Node{ID: "tokyo", Kind: graph.Site},
		graph.Node{ID: "chat", Kind: graph.Service, Users: 1_000_000, Tier: graph.TierOf(0), RTO: 15 * time.Minute,
			Replicas: []graph.Replica{{Site: "seoul"}, {Site: "tokyo", Standby: graph.Hot, Recovery: 5 * time.Minute}}},
		graph.Node{ID: "payments", Kind: graph.Service, Users: 500_000, Tier: graph.TierOf(0), RTO: time.Hour,
			Replicas: []graph.Replica{{Site: "seoul"}, {Site: "tokyo", Standby: graph.Warm}}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	p := &policy.Policy{Rules: []policy.Rule{
		policy.RecoverWithin(policy.Tier(0), 24*time.Hour, policy.RecoverWithinOptions{}),
		policy.SurviveSiteLossWithin(policy.Tier(0), 15*time.Minute),
	}}
	res, err := policy.Check(context.Background(), c, p)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res.Rules {
		fmt.Printf("%s (%s): passed %v\n", r.Rule, r.Demand(), r.Passed)
		for _, v := range r.Violations {
			fmt.Printf("   %s down until %v when %s is lost, allowed %v\n", v.Node, v.Late.DownUntil, v.Removed, v.Late.Within)
		}
	}
	// Output:
	// recover_within (nodes of tier 0 are back within their rto when any one site is lost for 24h): passed false
	//    payments down until 24h0m0s when seoul is lost, allowed 1h0m0s
	// survive_site_loss (nodes of tier 0 are back within 15m when any one site is lost for good): passed false
	//    payments down until 24h0m0s when seoul is lost, allowed 15m0s
}
