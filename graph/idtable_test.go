package graph

import (
	"flag"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var idSeed = flag.Uint64("ids.seed", 0, "seed of TestIDTable (0: a new one, printed)")

// TestIDTable holds the idTable's answers equal to a Go map's on sets of
// random ids of every length up to the limit (sharing long prefixes, so
// that ids longer than a slot's bytes differ only after them), for every
// id and for ids not in the set, and its duplicate check equal to a
// map's: a set with an id written again is not unique.
func TestIDTable(t *testing.T) {
	seed := *idSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -ids.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	prefixes := []string{"", "svc-", strings.Repeat("p", slotKey-3), strings.Repeat("q", slotKey), strings.Repeat("r", slotKey+1), strings.Repeat("s", maxIDLen-5)}
	for round := range 300 {
		n := r.IntN(2000)
		if round == 0 {
			n = 0
		}
		want := make(map[string]int32, n)
		var ids []string
		for len(ids) < n {
			id := prefixes[r.IntN(len(prefixes))] + strconv.Itoa(r.IntN(4*n+10))
			if _, dup := want[id]; dup {
				continue
			}
			want[id] = int32(len(ids))
			ids = append(ids, id)
		}
		tab, unique := newIDTable(ids)
		if !unique {
			t.Fatalf("%d distinct ids: newIDTable finds a duplicate", len(ids))
		}
		// The same ids with one written again (at any place after its
		// first) are not unique.
		if len(ids) > 0 {
			i := r.IntN(len(ids))
			j := i + 1 + r.IntN(len(ids)-i)
			dup := slices.Insert(slices.Clone(ids), j, strings.Clone(ids[i]))
			if _, unique := newIDTable(dup); unique {
				t.Fatalf("%q written at %d and %d: newIDTable finds no duplicate", ids[i], i, j)
			}
		}
		for id, i := range want {
			if got, ok := tab.get(id); !ok || got != i {
				t.Fatalf("get(%q) = %d, %v, want %d", id, got, ok, i)
			}
		}
		for range 2000 {
			id := prefixes[r.IntN(len(prefixes))] + strconv.Itoa(r.IntN(8*n+20))
			if r.IntN(4) == 0 {
				id = id[:r.IntN(len(id)+1)]
			}
			i, in := want[id]
			if got, ok := tab.get(id); ok != in || ok && got != i {
				t.Fatalf("get(%q) = %d, %v, want %d, %v", id, got, ok, i, in)
			}
		}
	}
}
