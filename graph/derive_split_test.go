package graph_test

import (
	"flag"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var deriveSeed = flag.Uint64("derive.seed", 0, "seed of TestDeriveSplit's random models (0: a new one, printed)")

// TestDeriveSplit holds the graph that finishCSR and derive make on two
// cores equal, field by field, to the one they make on one, and so the
// graph ReadCompiled derives: on synthetic catalogs large enough to
// split, and on thousands of random models with the split forced
// (groups, soft groups, replicas, repeated inputs).
func TestDeriveSplit(t *testing.T) {
	// The split needs a second core (twoCores): on a runner with one, the
	// two sides would both run serially and hold nothing.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	check := func(t *testing.T, m *graph.Model, edges int) {
		t.Helper()
		var got [2]*graph.Compiled
		for i, on := range []bool{false, true} {
			restore := graph.SetSplitDerive(on, edges)
			c, err := graph.Compile(m)
			if err == nil && on {
				// ReadCompiled derives the same arrays.
				var b []byte
				if b, err = c.MarshalBinary(); err == nil {
					var r *graph.Compiled
					if r, err = graph.ReadCompiled(b); err == nil && !reflect.DeepEqual(r, c) {
						t.Fatalf("model %q: ReadCompiled, on two cores, derives another graph", m.Name)
					}
				}
			}
			restore()
			if err != nil {
				t.Fatal(err)
			}
			got[i] = c
		}
		if got[0].HardEdges() < edges {
			t.Fatalf("model %q: %d hard edges, below the %d that split", m.Name, got[0].HardEdges(), edges)
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Fatalf("model %q: the graph derived on two cores differs", m.Name)
		}
	}
	for _, n := range []int{12_000, 40_000} {
		check(t, synth.Services(synth.Default(n, 1)), 50_000)
	}
	seed := *deriveSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -derive.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for range 3000 {
		m := synth.Random(r, 1+r.IntN(40))
		if m.Validate() != nil {
			continue
		}
		check(t, m, 0)
	}
}
