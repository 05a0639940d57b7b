package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

const kakao = "../../testdata/kakao-2022.yaml"

// loadFile is the Loader of a model file.
func loadFile(path string) Loader {
	return func(context.Context) (*graph.Compiled, error) {
		_, c, err := graph.LoadCompiled(path, graph.Limits{})
		return c, err
	}
}

func newTestServer(t *testing.T, path string) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(context.Background(), loadFile(path))
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func get(t *testing.T, ts *httptest.Server, path string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// validate checks a document against the schema its schema field names
// (export's schemas, the CLI's).
func validate(t *testing.T, body []byte) string {
	t.Helper()
	var head struct {
		Schema string `json:"schema"`
	}
	require.NoError(t, json.Unmarshal(body, &head))
	parts := strings.Split(head.Schema, "/")
	require.Len(t, parts, 3, head.Schema)
	subject := parts[1]
	b, ok := export.JSONSchema(subject)
	require.True(t, ok, subject)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	comp := jsonschema.NewCompiler()
	require.NoError(t, comp.AddResource(subject+".json", doc))
	sch, err := comp.Compile(subject + ".json")
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	require.NoError(t, err)
	require.NoError(t, sch.Validate(v), "%s: %s", subject, body)
	return subject
}

// Every JSON document of the API is one the CLI writes, valid against its
// schema, and says what the CLI says.
func TestAPIDocuments(t *testing.T) {
	_, ts := newTestServer(t, kakao)
	for _, tc := range []struct {
		path, subject string
		has           []string
	}{
		{"/api/simulate?fail=pangyo", "outcome", []string{`"id": "kakaotalk"`, `"state": "down"`}},
		{"/api/simulate?fail=site:pangyo,kakao-login", "outcome", []string{`"id": "kakao-login"`}},
		{"/api/simulate?fail=pangyo&fail=kakao-login", "outcome", []string{`"id": "kakao-login"`}},
		{"/api/simulate", "outcome", []string{`"scenario": []`}},
		{"/api/rank?top=3", "rank", []string{`"id": "capital"`}},
		{"/api/rank", "rank", nil},
		{"/api/spof?target=kakao-games", "spof", []string{`"id": "kakao-login"`}},
		{"/api/redundancy", "redundancy", []string{`"site": "pangyo"`}},
		{"/api/recover?fail=pangyo&for=11h", "timeline", []string{`"id": "kakaotalk"`}},
		{"/api/cutsets?target=kakao-games", "cutsets", []string{`"kakao-login"`, `"max_order": 2`}},
		{"/api/cutsets?target=kakao-games&order=3", "cutsets", []string{`"max_order": 3`}},
		{"/api/audit?owner=kakaotalk", "audit", []string{`"owner": "kakaotalk"`, `"hidden": true`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, typ, body := get(t, ts, tc.path)
			require.Equal(t, http.StatusOK, code, "%s", body)
			assert.Equal(t, "application/json", typ)
			assert.Equal(t, tc.subject, validate(t, body))
			for _, s := range tc.has {
				assert.Contains(t, string(body), s)
			}
		})
	}
	code, _, body := get(t, ts, "/api/rank?top=3")
	require.Equal(t, 200, code)
	var rank struct {
		Radii []json.RawMessage `json:"radii"`
	}
	require.NoError(t, json.Unmarshal(body, &rank))
	assert.Len(t, rank.Radii, 3)
}

// The API's outcome and drawing are byte for byte the CLI's (export's
// writers on the same outcome): the page and `simulate --format json|dot`
// agree.
func TestAPIMatchesExport(t *testing.T) {
	s, ts := newTestServer(t, kakao)
	o := simulateFor(t, s, "pangyo")
	var want bytes.Buffer
	require.NoError(t, export.JSON(&want, o))
	_, _, got := get(t, ts, "/api/simulate?fail=pangyo")
	assert.Equal(t, want.String(), string(got))

	want.Reset()
	require.NoError(t, export.DOT(&want, o, export.GraphOptions{Focus: true}))
	code, typ, got := get(t, ts, "/api/simulate?fail=pangyo&format=dot")
	require.Equal(t, 200, code)
	assert.Equal(t, "text/vnd.graphviz; charset=utf-8", typ)
	assert.Equal(t, want.String(), string(got))

	want.Reset()
	require.NoError(t, export.DOT(&want, o, export.GraphOptions{}))
	_, _, got = get(t, ts, "/api/simulate?fail=pangyo&format=dot&focus=0")
	assert.Equal(t, want.String(), string(got))

	for path, prefix := range map[string]string{
		"/api/simulate?fail=pangyo&format=markdown":        "#",
		"/api/simulate?fail=pangyo&format=table":           "",
		"/api/rank?format=markdown":                        "",
		"/api/spof?target=kakao-games&format=markdown":     "",
		"/api/redundancy?format=markdown":                  "",
		"/api/recover?fail=pangyo&for=11h&format=svg":      "<svg",
		"/api/recover?fail=pangyo&for=90m&format=markdown": "",
		"/api/cutsets?target=kakao-games&format=markdown":  "",
		"/api/audit?owner=kakaotalk&format=markdown":       "",
	} {
		code, _, body := get(t, ts, path)
		assert.Equal(t, 200, code, "%s: %s", path, body)
		assert.True(t, strings.HasPrefix(string(body), prefix), "%s: %.80s", path, body)
		assert.NotEmpty(t, body, path)
	}
}

// Bad requests get 400 and a message that says what to write; unknown ids
// 404 with the CLI's did-you-mean; writes 405.
func TestAPIErrors(t *testing.T) {
	_, ts := newTestServer(t, kakao)
	for _, tc := range []struct {
		path string
		code int
		msg  string
	}{
		{"/api/simulate?fail=pangyoo", 404, `fail=pangyoo: unknown node "pangyoo" (did you mean "pangyo"?)`},
		{"/api/simulate?fail=site:kakao-login", 400, `fail=site:kakao-login: "kakao-login" is a identity, not a site`},
		{"/api/simulate?fail=pangyo,site:pangyo", 400, `is already removed by pangyo`},
		{"/api/simulate?fail=pangyo&format=pdf", 400, `format=pdf: want json or markdown, table, dot`},
		{"/api/spof", 400, `give target=ID`},
		{"/api/spof?target=kakao-gams", 404, `did you mean "kakao-games"?`},
		{"/api/spof?target=kakaotalk@pangyo", 400, `is a replica`},
		{"/api/rank?top=-1", 400, `top=-1: want 0 (all) or more`},
		{"/api/recover?for=11h", 400, `nothing to remove`},
		{"/api/recover?fail=pangyo", 400, `give for=DURATION`},
		{"/api/recover?fail=pangyo&for=soon", 400, `for=soon: not a repair time`},
		{"/api/recover?fail=pangyo&for=31d", 400, `longer than the horizon`},
		{"/api/cutsets", 400, `give target=ID`},
		{"/api/cutsets?target=kakao-gams", 404, `did you mean "kakao-games"?`},
		{"/api/cutsets?target=kakao-games&order=9", 400, `order=9: want 1 to 8`},
		{"/api/audit", 400, `give owner=ID`},
		{"/api/audit?owner=kakaotlk", 404, `did you mean "kakaotalk"?`},
		{"/api/audit?owner=kakaotalk&order=0", 400, `order=0: want 1 to 8`},
	} {
		code, typ, body := get(t, ts, tc.path)
		assert.Equal(t, tc.code, code, tc.path)
		assert.Equal(t, "application/json", typ, tc.path)
		var doc ErrorDoc
		require.NoError(t, json.Unmarshal(body, &doc), tc.path)
		assert.Contains(t, doc.Error, tc.msg, tc.path)
	}
	resp, err := http.Post(ts.URL+"/api/simulate?fail=pangyo", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
}

// The page and its assets are served from the binary.
func TestAssets(t *testing.T) {
	_, ts := newTestServer(t, kakao)
	for path, want := range map[string]string{
		"/":                        `<script src="app.js">`,
		"/app.js":                  "layout-worker.js",
		"/layout-worker.js":        "importScripts('generated/viz-global.js')",
		"/style.css":               "--down: #d64541",
		"/generated/viz-global.js": "Viz.js 3.31.0",
		"/generated/LICENSES.md":   "Eclipse Public License",
	} {
		code, _, body := get(t, ts, path)
		assert.Equal(t, 200, code, path)
		assert.Contains(t, string(body), want, path)
	}
	code, _, _ := get(t, ts, "/nope.js")
	assert.Equal(t, 404, code)
	resp, err := http.Get(ts.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self' 'wasm-unsafe-eval'")
}

// The model document lists every node with its kind, users and
// description, and says whether the model is small enough to draw whole.
func TestModelDoc(t *testing.T) {
	s, ts := newTestServer(t, kakao)
	_, _, body := get(t, ts, "/api/model")
	var doc ModelDoc
	require.NoError(t, json.Unmarshal(body, &doc))
	assert.Equal(t, "blastradius/web-model/v1", doc.Schema)
	assert.Equal(t, "kakao-2022", doc.Model)
	assert.True(t, doc.Whole)
	assert.Len(t, doc.Nodes, s.Compiled().NodeCount())
	byID := map[string]NodeRecord{}
	for _, n := range doc.Nodes {
		byID[n.ID] = n
	}
	assert.Equal(t, "site", byID["pangyo"].Kind)
	assert.Equal(t, int64(47_500_000), byID["kakaotalk"].Users)
	assert.Contains(t, byID["pangyo"].Description, "Pangyo")
}

// A large model is drawn as its blast radius only: the whole drawing is
// refused with a message that says why and what to ask instead, and so is
// a blast radius too large to lay out.
func TestWholeDrawingLimit(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("model: big\nnodes:\n")
	for i := range MaxWholeDrawing + 1 {
		if i == 0 {
			b.WriteString("  n0: {kind: service}\n")
			continue
		}
		b.WriteString("  n" + strconv.Itoa(i) + ": {kind: service, requires: [n0]}\n")
	}
	path := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	_, ts := newTestServer(t, path)
	code, _, body := get(t, ts, "/api/simulate?fail=n1&format=dot&focus=0")
	assert.Equal(t, 400, code)
	assert.Contains(t, string(body), "too many to draw whole")
	code, _, _ = get(t, ts, "/api/simulate?fail=n1&format=dot")
	assert.Equal(t, 200, code)
	// n0 takes every other node with it: more than the page lays out.
	code, _, body = get(t, ts, "/api/simulate?fail=n0&format=dot")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, string(body), "2001 vertices affected, too many to draw (at most 1500)")
	code, _, _ = get(t, ts, "/api/simulate?fail=n0")
	assert.Equal(t, 200, code, "the outcome itself is always there")
	_, _, body = get(t, ts, "/api/model")
	assert.Contains(t, string(body), `"whole":false`)
}

// simulateFor is the outcome of removing refs, straight from the library.
func simulateFor(t *testing.T, s *Server, refs ...string) *analyze.Outcome {
	t.Helper()
	sc, err := analyze.ParseScenario(s.Compiled(), refs)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), s.Compiled(), sc)
	require.NoError(t, err)
	return o
}

