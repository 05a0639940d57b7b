package analyze_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// exampleModel is a messenger in one data center with a standby in a
// second, and a login that runs on it.
func exampleModel() *graph.Compiled {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000,
			Replicas: []graph.Replica{{Site: "pangyo"}, {Site: "gasan", Standby: graph.Warm}}},
		graph.Node{ID: "login", Kind: graph.Identity, Requires: graph.All("talk")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// References as a user writes them, resolved against a model: a prefix
// checks the kind, a misspelling gets a suggestion of the same sort.
func ExampleParseRef() {
	c := exampleModel()
	for _, s := range []string{"site:pangyo", "talk@gasan", "site:talk", "talk@pangoy"} {
		r, err := analyze.ParseRef(c, s)
		if err != nil {
			fmt.Printf("%s: %v\n", s, err)
			continue
		}
		fmt.Printf("%s: %s (replica %v)\n", s, r.ID, r.Replica)
	}
	// Output:
	// site:pangyo: pangyo (replica false)
	// talk@gasan: talk@gasan (replica true)
	// site:talk: "talk" is a service, not a site
	// talk@pangoy: unknown node "talk@pangoy" (did you mean "talk@pangyo"?)
}

// A scenario from command-line references; naming a node twice is refused.
func ExampleParseScenario() {
	c := exampleModel()
	sc, err := analyze.ParseScenario(c, []string{"site:pangyo", "talk@gasan"})
	fmt.Println(sc.IDs(), err)
	_, err = analyze.ParseScenario(c, []string{"site:pangyo", "pangyo"})
	fmt.Println(err)
	// Output:
	// [pangyo talk@gasan] <nil>
	// pangyo: "pangyo" is already removed by site:pangyo; name each failure once
}

func ExampleParseKinds() {
	kinds, err := analyze.ParseKinds("identity, datastore")
	fmt.Println(kinds, err)
	_, err = analyze.ParseKinds("identity,datastor")
	fmt.Println(err)
	// Output:
	// [identity datastore] <nil>
	// unknown kind "datastor" (did you mean "datastore"?); want one of service, identity, datastore, queue, network, power, site, region, external
}

// A CI gate: fail the run when losing a data center takes a node down.
func ExampleFailOn_Violated() {
	c := exampleModel()
	rule, err := analyze.ParseFailOn("down")
	if err != nil {
		log.Fatal(err)
	}
	for _, site := range []string{"gasan", "pangyo"} {
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail(site))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("without %s: fails the gate: %v\n", site, rule.Violated(o))
	}
	// Output:
	// without gasan: fails the gate: false
	// without pangyo: fails the gate: true
}
