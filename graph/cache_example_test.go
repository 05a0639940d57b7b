package graph_test

import (
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/graph"
)

// A compiled graph can be kept in its binary form (a cache of compiled
// models does) and read back as the same graph, without the model.
func ExampleReadCompiled() {
	var m graph.Model
	m.Name = "two sites"
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	data, err := c.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	back, err := graph.ReadCompiled(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back)
	v, _ := back.Lookup("db@b")
	fmt.Println(back.VertexName(back.Owner(v)), back.VertexName(back.ReplicaSite(v)))
	// Output:
	// compiled "two sites": 3 nodes, 5 vertices, 4 edges
	// db b
}
