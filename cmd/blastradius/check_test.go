package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// The check and diff commands, each case compared with a golden file under
// testdata/golden/cli (go test -run 'TestCheckCLI' -update rewrites them).
func TestCheckCLI(t *testing.T) {
	const (
		kakao  = "../../testdata/kakao-2022.yaml"
		naver  = "../../testdata/naver-2022.yaml"
		mirror = "../../testdata/kakao-2022-mirror.yaml"
		pol    = "../../testdata/policy.yaml"
	)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-policy.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("rules:\n  - rule: no_spoff\n  - rule: max_blast_radius\n    nodes: 0\n  - {rule: survive_site_loss, select: {kind: servce}}\n"), 0o644))
	unknown := filepath.Join(dir, "unknown-policy.yaml")
	require.NoError(t, os.WriteFile(unknown, []byte("rules:\n  - rule: no_spof\n    select: {id: [kakao-t, kakao-logn]}\n"), 0o644))
	// Two broken models: diff loads both at once and reports the first
	// one's problems, else the second's, as loading one after the other.
	badOld := filepath.Join(dir, "bad-old.yaml")
	require.NoError(t, os.WriteFile(badOld, []byte("nodes:\n  a: {kind: service, requires: [b]}\n"), 0o644))
	badNew := filepath.Join(dir, "bad-new.yaml")
	require.NoError(t, os.WriteFile(badNew, []byte("nodes:\n  a: {kind: servce}\n"), 0o644))
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"check-kakao", []string{"check", kakao, "--policy", pol}, 1},
		{"check-naver", []string{"check", naver, "--policy", pol}, 0},
		{"check-kakao-json", []string{"check", "--policy", pol, kakao, "--format", "json"}, 1},
		{"check-kakao-md", []string{"check", kakao, "--policy", pol, "--format", "markdown"}, 1},
		{"check-kakao-junit", []string{"check", kakao, "--policy", pol, "--format", "junit"}, 1},
		{"check-naver-junit", []string{"check", naver, "--policy", pol, "--format", "junit"}, 0},
		{"check-bad-policy", []string{"check", kakao, "--policy", bad}, 2},
		{"check-unknown-node", []string{"check", kakao, "--policy", unknown}, 2},
		{"check-no-policy", []string{"check", kakao}, 2},
		{"check-missing-policy", []string{"check", kakao, "--policy", filepath.Join(dir, "nope.yaml")}, 2},
		{"check-junit-and-json", []string{"check", kakao, "--policy", pol, "--format", "junit", "--json"}, 2},
		{"check-no-dot", []string{"check", kakao, "--policy", pol, "--format", "dot"}, 2},
		{"diff-kakao-mirror", []string{"diff", kakao, mirror}, 0},
		{"diff-mirror-kakao-md", []string{"diff", mirror, kakao, "--policy", pol, "--format", "markdown"}, 0},
		{"diff-mirror-kakao-worse", []string{"diff", mirror, kakao, "--fail-on-worse"}, 1},
		{"diff-kakao-mirror-json", []string{"diff", kakao, mirror, "--policy", pol, "--json", "--fail-on-worse"}, 0},
		{"diff-same", []string{"diff", naver, naver, "--policy", pol, "--format", "markdown"}, 0},
		{"diff-kakao-naver", []string{"diff", kakao, naver, "--policy", pol}, 0},
		{"diff-one-model", []string{"diff", kakao}, 2},
		{"diff-unknown-node", []string{"diff", kakao, naver, "--policy", unknown}, 2},
		{"diff-bad-old", []string{"diff", badOld, kakao}, 2},
		{"diff-bad-new", []string{"diff", kakao, badNew}, 2},
		{"diff-bad-both", []string{"diff", badOld, badNew}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			stderr := bytes.ReplaceAll(errOut.Bytes(), []byte(dir), []byte("TMP"))
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out.String(), stderr)
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

// The JUnit report is XML that CI systems read: one test case per rule, a
// failure element for each failed rule.
func TestCheckJUnit(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"check", "../../testdata/kakao-2022.yaml", "--policy", "../../testdata/policy.yaml", "--format", "junit"}, &out, &errOut)
	require.Equal(t, 1, code, errOut.String())
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, 5, doc.Tests)
	assert.Equal(t, 5, doc.Failures)
	require.Len(t, doc.Suites, 1)
	require.Len(t, doc.Suites[0].Cases, 5)
	for _, c := range doc.Suites[0].Cases {
		require.NotNil(t, c.Failure, c.Name)
		assert.NotEmpty(t, c.Failure.Text)
	}
	assert.Contains(t, doc.Suites[0].Cases[1].Failure.Text, "kakao-games: down when service kakaotalk fails: kakao-games → kakao-login → kakaotalk")
}

func TestCheckJSONOutput(t *testing.T) {
	var out, errOut bytes.Buffer
	path := filepath.Join(t.TempDir(), "check.json")
	code := run([]string{"check", "../../testdata/kakao-2022.yaml", "--policy", "../../testdata/policy.yaml", "--json", "-o", path}, &out, &errOut)
	require.Equal(t, 1, code, errOut.String())
	assert.Empty(t, out.String())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc export.CheckDoc
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, export.CheckSchema, doc.Schema)
	assert.False(t, doc.Passed)
	assert.Equal(t, 5, doc.Failed)
	assert.Equal(t, 29, doc.Violations)
}
