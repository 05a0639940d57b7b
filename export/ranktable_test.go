package export

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

var rankTableSeed = flag.Uint64("ranktable.seed", 0, "seed of TestRankTableMatchesTabwriter's random rankings (0: a new one, printed)")

// rankTableTabwriter is RankTable as it was before it wrote its rows as
// they come: every row through text/tabwriter. It is the reference the
// two-pass writer must match byte for byte.
func rankTableTabwriter(w io.Writer, c *graph.Compiled, radii []analyze.Radius) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: blast radius of each single failure, largest first\n\n", orModel(c.Name()))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tNODE\tKIND\tUSERS DOWN\tUSERS DEGRADED\tDOWN\tDEGRADED\tTIER-0 HIT")
	for i, r := range radii {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", count(i+1), r.ID, r.Kind, users(r.UsersDown), users(r.UsersDegraded), count(r.Down), count(r.Degraded), count(r.Tier0))
	}
	tw.Flush()
	return ew.err
}

func compiledNamed(t testing.TB, name string) *graph.Compiled {
	t.Helper()
	c, err := graph.Compile(&graph.Model{Name: name, Nodes: []graph.Node{{ID: "a", Kind: graph.Site}}})
	require.NoError(t, err)
	return c
}

// idRunes are what random ids are made of: ASCII, and letters of one,
// two and three UTF-8 bytes, a combining mark (a rune of its own, as
// tabwriter counts it) and a wide CJK letter (one rune, two columns on a
// terminal: tabwriter counts it as one, and so must RankTable).
var idRunes = []rune("abcxyz019.-_/éßΩжאض數據中心카카오\u0301")

func randomID(rng *rand.Rand) string {
	var b strings.Builder
	n := 1 + rng.IntN(12)
	if rng.IntN(20) == 0 {
		n += rng.IntN(60) // now and then one far wider than the rest
	}
	ascii := rng.IntN(2) == 0
	for range n {
		if ascii {
			b.WriteRune(idRunes[rng.IntN(13)])
		} else {
			b.WriteRune(idRunes[rng.IntN(len(idRunes))])
		}
	}
	return b.String()
}

// randomCount is a number of 1 to 19 digits, or 0, now and then negative:
// every width of count.
func randomCount(rng *rand.Rand) int64 {
	switch rng.IntN(8) {
	case 0:
		return 0
	case 1:
		return -rng.Int64N(1 << rng.IntN(63))
	}
	return rng.Int64N(1 << rng.IntN(63))
}

func randomRanking(rng *rand.Rand) []analyze.Radius {
	n := rng.IntN(30)
	if rng.IntN(50) == 0 {
		n = 990 + rng.IntN(30) // # crosses 999 -> 1,000
	}
	radii := make([]analyze.Radius, n)
	for i := range radii {
		radii[i] = analyze.Radius{
			ID:            randomID(rng),
			Kind:          graph.Kind(rng.IntN(len(graph.Kinds()) + 1)), // and one out of range, "Kind(N)"
			Down:          int(randomCount(rng)),
			Degraded:      int(randomCount(rng)),
			UsersDown:     randomCount(rng),
			UsersDegraded: randomCount(rng),
			Tier0:         int(randomCount(rng)),
		}
	}
	return radii
}

// TestRankTableMatchesTabwriter holds RankTable byte for byte equal to the
// tabwriter table it replaced, on random rankings of ids of mixed widths
// and scripts and numbers of every width.
func TestRankTableMatchesTabwriter(t *testing.T) {
	seed := *rankTableSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -ranktable.seed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 12))
	models := []*graph.Compiled{compiledNamed(t, ""), compiledNamed(t, "kakao-2022"), compiledNamed(t, "데이터센터")}
	trials := 3000
	if testing.Short() {
		trials = 300
	}
	var got, want bytes.Buffer
	for trial := range trials {
		c := models[rng.IntN(len(models))]
		radii := randomRanking(rng)
		got.Reset()
		want.Reset()
		require.NoError(t, RankTable(&got, c, radii))
		require.NoError(t, rankTableTabwriter(&want, c, radii))
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("trial %d (seed %d), %d rows: RankTable differs from tabwriter\ngot:\n%s\nwant:\n%s", trial, seed, len(radii), got.String(), want.String())
		}
	}
}

