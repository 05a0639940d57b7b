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
