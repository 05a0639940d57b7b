package k8s

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// TestTypedLikeSigsYAML holds the typed objects that Read decodes (from
// its own tree of the YAML, written as JSON) equal to those of the usual
// way, sigs.k8s.io/yaml's YAML to JSON and the API server's strict JSON
// decoder, for every object of the fixtures.
func TestTypedLikeSigsYAML(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata/shop", "testdata/running", "../../testdata/import/k8s"} {
		found, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		files = append(files, found...)
	}
	require.NotEmpty(t, files)
	objects := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		r := newReader(Options{})
		r.file(f, data)
		require.Empty(t, r.probs, f)
		var want []any
		for d := range splitDocuments(string(data)) {
			j, err := yaml.YAMLToJSON([]byte(d.text))
			require.NoError(t, err, f)
			var head struct {
				Kind  string            `json:"kind"`
				Items []json.RawMessage `json:"items"`
			}
			if string(j) == "null" {
				continue
			}
			require.NoError(t, json.Unmarshal(j, &head))
			items := []json.RawMessage{j}
			if head.Kind == "List" {
				items = head.Items
			}
			for _, it := range items {
				var k struct {
					Kind string `json:"kind"`
				}
				require.NoError(t, json.Unmarshal(it, &k))
				if !slices.Contains(kindsRead, k.Kind) {
					continue
				}
				typed := newTyped(k.Kind)
				strict, err := kjson.UnmarshalStrict(it, typed)
				require.NoError(t, err, f)
				require.Empty(t, strict, f)
				want = append(want, typed)
			}
		}
		require.Len(t, r.objects, len(want), f)
		for i, o := range r.objects {
			if !reflect.DeepEqual(o.typed, want[i]) {
				t.Errorf("%s: %s decodes otherwise than with sigs.k8s.io/yaml", o.pos, o.ref())
			}
			objects++
		}
	}
	t.Logf("%d objects of %d files", objects, len(files))
}
