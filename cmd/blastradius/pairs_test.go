package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/blastradius-go/blastradius/internal/golden"
)

// cliGolden runs the CLI with args and compares exit code, stdout and
// stderr with testdata/golden/cli/NAME.txt, as TestCLI does.
func cliGolden(t *testing.T, name string, args []string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	got := run(args, &out, &errOut)
	assert.Equal(t, code, got, "exit code; stderr: %s", errOut.String())
	golden.Assert(t, filepath.Join("../../testdata/golden/cli", name+".txt"),
		fmt.Appendf(nil, "exit %d\n--- stdout\n%s--- stderr\n%s", got, out.String(), errOut.String()))
}

// rank --order 2 in each format, with --kind and --top, and the errors.
func TestCLIRankPairs(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"rank-pairs-kakao", []string{"rank", "../../testdata/kakao-2022.yaml", "--order", "2"}, 0},
		{"rank-pairs-kakao-kinds-md", []string{"rank", "../../testdata/kakao-2022.yaml", "--order", "2", "--kind", "datastore,service", "--top", "4", "--format", "markdown"}, 0},
		{"rank-pairs-naver-json", []string{"rank", "../../testdata/naver-2022.yaml", "--order", "2", "--top", "2", "--json"}, 0},
		{"rank-pairs-order-3", []string{"rank", "../../testdata/kakao-2022.yaml", "--order", "3"}, 2},
		{"rank-pairs-order-1", []string{"rank", "../../testdata/kakao-2022.yaml", "--order", "1", "--top", "3"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) { cliGolden(t, tt.name, tt.args, tt.code) })
	}
}
