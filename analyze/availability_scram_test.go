package analyze

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/stretchr/testify/require"
)

// SCRAM is the oracle for probabilities: it computes a fault tree's top
// event probability and importance factors by BDD. Its report writes
// numbers to 6 significant digits (openpsa.ReportDigits), so that is the
// precision of the comparison: our figures must round to SCRAM's.

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

// scramCompare runs SCRAM on target's tree (the target has no failure data
// of its own, which SCRAM's tree leaves out) and compares probability and
// importance. It returns false when the target cannot be compared (a cycle
// in its cone, or a constant tree).
func scramCompare(t *testing.T, c *graph.Compiled, target int32) bool {
	t.Helper()
	ctx := context.Background()
	tr, err := openpsa.Convert(c, target, openpsa.Options{
		Event:       func(v int32) bool { return int(v) < c.NodeCount() && c.Unavailability(v) > 0 },
		Probability: c.Unavailability,
	})
	var ce *openpsa.CycleError
	if errors.As(err, &ce) {
		return false
	}
	require.NoError(t, err)
	if constant, _ := tr.Const(); constant {
		return false
	}
	rep, err := openpsa.Run(ctx, tr, openpsa.RunOptions{Algorithm: openpsa.BDD, Probability: true, Args: []string{"--importance", "true"}})
	require.NoError(t, err)
	u, err := Availability(ctx, c, c.VertexName(target), AvailabilityOptions{})
	require.NoError(t, err)
	require.True(t, u.Exact)
	require.Truef(t, sameAsReport(u.Probability, rep.Probability), "target %s: ours %.12g, SCRAM %g", u.Target, u.Probability, rep.Probability)
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
	return true
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
	compared := 0
	randomModels(t, n, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		withFailureData(m, r, 12)
		c := availModel(t, m)
		for _, v := range r.Perm(c.NodeCount()) {
			if c.Unavailability(int32(v)) == 0 && scramCompare(t, c, int32(v)) {
				compared++
				return
			}
		}
	})
	t.Logf("%d targets compared with SCRAM", compared)
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
		compared := 0
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Unavailability(v) == 0 && scramCompare(t, c, v) {
				compared++
			}
		}
		t.Logf("%s: %d targets compared with SCRAM", file, compared)
		require.Greater(t, compared, 3, file)
	}
}
