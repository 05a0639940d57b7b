package analyze_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Two data centers that share one power feed, a shop in both: how often is
// the shop down, and what matters most?
func ExampleAvailability() {
	m := graph.Model{Defaults: map[graph.Kind]graph.Reliability{
		graph.Site:  {Availability: 0.9998},
		graph.Power: {MTBF: 8760 * time.Hour, MTTR: 6 * time.Hour},
	}}
	m.Add(
		graph.Node{ID: "campus-power", Kind: graph.Power},
		graph.Node{ID: "sbg2", Kind: graph.Site, Requires: graph.All("campus-power")},
		graph.Node{ID: "sbg3", Kind: graph.Site, Requires: graph.All("campus-power")},
		graph.Node{ID: "shop", Kind: graph.Service, Availability: 0.9999,
			Replicas: []graph.Replica{{Site: "sbg2"}, {Site: "sbg3"}}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	u, err := analyze.Availability(context.Background(), c, "shop", analyze.AvailabilityOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("shop down with probability %.3g (exact %v), %v a year\n", u.Probability, u.Exact, u.Downtime().Round(time.Minute))
	for _, imp := range u.Importance {
		fmt.Printf("%-12s Birnbaum %.4f  Fussell-Vesely %.4f  RAW %.0f\n", imp.ID, imp.Birnbaum, imp.FussellVesely, imp.RAW)
	}
	// Output:
	// shop down with probability 0.000784 (exact true), 6h53m0s a year
	// campus-power Birnbaum 0.9999  Fussell-Vesely 0.8726  RAW 1275
	// shop         Birnbaum 0.9993  Fussell-Vesely 0.1275  RAW 1275
	// sbg2         Birnbaum 0.0002  Fussell-Vesely 0.0003  RAW 1
	// sbg3         Birnbaum 0.0002  Fussell-Vesely 0.0003  RAW 1
}
