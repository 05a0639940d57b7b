package graph_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var compactSeed = flag.Uint64("compact.seed", 0, "seed of TestCompactLoad's random models (0: a new one, printed)")

func encoded(t *testing.T, m *graph.Model, f graph.Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := graph.Encode(&b, m, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCompactLoad holds the compact load equal to Decode and Compile on
// synthetic catalogs and thousands of random models in both formats, and
// requires that it reads the valid ones itself.
func TestCompactLoad(t *testing.T) {
	t.Run("serial", func(t *testing.T) { compactLoad(t) })
	t.Run("split", func(t *testing.T) {
		split := 0
		defer graph.SplitAll(&split)()
		compactLoad(t)
		if split == 0 {
			t.Error("no load was read by two readers")
		}
		t.Logf("%d loads read by two readers", split)
	})
}

func compactLoad(t *testing.T) {
	for _, n := range []int{1, 100, 5000} {
		for _, f := range []graph.Format{graph.YAML, graph.JSON} {
			if !graph.SameGraph(t, encoded(t, synth.Services(synth.Default(n, 1)), f), f) {
				t.Errorf("synthetic catalog of %d nodes (%v): the compact load gave up", n, f)
			}
		}
	}
	seed := *compactSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -compact.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	runs := 3000
	if testing.Short() {
		runs = 300
	}
	gaveUp := 0
	for i := range runs {
		m := synth.Random(r, 1+r.IntN(40))
		f := graph.YAML
		if i%2 == 1 {
			f = graph.JSON
		}
		src := encoded(t, m, f)
		if !graph.SameGraph(t, src, f) {
			if _, err := graph.Compile(m); err == nil {
				t.Fatalf("random model %d (seed %d): the compact load gave up on a valid model:\n%s", i, seed, src)
			}
			gaveUp++
		}
	}
	t.Logf("%d of %d random models invalid (read by Decode)", gaveUp, runs)
}
