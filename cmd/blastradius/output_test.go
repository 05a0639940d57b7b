package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/internal/golden"
)

const (
	kakao = "../../testdata/kakao-2022.yaml"
	naver = "../../testdata/naver-2022.yaml"
)

// runCLI runs the CLI and returns its exit code, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The report formats and their flags, each against a golden file under
// testdata/golden/cli (go test -update rewrites them).
func TestFormats(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"simulate-kakao-markdown", []string{"simulate", kakao, "--fail", "site:pangyo", "--format", "markdown"}, 0},
		{"simulate-naver-markdown", []string{"simulate", naver, "--fail", "site:pangyo", "--format", "markdown"}, 0},
		{"simulate-kakao-mermaid-focus", []string{"simulate", kakao, "--fail", "site:pangyo", "--format", "mermaid", "--focus"}, 0},
		{"simulate-naver-mermaid", []string{"simulate", naver, "--fail", "site:pangyo", "--format", "mermaid", "--rankdir", "TB"}, 0},
		{"simulate-kakao-dot", []string{"simulate", kakao, "--fail", "site:pangyo", "--format", "dot"}, 0},
		{"simulate-naver-dot-focus-tb", []string{"simulate", naver, "--fail", "site:pangyo", "--format", "dot", "--focus", "--rankdir", "tb"}, 0},
		{"simulate-format-json", []string{"simulate", naver, "--fail", "naver-login@pangyo", "--format", "json"}, 0},
		{"simulate-format-table", []string{"simulate", naver, "--fail", "naver-login@pangyo", "--format", "table"}, 0},
		{"simulate-json-and-format", []string{"simulate", kakao, "--fail", "pangyo", "--json", "--format", "table"}, 2},
		{"simulate-bad-format", []string{"simulate", kakao, "--fail", "pangyo", "--format", "pdf"}, 2},
		{"simulate-bad-rankdir", []string{"simulate", kakao, "--fail", "pangyo", "--format", "dot", "--rankdir", "RL"}, 2},
		{"simulate-fail-on-markdown", []string{"simulate", kakao, "--fail", "pangyo", "--fail-on", "down", "--format", "markdown", "-o", os.DevNull}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(tt.args...)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut)
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out, errOut)
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

// --json is --format json, byte for byte.
func TestJSONAlias(t *testing.T) {
	_, a, _ := runCLI("simulate", kakao, "--fail", "pangyo", "--json")
	_, b, _ := runCLI("simulate", kakao, "--fail", "pangyo", "--format", "json")
	_, c, _ := runCLI("simulate", kakao, "--fail", "pangyo", "--format", "json", "--json")
	assert.Equal(t, a, b)
	assert.Equal(t, a, c)
}

// -o writes the report to a file and nothing to stdout; a failing report
// leaves no file.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kakao.md")
	code, out, errOut := runCLI("simulate", kakao, "--fail", "pangyo", "--format", "markdown", "-o", path)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	_, want, _ := runCLI("simulate", kakao, "--fail", "pangyo", "--format", "markdown")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))

	t.Setenv("PATH", dir) // no Graphviz
	bad := filepath.Join(dir, "kakao.svg")
	code, _, errOut = runCLI("simulate", kakao, "--fail", "pangyo", "--format", "svg", "--output", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "apt-get install graphviz")
	assert.NoFileExists(t, bad)
}

// svg and png go through Graphviz's dot; without it, the error says how
// to install it.
func TestImages(t *testing.T) {
	t.Run("no graphviz", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, out, errOut := runCLI("simulate", kakao, "--fail", "pangyo", "--format", "png")
		assert.Equal(t, 2, code)
		assert.Empty(t, out)
		golden.Assert(t, "../../testdata/golden/cli/simulate-no-graphviz.txt", []byte(errOut))
	})
	if _, err := exec.LookPath("dot"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Graphviz's dot is not on PATH, and CI=true requires this test: %v", err)
		}
		t.Skipf("Graphviz's dot is not on PATH: %v", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"svg", "png"} {
		path := filepath.Join(dir, "kakao."+f)
		code, out, errOut := runCLI("simulate", kakao, "--fail", "site:pangyo", "--format", f, "-o", path)
		require.Equal(t, 0, code, errOut)
		assert.Empty(t, out)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		if f == "svg" {
			assert.True(t, strings.Contains(string(b), "<svg"), "an SVG")
		} else {
			assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG")), "a PNG")
		}
	}
}
