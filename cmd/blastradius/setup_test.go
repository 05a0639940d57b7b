package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/internal/golden"
)

// What every command shares (setup and finish): flag errors, standard
// input, many files, names, version, interruption. Each case is compared
// with a golden file under testdata/golden/cli (go test -update rewrites
// them); the temporary directory is written TMP.
func TestSetup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
		return path
	}
	// No model: line: reports name the model by its file.
	unnamed := write("two-sites.yaml", "nodes:\n  a: {kind: site}\n  b: {kind: site}\n  svc:\n    kind: service\n    users: 10\n    replicas: [{site: a}, {site: b}]\n  solo: {kind: service, users: 5, site: b}\n")
	unnamedJSON := `{"nodes": {"a": {"kind": "site"}, "web": {"kind": "service", "users": 3, "site": "a"}}}`
	bad := write("bad.yaml", "nodes:\n  a: {kind: servce}\n")
	// A chain of 12 services on one site: its chains are cut unless
	// --full-chains.
	var chain strings.Builder
	chain.WriteString("nodes:\n  dc: {kind: site}\n  s0: {kind: service, site: dc}\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&chain, "  s%d: {kind: service, users: %d, requires: [s%d]}\n", i, i, i-1)
	}
	chainModel := write("chain.yaml", chain.String())
	kakaoYAML, err := os.ReadFile(kakao)
	require.NoError(t, err)

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		// Flag errors: one line and a hint, never the whole usage.
		{"setup-unknown-flag", []string{"simulate", kakao, "--fail", "pangyo", "-x"}, "", 2},
		{"setup-flag-needs-value", []string{"rank", kakao, "--top"}, "", 2},
		{"setup-bad-int", []string{"rank", kakao, "--top", "ten"}, "", 2},
		{"setup-negative-top", []string{"rank", kakao, "--top", "-1"}, "", 2},
		{"setup-two-models", []string{"simulate", kakao, naver, "--fail", "pangyo"}, "", 2},
		{"setup-unknown-command-hint", []string{"simulte"}, "", 2},
		{"setup-help-command", []string{"help", "spof"}, "", 0},
		// --fail and --target: one parser, suggestions for replicas too.
		{"setup-fail-replica-typo", []string{"simulate", kakao, "--fail", "kakaotalk@pangoy"}, "", 2},
		{"setup-fail-twice", []string{"simulate", kakao, "--fail", "site:pangyo", "--fail", "pangyo"}, "", 2},
		{"setup-fail-bad-prefix", []string{"simulate", kakao, "--fail", "zone:pangyo"}, "", 2},
		{"setup-spof-site-prefix", []string{"spof", kakao, "--target", "node:kakao-games"}, "", 0},
		{"setup-spof-not-a-site", []string{"spof", kakao, "--target", "site:kakao-games"}, "", 2},
		{"setup-spof-replica", []string{"spof", kakao, "--target", "kakaotalk@pangyo"}, "", 2},
		{"setup-kind-list", []string{"rank", kakao, "--kind", "identity, datastore,identity", "--top", "3"}, "", 0},
		{"setup-kind-empty", []string{"rank", kakao, "--kind", "identity,"}, "", 2},
		// Chains are cut after a few links, whole with --full-chains.
		{"setup-chains-cut", []string{"simulate", chainModel, "--fail", "dc"}, "", 0},
		{"setup-chains-full", []string{"simulate", chainModel, "--fail", "dc", "--full-chains"}, "", 0},
		{"setup-spof-chains-full", []string{"spof", chainModel, "--target", "s11", "--full-chains"}, "", 0},
		// --max-file-size and --max-nodes: the limits, lowered and raised.
		{"setup-max-file-size-low", []string{"validate", "--max-file-size", "1KiB", kakao}, "", 2},
		{"setup-max-file-size-raised", []string{"validate", "--max-file-size", "1GiB", kakao}, "", 0},
		{"setup-max-file-size-bad", []string{"validate", "--max-file-size", "12XB", kakao}, "", 2},
		{"setup-max-file-size-huge", []string{"validate", "--max-file-size", "9000000TiB", kakao}, "", 2},
		{"setup-max-nodes-low", []string{"rank", "--max-nodes", "3", kakao}, "", 2},
		{"setup-max-nodes-negative", []string{"rank", "--max-nodes", "-5", kakao}, "", 2},
		// --fail-on counts nodes, not replicas: without site a only svc@a is
		// Down, svc is Up with redundancy lost, so the gate passes; without b,
		// solo is Down.
		{"setup-fail-on-replica-only", []string{"simulate", unnamed, "--fail", "a", "--fail-on", "down", "--replicas"}, "", 0},
		{"setup-fail-on-node", []string{"simulate", unnamed, "--fail", "b", "--fail-on", "down"}, "", 1},
		// A model without model: is named by its file, or "stdin".
		{"setup-unnamed-model", []string{"simulate", unnamed, "--fail", "b"}, "", 0},
		{"setup-unnamed-rank", []string{"rank", unnamed, "--format", "markdown"}, "", 0},
		{"setup-stdin-json", []string{"simulate", "-", "--fail", "a"}, unnamedJSON, 0},
		{"setup-stdin-yaml", []string{"redundancy", "-"}, string(kakaoYAML), 0},
		{"setup-stdin-twice", []string{"diff", "-", "-"}, string(kakaoYAML), 2},
		{"setup-stdin-policy", []string{"check", naver, "--policy", "-"}, "rules:\n  - rule: no_spof\n    select: {user_facing: true}\n", 1},
		{"setup-stdin-policy-bad", []string{"check", naver, "--policy", "-"}, "rules:\n  - rule: no_spoff\n", 2},
		{"setup-stdin-policy-and-model", []string{"check", "-", "--policy", "-"}, string(kakaoYAML), 2},
		{"setup-stdin-bad", []string{"validate", "-"}, "nodes:\n  a: {kind: servce}\n", 2},
		// validate takes many files and reports on each.
		{"setup-validate-many", []string{"validate", kakao, bad, naver, filepath.Join(dir, "nope.yaml")}, "", 2},
		{"setup-validate-all-ok", []string{"validate", kakao, naver}, "", 0},
		{"setup-validate-none", []string{"validate"}, "", 2},
		{"setup-version-args", []string{"version", "x"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runContext(context.Background(), strings.NewReader(tt.stdin), tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out.String(), errOut.String())
			got = strings.ReplaceAll(got, dir, "TMP")
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}

// version and --version print the module version of the build.
func TestVersion(t *testing.T) {
	want := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		want = bi.Main.Version
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, errOut := runCLI(args...)
		assert.Equal(t, 0, code, errOut)
		assert.Equal(t, "blastradius "+want+"\n", out, "%v", args)
	}
}

