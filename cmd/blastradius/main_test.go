package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// Each case runs the CLI and compares exit code, stdout and stderr with a
// golden file under testdata/golden/cli (go test -update rewrites them).
func TestCLI(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("nodes:\n  a: {kind: servce}\n  b: {kind: service, requires: [aa]}\n"), 0o644))
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"simulate-kakao-pangyo", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyo"}, 0},
		{"simulate-naver-pangyo", []string{"simulate", "../../testdata/naver-2022.yaml", "--fail", "site:pangyo"}, 0},
		{"simulate-kakao-login-replicas", []string{"simulate", "--replicas", "../../testdata/kakao-2022.yaml", "--fail", "kakao-login"}, 0},
		{"simulate-kakao-two", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "node:kakaobank-core", "--fail", "region:capital"}, 0},
		{"simulate-fail-on-down", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "pangyo", "--fail-on", "down"}, 1},
		{"simulate-fail-on-naver", []string{"simulate", "../../testdata/naver-2022.yaml", "--fail", "pangyo", "--fail-on", "degraded"}, 1},
		{"simulate-fail-on-replica", []string{"simulate", "../../testdata/naver-2022.yaml", "--fail", "naver-search@pangyo", "--fail-on", "degraded"}, 0},
		{"simulate-unknown", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "site:pangyoo"}, 2},
		{"simulate-not-a-site", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "site:kakaotalk"}, 2},
		{"simulate-no-fail", []string{"simulate", "../../testdata/kakao-2022.yaml"}, 2},
		{"simulate-bad-flag", []string{"simulate", "../../testdata/kakao-2022.yaml", "--fail", "x", "--fail-on", "sometimes"}, 2},
		{"simulate-missing-file", []string{"simulate", "nope.yaml", "--fail", "x"}, 2},
		{"rank-kakao", []string{"rank", "../../testdata/kakao-2022.yaml", "--top", "10"}, 0},
		{"rank-kakao-kinds", []string{"rank", "../../testdata/kakao-2022.yaml", "--kind", "identity,service", "--format", "markdown"}, 0},
		{"rank-naver-json", []string{"rank", "../../testdata/naver-2022.yaml", "--top", "5", "--json"}, 0},
		{"rank-bad-kind", []string{"rank", "../../testdata/kakao-2022.yaml", "--kind", "servce"}, 2},
		{"rank-no-dot", []string{"rank", "../../testdata/kakao-2022.yaml", "--format", "dot"}, 2},
		{"spof-kakao-games", []string{"spof", "../../testdata/kakao-2022.yaml", "--target", "kakao-games"}, 0},
		{"spof-kakao-games-json", []string{"spof", "../../testdata/kakao-2022.yaml", "--target", "kakao-games", "--format", "json"}, 0},
		{"spof-naver-search-md", []string{"spof", "../../testdata/naver-2022.yaml", "--target", "naver-search", "--format", "markdown"}, 0},
		{"spof-unknown", []string{"spof", "../../testdata/kakao-2022.yaml", "--target", "kakao-gmaes"}, 2},
		{"spof-no-target", []string{"spof", "../../testdata/kakao-2022.yaml"}, 2},
		{"redundancy-kakao", []string{"redundancy", "../../testdata/kakao-2022.yaml"}, 0},
		{"redundancy-naver", []string{"redundancy", "../../testdata/naver-2022.yaml"}, 0},
		{"redundancy-kakao-md", []string{"redundancy", "../../testdata/kakao-2022.yaml", "--format", "markdown"}, 0},
		{"redundancy-naver-json", []string{"redundancy", "../../testdata/naver-2022.yaml", "--json"}, 0},
		{"validate-kakao", []string{"validate", "../../testdata/kakao-2022.yaml"}, 0},
		{"validate-bad", []string{"validate", bad}, 2},
		{"simulate-help", []string{"simulate", "-h"}, 0},
		{"rank-help", []string{"rank", "-h"}, 0},
		{"no-command", nil, 2},
		{"unknown-command", []string{"explode"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code,
				out.String(), bytes.ReplaceAll(errOut.Bytes(), []byte(bad), []byte("BAD.yaml")))
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

func TestCLIJSON(t *testing.T) {
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		var out, errOut bytes.Buffer
		code := run([]string{"simulate", "../../testdata/" + model + ".yaml", "--fail", "site:pangyo", "--json"}, &out, &errOut)
		require.Equal(t, 0, code, errOut.String())
		var doc export.OutcomeDoc
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
		assert.Equal(t, export.OutcomeSchema, doc.Schema)
		assert.Equal(t, model, doc.Model)
		golden.Assert(t, "../../testdata/golden/cli/simulate-"+model+"-pangyo.json", out.Bytes())
	}
}
