package diff

import (
	"flag"
	"math/rand/v2"
	"slices"
	"testing"
)

var sortSeed = flag.Uint64("sortseed", 0, "replay TestSortHits with this seed (0: a new one)")

// TestSortHits holds sortHits to a plain sort of the (place, mask) pairs,
// for lengths on both sides of its insertion sort and widths of one to
// three radix passes.
func TestSortHits(t *testing.T) {
	seed := *sortSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -sortseed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	var tx []int32
	var tm []uint64
	for range 2000 {
		n := 1 + rng.IntN([]int{50, 3000, 1 << 21, 1 << 29}[rng.IntN(4)])
		k := rng.IntN([]int{10, 100, 5000}[rng.IntN(3)])
		xs, ms := make([]int32, k), make([]uint64, k)
		type pair struct {
			x int32
			m uint64
		}
		want := make([]pair, k)
		for i := range xs {
			xs[i], ms[i] = int32(rng.IntN(n)), rng.Uint64()
			want[i] = pair{xs[i], ms[i]}
		}
		// Stable, as sortHits is: equal places keep their order.
		slices.SortStableFunc(want, func(a, b pair) int { return int(a.x) - int(b.x) })
		var gx []int32
		var gm []uint64
		gx, gm, tx, tm = sortHits(xs, ms, tx, tm, n)
		if len(gx) != k || len(gm) != k {
			t.Fatalf("n %d: %d hits sorted into %d and %d", n, k, len(gx), len(gm))
		}
		for i, w := range want {
			if gx[i] != w.x || gm[i] != w.m {
				t.Fatalf("n %d, %d hits: at %d got (%d, %x), want (%d, %x)", n, k, i, gx[i], gm[i], w.x, w.m)
			}
		}
	}
}
