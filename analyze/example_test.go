package analyze_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// A model built in Go: login runs on the messenger, the messenger runs in
// one data center with a warm standby too small to carry it, and a game
// service elsewhere needs the login. What does losing the data center do?
func ExampleSimulate() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000,
			Demand: 100, DegradedAt: 30,
			Replicas: []graph.Replica{
				{Site: "pangyo", Capacity: 100},
				{Site: "gasan", Capacity: 20, Standby: graph.Warm},
			}},
		graph.Node{ID: "login", Kind: graph.Identity, Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3_000_000, Site: "gasan",
			Requires: graph.All("login")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo"))
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range o.Sorted() {
		if !e.Replica {
			fmt.Printf("%-6s %-8s %s\n", e.ID, e.State, strings.Join(o.Chain(e.ID), " → "))
		}
	}
	fmt.Println("user-services down:", o.Totals.UsersDown)
	// Output:
	// talk   down     talk → talk@pangyo → pangyo
	// games  down     games → login → talk → talk@pangyo → pangyo
	// login  down     login → talk → talk@pangyo → pangyo
	// pangyo down     pangyo
	// user-services down: 50500000
}

// Why does losing the data center take the games down? Chain answers for
// one pair without simulating everything the failure reaches: only what
// the games depend on.
func ExampleChain() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Site: "gasan", Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Site: "gasan", Requires: graph.All("login")},
		graph.Node{ID: "maps", Kind: graph.Service, Site: "gasan"},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	for _, target := range []string{"games", "maps"} {
		chain, err := analyze.Chain(c, "pangyo", target)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %q\n", target, chain)
	}
	// Output:
	// games: ["games" "login" "talk" "pangyo"]
	// maps: []
}