// Watch reloads a changed file; a broken edit keeps the last good model
// and the status says why; the fix is picked up.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	// Half the writes replace the file as editors do (a new file renamed
	// over it), half rewrite it in place, which Watch must not read
	// half-written.
	n := 0
	write := func(s string) {
		n++
		if n%2 == 0 {
			require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
			return
		}
		tmp := path + ".tmp"
		require.NoError(t, os.WriteFile(tmp, []byte(s), 0o644))
		require.NoError(t, os.Rename(tmp, path))
	}
	write("model: one\nnodes:\n  a: {kind: service}\n")
	s, ts := newTestServer(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloads := make(chan error, 10)
	go s.Watch(ctx, path, 10*time.Millisecond, func(err error) { reloads <- err })

	status := func() StatusDoc {
		_, _, body := get(t, ts, "/api/status")
		var st StatusDoc
		require.NoError(t, json.Unmarshal(body, &st))
		return st
	}
	assert.Equal(t, StatusDoc{Generation: 1, Model: "one"}, status())

	time.Sleep(20 * time.Millisecond) // a new modification time, on coarse clocks too
	write("model: two\nnodes:\n  a: {kind: service}\n  b: {kind: service, requires: [a]}\n")
	require.NoError(t, <-reloads)
	assert.Equal(t, StatusDoc{Generation: 2, Model: "two"}, status())
	code, _, body := get(t, ts, "/api/simulate?fail=a")
	assert.Equal(t, 200, code)
	assert.Contains(t, string(body), `"id": "b"`)

	write("model: three\nnodes:\n  a: {kind: servce}\n")
	require.Error(t, <-reloads)
	st := status()
	assert.Equal(t, "two", st.Model)
	assert.Equal(t, 3, st.Generation)
	assert.Contains(t, st.Error, "servce")

	write("model: four\nnodes:\n  a: {kind: service}\n")
	require.NoError(t, <-reloads)
	assert.Equal(t, StatusDoc{Generation: 4, Model: "four"}, status())
}

