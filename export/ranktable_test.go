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

// rankTableRand is the seed of the random tables (-ranktable.seed, or
// the clock's, printed) and a source of stream from it.
func rankTableRand(t *testing.T, stream uint64) (uint64, *rand.Rand) {
	seed := *rankTableSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -ranktable.seed %d)", seed, seed)
	return seed, rand.New(rand.NewPCG(seed, stream))
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
	seed, rng := rankTableRand(t, 12)
	models := []*graph.Compiled{compiledNamed(t, ""), compiledNamed(t, "kakao-2022"), compiledNamed(t, "데이터센터")}
	trials := 3000
	if testing.Short() {
		trials = 300
	}
	for trial := range trials {
		c := models[rng.IntN(len(models))]
		radii := randomRanking(rng)
		checkRankTable(t, c, radii, "trial %d (seed %d), %d rows", trial, seed, len(radii))
	}
}

// checkRankTable fails, saying where with format and args, when RankTable
// of radii differs from tabwriter's table.
func checkRankTable(t *testing.T, c *graph.Compiled, radii []analyze.Radius, format string, args ...any) {
	t.Helper()
	var got growRecorder
	var want bytes.Buffer
	require.NoError(t, RankTable(&got, c, radii))
	require.NoError(t, rankTableTabwriter(&want, c, radii))
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%s: RankTable differs from tabwriter\ngot:\n%s\nwant:\n%s", fmt.Sprintf(format, args...), got.String(), want.String())
	}
	// The buffer was grown once, to what the table then wrote.
	if got.grows != 1 || got.Len()-got.at != got.n {
		t.Fatalf("%s: RankTable grew its buffer %d times, the last by %d bytes at %d, and wrote %d bytes after",
			fmt.Sprintf(format, args...), got.grows, got.n, got.at, got.Len()-got.at)
	}
}

// growRecorder is a bytes.Buffer that records its calls to Grow.
type growRecorder struct {
	bytes.Buffer
	grows, n, at int // calls, and the last one's n and the length then
}

func (g *growRecorder) Grow(n int) {
	g.grows, g.n, g.at = g.grows+1, n, g.Len()
	g.Buffer.Grow(n)
}

// spofTableTabwriter and redundancyTableTabwriter are SPOFTable and
// RedundancyTable as they were, through text/tabwriter: the references
// of TestSPOFAndRedundancyTablesMatchTabwriter.
func spofTableTabwriter(w io.Writer, c *graph.Compiled, target string, spofs []analyze.SPOF, opts ...SPOFOptions) error {
	opt := spofOpts(opts)
	chains := analyze.NewSPOFChains(target, spofs)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: %s of %s\n\n", orModel(c.Name()), plural(len(spofs), "single point of failure"), target)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tKIND\tCHAIN")
	for i, s := range spofs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.ID, s.Kind, spofChain(chains, target, i, opt.links(), plain))
	}
	tw.Flush()
	return ew.err
}

func redundancyTableTabwriter(w io.Writer, c *graph.Compiled, r *analyze.Redundancy) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: redundancy rate %s of services (%s of %s), %s of users (%s of %s)\n",
		orModel(c.Name()), percent(r.Rate), count(r.Survive), count(r.Services), percent(r.UsersRate), count(r.SurviveUsers), count(r.Users))
	by := lostBy(r)
	fmt.Fprintf(ew, "services that stay up whichever %s is lost; %s left with no margin by some %s\n\n", by, exposedCount(r.Exposed), by)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s LOST\tUP\tDOWN\tDEGRADED\tNO MARGIN LEFT\n", strings.ToUpper(by))
	for _, s := range r.Sites {
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\t%s\n", s.Site, count(s.Survive), count(r.Services), boundedList(s.Down), boundedList(s.Degraded), boundedList(s.Exposed))
	}
	tw.Flush()
	return ew.err
}

// randomSPOFs is a consistent list of SPOFs of target: each goes to the
// target through the target itself or an earlier SPOF, by a path of
// random ids.
func randomSPOFs(rng *rand.Rand, target string) []analyze.SPOF {
	spofs := make([]analyze.SPOF, rng.IntN(25))
	for i := range spofs {
		s := analyze.SPOF{ID: randomID(rng) + "#" + strconv.Itoa(i), Kind: graph.Kind(rng.IntN(len(graph.Kinds()))), Next: target}
		if i > 0 && rng.IntN(3) > 0 {
			next := spofs[rng.IntN(i)]
			s.Next, s.Hops = next.ID, next.Hops
		}
		for range rng.IntN(3) {
			s.Path = append(s.Path, randomID(rng))
		}
		s.Path = append(s.Path, s.ID)
		s.Hops += len(s.Path)
		spofs[i] = s
	}
	return spofs
}

func randomIDs(rng *rand.Rand) []string {
	ids := make([]string, rng.IntN(14)) // past listCap now and then
	for i := range ids {
		ids[i] = randomID(rng)
	}
	return ids
}

func randomRedundancy(rng *rand.Rand) *analyze.Redundancy {
	r := &analyze.Redundancy{Services: int(rng.Int64N(1 << rng.IntN(40))), Rate: rng.Float64(), UsersRate: rng.Float64()}
	if rng.IntN(2) == 0 {
		r.By = graph.Region
	}
	r.Sites = make([]analyze.SiteLoss, rng.IntN(12))
	for i := range r.Sites {
		r.Sites[i] = analyze.SiteLoss{Site: randomID(rng), Survive: int(randomCount(rng)), Down: randomIDs(rng), Degraded: randomIDs(rng), Exposed: randomIDs(rng)}
	}
	return r
}

// TestSPOFAndRedundancyTablesMatchTabwriter holds the two other
// criticality tables byte for byte equal to the tabwriter ones they
// replaced, as TestRankTableMatchesTabwriter does RankTable.
func TestSPOFAndRedundancyTablesMatchTabwriter(t *testing.T) {
	seed, rng := rankTableRand(t, 13)
	c := compiledNamed(t, "kakao-2022")
	var got, want bytes.Buffer
	for trial := range 2000 {
		target := randomID(rng)
		spofs := randomSPOFs(rng, target)
		opt := SPOFOptions{FullChains: rng.IntN(2) == 0}
		got.Reset()
		want.Reset()
		require.NoError(t, SPOFTable(&got, c, target, spofs, opt))
		require.NoError(t, spofTableTabwriter(&want, c, target, spofs, opt))
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("trial %d (seed %d): SPOFTable differs from tabwriter\ngot:\n%s\nwant:\n%s", trial, seed, got.String(), want.String())
		}
		r := randomRedundancy(rng)
		got.Reset()
		want.Reset()
		require.NoError(t, RedundancyTable(&got, c, r))
		require.NoError(t, redundancyTableTabwriter(&want, c, r))
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("trial %d (seed %d): RedundancyTable differs from tabwriter\ngot:\n%s\nwant:\n%s", trial, seed, got.String(), want.String())
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
// it comes with the title or with the header (the rows:
// TestRankTableParallel).
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
