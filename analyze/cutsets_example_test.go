package analyze_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// A shop replicated in two data centers of one campus, which share a
// power feed: no single data center takes it down, but the feed does, and
// so does either data center with the other's own power.
func ExampleCutSets() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "campus-power", Kind: graph.Power},
		graph.Node{ID: "sbg2-power", Kind: graph.Power},
		graph.Node{ID: "sbg2", Kind: graph.Site, Requires: graph.All("campus-power", "sbg2-power")},
		graph.Node{ID: "sbg3", Kind: graph.Site, Requires: graph.All("campus-power")},
		graph.Node{ID: "shop", Kind: graph.Service,
			Replicas: []graph.Replica{{Site: "sbg2"}, {Site: "sbg3"}}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	r, err := analyze.CutSets(context.Background(), c, "shop", analyze.CutSetOptions{MaxOrder: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range r.Sets {
		fmt.Println(s.Order(), strings.Join(s.IDs, " + "))
	}
	// Output:
	// 1 campus-power
	// 2 sbg2 + sbg3
	// 2 sbg2-power + sbg3
}
