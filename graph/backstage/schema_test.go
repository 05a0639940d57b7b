package backstage_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// schemaDirEnv names the directory of the JSON Schemas of Backstage's own
// @backstage/catalog-model npm package, as testdata/dump-schemas.js
// writes them (.ci/run installs the pinned version and sets it).
const schemaDirEnv = "BACKSTAGE_SCHEMA_DIR"

// backstageSchemas compiles Backstage's schemas, or skips the test when
// they are not installed; under CI=true their absence fails it.
func backstageSchemas(t *testing.T) func(kind string) *jsonschema.Schema {
	t.Helper()
	dir := os.Getenv(schemaDirEnv)
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: .ci/run installs @backstage/catalog-model and sets it", schemaDirEnv)
		}
		t.Skipf("%s is not set (see .ci/run: npm install @backstage/catalog-model, node graph/backstage/testdata/dump-schemas.js)", schemaDirEnv)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no *.schema.json in %s", dir)
	c := jsonschema.NewCompiler()
	const base = "https://backstage.invalid/schema/"
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err, f)
		var head struct {
			ID string `json:"$id"`
		}
		require.NoError(t, json.Unmarshal(b, &head), f)
		require.NoError(t, c.AddResource(base+head.ID, doc), f)
	}
	compiled := map[string]*jsonschema.Schema{}
	return func(kind string) *jsonschema.Schema {
		id := map[string]string{"API": "ApiV1alpha1"}[kind]
		if id == "" {
			id = kind + "V1alpha1"
		}
		if s, ok := compiled[id]; ok {
			return s
		}
		s, err := c.Compile(base + id)
		require.NoError(t, err, kind)
		compiled[id] = s
		return s
	}
}

// documents returns every YAML document of a file as JSON values.
func documents(t *testing.T, path string) []any {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []any
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out
		} else {
			require.NoError(t, err, path)
		}
		j, err := json.Marshal(v)
		require.NoError(t, err, path)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		require.NoError(t, err)
		out = append(out, inst)
	}
}

// Every entity of the shop's catalog is valid by Backstage's own schemas,
// and the schemas do reject what Backstage rejects.
func TestShopMatchesBackstageSchemas(t *testing.T) {
	schema := backstageSchemas(t)
	var files []string
	require.NoError(t, filepath.WalkDir("../../testdata/import/backstage", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	}))
	n := 0
	for _, f := range files {
		for i, doc := range documents(t, f) {
			kind, _ := doc.(map[string]any)["kind"].(string)
			require.NotEmpty(t, kind, "%s document %d", f, i+1)
			require.NoError(t, schema(kind).Validate(doc), "%s document %d (%s)", f, i+1, kind)
			n++
		}
	}
	require.Greater(t, n, 60)

	bad := documents(t, writeFile(t, component("web", "")+"---\n"+strings.Replace(component("Bad Name!", ""), "owner: team\n", "", 1)))
	require.NoError(t, schema("Component").Validate(bad[0]))
	require.Error(t, schema("Component").Validate(bad[1]), "a name with spaces and no owner")
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}
