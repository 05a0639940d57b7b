package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/blastradius-go/blastradius/internal/golden"
)

// The cutsets command, each case compared with a golden file under
// testdata/golden/cli (go test -run TestCutSetsCLI -update rewrites them).
func TestCutSetsCLI(t *testing.T) {
	kakao := "../../testdata/kakao-2022.yaml"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"cutsets-kakao-games", []string{"cutsets", kakao, "--target", "kakao-games"}, 0},
		{"cutsets-kakaotalk-order3", []string{"cutsets", kakao, "--target", "kakaotalk", "--order", "3"}, 0},
		{"cutsets-kakao-games-json", []string{"cutsets", kakao, "--target", "node:kakao-games", "--format", "json"}, 0},
		{"cutsets-kakao-games-md", []string{"cutsets", kakao, "--target", "kakao-games", "--order", "3", "--format", "markdown"}, 0},
		{"cutsets-kakao-sites", []string{"cutsets", kakao, "--target", "kakaobank", "--order", "3", "--kind", "site,region,power"}, 0},
		{"cutsets-kakao-limit", []string{"cutsets", kakao, "--target", "kakao-games", "--limit", "8"}, 0},
		{"cutsets-kakao-replicas", []string{"cutsets", kakao, "--target", "kakaotalk", "--replicas"}, 0},
		{"cutsets-naver-search", []string{"cutsets", "../../testdata/naver-2022.yaml", "--target", "naver-search", "--order", "3", "--format", "markdown"}, 0},
		{"cutsets-unknown", []string{"cutsets", kakao, "--target", "kakao-gmaes"}, 2},
		{"cutsets-no-target", []string{"cutsets", kakao}, 2},
		{"cutsets-bad-order", []string{"cutsets", kakao, "--target", "kakao-games", "--order", "9"}, 2},
		{"cutsets-bad-kind", []string{"cutsets", kakao, "--target", "kakao-games", "--kind", "sit"}, 2},
		{"cutsets-bad-limit", []string{"cutsets", kakao, "--target", "kakao-games", "--limit", "-1"}, 2},
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
