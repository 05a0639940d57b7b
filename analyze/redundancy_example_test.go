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

// A caller that loses the sites for its own questions (here the region
// too, in the same pass of the batch engine) hands the states to the
// rate, which then loses nothing again.
func ExampleRedundancyRateLosses() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "campus", Kind: graph.Region},
		graph.Node{ID: "dc-1", Kind: graph.Site, Region: "campus"},
		graph.Node{ID: "dc-2", Kind: graph.Site, Region: "campus"},
		graph.Node{ID: "shop", Kind: graph.Service, Users: 1000, Replicas: []graph.Replica{{Site: "dc-1"}, {Site: "dc-2"}}},
		graph.Node{ID: "blog", Kind: graph.Service, Users: 10, Site: "dc-2"},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	var lost []int32
	for _, id := range []string{"dc-1", "dc-2", "campus"} {
		v, _ := c.Lookup(id)
		lost = append(lost, v)
	}
	ls, err := analyze.LoseEach(context.Background(), c, lost)
	if err != nil {
		log.Fatal(err)
	}
	r, _, err := analyze.RedundancyRateLosses(context.Background(), c, ls)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range r.Sites {
		fmt.Printf("%s lost: down %v, degraded %v, no margin left %v\n", s.Site, s.Down, s.Degraded, s.Exposed)
	}
	// Output:
	// dc-2 lost: down [blog], degraded [], no margin left [shop]
	// dc-1 lost: down [], degraded [], no margin left [shop]
}
