package backstage_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/backstage"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/golden"
	"github.com/stretchr/testify/require"
)

// dump writes a Result as a model file, its findings and aliases as the
// header, each node's position as its comment: what a golden file holds.
func dump(t *testing.T, r *importer.Result) []byte {
	t.Helper()
	var header []string
	for _, f := range r.Findings {
		header = append(header, fmt.Sprintf("finding %s: %s: %s", f.Pos, f.Node, f.Message))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Aliases)) {
		header = append(header, fmt.Sprintf("alias %s -> %s", k, r.Aliases[k]))
	}
	m := &graph.Model{Name: r.Source, Nodes: r.Nodes}
	var b bytes.Buffer
	require.NoError(t, graph.EncodeWith(&b, m, graph.YAML, graph.EncodeOptions{
		Header:  header,
		Comment: func(n *graph.Node) []string { return []string{filepath.ToSlash(n.Pos.String())} },
	}))
	return b.Bytes()
}

func TestReadShop(t *testing.T) {
	r, err := backstage.Read([]string{"../../testdata/import/backstage/catalog-info.yaml"}, backstage.Options{})
	require.NoError(t, err)
	require.Len(t, r.Nodes, 47, "30 components and 17 resources")
	golden.Assert(t, "testdata/shop.golden", dump(t, r))
}

func TestReadDirectory(t *testing.T) {
	// The directory walked gives the same nodes as the Location; the
	// Location in it names files already read, which are read once.
	byDir, err := backstage.Read([]string{"../../testdata/import/backstage"}, backstage.Options{})
	require.NoError(t, err)
	byLoc, err := backstage.Read([]string{"../../testdata/import/backstage/catalog-info.yaml"}, backstage.Options{})
	require.NoError(t, err)
	ids := func(r *importer.Result) (s []string) {
		for _, n := range r.Nodes {
			s = append(s, n.ID)
		}
		return s
	}
	require.ElementsMatch(t, ids(byLoc), ids(byDir))
}

// write lays out files under a temporary directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	return dir
}

const header = "apiVersion: backstage.io/v1alpha1\n"

func component(name, spec string) string {
	return header + "kind: Component\nmetadata:\n  name: " + name + "\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n" + spec
}

