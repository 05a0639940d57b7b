package export

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRankTableParallel: with blocks of a few rows, the rows are formatted
// on several cores (any number of them) and the table is still byte for
// byte tabwriter's, on random rankings; a writer's error in the middle of
// the rows is RankTable's.
func TestRankTableParallel(t *testing.T) {
	defer func(b, p int) { rowBlock = b; runtime.GOMAXPROCS(p) }(rowBlock, runtime.GOMAXPROCS(0))
	seed, rng := rankTableRand(t, 13)
	c := compiledNamed(t, "kakao-2022")
	for trial := range 1000 {
		rowBlock = 1 + rng.IntN(8)
		runtime.GOMAXPROCS(1 + rng.IntN(5))
		radii := randomRanking(rng)
		checkRankTable(t, c, radii, "trial %d (seed %d), %d rows in blocks of %d on %d cores", trial, seed, len(radii), rowBlock, runtime.GOMAXPROCS(0))
		if len(radii) > 0 {
			n := rng.IntN(2 + len(radii)/rowBlock) // writes before the error: the title, the header, blocks
			f := &failingWriter{n: n}
			require.EqualError(t, RankTable(f, c, radii), "disk full", "trial %d (seed %d), after %d writes", trial, seed, n)
		}
	}
}
