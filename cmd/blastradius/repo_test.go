package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's Install section says the Go version go.mod's go line asks
// for.
func TestGoVersionInREADME(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)(\.\d+)?$`).FindSubmatch(mod)
	require.NotNil(t, m, "go.mod has a go line")
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	want := "Go " + string(m[1]) + "." + string(m[2]) + " or newer"
	assert.True(t, strings.Contains(string(readme), want), "README's Install section should say %q", want)
	line := "`" + string(m[0]) + "`"
	assert.True(t, strings.Contains(string(readme), line), "README should quote go.mod's %s", line)
}

// What the repository ships cites only what it ships: the model files,
// the expected results and the docs name no notes that live elsewhere, and
// their relative links resolve.
func TestNoOutsideCitations(t *testing.T) {
	outside := regexp.MustCompile(`shared/seed|DESIGN\.md|STYLE\.md`)
	link := regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`)
	var files []string
	for _, pattern := range []string{"../../testdata/*.yaml", "../../testdata/*.md", "../../docs/*.md", "../../README.md"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			assert.False(t, outside.MatchString(line), "%s:%d cites a file outside the repository: %s", f, i+1, line)
		}
		if strings.HasSuffix(f, ".md") {
			for _, l := range link.FindAllStringSubmatch(string(b), -1) {
				assert.FileExists(t, filepath.Join(filepath.Dir(f), l[1]), "%s links to %s", f, l[1])
			}
		}
	}
}

// The README's first command prints what the README shows under it: the
// quoted output is the CLI's, to the byte, so the README cannot drift from
// the code.
func TestREADMEFirstCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const cmd = "go run ./cmd/blastradius simulate testdata/kakao-2022.yaml --fail site:pangyo\n"
	_, after, ok := strings.Cut(string(readme), cmd)
	require.True(t, ok, "README should give the command %q", cmd)
	// The output is the next fenced block after the command's own.
	_, after, _ = strings.Cut(after, "```\n\n```\n")
	quoted, _, ok := strings.Cut(after, "```\n")
	require.True(t, ok, "README should quote the command's output in a fenced block")
	var stdout, stderr strings.Builder
	code := run([]string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, stdout.String(), quoted)
}