// A cancelled context (Ctrl-C in main) stops a long analysis with exit
// status 130 and one line, and writes no report.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"simulate", kakao, "--fail", "pangyo"},
		{"rank", kakao},
		{"spof", kakao, "--target", "kakao-games"},
		{"redundancy", kakao},
		{"recover", kakao, "--fail", "pangyo", "--for", "11h"},
		{"check", kakao, "--policy", "../../testdata/policy.yaml"},
		{"diff", kakao, naver},
	} {
		var out, errOut bytes.Buffer
		code := runContext(ctx, strings.NewReader(""), args, &out, &errOut)
		assert.Equal(t, exitInterrupted, code, "%v: %s", args, errOut.String())
		assert.Equal(t, "blastradius "+args[0]+": interrupted\n", errOut.String(), "%v", args)
		assert.Empty(t, out.String(), "%v", args)
	}
}

// -h prints the command's usage on stdout and exits 0, for every command.
func TestHelp(t *testing.T) {
	for name := range commands {
		code, out, errOut := runCLI(name, "-h")
		assert.Equal(t, 0, code, name)
		assert.Empty(t, errOut, name)
		assert.True(t, strings.HasPrefix(out, "Usage: blastradius "+name), "%s: %q", name, out)
	}
}

// validate stops between files once interrupted.
func TestValidateInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := runContext(ctx, strings.NewReader(""), []string{"validate", kakao, naver}, &out, &errOut)
	assert.Equal(t, exitInterrupted, code)
	assert.Equal(t, "blastradius validate: interrupted\n", errOut.String())
	assert.Empty(t, out.String())
}
