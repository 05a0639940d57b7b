package diff_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
)

// A warm standby made hot: no blast radius and no single point of failure
// changes, but the outage of losing site a for a day does.
func ExampleTimes() {
	model := func(tier graph.Standby) *graph.Compiled {
		var m graph.Model
		m.Add(
			graph.Node{ID: "a", Kind: graph.Site},
			graph.Node{ID: "b", Kind: graph.Site},
			graph.Node{ID: "talk", Kind: graph.Service, Users: 100, Tier: graph.TierOf(0),
				Replicas: []graph.Replica{{Site: "a"}, {Site: "b", Standby: tier}}},
		)
		c, err := graph.Compile(&m)
		if err != nil {
			log.Fatal(err)
		}
		return c
	}
	d, err := diff.Models(context.Background(), model(graph.Warm), model(graph.Hot), diff.Options{Repair: 48 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range d.Times.Sites {
		fmt.Printf("site %s lost for %v: %.0f → %.0f user-hours down\n", s.Site, d.Times.Repair, s.Old.Down, s.New.Down)
		for _, n := range s.Nodes {
			fmt.Printf("  %s down until %v → %v\n", n.ID, n.Old.DownUntil, n.New.DownUntil)
		}
	}
	fmt.Println("better:", d.Better(), "worse:", d.Worse())
	// Output:
	// site a lost for 48h0m0s: 2400 → 100 user-hours down
	//   talk down until 24h0m0s → 1h0m0s
	// better: true worse: false
}
