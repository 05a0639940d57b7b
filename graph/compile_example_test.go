package graph_test

import (
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/graph"
)

// Compile turns a model into gates: a node placed at two sites becomes a
// capacity threshold over one vertex per replica, each of which requires its
// site.
func ExampleCompile() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
		graph.Node{ID: "api", Kind: graph.Service, Site: "a",
			Requires: []graph.Dep{graph.AnyOf("db", "b")}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c)
	for v := int32(0); v < int32(c.Len()); v++ {
		ins, _ := c.Inputs(v)
		var names []string
		for _, u := range ins {
			names = append(names, c.VertexName(u))
		}
		g := c.Gate(v)
		fmt.Printf("%-16s %-9s need %d of %v\n", c.VertexName(v), g.Op, g.Need, names)
	}
	// Output:
	// compiled "": 4 nodes, 7 vertices, 8 edges
	// a                and       need 1 of []
	// b                and       need 1 of []
	// db               threshold need 1 of [db@a db@b]
	// api              and       need 1 of [a api.requires[0]]
	// db@a             and       need 1 of [a]
	// db@b             and       need 1 of [b]
	// api.requires[0]  threshold need 1 of [db b]
}

// On and the group builders each return one Dep, so plain dependencies and
// groups mix in one literal; All is the list of plain ones.
func ExampleOn() {
	api := graph.Node{ID: "api", Kind: graph.Service,
		Requires: []graph.Dep{
			graph.On("db"),
			graph.AnyOf("cache-a", "cache-b"),
			graph.AtLeast(2, "etcd-1", "etcd-2", "etcd-3"),
		},
		Uses: graph.All("metrics", "tracing"),
	}
	for _, d := range api.Requires {
		fmt.Println("requires", d)
	}
	for _, d := range api.Uses {
		fmt.Println("uses", d)
	}
	// Output:
	// requires db
	// requires any_of [cache-a cache-b]
	// requires at_least 2 of [etcd-1 etcd-2 etcd-3]
	// uses metrics
	// uses tracing
}
