package web

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// A service whose ring of context is larger than MaxContext, on a
// synthetic catalog too large to draw whole: the page draws the radius and
// MaxContext nodes of its ring, says so under the drawing, draws the whole
// ring on request (ring=all in the URL, restored by a reload) and the cut
// one again on a second click.
func TestBrowserContext(t *testing.T) {
	ctx := browser(t, 2*time.Minute)
	c, err := graph.Compile(synth.Services(synth.Default(5000, 1)))
	require.NoError(t, err)
	// DOT's node statements are its drawn nodes, the legend among them.
	dotNodes := regexp.MustCompile(`(?m)^\t+"[^"]+" \[`)
	id, wantCut, wantWhole := "", 0, 0
	for i := range c.NodeCount() {
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(int32(i))))
		require.NoError(t, err)
		if o.Len() > 40 || c.Kind(int32(i)) != graph.Service {
			continue
		}
		var cut, whole strings.Builder
		require.NoError(t, export.DOT(&cut, o, export.GraphOptions{Focus: true, MaxContext: MaxContext}))
		require.NoError(t, export.DOT(&whole, o, export.GraphOptions{Focus: true}))
		if n, m := len(dotNodes.FindAllString(cut.String(), -1)), len(dotNodes.FindAllString(whole.String(), -1)); m > n+20 {
			id, wantCut, wantWhole = c.VertexName(int32(i)), n, m
			break
		}
	}
	require.NotEmpty(t, id, "no service with a large ring")
	s, err := New(context.Background(), func(context.Context) (*graph.Compiled, error) { return c, nil })
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	nodes := chromedp.Evaluate[int](`document.querySelectorAll('#drawing g.node').length`)
	do(t, ctx, chromedp.Navigate(ts.URL+"/?fail="+id), settled(), until(`document.querySelector('#drawing svg') !== null`))
	note := run(t, ctx, text(`#context-note`))
	assert.Regexp(t, `^Drawn: 50 of the [\d,]+ nodes around the blast radius, those with the most users\.`, note)
	cutNodes := run(t, ctx, nodes)
	assert.Equal(t, wantCut, cutNodes, "the nodes of export's DOT with MaxContext")
	affected := run(t, ctx, chromedp.Evaluate[int](`state.outcome.effects.length`))

	do(t, ctx, chromedp.Click(chromedp.CSS(`#ring-all`)), settled())
	assert.Contains(t, run(t, ctx, chromedp.Evaluate[string](`location.search`)), "ring=all")
	assert.Contains(t, run(t, ctx, text(`#context-note`)), "The whole ring of context is drawn")
	wholeNodes := run(t, ctx, nodes)
	assert.Equal(t, wantWhole, wholeNodes, "the nodes of export's DOT with the whole ring")

	do(t, ctx, chromedp.Reload(), settled(), until(`document.querySelector('#drawing svg') !== null`))
	assert.Equal(t, wholeNodes, run(t, ctx, nodes), "the reload draws the whole ring again")

	do(t, ctx, chromedp.Click(chromedp.CSS(`#ring-all`)), settled())
	assert.Equal(t, cutNodes, run(t, ctx, nodes))
	assert.NotContains(t, run(t, ctx, chromedp.Evaluate[string](`location.search`)), "ring")
	t.Logf("%s: %d affected, %d nodes drawn with the ring cut, %d with the whole ring", id, affected, cutNodes, wholeNodes)
}
