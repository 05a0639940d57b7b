package k8s

import (
	"flag"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// yamlEmpty reports whether yaml.v3 reads text without an error and
// finds no document with content in it.
func yamlEmpty(text string) bool {
	docs, err := documents([]byte(text))
	if err != nil {
		return false
	}
	for _, d := range docs {
		if d.Tag != "!!null" {
			return false
		}
	}
	return true
}

// emptyPart says a part is empty only where yaml.v3 reads it so.
func TestEmptyPart(t *testing.T) {
	for _, c := range []struct {
		text  string
		empty bool
	}{
		{"", true},
		{"---\n", true},
		{"---", true},
		{"--- # c\n# d\n\n   # e\n---   \n", true},
		{"# c\n---\n", true},
		{"---#c\n", false},
		{"---x\n", false},
		{"--- x\n", false},
		{" ---\n", false},
		{"---\n...\n", false}, // empty for yaml.v3 too, but left to it
		{"---\n\t# c\n", false},
		{"---\r\n", false},
		{"%YAML 1.2\n---\n", false},
		{"---\na: 1\n", false},
		{"\ufeff---\n", false},
	} {
		if got := emptyPart(c.text); got != c.empty {
			t.Errorf("emptyPart(%q) = %v, want %v", c.text, got, c.empty)
		}
		if c.empty && !yamlEmpty(c.text) {
			t.Errorf("%q is not empty for yaml.v3", c.text)
		}
	}
}

var seed = flag.Uint64("seed", 0, "the seed of TestEmptyPartRandom (0: from the clock)")

// TestEmptyPartRandom builds thousands of parts from lines that are
// near empty ones and checks that emptyPart says empty only of what
// yaml.v3 reads as empty.
func TestEmptyPartRandom(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -seed %d)", s, s)
	r := rand.New(rand.NewPCG(s, 14))
	lines := []string{"---", "--- ", "--- # c", "---#", "# c", "  # c", "", "  ", "...", "a", "- a", "--", "----", " ---", "\t", "#", "--- a", "%YAML 1.2", "--- |", "  x"}
	empties := 0
	for range 5000 {
		var b strings.Builder
		for range 1 + r.IntN(5) {
			b.WriteString(lines[r.IntN(len(lines))])
			if r.IntN(8) > 0 {
				b.WriteByte('\n')
			}
		}
		text := b.String()
		if emptyPart(text) {
			empties++
			if !yamlEmpty(text) {
				t.Fatalf("emptyPart(%q), but yaml.v3 reads content or an error", text)
			}
		}
	}
	if empties < 100 {
		t.Fatalf("only %d empty parts of 5000: the test tests little", empties)
	}
}

// A file of empty documents is read in time linear in its size, not a
// yaml.v3 decoder per document.
func TestManyEmptyDocuments(t *testing.T) {
	data := []byte(strings.Repeat("---\n# nothing here\n", 200_000))
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := Parse("empty.yaml", data, Options{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 {
		t.Fatalf("%v allocations for 200,000 empty documents", allocs)
	}
}
