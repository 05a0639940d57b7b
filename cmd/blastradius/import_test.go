package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
)

const shopDir = "../../testdata/import"

// The import's errors: each names the file, the line and the field, or
// says which flag is wrong, in one line.
func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
		return p
	}
	badRef := write("catalog/web.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  dependsOn: [component:catalgo]\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: catalog\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n")
	badOverlay := write("overlay.yaml", "nodes:\n  web: {kind: servce}\n")
	placed := write("placed/web.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n  annotations:\n    blastradius.dev/site: nowhere\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n")
	model := filepath.Join(dir, "out.yaml")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"import-no-output", []string{"import", "--backstage", badRef}, 2},
		{"import-no-source", []string{"import", "-o", model}, 2},
		{"import-bad-format", []string{"import", "--backstage", badRef, "-o", model, "--format", "svg"}, 2},
		{"import-bad-map", []string{"import", "--backstage", badRef, "-o", model, "--map", "web"}, 2},
		{"import-bad-share", []string{"import", "--traces", "x.prom", "-o", model, "--soft-above", "150%"}, 2},
		// NaN compares false with everything: it would leave every call hard, unsaid.
		{"import-nan-share", []string{"import", "--traces", "x.prom", "-o", model, "--soft-above", "NaN"}, 2},
		{"import-bad-reference", []string{"import", "--backstage", filepath.Dir(badRef), "-o", model}, 2},
		{"import-bad-overlay", []string{"import", "--backstage", filepath.Join(shopDir, "backstage"), "--overlay", badOverlay, "-o", model}, 2},
		{"import-merged-invalid", []string{"import", "--backstage", filepath.Dir(placed), "-o", model}, 2},
		{"import-missing-traces", []string{"import", "--traces", filepath.Join(dir, "nope.prom"), "-o", model}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out.String(),
				strings.ReplaceAll(errOut.String(), dir, "TMP"))
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

// The shop of testdata/import from end to end: the model import writes is
// the golden testdata/import/shop.yaml, its report the goldens
// import-shop.*, and every command runs on the model; rank names the
// shared dependency that the overlay did not make redundant.
func TestImportShop(t *testing.T) {
	t.Chdir("../..") // the model's comments name the sources as the README's commands do
	dir := t.TempDir()
	model := filepath.Join(dir, "shop.yaml")
	args := []string{"import", "--backstage", "testdata/import/backstage", "--k8s", "testdata/import/k8s",
		"--traces", "testdata/import/traces/servicegraph.prom", "--overlay", "testdata/import/overlay.yaml", "-o", model}
	for _, format := range []string{"table", "markdown", "json"} {
		var out, errOut bytes.Buffer
		code := run(append(args, "--format", format), &out, &errOut)
		require.Equal(t, 0, code, errOut.String())
		require.Empty(t, errOut.String())
		ext := map[string]string{"table": "txt", "markdown": "md", "json": "json"}[format]
		golden.Assert(t, "testdata/golden/cli/import-shop."+ext, out.Bytes())
	}
	written, err := os.ReadFile(model)
	require.NoError(t, err)
	golden.Assert(t, "testdata/import/shop.yaml", written)

	// -o - writes the model on stdout and the report on stderr.
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(append(args[:len(args)-1], "-", "--name", "shop"), &out, &errOut), errOut.String())
	require.Equal(t, string(written), out.String())
	require.Contains(t, errOut.String(), "HIDDEN DEPENDENCIES: 3")

	// A .json name writes the same model as JSON (without the comments).
	jsonModel := filepath.Join(dir, "shop.json")
	require.Equal(t, 0, run(append(args[:len(args)-1], jsonModel, "--name", "shop", "--report", filepath.Join(dir, "r.md"), "--format", "markdown"), &out, &errOut), errOut.String())
	fromYAML, err := graph.Load(model)
	require.NoError(t, err)
	fromJSON, err := graph.Load(jsonModel)
	require.NoError(t, err)
	var y, j bytes.Buffer
	require.NoError(t, graph.Encode(&y, fromYAML, graph.YAML))
	require.NoError(t, graph.Encode(&j, fromJSON, graph.YAML))
	require.Equal(t, y.String(), j.String())
	md, err := os.ReadFile(filepath.Join(dir, "r.md"))
	require.NoError(t, err)
	golden.Assert(t, "testdata/golden/cli/import-shop.md", md)

	policy := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(policy, []byte("rules:\n  - rule: no_undeclared\n  - rule: survive_site_loss\n    select: {tier: 0}\n"), 0o644))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", model}, 0, "ok: model \"shop\""},
		{[]string{"rank", model, "--top", "3"}, 0, "3  sessions-cache  datastore"},
		{[]string{"simulate", model, "--fail", "eu-west-1a"}, 0, "requires auth → sessions-cache → eu-west-1a"},
		{[]string{"spof", model, "--target", "checkout"}, 0, "sessions-cache"},
		{[]string{"redundancy", model}, 0, "redundancy rate"},
		{[]string{"recover", model, "--fail", "eu-west-1a", "--for", "2h"}, 0, "auth"},
		{[]string{"check", model, "--policy", policy}, 1, "promotions    calls service legacy-coupons (seen in traffic), which no source declares"},
		{[]string{"diff", "testdata/import/shop.yaml", model}, 0, "no change to resilience"},
	} {
		var out, errOut bytes.Buffer
		code := run(tc.args, &out, &errOut)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut.String())
		assert.Contains(t, out.String(), tc.want, "%v", tc.args)
	}
}
