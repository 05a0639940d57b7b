package importer_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/graph/backstage"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/graph/k8s"
	"github.com/blastradius-go/blastradius/graph/traces"
)

// shopFiles writes the files of a large shop: n Deployments over three
// zones with a Service and a budget each, the catalog of the same n
// components (each depending on two others), and a servicegraph scrape
// of edges calls among them.
func shopFiles(n, edges int) (manifests, catalog, scrape []byte) {
	var m, c, s bytes.Buffer
	for z := range 3 {
		fmt.Fprintf(&m, "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-%d\n  labels:\n    topology.kubernetes.io/region: r1\n    topology.kubernetes.io/zone: zone-%d\n---\n", z, z)
	}
	for i := range n {
		fmt.Fprintf(&m, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-%[1]d\n  namespace: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: svc-%[1]d}\n  template:\n    metadata:\n      labels: {app: svc-%[1]d}\n    spec:\n      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: svc-%[1]d}}}\n      containers:\n      - {name: app, image: shop/svc-%[1]d:1}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-%[1]d, namespace: shop}\nspec:\n  selector: {app: svc-%[1]d}\n  ports: [{port: 80}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: svc-%[1]d, namespace: shop}\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: svc-%[1]d}}\n---\n", i)
		fmt.Fprintf(&c, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-%d\n  annotations:\n    blastradius.dev/users: \"%d\"\nspec:\n  type: service\n  lifecycle: production\n  owner: team-%d\n", i, 100+i, i%40)
		if i > 1 {
			fmt.Fprintf(&c, "  dependsOn: [component:svc-%d, component:svc-%d]\n", i/2, i-1)
		}
		c.WriteString("---\n")
	}
	s.WriteString("# TYPE traces_service_graph_request_total counter\n")
	for i := range edges {
		from := 1 + i%(n-1)
		fmt.Fprintf(&s, "traces_service_graph_request_total{client=\"svc-%d\",connection_type=\"\",server=\"svc-%d\"} %d\n", from, (from+1+i/n)%n, 1000+i)
	}
	return m.Bytes(), c.Bytes(), s.Bytes()
}

// importShop reads the three sources and merges them, as blastradius
// import does.
func importShop(tb testing.TB, manifests, catalog, scrape []byte) *importer.Report {
	kr, err := k8s.Parse("k8s.yaml", manifests, k8s.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	br, err := backstage.ReadFile(catalog, "catalog.yaml", backstage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := traces.ReadPrometheus(bytes.NewReader(scrape), "servicegraph.prom", traces.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	_, rep, err := importer.Merge([]importer.Result{*kr, *br, *tr}, nil, importer.MergeOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// BenchmarkImport is the whole import of a large system: 10,000
// workloads (30,003 Kubernetes objects), their 10,000 catalog entities,
// 50,000 trace edges, and the merge. The budget is 2 s.
func BenchmarkImport(b *testing.B) {
	m, c, s := shopFiles(10_000, 50_000)
	b.SetBytes(int64(len(m) + len(c) + len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if rep := importShop(b, m, c, s); rep.Nodes != 10_004 {
			b.Fatal(rep.Nodes)
		}
	}
}

// BenchmarkImportStages times each reader and the merge alone, on the
// input of BenchmarkImport.
func BenchmarkImportStages(b *testing.B) {
	m, c, s := shopFiles(10_000, 50_000)
	b.Run("k8s", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k8s.Parse("k8s.yaml", m, k8s.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("backstage", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := backstage.ReadFile(c, "catalog.yaml", backstage.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("traces", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := traces.ReadPrometheus(bytes.NewReader(s), "servicegraph.prom", traces.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestImportInput(t *testing.T) {
	m, c, s := shopFiles(50, 200)
	rep := importShop(t, m, c, s)
	if rep.Nodes != 54 || len(rep.Unplaced) != 0 || len(rep.NotInCatalog) != 0 || len(rep.Hidden) == 0 {
		t.Fatalf("%d nodes, %d unplaced, %d not in the catalog, %d hidden", rep.Nodes, len(rep.Unplaced), len(rep.NotInCatalog), len(rep.Hidden))
	}
}
