package yamltree

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// plainRef is plain's loop as it was before plainStop: every byte compared
// with each byte it stops at.
func plainRef(r *fastReader, flow bool) (string, bool) {
	start := r.pos
	switch c := r.peek(0); c {
	case 0, '\n', ' ', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return "", false
	case '-':
		if r.blankAt(1) || flow && strings.IndexByte(",[]{}", r.peek(1)) >= 0 {
			return "", false
		}
	}
	end := start
	i := start
	for i < len(r.src) {
		c := r.src[i]
		if c == '\n' {
			break
		}
		if c == ':' {
			n := byte(0)
			if i+1 < len(r.src) {
				n = r.src[i+1]
			}
			if n == ' ' || n == '\n' || n == 0 {
				break
			}
		}
		if c == '?' && flow {
			return "", false
		}
		if flow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
			break
		}
		if c == '#' && r.src[i-1] == ' ' {
			break
		}
		i++
		if c != ' ' {
			end = i
		}
	}
	r.pos = end
	return r.src[start:end], true
}

// TestPlainStop holds plain equal to plainRef, in a block and in a flow,
// at every position of 100,000 random texts of scalar bytes and every
// byte plain looks at.
func TestPlainStop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ab1-._/ :?,[]{}#\n\t'\"&*!|>%@`\x00\xc3\xa9"
	for range 100_000 {
		b := make([]byte, 1+r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		src := string(b)
		for pos := range len(src) {
			for _, flow := range []bool{false, true} {
				a := &fastReader{src: src, pos: pos}
				c := &fastReader{src: src, pos: pos}
				got, gok := a.plain(flow)
				want, wok := plainRef(c, flow)
				if got != want || gok != wok || a.pos != c.pos {
					t.Fatalf("plain(%q at %d, flow %v) = %q, %v at %d; want %q, %v at %d", src, pos, flow, got, gok, a.pos, want, wok, c.pos)
				}
			}
		}
	}
}