func TestRankTableEmpty(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, RankTable(&b, compiledNamed(t, "m"), nil))
	require.Equal(t, "m: blast radius of each single failure, largest first\n\n"+
		"#  NODE  KIND  USERS DOWN  USERS DEGRADED  DOWN  DEGRADED  TIER-0 HIT\n", b.String())
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

// TestRankTableWriteError: an error of the writer is RankTable's, whether
// it comes with the title or with the rows.
func TestRankTableWriteError(t *testing.T) {
	radii := randomRanking(rand.New(rand.NewPCG(1, 2)))
	for n := range 2 {
		require.EqualError(t, RankTable(&failingWriter{n: n}, compiledNamed(t, ""), radii), "disk full", "after %d writes", n)
	}
}

// TestAppendCount holds the cell writers of the two-pass tables equal to
// count and users, which the other reports print with.
func TestAppendCount(t *testing.T) {
	check := func(n int64) {
		t.Helper()
		require.Equal(t, count(n), string(appendCount([]byte("x"), n))[1:], "appendCount(%d)", n)
		require.Equal(t, len(count(n)), countWidth(n), "countWidth(%d)", n)
		require.Equal(t, len(users(n)), usersWidth(n), "usersWidth(%d)", n)
		require.Equal(t, users(n)+"   ", string(appendUsersPadded(nil, n, len(users(n))+1)), "appendUsersPadded(%d)", n)
	}
	for _, n := range []int64{0, 1, -1, 9, 10, 99, 100, 999, 1000, -1000, 999_999, 1_000_000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		check(n)
	}
	for p := int64(1); p < math.MaxInt64/10; p *= 10 {
		check(p - 1)
		check(p)
		check(-p)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		check(rng.Int64N(1<<rng.IntN(63)) * int64(1-2*rng.IntN(2)))
	}
	require.Equal(t, "ab"+strings.Repeat(" ", 200), string(appendPadded(nil, "ab", 2, 200)), "padding wider than spaces")
}

// rankTableRows is a ranking of n nodes shaped like a synthetic
// catalog's: ids of a few widths, counts falling with the rank.
func rankTableRows(n int) []analyze.Radius {
	radii := make([]analyze.Radius, n)
	kinds := graph.Kinds()
	for i := range radii {
		left := int64(n - i)
		radii[i] = analyze.Radius{
			ID:   "svc-" + strconv.Itoa(i*7919%n),
			Kind: kinds[i%len(kinds)], Down: int(left % 5000), Degraded: int(left % 777),
			UsersDown: left * 1013 % 50_000_000, UsersDegraded: left * 37 % 3_000_000, Tier0: int(left % 40),
		}
	}
	return radii
}

// BenchmarkRankTable writes a ranking of 1,000,000 nodes (about 88 MB of
// table) to io.Discard: the tabwriter writer it replaced and RankTable,
// in one run.
func BenchmarkRankTable(b *testing.B) {
	radii := rankTableRows(1_000_000)
	c := compiledNamed(b, "synth")
	for _, w := range []struct {
		name  string
		write func(io.Writer, *graph.Compiled, []analyze.Radius) error
	}{{"tabwriter", rankTableTabwriter}, {"rows", RankTable}} {
		b.Run(w.name, func(b *testing.B) {
			var n countingWriter
			for b.Loop() {
				if err := w.write(&n, c, radii); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/float64(b.N)/1e6, "MB-written/op")
		})
	}
}

// countingWriter is io.Discard that counts what it was given.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
