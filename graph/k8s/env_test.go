package k8s

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHosts(t *testing.T) {
	c := converter{reader: newReader(Options{}), services: map[string]*service{
		"shop/payments": {}, "shop/orders": {}, "billing/ledger": {},
	}}
	for _, tc := range []struct {
		name, value string
		want        []string
	}{
		{"PAYMENTS_HOST", "payments", []string{"payments"}},
		{"QUEUE_NAME", "orders", nil}, // a word, not a host: the variable does not say host
		{"X", "payments", nil},
		{"X", "http://payments:8080/v1", []string{"payments"}},
		{"X", "payments:443", []string{"payments"}},
		{"X", "amqp://user@orders", []string{"orders"}},
		{"X", "ledger.billing", []string{"ledger.billing"}},
		{"X", "jdbc:postgresql://ledger.billing.svc:5432/db", []string{"ledger.billing"}},
		{"X", "ledger.billing.svc.cluster.local", []string{"ledger.billing"}},
		{"X", "ledger.billing.svc.other.domain", nil},
		{"X", "payments.example.com", nil},
		{"X", "ledger.shop", nil}, // no Service ledger in shop
		{"UPSTREAMS", "http://payments:80,http://orders:80", []string{"payments", "orders"}},
		{"BACKEND_URL", "payments", []string{"payments"}},
		{"X", "report.txt", nil},
	} {
		got := c.hosts(tc.name, tc.value, "shop")
		require.Equal(t, tc.want, got, "%s=%s", tc.name, tc.value)
	}
}

// TestNames checks the ids of workloads that share a name across
// namespaces, and of an ExternalName Service that shares one.
func TestNames(t *testing.T) {
	in := strings.Join([]string{
		strings.Replace(deployment, "namespace: shop", "namespace: shop\n  annotations: {blastradius.dev/requires: web}", 1),
		strings.Replace(deployment, "namespace: shop", "namespace: staging", 1),
		"apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ext}\nspec: {type: ExternalName, externalName: web.example.com}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: ext, annotations: {blastradius.dev/uses: web}}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api}]}\n",
	}, "---\n")
	r, err := Parse("m.yaml", []byte(in), Options{Zones: []string{"z1"}})
	require.NoError(t, err)
	var ids []string
	for _, n := range r.Nodes {
		ids = append(ids, n.ID)
	}
	require.Equal(t, []string{"z1", "shop/web", "staging/web", "api", "ext/web"}, ids)
	require.Equal(t, "ext/web", r.Nodes[3].Uses[0].Members[0].ID, "api uses the ExternalName Service of its namespace")
	require.Empty(t, r.Nodes[1].Requires, "shop/web names itself")
}

func TestIgnore(t *testing.T) {
	in := strings.Replace(deployment, "namespace: shop", "namespace: shop\n  annotations: {blastradius.dev/ignore: \"true\"}", 1) + "---\n" +
		strings.Replace(strings.Replace(deployment, "name: web", "name: api", 1), "namespace: shop", "namespace: shop\n  annotations: {blastradius.dev/requires: web}", 1)
	r, err := Parse("m.yaml", []byte(in), Options{})
	require.NoError(t, err)
	require.Len(t, r.Nodes, 1)
	require.Equal(t, "api", r.Nodes[0].ID)
	require.Equal(t, "web", r.Nodes[0].Requires[0].Members[0].ID, "kept as written, for the other sources")
	require.Contains(t, r.Findings[len(r.Findings)-1].Message, "web names no Service or workload of the manifests")
}
