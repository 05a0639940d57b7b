package importer_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/race"
)

// catalogAt returns what the sources of a large shop say: n workloads
// over three zones (Kubernetes), the same n components with two declared
// dependencies each (the catalog), and edges calls between them (traces),
// a tenth of them declared nowhere.
func catalogAt(n, edges int, seed uint64) []importer.Result {
	r := rand.New(rand.NewPCG(seed, 14))
	zones := []string{"zone-a", "zone-b", "zone-c"}
	k8s := importer.Result{Source: "k8s"}
	for _, z := range zones {
		k8s.Nodes = append(k8s.Nodes, graph.Node{ID: z, Kind: graph.Site, Region: "eu"})
	}
	k8s.Nodes = append(k8s.Nodes, graph.Node{ID: "eu", Kind: graph.Region})
	cat := importer.Result{Source: "backstage"}
	name := func(i int) string { return fmt.Sprintf("svc-%05d", i) }
	for i := range n {
		k8s.Nodes = append(k8s.Nodes, graph.Node{ID: name(i), Pos: graph.Pos{File: "k8s.yaml", Line: 1 + 20*i},
			Replicas: []graph.Replica{{Site: "zone-a"}, {Site: "zone-b"}, {Site: "zone-c"}}, Demand: 2,
			Labels: map[string]string{"k8s/namespace": "shop"}})
		c := graph.Node{ID: name(i), Users: int64(r.IntN(1000)), Pos: graph.Pos{File: "catalog.yaml", Line: 1 + 15*i},
			Labels: map[string]string{"owner": "team", "system": "shop"}}
		if i > 0 {
			c.Requires = graph.All(name(r.IntN(i)), name(r.IntN(i)))
		}
		cat.Nodes = append(cat.Nodes, c)
	}
	tr := importer.Result{Source: "traces"}
	for i := range edges {
		from := 1 + r.IntN(n-1)
		e := importer.Edge{From: name(from), To: name(r.IntN(from)), Calls: int64(1 + r.IntN(1e6)), Pos: graph.Pos{File: "servicegraph.prom", Line: 3 + i}}
		tr.Observed = append(tr.Observed, e)
	}
	return []importer.Result{k8s, cat, tr}
}

func BenchmarkMerge(b *testing.B) {
	results := catalogAt(10_000, 50_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := importer.Merge(results, nil, importer.MergeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMergeTenThousand merges the benchmark's sources and checks the
// counts: every workload is one node with the catalog's description, and
// every call declared nowhere is reported.
func TestMergeTenThousand(t *testing.T) {
	n, edges := 10_000, 50_000
	if testing.Short() || race.Enabled {
		n, edges = 1000, 5000
	}
	results := catalogAt(n, edges, 1)
	m, rep, err := importer.Merge(results, nil, importer.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != n+4 {
		t.Fatalf("%d nodes, want %d", len(m.Nodes), n+4)
	}
	declared := map[[2]string]bool{}
	for _, nd := range results[1].Nodes {
		for _, d := range nd.Requires {
			declared[[2]string{nd.ID, d.Members[0].ID}] = true
		}
	}
	hidden := map[[2]string]bool{}
	for _, e := range results[2].Observed {
		if !declared[[2]string{e.From, e.To}] {
			hidden[[2]string{e.From, e.To}] = true
		}
	}
	if len(rep.Hidden) != len(hidden) {
		t.Fatalf("%d hidden, want %d", len(rep.Hidden), len(hidden))
	}
	if len(rep.Unplaced) != 0 || len(rep.NotInCatalog) != 0 {
		t.Fatalf("%d unplaced, %d not in the catalog", len(rep.Unplaced), len(rep.NotInCatalog))
	}
}
