package analyze

import (
	"cmp"
	"context"
	"errors"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/stretchr/testify/require"
)

// SCRAM is the oracle for probabilities: it computes a fault tree's top
// event probability and importance factors by BDD. Its report writes
// numbers to 6 significant digits (openpsa.ReportDigits), so that is the
// precision of the comparison: our figures must round to SCRAM's.
//
// No way to get more digits out of SCRAM 0.16.2 as Debian builds it (read
// in its sources, tag 0.16.2): every number of the XML report, attribute
// or text, goes through FileStream::write(double) in src/xml_stream.h,
// which is std::fprintf(file_, "%g", value): 6 significant digits, fixed.
// No command-line option (src/scram.cc: --probability, --importance,
// --uncertainty, --sil, --time-step, --num-quantiles, ..., --print,
// --verbosity) changes that; --verbosity 7 logs "Calculated probability"
// (src/probability_analysis.cc) through an std::ostringstream at its
// default precision, 6 digits again; --print lists products only.
// Importance, uncertainty (Monte Carlo) and SIL figures go through the
// same %g. Nor can a tree that combines the top with new independent
// events (AND, OR, XOR, NOT with them) gain digits: its probability is
// v + P·(u - v) with u, v in [0, 1] fixed by the new events, which moves
// no more than P does, relatively.
//
// What does gain digits is a part of the top whose probability the test
// knows exactly: B, the union of a few of the minimal cut sets SCRAM
// found (their probability by inclusion-exclusion over products of the
// inputs, no BDD), so that P = P(B) + P(top AND NOT B) and SCRAM computes
// only the residual (openpsa.Tree.Without). Its 6 digits fix P to
// ReportTolerance times residual/P: 1e-9 relative wherever B carries all
// but 2e-4 of P. scramCompare checks every target to the precision its
// residual gives, and the tests count the targets checked to 1e-9.

// requireScram is the cut sets' (cutsets_scram_test.go).

// sameAsReport reports whether ours, written as SCRAM writes numbers, could
// be what SCRAM wrote.
func sameAsReport(ours, scram float64) bool {
	if math.IsInf(ours, 1) {
		// SCRAM 0.16.2 leaves an infinite RRW at 0 (it divides only when
		// P != p·MIF, in floating point; when that test misses by an ulp
		// it prints a huge number instead).
		return scram == 0 || scram > 1e12
	}
	// SCRAM's own floating point adds a few ulps to the rounding.
	return math.Abs(ours-scram) <= openpsa.ReportTolerance*1.0001*math.Abs(ours)+1e-300
}

// residualSets is how many of SCRAM's cut sets, the most probable, make
// the part B of the top whose probability the test computes exactly: at
// most 12, and never all of them (the least probable one is always left
// to SCRAM's residual, so that SCRAM's BDD computes a part of every
// probability checked).
func residualSets(n int) int { return min(12, max(1, n-1)) }

// mostProbable returns at most n of sets, the most probable first (ties
// in SCRAM's order).
func mostProbable(sets [][]int32, p func(int32) float64, n int) [][]int32 {
	prob := func(s []int32) float64 {
		x := 1.0
		for _, v := range s {
			x *= p(v)
		}
		return x
	}
	sets = slices.Clone(sets)
	slices.SortStableFunc(sets, func(a, b []int32) int { return cmp.Compare(prob(b), prob(a)) })
	return sets[:min(n, len(sets))]
}

// unionProbability is the probability that one of sets occurs (each set a
// conjunction of independent events), by inclusion-exclusion: the sum over
// every non-empty choice of sets of ±P(all their events).
func unionProbability(sets [][]int32, p func(int32) float64) float64 {
	total := 0.0
	for choice := 1; choice < 1<<len(sets); choice++ {
		events := map[int32]bool{}
		for i, s := range sets {
			if choice&(1<<i) != 0 {
				for _, v := range s {
					events[v] = true
				}
			}
		}
		x := 1.0
		for v := range events {
			x *= p(v)
		}
		if bits.OnesCount(uint(choice))%2 == 0 {
			x = -x
		}
		total += x
	}
	return total
}

