package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// The audit writers on both reference models, in every format, against
// golden files.
func TestAuditGolden(t *testing.T) {
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		c := compiledFile(t, model)
		r, err := analyze.Audit(context.Background(), c, analyze.AuditOptions{})
		require.NoError(t, err)
		for ext, f := range map[string]func(io.Writer) error{
			".txt":  func(w io.Writer) error { return export.AuditTable(w, c, r) },
			".json": func(w io.Writer) error { return export.AuditJSON(w, c, r) },
			".md":   func(w io.Writer) error { return export.AuditMarkdown(w, c, r) },
		} {
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", model+"-audit"+ext), write(t, f))
		}
	}
}

// An audit without chains writes the same table and Markdown as one with
// them (the writers explain what they print, and only that), on the
// reference models and on a catalog of 2,000 nodes whose sections run past
// their caps; its JSON has every claim and set, the chains of the claims
// printed, and chains_omitted on the others, valid against the schema.
func TestAuditWritersExplainWhatTheyPrint(t *testing.T) {
	ctx := context.Background()
	p := synth.Params{Nodes: 2000, AvgDeps: 5, Sites: 8, Hubs: 50, CycleFrac: 0.02, GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.3, Seed: 1}
	catalog, err := graph.Compile(synth.Services(p))
	require.NoError(t, err)
	schema := compileSchema(t, "audit")
	for name, c := range map[string]*graph.Compiled{"kakao-2022": compiledFile(t, "kakao-2022"), "naver-2022": compiledFile(t, "naver-2022"), "catalog": catalog} {
		full, err := analyze.Audit(ctx, c, analyze.AuditOptions{})
		require.NoError(t, err)
		for _, f := range []func(io.Writer, *graph.Compiled, *analyze.AuditResult) error{export.AuditTable, export.AuditMarkdown} {
			bare, err := analyze.Audit(ctx, c, analyze.AuditOptions{NoChains: true})
			require.NoError(t, err)
			require.Equal(t, string(write(t, func(w io.Writer) error { return f(w, c, full) })),
				string(write(t, func(w io.Writer) error { return f(w, c, bare) })), name)
			shown := export.AuditShown(bare)
			for i, cl := range bare.Claims {
				require.Equal(t, slices.Contains(shown, i), cl.Explained, "%s: %s", name, cl.Name)
			}
		}

		bare, err := analyze.Audit(ctx, c, analyze.AuditOptions{NoChains: true})
		require.NoError(t, err)
		doc := write(t, func(w io.Writer) error { return export.AuditJSON(w, c, bare) })
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		require.NoError(t, err)
		require.NoError(t, schema.Validate(inst), name)
		var got export.AuditDoc
		require.NoError(t, json.Unmarshal(doc, &got))
		want := export.NewAuditDoc(c, full)
		require.Len(t, got.Claims, len(want.Claims))
		shown := export.AuditShown(bare)
		omitted := 0
		for i, rec := range got.Claims {
			w := want.Claims[i]
			if slices.Contains(shown, i) {
				require.Equal(t, w, rec, "%s: %s", name, rec.Name)
				continue
			}
			require.Equal(t, len(w.Defeats) > 0 && len(w.Defeats[0].IDs) > 0 || len(w.Around) > 0, rec.ChainsOmitted, rec.Name)
			omitted += min(1, boolInt(rec.ChainsOmitted))
			for j, d := range rec.Defeats {
				require.Equal(t, w.Defeats[j].IDs, d.IDs)
				require.Equal(t, w.Defeats[j].Hidden, d.Hidden)
				require.Empty(t, d.Chains)
				require.Nil(t, d.MemberChains)
			}
			for j, s := range rec.Around {
				require.Equal(t, w.Around[j].IDs, s.IDs)
				require.Empty(t, s.Chains)
			}
			w.Defeats, w.Around, rec.Defeats, rec.Around, rec.ChainsOmitted = nil, nil, nil, nil, false
			require.Equal(t, w, rec)
		}
		if name == "catalog" {
			require.Positive(t, omitted, "some claim not explained")
			t.Logf("catalog: %d claims, %d explained, %d with chains omitted", len(got.Claims), len(shown), omitted)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
