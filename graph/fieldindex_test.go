package graph

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFieldIndex holds nodeField and replicaField equal to slices.Index of
// the lists of fields, on every name, on every prefix and one-byte change of
// one, and on random strings of their bytes.
func TestFieldIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		list []string
		f    func(string) int
	}{{nodeFields, nodeField}, {replicaFields, replicaField}} {
		var try []string
		for _, name := range append(slices.Clone(c.list), nodeFields...) {
			for i := 0; i <= len(name); i++ {
				try = append(try, name[:i], name[i:])
				if i < len(name) {
					b := []byte(name)
					b[i] ^= 1 << r.IntN(7)
					try = append(try, string(b))
				}
			}
			try = append(try, name+"s", name+"_", "x"+name)
		}
		for range 10000 {
			b := make([]byte, r.IntN(20))
			for i := range b {
				b[i] = "abcdeilmnoqrstuvy_"[r.IntN(18)]
			}
			try = append(try, string(b))
		}
		for _, s := range try {
			if got, want := c.f(s), slices.Index(c.list, s); got != want {
				t.Fatalf("field %q: %d, want %d", s, got, want)
			}
		}
	}
}
