package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/internal/web/generated"
)

// serve listens, prints its URL, answers the API and stops with exit 0
// when its context is cancelled (Ctrl-C).
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- runContext(ctx, strings.NewReader(""), []string{"serve", "../../testdata/kakao-2022.yaml", "--addr", "127.0.0.1:0"}, io.Discard, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	m := regexp.MustCompile(`^blastradius serve: (http://127\.0\.0\.1:\d+/): model "kakao-2022", 39 nodes; Ctrl-C to stop$`).FindStringSubmatch(lines.Text())
	require.NotNil(t, m, lines.Text())
	go io.Copy(io.Discard, pr)

	resp, err := http.Get(m[1] + "api/simulate?fail=pangyo")
	require.NoError(t, err)
	var doc struct {
		Schema string `json:"schema"`
		Totals struct {
			Down int `json:"down"`
		} `json:"totals"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	resp.Body.Close()
	assert.Equal(t, "blastradius/outcome/v2", doc.Schema)
	assert.Equal(t, 15, doc.Totals.Down)

	cancel()
	select {
	case c := <-code:
		assert.Equal(t, exitOK, c)
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// serve's usage errors, and a warning when bound to every interface.
func TestServeErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"serve", "-", "--watch"}, "--watch follows a file: standard input (-) cannot be read again"},
		{[]string{"serve"}, "want exactly one MODEL file, got 0"},
		{[]string{"serve", "nope.yaml"}, "nope.yaml"},
		{[]string{"serve", "../../testdata/kakao-2022.yaml", "--addr", "nohost"}, "--addr nohost:"},
	} {
		var stderr strings.Builder
		assert.Equal(t, exitUsage, run(tc.args, io.Discard, &stderr), tc.args)
		assert.Contains(t, stderr.String(), tc.msg, tc.args)
	}
}

// simulate --format html writes one self-contained file: Graphviz inlined,
// the DOT of the same flags inside.
func TestSimulateHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	var stderr strings.Builder
	require.Equal(t, exitOK, run([]string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo", "--focus", "--format", "html", "-o", path}, io.Discard, &stderr), stderr.String())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	html := string(b)
	assert.True(t, strings.HasPrefix(html, "<!doctype html>"))
	assert.True(t, strings.Contains(html, generated.VizGlobalJS), "Graphviz inlined")
	assert.True(t, strings.Contains(html, "<title>Blast radius: kakao-2022: remove site pangyo</title>"))
	assert.True(t, strings.Contains(html, `(blast radius and one ring of context)`), "--focus reaches the drawing")
}
