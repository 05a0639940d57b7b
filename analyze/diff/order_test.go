package diff_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// usersOrder's radix sort against the comparison sort it replaced, on
// random models (many ties at 0 users) and on a catalog (users up to tens
// of millions, several digits).
func TestUsersOrder(t *testing.T) {
	var models []*graph.Compiled
	for s := range uint64(200) {
		r := rand.New(rand.NewPCG(s+1, 7))
		c, err := graph.Compile(synth.Random(r, 3+r.IntN(40)))
		require.NoError(t, err)
		models = append(models, c)
	}
	c, err := graph.Compile(synth.Services(synth.Default(3000, 1)))
	require.NoError(t, err)
	models = append(models, c)
	for i, c := range models {
		want := make([]int32, c.NodeCount())
		for v := range want {
			want[v] = int32(v)
		}
		slices.SortFunc(want, func(a, b int32) int { return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(a, b)) })
		assert.Equal(t, want, diff.UsersOrder(c), "model %d", i)
	}
}
