package export_test

import (
	"log"
	"os"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

func ExampleTable() {
	var m graph.Model
	m.Name = "two-sites"
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
		graph.Node{ID: "api", Kind: graph.Service, Users: 1200, Site: "a", Requires: graph.On("db")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	o, err := analyze.Simulate(c, analyze.Fail("a"))
	if err != nil {
		log.Fatal(err)
	}
	if err := export.Table(os.Stdout, o, export.TableOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// two-sites: remove site a
	//
	// STATE            NODE  KIND       USERS  WHY
	// down             api   service    1,200  a
	// down             a     site       -      removed
	// redundancy-lost  db    datastore  -      capacity left 1 of 2 (needs 1): db@a down
	//
	// 2 down (1 service, 1,200 user-services, at least 1,200 people), 0 degraded (0 services, 0 user-services), 1 up with redundancy lost
}
