package export_test

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

func simulate(t testing.TB, m *graph.Model, fail ...string) *analyze.Outcome {
	t.Helper()
	c, err := graph.Compile(m)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail(fail...))
	require.NoError(t, err)
	return o
}

// twoZones is the example: a web tier replicated in two zones that
// requires a database whose only serving copy is in zone-a.
func twoZones() *graph.Model {
	var m graph.Model
	m.Name = "two-zones"
	m.Add(
		graph.Node{ID: "zone-a", Kind: graph.Site},
		graph.Node{ID: "zone-b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "zone-a"}, {Site: "zone-b", Standby: graph.Cold}}},
		graph.Node{ID: "web", Kind: graph.Service, Users: 100, Requires: graph.All("db"),
			Replicas: []graph.Replica{{Site: "zone-a"}, {Site: "zone-b"}}},
		graph.Node{ID: "a", Kind: graph.Service},
		graph.Node{ID: "b", Kind: graph.Service},
		graph.Node{ID: "c", Kind: graph.Service},
		graph.Node{ID: "quorum", Kind: graph.Service, Requires: []graph.Dep{graph.AtLeast(2, "a", "b", "c")}},
	)
	return &m
}

// The WHY of every report comes from one explanation: a node Down because
// it requires a lost database says so, whatever capacity its own replicas
// keep, and a quorum loss is a quorum, not capacity.
func TestWhy(t *testing.T) {
	o := simulate(t, twoZones(), "zone-a", "a", "b")
	for id, want := range map[string]string{
		// Before: "capacity left 1 of 2 (needs 1): db → db@zone-a → zone-a".
		"web":       "requires db → db@zone-a → zone-a",
		"db":        "all replicas lost (0 of 1 left): db@zone-a → zone-a",
		"db@zone-a": "requires zone-a",
		"quorum":    "at_least 2 of [a b c]: quorum lost, 1 of 3 left (needs 2): b",
		"zone-a":    "removed",
	} {
		e, ok := o.Effect(id)
		require.True(t, ok, id)
		assert.Equal(t, want, export.Why(o, e), id)
	}
	x, ok := o.Explain("web")
	require.True(t, ok)
	assert.Equal(t, "db", x.Cause)
	assert.False(t, x.Soft)
	assert.Nil(t, x.Group, "web's replicas are not why it is down")
	x, _ = o.Explain("quorum")
	require.NotNil(t, x.Group)
	assert.Equal(t, analyze.QuorumRule, x.Group.Rule)
	assert.Equal(t, int64(1), x.Group.Live)
	assert.Equal(t, int64(2), x.Group.Need)

	// Every format says the same.
	table := string(write(t, func(w io.Writer) error { return export.Table(w, o, export.TableOptions{}) }))
	assert.Regexp(t, `down +web +service +100 +requires db → db@zone-a → zone-a\n`, table)
	assert.NotContains(t, table, "capacity left 1 of 2")
	md := string(write(t, func(w io.Writer) error { return export.Markdown(w, o) }))
	assert.Contains(t, md, "| `web` | service | 100 | – | requires `db` → `db@zone-a` → `zone-a` |")
	assert.Contains(t, md, "`at_least 2 of [a b c]`: quorum lost, 1 of 3 left (needs 2): `b`")
	dot := string(write(t, func(w io.Writer) error { return export.DOT(w, o, export.GraphOptions{}) }))
	assert.Contains(t, dot, `why: requires db → db@zone-a → zone-a`)
	// Mermaid has no tooltips, so it draws no WHY text: the failure's path
	// is its thick edges (web's, to what it requires, db), none along web's
	// replicas, which still hold.
	mmd := string(write(t, func(w io.Writer) error { return export.Mermaid(w, o, export.GraphOptions{}) }))
	assert.NotContains(t, mmd, "capacity left")
	assert.NotContains(t, mmd, "why")
}

// chainModel is n services, each requiring the next; the last runs at a
// site.
func chainModel(n int) *graph.Model {
	var m graph.Model
	m.Name = "chain"
	m.Add(graph.Node{ID: "dc", Kind: graph.Site})
	for i := range n {
		nd := graph.Node{ID: "s" + strconv.Itoa(i), Kind: graph.Service, Users: 1}
		if i == n-1 {
			nd.Site = "dc"
		} else {
			nd.Requires = graph.All("s" + strconv.Itoa(i+1))
		}
		m.Add(nd)
	}
	return &m
}

// A chain is cut after ChainLinks links with the count of the rest, unless
// full chains are asked for.
func TestChainsCut(t *testing.T) {
	o := simulate(t, chainModel(20), "dc")
	e, _ := o.Effect("s0")
	assert.Equal(t, "requires s1 → s2 → s3 → s4 → s5 → s6 → s7 → s8 → … 12 more", export.Why(o, e))
	e, _ = o.Effect("s12")
	assert.Equal(t, "requires s13 → s14 → s15 → s16 → s17 → s18 → s19 → dc", export.Why(o, e))

	table := string(write(t, func(w io.Writer) error { return export.Table(w, o, export.TableOptions{}) }))
	assert.Contains(t, table, "s8 → … 12 more\n")
	full := string(write(t, func(w io.Writer) error { return export.Table(w, o, export.TableOptions{FullChains: true}) }))
	assert.Contains(t, full, "requires s1 → s2 → s3 → s4 → s5 → s6 → s7 → s8 → s9 → s10 → s11 → s12 → s13 → s14 → s15 → s16 → s17 → s18 → s19 → dc\n")

	ch := o.Chains()
	links, more := ch.Cut("s0", 3)
	assert.Equal(t, []string{"s1", "s2", "s3"}, links)
	assert.Equal(t, 17, more)
	links, more = ch.Cut("s0", 0)
	assert.Equal(t, o.Chain("s0")[1:], links)
	assert.Zero(t, more)
	assert.Equal(t, 20, ch.Len("s0"))
	assert.Zero(t, ch.Len("dc"))
}

// The Markdown cause tree indents at most so deep, naming the input of
// each deeper line, so it grows linearly with a chain.
func TestMarkdownTreeDepth(t *testing.T) {
	o := simulate(t, chainModel(100), "dc")
	md := write(t, func(w io.Writer) error { return export.Markdown(w, o) })
	tree := md[bytes.Index(md, []byte("## Cause chains")):]
	maxIndent := 0
	for _, l := range strings.Split(string(tree), "\n") {
		if i := strings.Index(l, "- "); i >= 0 && strings.HasPrefix(strings.TrimSpace(l), "- ") {
			maxIndent = max(maxIndent, i)
		}
	}
	assert.Equal(t, 2*2*export.ChainLinks, maxIndent)
	assert.Contains(t, string(tree), "- 🟥 `s0` down, 1 user (requires `s1`)")
}
