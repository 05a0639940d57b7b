package analyze

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/stretchr/testify/require"
)

// SCRAM is the oracle for probabilities: it computes a fault tree's top
// event probability and importance factors by BDD. Its report writes
// numbers with C's "%g", 6 significant digits, and no option of SCRAM
// 0.16.2 changes that; the tests run it with openpsa.Exact, a copy of its
// library whose one "%g" is "%a" (every bit of a double, in hexadecimal),
// and SCRAM's ordinary run beside it: openpsa.SameDigits holds the two
// reports equal once the exact numbers are rounded back to 6 digits, so
// that the digits compared are SCRAM's own. Ours must then equal SCRAM's
// to scramTolerance relative.

// scramTolerance is how far our probability and importance factors may be
// from SCRAM's, relatively: both compute in float64 along different BDDs,
// and the largest difference seen on the tests' models is about 1e-14
// (logged by the tests).
const scramTolerance = 1e-9

// scramExact is the patched SCRAM of one test: a test that needs SCRAM
// fails when it cannot be patched, the oracle's precision being part of
// what the test checks.
func scramExact(t *testing.T) *openpsa.Exact {
	t.Helper()
	requireScram(t)
	e, err := openpsa.NewExact(t.TempDir())
	require.NoError(t, err, "SCRAM's library cannot be patched to write exact numbers")
	return e
}

// relDiff is |a-b| relative to the larger; 0 when both are 0 or both the
// same infinity.
func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}

// scramWorst is the largest relative difference from SCRAM seen, per
// figure, for the tests to log.
type scramWorst map[string]float64

func (w scramWorst) note(name string, d float64) { w[name] = max(w[name], d) }

func (w scramWorst) String() string {
	var b strings.Builder
	for _, k := range []string{"probability", "MIF", "CIF", "DIF", "RAW", "RRW"} {
		fmt.Fprintf(&b, " %s %.1e", k, w[k])
	}
	return strings.TrimSpace(b.String())
}

// scramCompare runs SCRAM, exact and ordinary, once on the trees of every
// one of targets that it can compare (no failure data of its own, which
// SCRAM's tree leaves out; an acyclic cone; not a constant), checks that
// the two reports agree to SCRAM's 6 digits, and that the probability and
// every importance factor of each target are SCRAM's exact ones to
// scramTolerance. It returns how many targets it compared.
func scramCompare(t *testing.T, ex *openpsa.Exact, c *graph.Compiled, targets []int32, worst scramWorst) int {
	t.Helper()
	ctx := context.Background()
	var trees []*openpsa.Tree
	var run []int32
	for _, v := range targets {
		if c.Unavailability(v) != 0 {
			continue
		}
		tr, err := openpsa.Convert(c, v, openpsa.Options{
			Event:       func(v int32) bool { return int(v) < c.NodeCount() && c.Unavailability(v) > 0 },
			Probability: c.Unavailability,
		})
		var ce *openpsa.CycleError
		if errors.As(err, &ce) {
			continue
		}
		require.NoError(t, err)
		if constant, _ := tr.Const(); constant {
			continue
		}
		trees, run = append(trees, tr), append(run, v)
	}
	if len(trees) == 0 {
		return 0
	}
	opts := openpsa.RunOptions{Algorithm: openpsa.BDD, Probability: true, Args: []string{"--importance", "true"}}
	plain, err := openpsa.RunForest(ctx, trees, opts)
	require.NoError(t, err)
	opts.Exact = ex
	reps, err := openpsa.RunForest(ctx, trees, opts)
	require.NoError(t, err)
	require.NoError(t, openpsa.SameDigits(plain[0].XML, reps[0].XML))
	for i, rep := range reps {
		u, err := Availability(ctx, c, c.VertexName(run[i]), AvailabilityOptions{})
		require.NoError(t, err)
		require.True(t, u.Exact)
		d := relDiff(u.Probability, rep.Probability)
		require.LessOrEqualf(t, d, scramTolerance, "target %s: ours %.17g, SCRAM %.17g", u.Target, u.Probability, rep.Probability)
		worst.note("probability", d)
		factors, err := openpsa.ParseImportanceOf(rep.XML, openpsa.TopName(i, len(trees)))
		require.NoError(t, err)
		for _, imp := range u.Importance {
			f, ok := factors[imp.Vertex]
			if !ok {
				// SCRAM lists the events in some cut set: the others do not
				// matter to the target.
				require.InDelta(t, 0, imp.Birnbaum, 1e-12, "%s: SCRAM finds no cut set with %s", u.Target, imp.ID)
				continue
			}
			require.Equal(t, imp.Unavailability, f.Probability, "%s: the probability of %s", u.Target, imp.ID)
			for _, x := range []struct {
				name        string
				ours, scram float64
			}{
				{"MIF", imp.Birnbaum, f.MIF}, {"CIF", imp.Criticality, f.CIF}, {"DIF", imp.FussellVesely, f.DIF},
				{"RAW", imp.RAW, f.RAW}, {"RRW", imp.RRW, f.RRW},
			} {
				if math.IsInf(x.ours, 1) && (x.scram == 0 || x.scram > 1e12) {
					// SCRAM 0.16.2 leaves an infinite RRW at 0 (it divides
					// only when P != p·MIF, in floating point; when that
					// test misses by an ulp it writes a huge number).
					continue
				}
				d := relDiff(x.ours, x.scram)
				require.LessOrEqualf(t, d, scramTolerance, "target %s, %s: %s ours %.17g, SCRAM %.17g", u.Target, imp.ID, x.name, x.ours, x.scram)
				worst.note(x.name, d)
			}
			delete(factors, imp.Vertex)
		}
		require.Empty(t, factors, "%s: SCRAM has importance for events we do not list", u.Target)
	}
	return len(run)
}

