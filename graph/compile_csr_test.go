package graph_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var csrSeed = flag.Uint64("csr.seed", 0, "seed of TestCompileInPlace's random models (0: a new one, printed)")

// compiledBoth compiles m with the CSR arrays written in place and with
// the edge lists sorted into them, and returns both binary forms (which
// hold every array of the graph).
func compiledBoth(t *testing.T, m *graph.Model) (inPlace, lists []byte) {
	t.Helper()
	if !graph.CompilesInPlace(m) {
		t.Fatalf("model %q: compiling in place fell back to the edge lists", m.Name)
	}
	var out [2][]byte
	for i, on := range []bool{true, false} {
		restore := graph.SetInPlaceCSR(on)
		c, err := graph.Compile(m)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out[0], out[1]
}

// TestCompileInPlace holds the CSR arrays Compile writes in place equal to
// those the edge lists gave, on the bundled models, synthetic catalogs and
// thousands of random models with every feature (groups, soft groups,
// replicas with their own requires, repeated inputs).
func TestCompileInPlace(t *testing.T) {
	for _, file := range []string{"../testdata/kakao-2022.yaml", "../testdata/kakao-2022-hot.yaml", "../testdata/kakao-2022-mirror.yaml", "../testdata/naver-2022.yaml"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := graph.Decode(bytes.NewReader(src), file, graph.YAML)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := compiledBoth(t, m); !bytes.Equal(a, b) {
			t.Errorf("%s: the graph compiled in place differs", file)
		}
	}
	for _, n := range []int{1, 100, 5000} {
		if a, b := compiledBoth(t, synth.Services(synth.Default(n, 1))); !bytes.Equal(a, b) {
			t.Errorf("synth.Services(%d): the graph compiled in place differs", n)
		}
	}
	seed := *csrSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -csr.seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	runs := 3000
	if testing.Short() {
		runs = 300
	}
	for i := range runs {
		m := synth.Random(r, 1+r.IntN(40))
		if a, b := compiledBoth(t, m); !bytes.Equal(a, b) {
			t.Fatalf("random model %d (seed %d): the graph compiled in place differs", i, seed)
		}
	}
}
