package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// A diff whose lists were cut (diff.Options.MaxSPOFs, MaxTakes) says how
// many were left out, and no report cell grows with the model.
func TestDiffCutLists(t *testing.T) {
	var takes, lost []string
	for i := range 15 {
		takes = append(takes, fmt.Sprint("svc-", i))
	}
	for i := range 130 {
		lost = append(lost, fmt.Sprint("lost-", i))
	}
	d := &diff.Diff{Old: "a", New: "b", NewSPOFCount: 40,
		NewSPOFs: []diff.SPOF{{ID: "hub", Kind: graph.Identity, Takes: takes[:12], TakesCount: 15}}}
	d.Redundancy.Lost = lost

	var b bytes.Buffer
	require.NoError(t, export.DiffTable(&b, d))
	text := b.String()
	assert.Contains(t, text, "New single points of failure (40)")
	assert.Contains(t, text, "svc-9 and 5 more")
	assert.NotContains(t, text, "svc-10")
	assert.Contains(t, text, "... and 15 more") // 40 SPOFs, 25 rows
	assert.Contains(t, text, "lost-99 and 30 more")
	assert.Contains(t, text, "less resilient: 40 new single points of failure")

	b.Reset()
	require.NoError(t, export.DiffMarkdown(&b, d))
	assert.Contains(t, b.String(), "`svc-9` and 5 more")

	b.Reset()
	require.NoError(t, export.DiffJSON(&b, d))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.EqualValues(t, 39, doc["new_spofs_more"])
	assert.NotContains(t, doc, "fixed_spofs_more", "left out when nothing is")
	spof := doc["new_spofs"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 3, spof["takes_more"])
	assert.Len(t, spof["takes"], 12)
	assert.Len(t, doc["redundancy"].(map[string]any)["lost"], 130, "JSON lists every lost service")
	assert.False(t, strings.Contains(b.String(), "takes_more\": 0"))
}
