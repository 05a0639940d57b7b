package yamltree

import (
	"flag"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

var checkSeed = flag.Uint64("check.seed", 0, "seed of TestCheckChars (0: a new one, printed)")

// checkCharsRef is checkChars one byte at a time, as it was before it
// read eight at once: the reference it is held equal to.
func checkCharsRef(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if !(r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000) || r == 0x2028 || r == 0x2029 {
			return false
		}
		i += size
	}
	return true
}

// TestCheckChars holds checkChars equal to the byte-at-a-time reference:
// every byte value at every position of an ASCII text of 24 bytes, and
// hundreds of thousands of random texts of ASCII, line breaks, control
// characters, characters YAML reads its own way and broken UTF-8.
func TestCheckChars(t *testing.T) {
	base := []byte("abcdefgh: ijklmnop\n  qrs")
	for p := range base {
		for b := range 256 {
			s := []byte(strings.Clone(string(base)))
			s[p] = byte(b)
			if got, want := checkChars(string(s)), checkCharsRef(string(s)); got != want {
				t.Fatalf("checkChars(%q) = %v, want %v", s, got, want)
			}
		}
	}
	seed := *checkSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -check.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	pieces := []string{"a", "key: value", " ", "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x20", "~", "é", "日本",
		"\u0085", "\u2028", "\u2029", "\ufeff", "\U0001F600", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\u00a0", "\ufffd"}
	var b strings.Builder
	for range 300_000 {
		b.Reset()
		for range r.IntN(40) {
			p := pieces[r.IntN(len(pieces))]
			if r.IntN(4) > 0 {
				p = pieces[r.IntN(2)] // mostly ASCII, as model files are
			}
			b.WriteString(p)
		}
		s := b.String()
		if got, want := checkChars(s), checkCharsRef(s); got != want {
			t.Fatalf("checkChars(%q) = %v, want %v", s, got, want)
		}
	}
}
