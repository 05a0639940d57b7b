package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// twoSites is the model of ExampleTable: an API at site a that needs a
// database replicated at sites a and b; site a is lost.
func twoSites() *analyze.Outcome {
	var m graph.Model
	m.Name = "two-sites"
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
		graph.Node{ID: "api", Kind: graph.Service, Users: 1200, Site: "a", Requires: graph.All("db")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("a"))
	if err != nil {
		log.Fatal(err)
	}
	return o
}

// DOT draws the outcome for Graphviz. Here, only the node and edge lines
// of the drawing, without their attributes: the database, placed at two
// sites, points at its two replicas, each in its site's cluster.
func ExampleDOT() {
	o := twoSites()
	var b bytes.Buffer
	if err := export.DOT(&b, o, export.GraphOptions{}); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, `"`):
			stmt, _, _ := strings.Cut(strings.TrimSuffix(line, ";"), " [")
			fmt.Println(stmt)
		case strings.HasPrefix(line, "subgraph"), line == "}":
			fmt.Println(line)
		}
	}
	// Output:
	// subgraph "cluster_site a" {
	// "a"
	// "api"
	// "db@a"
	// }
	// subgraph "cluster_site b" {
	// "b"
	// "db@b"
	// }
	// "db"
	// "~legend"
	// "db" -> "db@a"
	// "db" -> "db@b"
	// "api" -> "db"
	// }
}

// Render runs Graphviz's dot (apt-get install graphviz) on what DOT wrote:
// here, an SVG file of the drawing of a large model's blast radius alone.
func ExampleRender() {
	o := twoSites()
	var src bytes.Buffer
	if err := export.DOT(&src, o, export.GraphOptions{Focus: true, RankDir: export.TopBottom}); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create("blast-radius.svg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := export.Render(context.Background(), f, &src, export.SVG); err != nil {
		log.Fatal(err) // errors.Is(err, export.ErrNoGraphviz) when dot is missing
	}
}

func ExampleMermaid() {
	if err := export.Mermaid(os.Stdout, twoSites(), export.GraphOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// ---
	// title: "two-sites: remove site a"
	// ---
	// flowchart LR
	//   %% 2 down (1 service, 1,200 user-services, at least 1,200 people), 0 degraded (0 services, 0 user-services), 1 up with redundancy lost
	//   classDef down fill:#d64541,stroke:#8c1c13,color:#ffffff
	//   classDef degraded fill:#f6a04d,stroke:#c05621,color:#2d1500
	//   classDef lost fill:#fde68a,stroke:#b7791f,color:#3d2c00
	//   classDef up fill:#e3f2e1,stroke:#5b9a5b,color:#1b2a1b
	//   classDef removed stroke-width:4px
	//   subgraph c_a["site a"]
	//     n_a[["a<br/><small>site · REMOVED</small>"]]
	//     n_api("api<br/><small>service · 1.2K users</small>")
	//     n_db_a[("db@a<br/><small>active</small>")]
	//   end
	//   style c_a fill:#fbe3e1,stroke:#aab2bd
	//   subgraph c_b["site b"]
	//     n_b[["b<br/><small>site</small>"]]
	//     n_db_b[("db@b<br/><small>active</small>")]
	//   end
	//   style c_b fill:#f3f5f7,stroke:#aab2bd
	//   n_db[("db<br/><small>datastore</small>")]
	//   n_db --o n_db_a
	//   n_db --o n_db_b
	//   n_api --> n_db
	//   linkStyle 0 stroke:#b7791f,stroke-width:2px
	//   class n_a,n_api,n_db_a down
	//   class n_db lost
	//   class n_b,n_db_b up
	//   class n_a removed
}

func ExampleMarkdown() {
	if err := export.Markdown(os.Stdout, twoSites()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// # Blast radius: two-sites, remove site `a`
	//
	// | | nodes | services | user-services |
	// |---|--:|--:|--:|
	// | 🟥 **down** | 2 | 1 | 1,200 |
	// | 🟧 **degraded** | 0 | 0 | 0 |
	// | 🟨 **up, redundancy lost** | 1 | | |
	//
	// At least **1,200 people** lose a service: the most users of any one node that is down. Down counts the 1 node the scenario removed. User-services count a person once per service they use; services are the nodes that are not sites, regions, power or network.
	//
	// ## 🟥 Down (2)
	//
	// | node | kind | users | tier | why |
	// |---|---|--:|--:|---|
	// | `api` | service | 1,200 | – | requires `a` |
	// | `a` | site | – | – | removed |
	//
	// ## 🟨 Up, redundancy lost (1)
	//
	// | node | kind | users | tier | why |
	// |---|---|--:|--:|---|
	// | `db` | datastore | – | – | replicas 1 of 2 up (needs 1): `db@a` down |
	//
	// ## Cause chains
	//
	// Each node is listed under the input that put it in its state, starting from what was removed: read a line's chain of causes upwards.
	//
	// - 🟥 `a` down, removed
	//   - 🟥 `api` down, 1,200 users
	//   - 🟥 `db@a` down
	//     - 🟨 `db` redundancy-lost: replicas 1 of 2 up (needs 1): `db@a` down
}

// The JSON Schema of every document export writes, for validators in any
// language.
func ExampleJSONSchema() {
	for _, subject := range export.JSONSubjects {
		b, ok := export.JSONSchema(subject)
		if !ok {
			log.Fatalf("no schema for %s", subject)
		}
		var schema struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal(b, &schema); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s\n", subject, schema.Title)
	}
	// Output:
	// outcome: blastradius/outcome/v2
	// rank: blastradius/rank/v1
	// spof: blastradius/spof/v2
	// redundancy: blastradius/redundancy/v1
	// timeline: blastradius/timeline/v1
	// comparison: blastradius/what-if/v1
	// check: blastradius/check/v1
	// diff: blastradius/diff/v1
	// import: blastradius/import/v1
	// cutsets: blastradius/cutsets/v1
	// availability: blastradius/availability/v1
	// pairs: blastradius/pairs/v1
	// audit: blastradius/audit/v1
}

// A drawing as a *dot.Graph, to change before rendering: here its
// background.
func ExampleDOTGraph() {
	var m graph.Model
	m.Add(
		graph.Node{ID: "dc", Kind: graph.Site},
		graph.Node{ID: "api", Kind: graph.Service, Site: "dc"},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("dc"))
	if err != nil {
		log.Fatal(err)
	}
	g, err := export.DOTGraph(o, export.GraphOptions{})
	if err != nil {
		log.Fatal(err)
	}
	g.Attr("bgcolor", "lightgrey")
	n, ok := g.FindNodeById("api")
	fmt.Println(ok, n.Value("tooltip"))
	// Output:
	// true "api: down\nwhy: requires dc"
}
