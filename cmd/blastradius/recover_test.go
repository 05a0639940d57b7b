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

// A --for belongs to the --fail before it; durations too large for the
// horizon or for the program say so; a flag error is one line with a hint,
// never the whole usage.
func TestRecoverCLIFor(t *testing.T) {
	const kakao = "../../testdata/kakao-2022.yaml"
	const hint = " (see 'blastradius recover -h')"
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--for", "11h", "--fail", "pangyo"}, `invalid value "11h" for flag -for: comes before any --fail: write --fail ID --for 11h` + hint},
		{[]string{"--fail", "pangyo", "--for", "11h", "--for", "2h"}, `invalid value "2h" for flag -for: --fail pangyo has two --for` + hint},
		{[]string{"--fail", "pangyo", "--for", "11 hours"}, `invalid value "11 hours" for flag -for: not a duration: write 90m, 11h, 1h30m or 3d` + hint},
		{[]string{"--fail", "pangyo", "--for", "0s"}, `invalid value "0s" for flag -for: the repair time must be more than 0 (leave --for out for never)` + hint},
		// Larger than a time.Duration holds: "too large", not "invalid".
		{[]string{"--fail", "pangyo", "--for", "3000000h"}, `invalid value "3000000h" for flag -for: too large: the longest duration is 106751d` + hint},
		{[]string{"--fail", "pangyo", "--for", "200000d"}, `invalid value "200000d" for flag -for: too large: the longest duration is 106751d` + hint},
		{[]string{"--fail", "pangyo", "--horizon", "9999999999h"}, `--horizon 9999999999h: too large: the longest duration is 106751d` + hint},
		{[]string{"--fail", "pangyo", "--horizon", "0s"}, `--horizon 0s: want more than 0` + hint},
		// Beyond the horizon, a repair would show as never.
		{[]string{"--fail", "pangyo", "--for", "1000000h"}, `--fail pangyo --for 1000000h: longer than the --horizon 30d, so it would be reported as never repaired; raise --horizon, or leave --for out for never` + hint},
		{[]string{"--fail", "pangyo", "--for", "11h", "--fail", "gasan", "--for", "2d", "--horizon", "1d"}, `--fail gasan --for 2d: longer than the --horizon 1d, so it would be reported as never repaired; raise --horizon, or leave --for out for never` + hint},
		{[]string{"--fail", "pangyo", "--for", "11h", "--max-rows", "0"}, `--max-rows 0: want 1 or more` + hint},
		{[]string{"--fail", "pangyo", "--for", "11h", "--max-rows", "-3"}, `--max-rows -3: want 1 or more` + hint},
		// A node removed twice is refused, not merged: which --for holds?
		{[]string{"--fail", "pangyo", "--for", "11h", "--fail", "site:pangyo", "--for", "2h"}, `--fail site:pangyo: "pangyo" is already removed by pangyo; name each failure once`},
		{[]string{"--fail", "kakaotalk@pangoy", "--for", "1h"}, `--fail kakaotalk@pangoy: unknown node "kakaotalk@pangoy" (did you mean "kakaotalk@pangyo"?)`},
	} {
		var out, errOut bytes.Buffer
		code := run(append([]string{"recover", kakao}, tt.args...), &out, &errOut)
		assert.Equal(t, 2, code, "%v", tt.args)
		assert.Equal(t, "blastradius recover: "+tt.msg+"\n", errOut.String(), "%v", tt.args)
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
	// The longest outage first: the channels, Pangyo's 11h and their 19h restart.
	assert.Equal(t, "kakaotalk-channels", doc.Nodes[0].ID)
	assert.Equal(t, int64(30*3600), *doc.Nodes[0].DownUntilSeconds)

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
