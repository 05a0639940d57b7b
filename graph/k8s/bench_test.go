package k8s

import (
	"fmt"
	"strings"
	"testing"
)

// manifests writes n Deployments in one namespace over three zones, each
// with a Service, a PodDisruptionBudget and an annotation naming the
// next two Services, as a large system's manifests would be.
func manifests(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: List\nitems:\n")
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
	return []byte(b.String())
}

// BenchmarkParse reads 10,000 workloads with their Services and budgets
// (30,003 objects), the size the import of a large system must take in
// under 2 s together with 50,000 trace edges and the merge.
func BenchmarkParse(b *testing.B) {
	data := manifests(10_000)
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
