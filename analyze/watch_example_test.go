package analyze_test

import (
	"context"
	"fmt"
	"log"
	"sort"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// One pass over every single failure gives the blast radius of each and
// the failures that take a watched service down.
func ExampleRankWatchVertices() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000, Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3_000_000, Requires: graph.All("login")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	games, _ := c.Lookup("games")
	var takers []string
	radii, err := analyze.RankWatchVertices(context.Background(), c, analyze.RankOptions{}, []int32{games},
		func(hits []analyze.Hit) {
			for _, h := range hits {
				failed, _ := h.IDs(c)
				takers = append(takers, failed)
			}
		})
	if err != nil {
		log.Fatal(err)
	}
	sort.Strings(takers)
	fmt.Println("games goes down with:", takers)
	for _, r := range radii {
		fmt.Printf("%s: %d down, %d users\n", r.ID, r.Down, r.UsersDown)
	}
	// Output:
	// games goes down with: [login pangyo talk]
	// pangyo: 4 down, 50500000 users
	// talk: 3 down, 50500000 users
	// login: 2 down, 3000000 users
	// games: 1 down, 3000000 users
}
