package diff_test

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// naiveRadii is Grew and Shrank made the plain way: every radius of both
// models by analyze.Rank, matched by id, each change kept, then sorted by
// the absolute change of users Down, nodes Down and users Degraded,
// largest first, then by id.
func naiveRadii(t *testing.T, a, b *graph.Compiled) (grew, shrank []diff.Change) {
	ctx := context.Background()
	ra, err := analyze.Rank(ctx, a, analyze.RankOptions{})
	require.NoError(t, err)
	rb, err := analyze.Rank(ctx, b, analyze.RankOptions{})
	require.NoError(t, err)
	old := make(map[string]analyze.Radius, len(ra))
	for _, r := range ra {
		old[r.ID] = r
	}
	size := func(r analyze.Radius) [4]int64 {
		return [4]int64{r.UsersDown, int64(r.Down), r.UsersDegraded, int64(r.Degraded)}
	}
	for _, n := range rb {
		o, ok := old[n.ID]
		if !ok {
			continue
		}
		so, sn := size(o), size(n)
		switch slices.Compare(sn[:], so[:]) {
		case 1:
			grew = append(grew, diff.Change{ID: n.ID, Old: o, New: n})
		case -1:
			shrank = append(shrank, diff.Change{ID: n.ID, Old: o, New: n})
		}
	}
	abs := func(x int64) int64 { return max(x, -x) }
	order := func(x, y diff.Change) int {
		return cmp.Or(
			cmp.Compare(abs(y.New.UsersDown-y.Old.UsersDown), abs(x.New.UsersDown-x.Old.UsersDown)),
			cmp.Compare(abs(int64(y.New.Down-y.Old.Down)), abs(int64(x.New.Down-x.Old.Down))),
			cmp.Compare(abs(y.New.UsersDegraded-y.Old.UsersDegraded), abs(x.New.UsersDegraded-x.Old.UsersDegraded)),
			cmp.Compare(x.ID, y.ID))
	}
	slices.SortFunc(grew, order)
	slices.SortFunc(shrank, order)
	return grew, shrank
}

// The radii that grew and shrank, in their order, equal the plain
// comparison of two rankings, on random model pairs: unrelated models and
// a model with a few edits, both ways.
func TestRadiiMatchNaive(t *testing.T) {
	seeds := make([]uint64, 1000)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	ctx := context.Background()
	changes := 0
	for _, s := range seeds {
		r := rand.New(rand.NewPCG(s, 1))
		size := 3 + r.IntN(40)
		a, err := graph.Compile(synth.Random(rand.New(rand.NewPCG(s, 2)), size))
		require.NoError(t, err)
		mb := synth.Random(rand.New(rand.NewPCG(s, 2)), size)
		if s%2 == 0 {
			mb = synth.Random(rand.New(rand.NewPCG(s, 4)), 3+r.IntN(40)) // unrelated
		} else {
			for range 1 + r.IntN(3) {
				edit(r, mb)
			}
		}
		b, err := graph.Compile(mb)
		if err != nil {
			continue
		}
		for _, pair := range [][2]*graph.Compiled{{a, b}, {b, a}} {
			d, err := diff.Models(ctx, pair[0], pair[1], diff.Options{Repair: -1})
			require.NoError(t, err)
			grew, shrank := naiveRadii(t, pair[0], pair[1])
			changes += len(grew) + len(shrank)
			if !assert.Equal(t, grew, d.Grew, "grew") || !assert.Equal(t, shrank, d.Shrank, "shrank") {
				t.Fatalf("differs with -seed %d", s)
			}
		}
	}
	t.Logf("%d changed radii compared", changes)
	assert.Greater(t, changes, len(seeds))
}