// Bound to loopback, the server refuses other Host names (DNS
// rebinding); IsLoopback tells serve when to warn.
func TestLocal(t *testing.T) {
	s, ts := newTestServer(t, kakao)
	s.Local(true)
	for host, want := range map[string]int{"localhost:8080": 200, "127.0.0.1:1": 200, "[::1]:80": 200, "evil.example:8080": 403, "10.0.0.1": 403} {
		req, err := http.NewRequest("GET", ts.URL+"/api/status", nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, host)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:0": true, "[::1]:80": true, ":8080": false, "0.0.0.0:80": false, "192.168.1.2:80": false} {
		assert.Equal(t, want, IsLoopback(addr), addr)
	}
}

// The drawing's ring of context is cut at MaxContext by default, at
// context=N on request, and drawn whole with context=all: each the same
// bytes as export's DOT with that MaxContext (simulate --focus
// --max-context N); a bad context is a 400.
func TestAPIMaxContext(t *testing.T) {
	s, ts := newTestServer(t, kakao)
	o := simulateFor(t, s, "kakao-login")
	for query, max := range map[string]int{"": MaxContext, "&context=3": 3, "&context=all": 0} {
		var want bytes.Buffer
		require.NoError(t, export.DOT(&want, o, export.GraphOptions{Focus: true, MaxContext: max}))
		code, _, got := get(t, ts, "/api/simulate?fail=kakao-login&format=dot"+query)
		require.Equal(t, 200, code, query)
		assert.Equal(t, want.String(), string(got), query)
	}
	_, _, got := get(t, ts, "/api/simulate?fail=kakao-login&format=dot&context=3")
	assert.Contains(t, string(got), "blast radius and 3 of the 23 nodes of its ring of context")
	for _, bad := range []string{"0", "-1", "many"} {
		code, _, body := get(t, ts, "/api/simulate?fail=kakao-login&format=dot&context="+bad)
		assert.Equal(t, 400, code, bad)
		assert.Contains(t, string(body), "context="+bad+": want a number of nodes (1 or more) or all")
	}
}
