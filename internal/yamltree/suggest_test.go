package yamltree

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// osaReference is the optimal string alignment distance, the textbook full
// table.
func osaReference(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// The edit distance counts a swap of neighbours as one edit; the bounded
// distance agrees with it up to its bound.
func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"kakao", "kakao", 0}, {"kakoa", "kakao", 1},
		{"sevrice", "service", 1}, {"bd", "db", 1}, {"ca", "abc", 3}, {"kitten", "sitting", 3},
	} {
		assert.Equal(t, c.want, Distance(c.a, c.b, 100), "%q %q", c.a, c.b)
		assert.Equal(t, c.want, Distance(c.b, c.a, 100), "%q %q", c.b, c.a)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		b := make([]byte, rng.IntN(10))
		for i := range b {
			b[i] = "abc"[rng.IntN(3)]
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		want := osaReference(a, b)
		require.Equal(t, want, Distance(a, b, 100), "%q %q", a, b)
		k := rng.IntN(5)
		require.Equal(t, min(want, k+1), Distance(a, b, k), "%q %q at most %d", a, b, k)
	}
}

func TestSuggest(t *testing.T) {
	kinds := []string{"service", "identity", "datastore", "queue", "network", "power", "site", "region", "external"}
	for _, c := range []struct {
		s, want string
		ok      bool
	}{
		{"sevrice", "service", true}, {"servce", "service", true}, {"stie", "site", true}, {"sight", "", false},
		{"spaceship", "", false}, {"", "", false}, {"queue", "queue", true},
		{"ab", "", false},
	} {
		got, ok := Suggest(c.s, kinds)
		assert.Equal(t, c.ok, ok, "%q", c.s)
		if ok {
			assert.Equal(t, c.want, got, "%q", c.s)
		}
	}
	// Ties go to the first in byte order.
	got, ok := Suggest("ab", []string{"cb", "ac", "aa"})
	assert.True(t, ok)
	assert.Equal(t, "aa", got)
	assert.Equal(t, ` (did you mean "site"?)`, DidYouMean("sitw", []string{"site"}))
}
