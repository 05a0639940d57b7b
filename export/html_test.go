package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
	"github.com/blastradius-go/blastradius/internal/web/generated"
)

// noLibrary keeps Graphviz's 1.3 MB out of the golden files.
var noLibrary = export.HTMLOptions{Library: "viz-global.js"}

// The HTML report of the Kakao and awkward scenarios, against golden files
// (go test -update rewrites them); the drawing inside is DOT's, byte for
// byte.
func TestOutcomeHTMLGolden(t *testing.T) {
	for name, o := range map[string]*analyze.Outcome{
		"kakao-2022-pangyo": reference(t, "kakao-2022"),
		"awkward":           awkward(t),
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, export.OutcomeHTML(&b, o, noLibrary))
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", name+".html"), b.Bytes())
			var dot bytes.Buffer
			require.NoError(t, export.DOT(&dot, o, export.GraphOptions{}))
			assert.Equal(t, dot.String(), embeddedDOT(t, b.String()))
		})
	}
}

// embeddedDOT is the DOT source a report carries.
func embeddedDOT(t *testing.T, html string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^const dot = (".*");$`).FindStringSubmatch(html)
	require.NotNil(t, m)
	var s string
	require.NoError(t, json.Unmarshal([]byte(m[1]), &s))
	return s
}

// By default the report inlines Graphviz whole: it needs no server and no
// network; it is the same bytes run after run.
func TestOutcomeHTMLSelfContained(t *testing.T) {
	o := reference(t, "kakao-2022")
	var a, b bytes.Buffer
	require.NoError(t, export.OutcomeHTML(&a, o, export.HTMLOptions{Graph: export.GraphOptions{Focus: true}}))
	require.NoError(t, export.OutcomeHTML(&b, reference(t, "kakao-2022"), export.HTMLOptions{Graph: export.GraphOptions{Focus: true}}))
	assert.Equal(t, a.String(), b.String())
	html := a.String()
	assert.Contains(t, html, "<script>"+generated.VizGlobalJS+"</script>")
	assert.NotRegexp(t, `(?i)<(script|link|img|iframe)[^>]+(src|href)=`, html, "nothing is fetched")
	assert.Contains(t, embeddedDOT(t, html), "(blast radius and one ring of context)")
}

// Text from the model cannot end the script or inject markup: a
// description that holds </script>, a model name with <b> are escaped.
func TestOutcomeHTMLEscapes(t *testing.T) {
	var m graph.Model
	m.Name = "x</script><b>"
	m.Add(
		graph.Node{ID: "a", Kind: graph.Service, Description: "</script><script>alert(1)</script>"},
		graph.Node{ID: "b", Kind: graph.Service, Users: 5, Requires: graph.All("a"), Description: "& <!-- --> <i>"},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("a"))
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, export.OutcomeHTML(&b, o, noLibrary))
	html := b.String()
	assert.Equal(t, 2, strings.Count(html, "</script>"), "only the report's own two scripts end")
	for _, raw := range []string{"x</script>", "<i>", "<!--", "alert(1)</script>"} {
		assert.False(t, strings.Contains(html, raw), "%q is in the report unescaped", raw)
	}
	assert.True(t, strings.Contains(html, "<title>Blast radius: x&lt;/script&gt;&lt;b&gt;: remove service a</title>"), "the title, escaped")
	assert.Contains(t, embeddedDOT(t, html), "</script><script>alert(1)</script>", "the DOT keeps the text, escaped as JSON")
}
