package k8s_test

import (
	"fmt"

	"github.com/blastradius-go/blastradius/graph/k8s"
)

func ExampleParse() {
	manifests := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  annotations: {blastradius.dev/requires: payments}
spec:
  replicas: 4
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app: checkout}}}
      containers: [{name: checkout, image: "checkout:1"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: checkout}
spec:
  maxUnavailable: 50%
  selector: {matchLabels: {app: checkout}}
`
	r, err := k8s.Parse("shop.yaml", []byte(manifests), k8s.Options{Zones: []string{"zone-a", "zone-b"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range r.Nodes {
		fmt.Println(n.ID, n.Kind, n.Replicas, "demand", n.Demand, n.Requires)
	}
	for _, f := range r.Findings {
		fmt.Println(f.Pos, f.Message)
	}
	// Output:
	// zone-a site [] demand 0 []
	// zone-b site [] demand 0 []
	// checkout service [{zone-a 2 active 0s [] [] shop.yaml:4} {zone-b 2 active 0s [] [] shop.yaml:4}] demand 2 [payments]
	// shop.yaml:5 payments names no Service or workload of the manifests: kept as a dependency on payments
}
