package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/internal/golden"
)

// The availability command, each case against a golden file under
// testdata/golden/cli (go test -update rewrites them).
func TestCLIAvailability(t *testing.T) {
	const sbg = "../../testdata/sbg-availability.yaml"
	pol := filepath.Join(t.TempDir(), "avail-policy.yaml")
	require.NoError(t, os.WriteFile(pol, []byte("policy: sbg\nrules:\n  - {rule: max_unavailability, select: {kind: service}, availability: 99.9%}\n"), 0o644))
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"availability-sbg-checkout", []string{"availability", sbg, "--target", "checkout"}, 0},
		{"availability-sbg-shop-json", []string{"availability", sbg, "--target", "shop", "--format", "json"}, 0},
		{"availability-sbg-shop-md", []string{"availability", sbg, "--target", "shop", "--format", "markdown"}, 0},
		{"availability-sbg-bounds", []string{"availability", sbg, "--target", "checkout", "--max-bdd-nodes", "5", "--bound-order", "3"}, 0},
		{"availability-kakao-no-data", []string{"availability", "../../testdata/kakao-2022.yaml", "--target", "kakaotalk"}, 2},
		{"availability-unknown", []string{"availability", sbg, "--target", "chekout"}, 2},
		{"availability-no-target", []string{"availability", sbg}, 2},
		{"availability-bad-order", []string{"availability", sbg, "--target", "shop", "--bound-order", "0"}, 2},
		{"availability-help", []string{"availability", "-h"}, 0},
		{"check-sbg-max-unavailability", []string{"check", sbg, "--policy", pol}, 1},
		{"check-kakao-max-unavailability", []string{"check", "../../testdata/kakao-2022.yaml", "--policy", pol}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			assert.Equal(t, tt.code, code, "exit code; stderr: %s", errOut.String())
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out.String(), errOut.String())
			got = strings.ReplaceAll(got, pol, "POLICY.yaml")
			golden.Assert(t, filepath.Join("../../testdata/golden/cli", tt.name+".txt"), []byte(got))
		})
	}
}
