package main

import (
	"fmt"
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

// The largest numbers a model may hold go through every command with the
// right totals: 4,000 services of 10^15 users each (the model-wide bound,
// 4·10^18) at one site. Before the bounds, users of 5·10^18 overflowed into
// negative totals and a check passed on "0 of -8,446,744,073,709,551,616
// users".
func TestLargestNumbersCLI(t *testing.T) {
	var b strings.Builder
	b.WriteString("model: largest\nnodes:\n  a: {kind: site}\n  b: {kind: site}\n")
	for i := range 4000 {
		fmt.Fprintf(&b, "  s%d: {kind: service, users: 1000000000000000, site: a}\n", i)
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "largest.yaml")
	require.NoError(t, os.WriteFile(model, []byte(b.String()), 0o644))
	policy := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(policy, []byte("policy: p\nrules:\n  - rule: min_redundancy_rate\n    by: users\n    rate: 90%\n"), 0o644))
	const total = "4,000,000,000,000,000,000"
	for _, tt := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"simulate", model, "--fail", "a"}, 0, []string{total + " user-services", "at least 1,000,000,000,000,000 people"}},
		{[]string{"rank", model, "--top", "1"}, 0, []string{total}},
		{[]string{"redundancy", model}, 0, []string{"0% of users (0 of " + total + ")"}},
		// 4·10^18 users for 30 days: 2.88·10^21 user-hours, beyond int64.
		{[]string{"recover", model, "--fail", "a", "--for", "30d"}, 0, []string{"2,880,000,000,000,000,000,000"}},
		{[]string{"check", model, "--policy", policy}, 1, []string{"0% (0 of " + total + " users survive"}},
		{[]string{"diff", model, model}, 0, []string{"0% (0 of " + total + ")"}},
	} {
		var stdout, stderr strings.Builder
		code := run(tt.args, &stdout, &stderr)
		require.Equal(t, tt.code, code, "%v: %s", tt.args, stderr.String())
		for _, w := range tt.want {
			assert.Contains(t, stdout.String(), w, "%v", tt.args)
		}
		assert.NotContains(t, stdout.String(), "-9,", "%v: a negative total", tt.args)
		assert.NotRegexp(t, `e\+[0-9]`, stdout.String(), "%v: a number in exponent form", tt.args)
	}
}
