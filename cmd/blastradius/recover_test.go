package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// Each case runs recover and compares exit code, stdout and stderr with a
// golden file under testdata/golden/cli (go test -update rewrites them).
func TestRecoverCLI(t *testing.T) {
	const kakao = "../../testdata/kakao-2022.yaml"
	const hot = "../../testdata/kakao-2022-hot.yaml"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"recover-kakao-pangyo-11h", []string{"recover", kakao, "--fail", "site:pangyo", "--for", "11h"}, 0},
		{"recover-kakao-pangyo-11h-md", []string{"recover", kakao, "--fail", "site:pangyo", "--for", "11h", "--format", "markdown"}, 0},
		{"recover-kakao-two", []string{"recover", "--replicas", kakao, "--fail", "pangyo", "--for", "11h", "--fail", "gasan", "--for", "2h"}, 0},
		{"recover-kakao-never", []string{"recover", kakao, "--fail", "pangyo", "--horizon", "3d"}, 0},
		{"recover-kakao-what-if-hot", []string{"recover", kakao, "--fail", "site:pangyo", "--for", "11h", "--what-if", hot}, 0},
		{"recover-bad-horizon", []string{"recover", kakao, "--fail", "pangyo", "--horizon", "soon"}, 2},
		{"recover-no-fail", []string{"recover", kakao}, 2},
		{"recover-bad-format", []string{"recover", kakao, "--fail", "pangyo", "--format", "mermaid"}, 2},
		{"recover-unknown", []string{"recover", kakao, "--fail", "site:pangyoo", "--for", "1h"}, 2},
		{"recover-what-if-unknown", []string{"recover", kakao, "--fail", "kakaotalk", "--for", "1h", "--what-if", "../../testdata/naver-2022.yaml"}, 2},
		{"recover-what-if-missing-file", []string{"recover", kakao, "--fail", "pangyo", "--what-if", "nope.yaml"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out.String(), errOut.String())
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

// A --for belongs to the --fail before it. Flag errors print the usage
// after the message: only the message is checked.
func TestRecoverCLIFor(t *testing.T) {
	const kakao = "../../testdata/kakao-2022.yaml"
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--for", "11h", "--fail", "pangyo"}, `invalid value "11h" for flag -for: --for 11h comes before any --fail: write --fail ID --for 11h`},
		{[]string{"--fail", "pangyo", "--for", "11h", "--for", "2h"}, `invalid value "2h" for flag -for: --fail pangyo has two --for`},
		{[]string{"--fail", "pangyo", "--for", "11 hours"}, `invalid value "11 hours" for flag -for: invalid duration "11 hours": write 90m, 11h, 1h30m or 3d`},
		{[]string{"--fail", "pangyo", "--for", "0s"}, `invalid value "0s" for flag -for: --for 0s: the repair time must be more than 0 (leave --for out for never)`},
	} {
		var out, errOut bytes.Buffer
		code := run(append([]string{"recover", kakao}, tt.args...), &out, &errOut)
		assert.Equal(t, 2, code, "%v", tt.args)
		first, _, _ := strings.Cut(errOut.String(), "\n")
		assert.Equal(t, tt.msg, first)
		assert.Empty(t, out.String())
	}
}

func TestRecoverCLIJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"recover", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo", "--for", "11h", "--json"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var doc export.TimelineDoc
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, export.TimelineSchema, doc.Schema)
	require.NotEmpty(t, doc.Nodes)
	assert.Equal(t, "kakaotalk", doc.Nodes[0].ID)
	assert.Equal(t, int64(11*3600), *doc.Nodes[0].DownUntilSeconds)

	out.Reset()
	code = run([]string{"recover", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo", "--for", "11h",
		"--what-if", "../../testdata/kakao-2022-mirror.yaml", "--format", "json"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var cmp export.ComparisonDoc
	require.NoError(t, json.Unmarshal(out.Bytes(), &cmp))
	assert.Equal(t, export.ComparisonSchema, cmp.Schema)
	assert.Equal(t, "kakao-2022-mirror", cmp.Variant.Model)
}

// The svg format is a Gantt chart drawn by the program; -o writes it to a
// file.
func TestRecoverCLISVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "timeline.svg")
	var out, errOut bytes.Buffer
	code := run([]string{"recover", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo", "--for", "11h", "--format", "svg", "-o", path}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Empty(t, out.String())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "<svg "), "%.40s", b)
	assert.Contains(t, string(b), "kakaotalk")
	assert.True(t, strings.HasSuffix(string(b), "</svg>\n"))
}

// The README's pictures are the CLI's output (go test -update redraws
// them).
func TestRecoverCLIDocs(t *testing.T) {
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"kakao-timeline.svg", nil},
		{"kakao-timeline-hot.svg", []string{"--what-if", "../../testdata/kakao-2022-hot.yaml"}},
	} {
		var out, errOut bytes.Buffer
		args := append([]string{"recover", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo", "--for", "11h", "--format", "svg"}, tt.args...)
		require.Equal(t, 0, run(args, &out, &errOut), errOut.String())
		golden.Assert(t, filepath.Join("../../docs", tt.file), out.Bytes())
	}
}