// scramCompare runs SCRAM on target's tree (the target has no failure data
// of its own, which SCRAM's tree leaves out) and compares probability and
// importance. It returns false when the target cannot be compared (a cycle
// in its cone, or a constant tree); precise says the probability was
// checked to 1e-9 relative (see the residual above), residual whether
// SCRAM's residual was not 0 (B is not the whole top).
func scramCompare(t *testing.T, c *graph.Compiled, target int32) (compared, precise, residual bool) {
	t.Helper()
	ctx := context.Background()
	tr, err := openpsa.Convert(c, target, openpsa.Options{
		Event:       func(v int32) bool { return int(v) < c.NodeCount() && c.Unavailability(v) > 0 },
		Probability: c.Unavailability,
	})
	var ce *openpsa.CycleError
	if errors.As(err, &ce) {
		return false, false, false
	}
	require.NoError(t, err)
	if constant, _ := tr.Const(); constant {
		return false, false, false
	}
	rep, err := openpsa.Run(ctx, tr, openpsa.RunOptions{Algorithm: openpsa.BDD, Probability: true, Args: []string{"--importance", "true"}})
	require.NoError(t, err)
	u, err := Availability(ctx, c, c.VertexName(target), AvailabilityOptions{})
	require.NoError(t, err)
	require.True(t, u.Exact)
	require.Truef(t, sameAsReport(u.Probability, rep.Probability), "target %s: ours %.12g, SCRAM %g", u.Target, u.Probability, rep.Probability)
	// The probability again, to the precision of SCRAM's residual.
	if b := mostProbable(rep.CutSets, c.Unavailability, residualSets(len(rep.CutSets))); len(b) > 0 && len(b[0]) > 0 {
		res, err := openpsa.Run(ctx, tr.Without(b), openpsa.RunOptions{Algorithm: openpsa.BDD, Probability: true})
		require.NoError(t, err)
		whole := unionProbability(b, c.Unavailability) + res.Probability
		// SCRAM's rounding of the residual, and float64's of the sums.
		tol := openpsa.ReportTolerance*1.0001*res.Probability + 1e-13*u.Probability
		require.InDeltaf(t, whole, u.Probability, tol, "target %s: ours %.15g, SCRAM's residual %g beside B's %.15g",
			u.Target, u.Probability, res.Probability, whole-res.Probability)
		precise, residual = tol <= 1e-9*u.Probability, res.Probability > 0
	}
	factors, err := openpsa.ParseImportance(rep.XML)
	require.NoError(t, err)
	for _, imp := range u.Importance {
		f, ok := factors[imp.Vertex]
		if !ok {
			// SCRAM lists the events in some cut set: the others do not
			// matter to the target.
			require.InDelta(t, 0, imp.Birnbaum, 1e-12, "%s: SCRAM finds no cut set with %s", u.Target, imp.ID)
			continue
		}
		for _, x := range []struct {
			name        string
			ours, scram float64
		}{
			{"probability", imp.Unavailability, f.Probability},
			{"MIF", imp.Birnbaum, f.MIF}, {"CIF", imp.Criticality, f.CIF}, {"DIF", imp.FussellVesely, f.DIF},
			{"RAW", imp.RAW, f.RAW}, {"RRW", imp.RRW, f.RRW},
		} {
			require.Truef(t, sameAsReport(x.ours, x.scram), "target %s, %s: %s ours %.12g, SCRAM %g", u.Target, imp.ID, x.name, x.ours, x.scram)
		}
		delete(factors, imp.Vertex)
	}
	require.Empty(t, factors, "%s: SCRAM has importance for events we do not list", u.Target)
	return true, precise, residual
}

// On random acyclic cones (any_of, at_least, capacity, replicas with
// standbys, regions), the probability and every importance factor equal
// SCRAM's.
func TestAvailabilityMatchesScram(t *testing.T) {
	requireScram(t)
	n := 300
	if testing.Short() {
		n = 40
	}
	compared, precise, residual := 0, 0, 0
	randomModels(t, n, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withFailureData(m, r, 12)
		c := availModel(t, m)
		for _, v := range r.Perm(c.NodeCount()) {
			if c.Unavailability(int32(v)) != 0 {
				continue
			}
			if ok, fine, rest := scramCompare(t, c, int32(v)); ok {
				compared++
				precise += boolInt(fine)
				residual += boolInt(fine && rest)
				return
			}
		}
	})
	t.Logf("%d targets compared with SCRAM, %d of them to 1e-9 relative (%d with a residual SCRAM computed)", compared, precise, residual)
	// Random failure data is large (unavailabilities up to 0.9): no few
	// cut sets carry all but 2e-4 of a probability, and only the targets
	// of one cut set (B all of it) are checked to 1e-9 here.
	require.Greater(t, compared, n/3)
}

// The reference models, with failure data from defaults per kind, give
// SCRAM's figures too.
func TestAvailabilityScramReferenceModels(t *testing.T) {
	requireScram(t)
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
		compared, precise, residual := 0, 0, 0
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Unavailability(v) != 0 {
				continue
			}
			if ok, fine, rest := scramCompare(t, c, v); ok {
				compared++
				precise += boolInt(fine)
				residual += boolInt(fine && rest)
			}
		}
		t.Logf("%s: %d targets compared with SCRAM, %d of them to 1e-9 relative (%d with a residual SCRAM computed)", file, compared, precise, residual)
		// Realistic availabilities: most targets to 1e-9 with a residual.
		require.Greater(t, residual, 0, "%s: no target checked to 1e-9 against a residual of SCRAM's", file)
		require.Greater(t, compared, 3, file)
	}
}
