package importer_test

import (
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
)

// A catalog and a trace graph that disagree: the merged model has the
// call the traces saw, and the report names it.
func ExampleMerge() {
	catalog := importer.Result{Source: "backstage", Nodes: []graph.Node{
		{ID: "web", Users: 1000, Requires: graph.All("api")},
		{ID: "api"},
		{ID: "flags"},
	}}
	seen := importer.Result{Source: "traces", Observed: []importer.Edge{
		{From: "web", To: "api", Calls: 900},
		{From: "web", To: "flags", Calls: 300},
	}}
	overlay := &graph.Model{Nodes: []graph.Node{{ID: "api", Kind: graph.Service, Description: "the shop's API"}}}
	m, rep, err := importer.Merge([]importer.Result{catalog, seen}, overlay, importer.MergeOptions{Name: "shop"})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range m.Nodes {
		fmt.Printf("%s %v %q\n", n.ID, n.Requires, n.Description)
	}
	for _, d := range rep.Hidden {
		fmt.Printf("hidden: %s → %s (%d calls)\n", d.From, d.To, d.Calls)
	}
	// Output:
	// web [api flags] ""
	// api [] "the shop's API"
	// flags [] ""
	// hidden: web → flags (300 calls)
}
