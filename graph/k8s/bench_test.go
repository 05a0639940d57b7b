package k8s

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
)

// manifests writes n Deployments in one namespace over three zones, each
// with a Service, a PodDisruptionBudget and an annotation naming the
// next two Services, as a large system's manifests would be: one kind:
// List document, as kubectl get -o yaml writes them.
func manifests(n int) []byte {
	return []byte("apiVersion: v1\nkind: List\nitems:\n" + manifestItems(n))
}

// manifestDocuments writes the objects of manifests(n) as one YAML
// document each, separated by "---", as kept in git or written by helm
// template and kustomize build.
func manifestDocuments(n int) []byte {
	var b strings.Builder
	for line := range strings.Lines(manifestItems(n)) {
		if strings.HasPrefix(line, "- ") {
			b.WriteString("---\n")
		}
		if len(line) >= 2 {
			line = line[2:] // an item's indentation, or its "- "
		}
		b.WriteString(line)
	}
	return []byte(b.String())
}

// manifestItems writes the objects of manifests as the items of a block
// sequence at column 0.
func manifestItems(n int) string {
	var b strings.Builder
	for z := range 3 {
		fmt.Fprintf(&b, "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: node-%d\n    labels:\n      topology.kubernetes.io/region: r1\n      topology.kubernetes.io/zone: zone-%d\n", z, z)
	}
	for i := range n {
		fmt.Fprintf(&b, `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: svc-%[1]d
    namespace: shop
    annotations:
      blastradius.dev/requires: svc-%[2]d, svc-%[3]d.shop
  spec:
    replicas: 3
    selector:
      matchLabels: {app: svc-%[1]d}
    template:
      metadata:
        labels: {app: svc-%[1]d, team: t%[4]d}
      spec:
        topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: svc-%[1]d}}}
        containers:
        - name: app
          image: registry.example.com/svc-%[1]d:1.0
          ports: [{containerPort: 8080}]
          env:
          - {name: NEXT_URL, value: "http://svc-%[2]d:8080"}
- apiVersion: v1
  kind: Service
  metadata: {name: svc-%[1]d, namespace: shop}
  spec:
    selector: {app: svc-%[1]d}
    ports: [{port: 8080}]
- apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: {name: svc-%[1]d, namespace: shop}
  spec:
    minAvailable: 2
    selector: {matchLabels: {app: svc-%[1]d}}
`, i, (i+1)%n, (i+2)%n, i%50)
	}
	return b.String()
}

// BenchmarkParse reads 10,000 workloads with their Services and budgets
// (30,003 objects), the size the import of a large system must take in
// under 2 s together with 50,000 trace edges and the merge.
func BenchmarkParse(b *testing.B) { benchParse(b, manifests(10_000)) }

// BenchmarkParseDocuments reads the objects of BenchmarkParse written as
// 30,003 YAML documents, one per object.
func BenchmarkParseDocuments(b *testing.B) { benchParse(b, manifestDocuments(10_000)) }

// benchParse reads the 10,000 workloads of data.
func benchParse(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse("b.yaml", data, Options{FromEnv: true})
		if err != nil || len(r.Nodes) != 10_004 {
			b.Fatal(err)
		}
	}
}

func TestBenchmarkInput(t *testing.T) {
	r, err := Parse("b.yaml", manifests(50), Options{FromEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Nodes[4]; n.ID != "svc-0" || n.Demand != 2 || len(n.Replicas) != 3 || len(n.Requires) != 2 {
		t.Fatalf("%+v", n)
	}
}

// TestBenchmarkDocuments checks that the two forms of the benchmark's
// input read the same (but for lines), and that the lines of the
// multi-document form are those of the file: each workload at its name.
func TestBenchmarkDocuments(t *testing.T) {
	data := manifestDocuments(50)
	docs, err := Parse("b.yaml", data, Options{FromEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	list, err := Parse("b.yaml", manifests(50), Options{FromEnv: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, n := range docs.Nodes {
		want := "name: " + n.ID
		if n.Kind == graph.Site || n.Kind == graph.Region {
			want = "name: node-" // at the first Node object in the zone
		}
		if l := lines[n.Pos.Line-1]; !strings.HasPrefix(strings.TrimSpace(l), want) {
			t.Errorf("%s at %s, line %q", n.ID, n.Pos, l)
		}
	}
	if a, b := withoutLines(docs.Nodes), withoutLines(list.Nodes); !reflect.DeepEqual(a, b) {
		t.Fatalf("documents read\n%+v\nlist read\n%+v", a, b)
	}
	if len(docs.Findings) != len(list.Findings) {
		t.Fatalf("%d findings from the documents, %d from the list", len(docs.Findings), len(list.Findings))
	}
}

// withoutLines returns copies of nodes without their positions.
func withoutLines(nodes []graph.Node) []graph.Node {
	deps := func(ds []graph.Dep) []graph.Dep {
		var out []graph.Dep
		for _, d := range ds {
			d.Pos = graph.Pos{}
			d.Members = append([]graph.Member(nil), d.Members...)
			for i := range d.Members {
				d.Members[i].Pos = graph.Pos{}
			}
			out = append(out, d)
		}
		return out
	}
	var out []graph.Node
	for _, n := range nodes {
		n.Pos = graph.Pos{}
		n.Requires, n.Uses = deps(n.Requires), deps(n.Uses)
		n.Replicas = append([]graph.Replica(nil), n.Replicas...)
		for i := range n.Replicas {
			n.Replicas[i].Pos = graph.Pos{}
			n.Replicas[i].Requires = deps(n.Replicas[i].Requires)
		}
		out = append(out, n)
	}
	return out
}
