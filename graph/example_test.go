package graph_test

import (
	"fmt"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
)

func ExampleDecode() {
	const src = `
model: example
nodes:
  pangyo: {kind: site}
  ansan:  {kind: site}
  login:  {kind: identity, site: pangyo}
  talk:
    kind: service
    users: 47500000
    replicas:
      - {site: pangyo}
      - {site: ansan, standby: warm}
    requires: [login]
`
	m, err := graph.Decode(strings.NewReader(src), "example.yaml", graph.YAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range m.Nodes {
		fmt.Printf("%s: %v (line %d)\n", n.ID, n.Kind, n.Pos.Line)
	}

	// A misspelt reference: every problem names the file, line, node and field.
	_, err = graph.Decode(strings.NewReader(strings.Replace(src, "[login]", "[logn]", 1)), "example.yaml", graph.YAML)
	fmt.Println(err)
	// Output:
	// pangyo: site (line 4)
	// ansan: site (line 5)
	// login: identity (line 6)
	// talk: service (line 7)
	// example.yaml:13: node "talk": requires: unknown node "logn" (did you mean "login"?)
}
