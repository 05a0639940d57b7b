package k8s

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1
`

func TestErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(deployment, old) {
			t.Fatalf("%q is not in the deployment", old)
		}
		return strings.Replace(deployment, old, new, 1)
	}
	for _, c := range []struct{ name, in, want string }{
		{"unknown field", edit("        image: web:1", "        imag: web:1"),
			`m.yaml:16: spec.template.spec.containers[0].imag: unknown field of Deployment`},
		{"case matters", edit("  replicas: 2", "  Replicas: 2"),
			`m.yaml:7: spec.Replicas: unknown field of Deployment`},
		{"wrong type", edit("  replicas: 2", "  replicas: two"),
			`m.yaml:7: spec.replicas: Deployment: a string is not an integer`},
		{"quoted number", edit("  replicas: 2", `  replicas: "2"`),
			`m.yaml:7: spec.replicas: Deployment: a string is not an integer`},
		{"negative replicas", edit("  replicas: 2", "  replicas: -1"),
			`m.yaml:7: spec.replicas: -1 is negative`},
		{"duplicate", edit("  replicas: 2", "  replicas: 2\n  replicas: 3"),
			`m.yaml:8: spec.replicas: written twice`},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n", `m.yaml:1: kind: missing: want the kind of the object (Deployment, Service, ...)`},
		{"api version", edit("apps/v1", "apps/v1beta2"), `m.yaml:1: apiVersion: "apps/v1beta2" is not an API version of Deployment (want apps/v1)`},
		{"no name", edit("  name: web\n", ""), `m.yaml:3: metadata.name: missing: every object has a name`},
		{"not a mapping", "- a\n- b\n", `m.yaml:1: want a Kubernetes object (a mapping with apiVersion and kind), not a list`},
		{"list item", "apiVersion: v1\nkind: List\nitems:\n- 3\n", `m.yaml:4: items[0]: want a Kubernetes object (a mapping with apiVersion and kind), not 3`},
		{"syntax", deployment + "---\nkind: [\n", `m.yaml:19: invalid YAML: did not find expected node content`},
		{"twice", deployment + "---\n" + deployment, `m.yaml:21: metadata.name: Deployment shop/web is also written at m.yaml:4`},
		{"annotation", edit("  namespace: shop\n", "  namespace: shop\n  annotations:\n    blastradius.dev/user: \"3\"\n"),
			`m.yaml:7: node "web": metadata.annotations.blastradius.dev/user: unknown annotation (did you mean "blastradius.dev/users"?)`},
		{"users", edit("  namespace: shop\n", "  namespace: shop\n  annotations:\n    blastradius.dev/users: many\n"),
			`m.yaml:7: node "web": metadata.annotations.blastradius.dev/users: "many" is not a number of people`},
		{"kind", edit("  namespace: shop\n", "  namespace: shop\n  annotations:\n    blastradius.dev/kind: site\n"),
			`m.yaml:7: node "web": metadata.annotations.blastradius.dev/kind: "site" is not a kind of workload (service, identity, datastore, queue or external)`},
		{"pdb percent", deployment + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  minAvailable: half\n  selector: {matchLabels: {app: web}}\n",
			`m.yaml:22: spec.minAvailable: invalid value for IntOrString: invalid type: string is not a percentage`},
		{"pdb both", deployment + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec:\n  minAvailable: 1\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n",
			`m.yaml:23: spec.maxUnavailable: PodDisruptionBudget web: minAvailable and maxUnavailable are exclusive`},
		{"alias lines", deployment + "---\n" + strings.Replace(strings.Replace(deployment, "name: web\n  namespace", "name: api\n  namespace", 1), "matchLabels: {app: web}", "matchLabels: &sel {app: api}", 1) + "    imag: *sel\n",
			`m.yaml:34: spec.template.imag: unknown field of Deployment`},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			`m.yaml:6: aliases expand to more than 1000850 nodes: refusing the file`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(c.in), Options{})
			var ve *graph.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Equal(t, c.want, err.Error())
		})
	}
}

// TestDocuments checks the cut of a file into documents: directives stay
// with their document, and lines count from the file's start.
func TestDocuments(t *testing.T) {
	in := "%YAML 1.1\n---\n" + deployment + "---\n# c\n---\n" + strings.Replace(deployment, "name: web", "name: api", 1) + "...\n"
	r, err := Parse("m.yaml", []byte(in), Options{Zones: []string{"z"}})
	require.NoError(t, err)
	require.Len(t, r.Nodes, 3)
	require.Equal(t, graph.Pos{File: "m.yaml", Line: 6}, r.Nodes[1].Pos)
	require.Equal(t, graph.Pos{File: "m.yaml", Line: 25}, r.Nodes[2].Pos)
}

func TestLimits(t *testing.T) {
	_, err := Parse("m.yaml", []byte(deployment), Options{MaxFileSize: 10})
	require.EqualError(t, err, "m.yaml: the input is 255 bytes, more than the limit of 10")
	many := ""
	for _, n := range []string{"a", "b", "c"} {
		many += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + n + "}\n"
	}
	_, err = Parse("m.yaml", []byte(many), Options{MaxObjects: 2})
	require.EqualError(t, err, "m.yaml:10: more than 2 objects (the limit MaxObjects)")
}

// A kind the importer does not read is a finding, not an error; a misspelt
// one names the kind it is closest to.
func TestUnreadKindFinding(t *testing.T) {
	for in, want := range map[string]string{
		"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n":           `m.yaml:1: objects of kind Deploymnet are not read (1) (did you mean "Deployment"?)`,
		"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n": `m.yaml:1: objects of kind Ingress are not read (1)`,
	} {
		res, err := Parse("m.yaml", []byte(in), Options{})
		require.NoError(t, err)
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Pos.String()+": "+f.Message)
		}
		require.Equal(t, []string{want}, got)
	}
}
