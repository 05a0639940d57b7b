package export_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// importReport merges a small catalog, cluster and trace graph that
// disagree in every way the report lists.
func importReport(t *testing.T) *importer.Report {
	t.Helper()
	p := func(f string, l int) graph.Pos { return graph.Pos{File: f, Line: l} }
	results := []importer.Result{
		{Source: "k8s", Nodes: []graph.Node{
			{ID: "zone-a", Kind: graph.Site, Pos: p("k8s/nodes.yaml", 3)},
			{ID: "web", Site: "zone-a", Pos: p("k8s/web.yaml", 1)},
			{ID: "api", Site: "zone-a", Pos: p("k8s/api.yaml", 1)},
			{ID: "flags", Site: "zone-a", Pos: p("k8s/flags.yaml", 1)},
		}, Findings: []importer.Finding{{Pos: p("k8s/web.yaml", 7), Node: "web", Message: "2 replicas and no spread: assumed one per zone"}}},
		{Source: "backstage", Nodes: []graph.Node{
			{ID: "web", Requires: graph.All("api", "promo"), Users: 100, Pos: p("catalog/web.yaml", 4)},
			{ID: "api", Pos: p("catalog/api.yaml", 4)},
			{ID: "promo", Description: "Coupons | *discounts*", Pos: p("catalog/promo.yaml", 4)},
		}},
		{Source: "traces", Observed: []importer.Edge{
			{From: "web", To: "api", Calls: 12000, Failed: 12, Pos: p("servicegraph.prom", 3)},
			{From: "web", To: "flags", Calls: 3000, Failed: 450, Pos: p("servicegraph.prom", 4)},
		}},
	}
	_, rep, err := importer.Merge(results, nil, importer.MergeOptions{Name: "shop"})
	require.NoError(t, err)
	return rep
}

func TestImportReports(t *testing.T) {
	rep := importReport(t)
	for ext, f := range map[string]func(io.Writer, *importer.Report) error{
		"txt": export.ImportTable, "md": export.ImportMarkdown, "json": export.ImportJSON,
	} {
		var b bytes.Buffer
		require.NoError(t, f(&b, rep))
		golden.Assert(t, "../testdata/golden/export/import."+ext, b.Bytes())
	}
	var b bytes.Buffer
	require.NoError(t, export.ImportJSON(&b, rep))
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
	require.NoError(t, err)
	require.NoError(t, compileSchema(t, "import").Validate(inst))
}

func TestImportReportCapped(t *testing.T) {
	// A report of thousands of hidden dependencies stays bounded in text
	// and Markdown; JSON lists them all.
	var edges []importer.Edge
	var nodes []graph.Node
	for i := range 500 {
		id := "svc-" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "-" + string(rune('a'+i/26))
		nodes = append(nodes, graph.Node{ID: id})
		edges = append(edges, importer.Edge{From: id, To: "db", Calls: 1})
	}
	nodes = append(nodes, graph.Node{ID: "db"})
	_, rep, err := importer.Merge([]importer.Result{{Source: "traces", Nodes: nodes, Observed: edges}}, nil, importer.MergeOptions{})
	require.NoError(t, err)
	var txt, md, js bytes.Buffer
	require.NoError(t, export.ImportTable(&txt, rep))
	require.NoError(t, export.ImportMarkdown(&md, rep))
	require.NoError(t, export.ImportJSON(&js, rep))
	require.Contains(t, txt.String(), "... and 450 more")
	require.Contains(t, md.String(), "… and 450 more.")
	require.Less(t, strings.Count(txt.String(), "\n"), 200)
	require.Equal(t, 500, strings.Count(js.String(), `"from"`))
}
