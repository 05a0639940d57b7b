package analyze_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Two sites on one campus look redundant by site and are not by region.
func ExampleRedundancyRateBy() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "campus", Kind: graph.Region},
		graph.Node{ID: "dc-1", Kind: graph.Site, Region: "campus"},
		graph.Node{ID: "dc-2", Kind: graph.Site, Region: "campus"},
		graph.Node{ID: "shop", Kind: graph.Service, Users: 1000, Replicas: []graph.Replica{{Site: "dc-1"}, {Site: "dc-2"}}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	for _, by := range []graph.Kind{graph.Site, graph.Region} {
		r, err := analyze.RedundancyRateBy(context.Background(), c, by)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("by %v: %.0f%% of users survive\n", by, 100*r.UsersRate)
	}
	// Output:
	// by site: 100% of users survive
	// by region: 0% of users survive
}