func TestLocations(t *testing.T) {
	dir := write(t, map[string]string{
		"a.yaml":     header + "kind: Location\nmetadata: {name: a}\nspec:\n  targets: [./sub/b.yaml]\n",
		"sub/b.yaml": header + "kind: Location\nmetadata: {name: b}\nspec:\n  target: ../a.yaml\n---\n" + component("web", ""),
	})
	r, err := backstage.Read([]string{filepath.Join(dir, "a.yaml")}, backstage.Options{})
	require.NoError(t, err, "a cycle of Locations ends")
	require.Len(t, r.Nodes, 1)
	require.Equal(t, "web", r.Nodes[0].ID)

	outside := write(t, map[string]string{"x.yaml": component("x", "")})
	dir = write(t, map[string]string{
		"a.yaml": header + "kind: Location\nmetadata: {name: a}\nspec:\n  target: " + filepath.Join(outside, "x.yaml") + "\n",
	})
	_, err = backstage.Read([]string{filepath.Join(dir, "a.yaml")}, backstage.Options{})
	require.ErrorContains(t, err, "a.yaml:5: spec.target: ")
	require.ErrorContains(t, err, "outside the directories read")
	r, err = backstage.Read([]string{filepath.Join(dir, "a.yaml")}, backstage.Options{AllowOutside: true})
	require.NoError(t, err)
	require.Len(t, r.Nodes, 1)

	_, err = backstage.Read([]string{dir}, backstage.Options{MaxFiles: 1, AllowOutside: true})
	require.ErrorContains(t, err, "more than 1 files")
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown ref", component("web", "  dependsOn: [component:catalgo]\n---\n"+component("catalog", "")),
			`f.yaml:9: node "web": spec.dependsOn: component:catalgo refers to nothing: no entity component:default/catalgo (did you mean "catalog"?)`},
		{"no kind", component("web", "  dependsOn: [catalog]\n"),
			`f.yaml:9: node "web": spec.dependsOn: entity reference "catalog" needs a kind`},
		{"namespace", component("web", "  dependsOn: [component:catalog]\n") + "---\n" +
			strings.Replace(component("catalog", ""), "name: catalog", "name: catalog\n  namespace: other", 1),
			`f.yaml:9: node "web": spec.dependsOn: component:catalog refers to nothing: no entity component:default/catalog`},
		{"api kind", component("web", "  consumesApis: [component:web]\n"),
			`f.yaml:9: node "web": spec.consumesApis: component:web is a component, not an API`},
		{"missing name", header + "kind: Component\nmetadata: {}\n", "f.yaml:1: metadata.name: missing"},
		{"twice", component("web", "") + "---\n" + component("Web", ""),
			`f.yaml:13: node "Web": metadata.name: entity component:Web is written twice (first at f.yaml:4)`},
		{"component and resource", component("db", "") + "---\n" + header + "kind: Resource\nmetadata: {name: db}\nspec: {type: database, owner: team}\n",
			`f.yaml:12: node "db": metadata.name: resource:db and component:db (f.yaml:4) would both be node db`},
		{"annotation", strings.Replace(component("web", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/user: \"3\"", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/user: unknown annotation (did you mean "blastradius.dev/users"?)`},
		{"users", strings.Replace(component("web", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/users: many", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/users: must be a whole number of at least 0, got "many"`},
		{"soft not a dependency", strings.Replace(component("web", "")+"---\n"+component("db", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/soft-dependencies: db", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/soft-dependencies: component:db is not in spec.dependsOn or spec.consumesApis of component:web`},
		{"kind", strings.Replace(component("web", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/kind: datastor", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/kind: unknown kind "datastor" (did you mean "datastore"?): want service, identity`},
		// Only "true" ignores: "yes" would keep the node, unsaid.
		{"ignore", strings.Replace(component("web", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/ignore: \"yes\"", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/ignore: must be "true" or "false", got "yes"`},
		// The annotation's field is named in full, as every annotation's is.
		{"soft refers to nothing", strings.Replace(component("web", ""), "name: web", "name: web\n  annotations:\n    blastradius.dev/soft-dependencies: component:nope", 1),
			`f.yaml:6: node "web": metadata.annotations.blastradius.dev/soft-dependencies: component:nope refers to nothing`},
		{"syntax", "kind: [\n", "f.yaml:2: invalid YAML"},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n", "f.yaml"},
		{"not a mapping", "- a\n", "f.yaml:1: an entity must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backstage.ReadFile([]byte(tc.text), "f.yaml", backstage.Options{})
			require.Error(t, err)
			var ve *graph.ValidationError
			require.True(t, errors.As(err, &ve), "%T", err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestReferences(t *testing.T) {
	// Backstage's rules: names compare case-insensitively, the namespace
	// is the referring entity's, an API names its providers, soft
	// dependencies are uses.
	text := strings.Join([]string{
		strings.Replace(component("Web", "  dependsOn: [Component:CATALOG, resource:shop/db]\n  consumesApis: [reviews-api]\n"), "name: Web", "name: Web\n  namespace: shop\n  annotations:\n    blastradius.dev/soft-dependencies: api:reviews-api\n    backstage.io/kubernetes-id: web-v2", 1),
		strings.Replace(component("catalog", "  system: store\n"), "name: catalog", "name: catalog\n  namespace: shop", 1),
		strings.Replace(component("reviews", "  providesApis: [reviews-api]\n"), "name: reviews", "name: reviews\n  namespace: shop", 1),
		header + "kind: API\nmetadata: {name: reviews-api, namespace: shop}\nspec: {type: openapi, lifecycle: production, owner: team, definition: x}\n",
		header + "kind: Resource\nmetadata: {name: db, namespace: shop}\nspec: {type: database, owner: team}\n",
		header + "kind: System\nmetadata: {name: store, namespace: shop}\nspec: {owner: team, domain: default/shop}\n",
		header + "kind: Domain\nmetadata: {name: shop}\nspec: {owner: team}\n",
		header + "kind: User\nmetadata: {name: someone}\nspec: {}\n",
	}, "---\n")
	r, err := backstage.ReadFile([]byte(text), "f.yaml", backstage.Options{})
	require.NoError(t, err)
	golden.Assert(t, "testdata/references.golden", dump(t, r))
}

func TestLimits(t *testing.T) {
	big := strings.Repeat("# padding\n", 200)
	_, err := backstage.ReadFile([]byte(big), "f.yaml", backstage.Options{MaxFileSize: 1000})
	require.ErrorContains(t, err, "f.yaml: file is 2000 bytes, more than the limit of 1000")

	many := component("x", "") + "---\n" + component("y", "") + "---\n" + component("z", "")
	_, err = backstage.ReadFile([]byte(many), "f.yaml", backstage.Options{MaxEntities: 2})
	require.ErrorContains(t, err, "more than 2 entities")

	dir := write(t, map[string]string{"big.yaml": big})
	_, err = backstage.Read([]string{dir}, backstage.Options{MaxFileSize: 1000})
	require.ErrorContains(t, err, "big.yaml: file is larger than the limit of 1000 bytes")

	// A billion laughs is refused at its line, whatever the document it is in.
	bomb := component("web", "") + "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	_, err = backstage.ReadFile([]byte(bomb), "f.yaml", backstage.Options{})
	require.Error(t, err)
	var ve *graph.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Greater(t, ve.Problems[0].Pos.Line, 9, ve.Error())
}

// TestProblemsSorted: problems at one line are sorted as graph's decoders
// sort them (then by node, field and message), each once, not in the order
// found.
func TestProblemsSorted(t *testing.T) {
	text := strings.Replace(component("web", "  dependsOn: [component:zz, component:aa, component:zz]\n"), "name: web", "name: web\n  annotations:\n    blastradius.dev/soft-dependencies: component:zz, component:aa", 1)
	_, err := backstage.ReadFile([]byte(text), "f.yaml", backstage.Options{})
	var ve *graph.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.Error())
	}
	require.Equal(t, []string{
		`f.yaml:6: node "web": metadata.annotations.blastradius.dev/soft-dependencies: component:aa refers to nothing: no entity component:default/aa`,
		`f.yaml:6: node "web": metadata.annotations.blastradius.dev/soft-dependencies: component:zz refers to nothing: no entity component:default/zz`,
		`f.yaml:11: node "web": spec.dependsOn: component:aa refers to nothing: no entity component:default/aa`,
		`f.yaml:11: node "web": spec.dependsOn: component:zz refers to nothing: no entity component:default/zz`,
	}, got)
}

// TestLocationTargetErrors: a target that is missing or a directory is an
// error at the Location's line, naming the target as the Location leads to
// it (not the machine's absolute path, not a read error of the directory
// without a line).
func TestLocationTargetErrors(t *testing.T) {
	dir := write(t, map[string]string{
		"cat/l.yaml":     header + "kind: Location\nmetadata: {name: l}\nspec:\n  targets:\n    - ./missing.yaml\n    - ./sub\n",
		"cat/sub/x.yaml": component("x", ""),
	})
	_, err := backstage.Read([]string{filepath.Join(dir, "cat", "l.yaml")}, backstage.Options{})
	var ve *graph.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var got []string
	for _, p := range ve.Problems {
		got = append(got, strings.ReplaceAll(filepath.ToSlash(p.Error()), filepath.ToSlash(dir)+"/", ""))
	}
	require.Equal(t, []string{
		"cat/l.yaml:6: spec.target: cat/missing.yaml: no such file or directory",
		"cat/l.yaml:7: spec.target: cat/sub is a directory: name its files, or a glob such as cat/sub/*.yaml",
	}, got)
}

// TestFindingsInFileOrder: findings come in the order of the file (the
// reading's and the resolving's together), and a misspelt kind gets the
// closest one.
func TestFindingsInFileOrder(t *testing.T) {
	text := component("web", "") + "---\n" + header + "kind: Compnent\nmetadata:\n  name: typo\n"
	r, err := backstage.ReadFile([]byte(text), "f.yaml", backstage.Options{})
	require.NoError(t, err)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Pos.String()+": "+f.Message)
	}
	require.Equal(t, []string{
		"f.yaml:8: owner team of component:web is not among the entities read",
		`f.yaml:13: entity compnent:typo: kind Compnent is not read (did you mean "Component"?)`,
	}, got)
}
