package backstage_test

import (
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/graph/backstage"
)

// Two entities of one file: a component that depends on a database.
func ExampleReadFile() {
	catalog := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    blastradius.dev/users: "4000"
spec:
  type: service
  lifecycle: production
  owner: team-commerce
  dependsOn: [resource:orders-db]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: orders-db
spec:
  type: database
  owner: team-commerce
`
	r, err := backstage.ReadFile([]byte(catalog), "catalog-info.yaml", backstage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range r.Nodes {
		fmt.Println(n.ID, n.Kind, n.Users, n.Requires, n.Labels["owner"])
	}
	// Output:
	// checkout service 4000 [orders-db] team-commerce
	// orders-db datastore 0 [] team-commerce
}
