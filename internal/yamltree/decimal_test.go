package yamltree

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// numberRef is number as it was before decimal.
func numberRef(s string) Tag {
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return Int
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return Int
	}
	if yamlFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return Float
		}
	}
	for _, p := range [...]struct {
		prefix string
		base   int
	}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
		if rest, ok := strings.CutPrefix(plain, p.prefix); ok {
			if p.prefix[0] == '-' {
				rest = "-" + rest
				if _, err := strconv.ParseInt(rest, p.base, 64); err == nil {
					return Int
				}
			} else if _, err := strconv.ParseUint(rest, p.base, 64); err == nil {
				return Int
			}
		}
	}
	return String
}

// TestDecimal holds decimal equal to strconv.ParseInt(s, 0, 64) wherever
// it answers, and number (which tries it first) and Fields.Integer equal
// to what they were without it, on numbers of every length around the
// int64 limits and 200,000 random strings of digits, signs, underscores,
// dots, letters and prefixes.
func TestDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	try := []string{"", "0", "00", "07", "08", "1", "10", "-1", "+1", "1_000", "0x1f", "0o7", "0b1", "1e3", "1.5",
		"999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808", "18446744073709551616"}
	for n := 1; n <= 20; n++ {
		try = append(try, strings.Repeat("9", n), "1"+strings.Repeat("0", n-1))
	}
	for range 200_000 {
		b := make([]byte, 1+r.IntN(21))
		for i := range b {
			b[i] = "0123456789012345678901234567890_-+.exobX"[r.IntN(40)]
		}
		try = append(try, string(b))
	}
	for _, s := range try {
		if n, ok := decimal(s); ok {
			want, err := strconv.ParseInt(s, 0, 64)
			if err != nil || n != want {
				t.Fatalf("decimal(%q) = %d; ParseInt: %d, %v", s, n, want, err)
			}
		}
		if got, want := number(s), numberRef(s); got != want {
			t.Fatalf("number(%q) = %v, want %v", s, got, want)
		}
		v := &Value{Kind: Scalar, Tag: Int, Text: s}
		f := Fields{Report: func(int, string, string) {}}
		got, gok := f.Integer(v, "x")
		want, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
		if gok != (err == nil) || gok && got != want {
			t.Fatalf("Integer(%q) = %d, %v; want %d, %v", s, got, gok, want, err)
		}
	}
}
