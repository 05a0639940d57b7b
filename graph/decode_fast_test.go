package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// decodeWith decodes src with the fast readers on or off, and returns the
// model and the error's text.
func decodeWith(fast bool, src string, f Format) (*Model, string) {
	saved := fastRead
	fastRead = fast
	defer func() { fastRead = saved }()
	m, err := Decode(strings.NewReader(src), "eq", f)
	if err != nil {
		return m, err.Error()
	}
	return m, ""
}

// longLine reports whether src has a line over 1,024 bytes: yaml.v3 refuses
// a plain key that long with a syntax error, where the fast reader reads it
// and the decoder then reports what is wrong with it (an id too long).
func longLine(src string) bool {
	for line := range strings.Lines(src) {
		if len(line) > 1024 {
			return true
		}
	}
	return false
}

// sameDecode requires that the fast readers and the reference readers give
// the same model (positions included) and the same problems on src.
func sameDecode(t testing.TB, src string, f Format) {
	t.Helper()
	watchdog := time.AfterFunc(slowDecode, func() {
		panic(fmt.Sprintf("Decode took more than %v on %q", slowDecode, src))
	})
	fm, fe := decodeWith(true, src, f)
	rm, re := decodeWith(false, src, f)
	watchdog.Stop()
	if f == YAML && longLine(src) && strings.Contains(re, "invalid YAML") {
		return
	}
	require.Equal(t, re, fe, "problems differ on %q", src)
	require.Equal(t, rm, fm, "models differ on %q", src)
}

// Every case of the decode tests, every fuzz seed and every model of
// testdata decode the same with and without the fast readers.
func TestFastReadersAgree(t *testing.T) {
	var yamls, jsons []string
	yamls = append(yamls, fuzzSeedsYAML...)
	jsons = append(jsons, fuzzSeedsJSON...)
	for _, c := range yamlCases {
		yamls = append(yamls, c.yaml())
	}
	for _, c := range jsonCases {
		jsons = append(jsons, c.src)
	}
	files, err := filepath.Glob("../testdata/*.yaml")
	require.NoError(t, err)
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		yamls = append(yamls, string(b))
	}
	// The fuzzer's corpus, when there is one.
	for _, target := range []string{"FuzzDecodeYAML", "FuzzDecodeJSON", "FuzzFastReaders"} {
		entries, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
		for _, e := range entries {
			b, err := os.ReadFile(e)
			require.NoError(t, err)
			src, ok := corpusString(string(b))
			if !ok {
				continue
			}
			if strings.Contains(target, "JSON") {
				jsons = append(jsons, src)
			} else {
				yamls = append(yamls, src, src)
				jsons = append(jsons, src)
			}
		}
	}
	for _, src := range yamls {
		sameDecode(t, src, YAML)
	}
	for _, src := range jsons {
		sameDecode(t, src, JSON)
	}
}

// corpusString reads the string of a fuzz corpus file ("go test fuzz v1"
// then string("...")).
func corpusString(file string) (string, bool) {
	_, rest, ok := strings.Cut(file, "\n")
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	inner, ok := strings.CutPrefix(rest, "string(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", false
	}
	s, err := strconv.Unquote(strings.TrimSuffix(inner, ")"))
	return s, err == nil
}

// The fast reader decodes the nodes after the first chunk into one slice
// sized by a guess from the lines the first chunk took. Whether the guess
// holds (nodes of one size), falls short (later nodes take fewer lines) or
// is too large (later nodes take more), the model is the reference
// readers'.
func TestStreamedNodesGuess(t *testing.T) {
	const n = 2*chunkNodes + 100
	file := func(lines func(i int) int) string {
		var b strings.Builder
		b.WriteString("model: guess\nnodes:\n")
		for i := range n {
			switch lines(i) {
			case 1:
				fmt.Fprintf(&b, "  n%d: {kind: service, users: %d}\n", i, i)
			default:
				fmt.Fprintf(&b, "  n%d:\n    kind: service\n    users: %d\n", i, i)
			}
		}
		return b.String()
	}
	even := file(func(int) int { return 3 })
	fewer := file(func(i int) int { return 3 - 2*min(i/chunkNodes, 1) })
	more := file(func(i int) int { return 1 + 2*min(i/chunkNodes, 1) })
	for _, src := range []string{even, fewer, more} {
		// Not sameDecode: its watchdog is for small inputs, and yaml.v3
		// takes seconds on these under the race detector.
		fm, fe := decodeWith(true, src, YAML)
		rm, re := decodeWith(false, src, YAML)
		require.Empty(t, fe)
		require.Empty(t, re)
		require.Len(t, fm.Nodes, n)
		require.Equal(t, rm, fm)
	}
	// The guesses: close for nodes of one size, too few when later nodes
	// take fewer lines, too many when they take more, and none when the
	// first nodes share lines.
	guess := func(src string) int {
		// The line of the first node after the first chunk.
		key := "  n" + strconv.Itoa(chunkNodes) + ":"
		for i, l := range strings.Split(src, "\n") {
			if strings.HasPrefix(l, key) {
				return estimateNodes([]byte(src), 3, i+1, 1<<30)
			}
		}
		return -1
	}
	require.InDelta(t, n*17/16, guess(even), 3)
	require.Less(t, guess(fewer), n)
	require.Greater(t, guess(more), 2*n)
	require.Zero(t, estimateNodes([]byte(even), 3, 3+chunkNodes-1, 1<<30))
	require.Equal(t, 100, estimateNodes([]byte(even), 3, 3+3*chunkNodes, 100))
	// A file of blank lines after the first nodes guesses no more than a
	// node per 16 bytes.
	blank := more + strings.Repeat("\n", 1<<20)
	require.Equal(t, len(blank)/16, estimateNodes([]byte(blank), 3, 3+chunkNodes, 1<<30))
}
