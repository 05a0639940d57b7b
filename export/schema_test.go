package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
)

// compileSchema compiles the embedded schema of subject.
func compileSchema(t testing.TB, subject string) *jsonschema.Schema {
	t.Helper()
	b, ok := export.JSONSchema(subject)
	require.True(t, ok, subject)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err, subject)
	comp := jsonschema.NewCompiler()
	name := subject + ".schema.json"
	require.NoError(t, comp.AddResource(name, doc))
	schema, err := comp.Compile(name)
	require.NoError(t, err, subject)
	return schema
}

// subjectOf maps a document's schema field, "blastradius/rank/v1", to the
// subject of its schema file.
func subjectOf(schema string) string {
	parts := strings.Split(schema, "/")
	if len(parts) != 3 || parts[0] != "blastradius" {
		return ""
	}
	if parts[1] == "what-if" {
		return "comparison"
	}
	return parts[1]
}

// jsonDocument returns the JSON document in a golden file: the whole file,
// or the stdout of a CLI golden file ("exit N\n--- stdout\n" then the
// output, then maybe "--- stderr"), or nil when it holds none.
func jsonDocument(b []byte) []byte {
	if _, rest, ok := bytes.Cut(b, []byte("--- stdout\n")); ok {
		b = rest
		if i := bytes.Index(b, []byte("\n--- stderr")); i >= 0 {
			b = b[:i+1]
		}
	}
	if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) || !json.Valid(b) {
		return nil
	}
	return b
}

// Every schema compiles, and every JSON document in the golden files (the
// export goldens, the timelines, the CLI's outputs) is valid against the
// schema its schema field names: each subject at least once.
func TestSchemasValidateGoldens(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for _, s := range export.JSONSubjects {
		schemas[s] = compileSchema(t, s)
	}
	_, ok := export.JSONSchema("nope")
	assert.False(t, ok)

	seen := map[string]int{}
	for _, dir := range []string{"export", "timeline", "cli"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", "golden", dir, "*"))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			doc := jsonDocument(b)
			if doc == nil {
				continue
			}
			var head struct{ Schema string }
			require.NoError(t, json.Unmarshal(doc, &head), f)
			subject := subjectOf(head.Schema)
			schema, ok := schemas[subject]
			if !assert.True(t, ok, "%s: schema %q has no schema file", f, head.Schema) {
				continue
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
			require.NoError(t, err)
			assert.NoError(t, schema.Validate(inst), f)
			seen[subject]++
		}
	}
	for _, s := range export.JSONSubjects {
		assert.Positive(t, seen[s], "no golden %s document", s)
	}
}

// The criticality reports' live output is valid too, on both reference
// models.
func TestSchemasValidateReports(t *testing.T) {
	ctx := context.Background()
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		c := compiledFile(t, model)
		radii, err := analyze.Rank(ctx, c, analyze.RankOptions{})
		require.NoError(t, err)
		target := c.VertexName(0)
		for _, r := range radii {
			if r.Kind.Infrastructure() {
				continue
			}
			target = r.ID
		}
		spofs, err := analyze.SPOFs(ctx, c, target)
		require.NoError(t, err)
		red, err := analyze.RedundancyRate(ctx, c)
		require.NoError(t, err)
		for subject, f := range map[string]func(io.Writer) error{
			"rank":       func(w io.Writer) error { return export.RankJSON(w, c, radii) },
			"spof":       func(w io.Writer) error { return export.SPOFJSON(w, c, target, spofs) },
			"redundancy": func(w io.Writer) error { return export.RedundancyJSON(w, c, red) },
		} {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(write(t, f)))
			require.NoError(t, err)
			assert.NoError(t, compileSchema(t, subject).Validate(inst), "%s %s", model, subject)
		}
	}
}

// JSON streams its effects, writing the bytes json.Encoder writes for
// NewOutcomeDoc: on every test outcome, and on one with no effects.
func TestJSONStreamsTheDoc(t *testing.T) {
	empty, err := analyze.Simulate(context.Background(), compiledFile(t, "kakao-2022"), analyze.Scenario{})
	require.NoError(t, err)
	outcomes := []*analyze.Outcome{empty, reference(t, "kakao-2022"), reference(t, "naver-2022"), awkward(t), smallSynth(t, 2_000)}
	for i, o := range outcomes {
		for _, opts := range []export.JSONOptions{{}, {FullChains: true}} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(export.NewOutcomeDoc(o, opts)))
			got := write(t, func(w io.Writer) error { return export.JSON(w, o, opts) })
			assert.Equal(t, want.String(), string(got), "outcome %d", i)
		}
	}
}
