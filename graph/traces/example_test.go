package traces_test

import (
	"fmt"
	"strings"

	"github.com/blastradius-go/blastradius/graph/traces"
)

func ExampleReadPrometheus() {
	scrape := `# TYPE traces_service_graph_request_total counter
traces_service_graph_request_total{client="checkout",server="payments",connection_type=""} 2300
traces_service_graph_request_total{client="checkout",server="orders-db",connection_type="database"} 4100
traces_service_graph_request_total{client="web",server="recommendations",connection_type=""} 7000
traces_service_graph_request_failed_total{client="web",server="recommendations",connection_type=""} 4200
`
	r, err := traces.ReadPrometheus(strings.NewReader(scrape), "scrape.prom", traces.Options{SoftAbove: 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range r.Nodes {
		fmt.Println(n.ID, n.Kind, "requires", n.Requires, "uses", n.Uses)
	}
	for _, e := range r.Observed {
		fmt.Printf("%s: %s -> %s, %d calls, %d failed\n", e.Pos, e.From, e.To, e.Calls, e.Failed)
	}
	// Output:
	// checkout service requires [payments orders-db] uses []
	// payments service requires [] uses []
	// orders-db datastore requires [] uses []
	// web service requires [] uses [recommendations]
	// recommendations service requires [] uses []
	// scrape.prom:2: checkout -> payments, 2300 calls, 0 failed
	// scrape.prom:3: checkout -> orders-db, 4100 calls, 0 failed
	// scrape.prom:4: web -> recommendations, 7000 calls, 4200 failed
}

func ExampleReadJaeger() {
	deps := `{"data": [
  {"parent": "web", "child": "checkout", "callCount": 2350},
  {"parent": "checkout", "child": "payments", "callCount": 2300}
]}`
	r, err := traces.ReadJaeger(strings.NewReader(deps), "deps.json", traces.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range r.Observed {
		fmt.Printf("%s: %s -> %s, %d calls\n", e.Pos, e.From, e.To, e.Calls)
	}
	// Output:
	// deps.json:2: web -> checkout, 2350 calls
	// deps.json:3: checkout -> payments, 2300 calls
}
