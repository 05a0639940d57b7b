package diff_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
)

// A pull request makes two services log in through a new login server
// that runs in one data center.
func ExampleModels() {
	base := []graph.Node{
		{ID: "pangyo", Kind: graph.Site},
		{ID: "gasan", Kind: graph.Site},
	}
	app := func(id string, users int64, deps ...string) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Users: users, Tier: graph.TierOf(1),
			Replicas: []graph.Replica{{Site: "pangyo"}, {Site: "gasan"}}, Requires: graph.All(deps...)}
	}
	before, err := graph.Compile(new(graph.Model).Add(append(base, app("pay", 20), app("games", 3))...))
	if err != nil {
		log.Fatal(err)
	}
	after, err := graph.Compile(new(graph.Model).Add(append(base,
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Site: "pangyo"},
		app("pay", 20, "login"), app("games", 3, "login"))...))
	if err != nil {
		log.Fatal(err)
	}
	d, err := diff.Models(context.Background(), before, after, diff.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("worse:", d.Worse(), "added:", d.Added)
	for _, s := range d.NewSPOFs {
		fmt.Println("new single point of failure:", s.ID, "takes", s.Takes)
	}
	fmt.Printf("redundancy rate by users: %.0f%% → %.0f%%; lost: %v\n",
		100*d.Redundancy.Old.UsersRate, 100*d.Redundancy.New.UsersRate, d.Redundancy.Lost)
	// Output:
	// worse: true added: [login]
	// new single point of failure: login takes [pay games]
	// redundancy rate by users: 100% → 0%; lost: [pay games]
}