// On random acyclic cones (any_of, at_least, capacity, replicas with
// standbys, regions), the probability and every importance factor equal
// SCRAM's exact ones, on every target of each model that SCRAM can take.
func TestAvailabilityMatchesScram(t *testing.T) {
	ex := scramExact(t)
	n := 600
	if testing.Short() {
		n = 60
	}
	models, targets := 0, 0
	worst := scramWorst{}
	randomModels(t, n, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withFailureData(m, r, 12)
		c := availModel(t, m)
		all := make([]int32, c.NodeCount())
		for v := range all {
			all[v] = int32(v)
		}
		if k := scramCompare(t, ex, c, all, worst); k > 0 {
			models++
			targets += k
		}
	})
	t.Logf("%d targets of %d models equal SCRAM's to %g relative; largest differences: %s", targets, models, scramTolerance, worst)
	require.Greater(t, models, n/3)
}

// The reference models, with failure data from defaults per kind, give
// SCRAM's figures too, on every target whose cone is acyclic.
func TestAvailabilityScramReferenceModels(t *testing.T) {
	ex := scramExact(t)
	for _, file := range []string{"../testdata/kakao-2022.yaml", "../testdata/naver-2022.yaml"} {
		m, err := graph.Load(file)
		require.NoError(t, err)
		m.Defaults = map[graph.Kind]graph.Reliability{
			graph.Site:      {Availability: 0.999},
			graph.Power:     {Availability: 0.9995},
			graph.Region:    {Availability: 0.99999},
			graph.Datastore: {MTBF: 2000 * 3600e9, MTTR: 2 * 3600e9},
			graph.Network:   {Availability: 0.9999},
		}
		c := availModel(t, m)
		all := make([]int32, c.NodeCount())
		for v := range all {
			all[v] = int32(v)
		}
		worst := scramWorst{}
		k := scramCompare(t, ex, c, all, worst)
		t.Logf("%s: %d targets equal SCRAM's to %g relative; largest differences: %s", file, k, scramTolerance, worst)
		require.Greater(t, k, 3, file)
	}
}
