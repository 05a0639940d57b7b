package export_test

import (
	"context"
	"log"
	"os"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// A policy check as text, and as JUnit XML for a CI system.
func ExampleCheckTable() {
	m := new(graph.Model).Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000, Tier: graph.TierOf(0), Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")},
	)
	m.Name = "mini-kakao"
	c, err := graph.Compile(m)
	if err != nil {
		log.Fatal(err)
	}
	res, err := policy.Check(context.Background(), c, &policy.Policy{Name: "lessons", Rules: []policy.Rule{
		policy.SurviveSiteLoss(policy.Tier(0)),
	}})
	if err != nil {
		log.Fatal(err)
	}
	export.CheckTable(os.Stdout, res)
	export.CheckJUnit(os.Stdout, res)
	// Output:
	// mini-kakao against policy lessons: 1 of 1 rule fails (2 violations)
	//
	// FAIL  survive_site_loss: nodes of tier 0 stay up when any one site is lost
	//       survive_site_loss; 2 selected nodes, each of 1 site lost
	//       talk   down when site pangyo is lost  talk → pangyo
	//       login  down when site pangyo is lost  login → talk → pangyo
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="blastradius check" tests="1" failures="1">
	//   <testsuite name="lessons on mini-kakao" tests="1" failures="1" errors="0" skipped="0">
	//     <testcase name="survive_site_loss: nodes of tier 0 stay up when any one site is lost" classname="blastradius.mini-kakao">
	//       <failure message="2 violations: 2 selected nodes, each of 1 site lost" type="survive_site_loss"><![CDATA[nodes of tier 0 stay up when any one site is lost
	// 2 selected nodes, each of 1 site lost
	// talk: down when site pangyo is lost: talk → pangyo
	// login: down when site pangyo is lost: login → talk → pangyo
	// ]]></failure>
	//       <system-out>2 selected nodes, each of 1 site lost</system-out>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}
