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
// to scramTolerance (relatively, but for the importance factors that are
// differences: see scramCompare).

// scramTolerance is how far our probability and importance factors may be
// from SCRAM's (relatively, or for MIF, CIF and RRW as scramCompare says):
// both compute in float64 along different BDDs, and the largest difference
// seen on the tests' models is 6e-16 (logged by the tests), so this leaves
// a margin of over a thousand while holding 1e-9 with room to spare.
const scramTolerance = 1e-12

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

// scramStats is what the comparisons saw: the largest relative
// difference from SCRAM per figure, and how many compared targets had
// each feature in their cones, for the tests to log and require.
type scramStats struct {
	worst map[string]float64
	cover map[string]int
}

func newScramStats() *scramStats {
	return &scramStats{worst: map[string]float64{}, cover: map[string]int{}}
}

func (st *scramStats) note(name string, d float64) { st.worst[name] = max(st.worst[name], d) }

// scramFeatures are the features of a cone that scramStats counts.
var scramFeatures = []string{"group", "capacity", "replicas", "standby", "region"}

// tally counts the features of target's hard cone: a group (any_of,
// at_least, capacity), a threshold of unequal weights (a capacity group,
// or replicas' capacities), a replica, a standby replica, a region that
// fails on its own.
func (st *scramStats) tally(c *graph.Compiled, target int32) {
	seen := map[int32]bool{}
	has := map[string]bool{}
	var walk func(v int32)
	walk = func(v int32) {
		if seen[v] {
			return
		}
		seen[v] = true
		ins, ws := c.Inputs(v)
		if c.Op(v) == graph.Threshold {
			if c.VertexKind(v) == graph.GroupVertex {
				has["group"] = true
			}
			for _, w := range ws {
				// Unequal weights: a capacity group, or replicas' capacities.
				has["capacity"] = has["capacity"] || w > 1
			}
		}
		if c.VertexKind(v) == graph.ReplicaVertex {
			has["replicas"] = true
			has["standby"] = has["standby"] || c.Standby(v) != graph.Active
		}
		if c.VertexKind(v) == graph.NodeVertex && c.Kind(v) == graph.Region && c.Unavailability(v) > 0 {
			has["region"] = true
		}
		for _, u := range ins {
			walk(u)
		}
	}
	walk(target)
	for f := range has {
		st.cover[f]++
	}
}

func (st *scramStats) String() string {
	var b strings.Builder
	b.WriteString("largest differences:")
	for _, k := range []string{"probability", "MIF", "CIF", "DIF", "RAW", "RRW"} {
		fmt.Fprintf(&b, " %s %.1e", k, st.worst[k])
	}
	b.WriteString(" (relative:")
	for _, k := range []string{"MIF", "CIF", "RRW"} {
		fmt.Fprintf(&b, " %s %.1e", k, st.worst[k+" relative"])
	}
	b.WriteString(")")
	b.WriteString("; targets with")
	for _, f := range scramFeatures {
		fmt.Fprintf(&b, " %s %d", f, st.cover[f])
	}
	return b.String()
}

// scramCase is one target to compare with SCRAM: its model, named by
// what (a seed to replay, or a file), and its tree.
type scramCase struct {
	what   string
	c      *graph.Compiled
	target int32
	tree   *openpsa.Tree
}

// scramCases returns the targets of c that SCRAM can compare: no failure
// data of their own (SCRAM's tree leaves it out), an acyclic cone, not a
// constant.
func scramCases(t *testing.T, what string, c *graph.Compiled) []scramCase {
	t.Helper()
	var out []scramCase
	for v := int32(0); v < int32(c.NodeCount()); v++ {
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
		require.NoError(t, err, what)
		if constant, _ := tr.Const(); constant {
			continue
		}
		out = append(out, scramCase{what, c, v, tr})
	}
	return out
}

// scramCompare runs SCRAM, exact and ordinary, once on the trees of
// cases (of one model or many: openpsa.RunBatch), checks that the two
// reports agree to SCRAM's 6 digits, and that the probability and every
// importance factor of each target are SCRAM's exact ones to
// scramTolerance.
func scramCompare(t *testing.T, ex *openpsa.Exact, cases []scramCase, st *scramStats) {
	t.Helper()
	if len(cases) == 0 {
		return
	}
	ctx := context.Background()
	trees := make([]*openpsa.Tree, len(cases))
	for i, k := range cases {
		trees[i] = k.tree
	}
	opts := openpsa.RunOptions{Algorithm: openpsa.BDD, Probability: true, Args: []string{"--importance", "true"}}
	plain, err := openpsa.RunBatch(ctx, trees, opts)
	require.NoError(t, err)
	opts.Exact = ex
	reps, err := openpsa.RunBatch(ctx, trees, opts)
	require.NoError(t, err)
	require.NoError(t, openpsa.SameDigits(plain[0].XML, reps[0].XML))
	for i, rep := range reps {
		k := cases[i]
		st.tally(k.c, k.target)
		u, err := Availability(ctx, k.c, k.c.VertexName(k.target), AvailabilityOptions{})
		require.NoError(t, err, k.what)
		require.True(t, u.Exact, k.what)
		d := relDiff(u.Probability, rep.Probability)
		require.LessOrEqualf(t, d, scramTolerance, "%s, target %s: ours %.17g, SCRAM %.17g", k.what, u.Target, u.Probability, rep.Probability)
		st.note("probability", d)
		require.NotNil(t, rep.Importance, "%s, target %s: no importance in SCRAM's report", k.what, u.Target)
		factors := rep.Importance
		for _, imp := range u.Importance {
			f, ok := factors[imp.Vertex]
			if !ok {
				// SCRAM lists the events in some cut set: the others do not
				// matter to the target.
				require.InDelta(t, 0, imp.Birnbaum, 1e-12, "%s: %s: SCRAM finds no cut set with %s", k.what, u.Target, imp.ID)
				continue
			}
			require.Equal(t, imp.Unavailability, f.Probability, "%s: %s: the probability of %s", k.what, u.Target, imp.ID)
			// MIF is a difference, P(x) − P(¬x), and RRW a quotient by
			// one, P / P(¬x) with P(¬x) = P − p·MIF, computed so by both
			// (SCRAM's src/importance_analysis.cc): where the difference
			// is small their relative errors grow as P(x)/MIF and RRW,
			// beyond 1e-9 for an RRW in the millions. They are compared
			// as what they are differences of allows: MIF (and CIF, p·MIF/P)
			// to scramTolerance of P(x) (of DIF, p·P(x)/P), RRW by its
			// inverse, P(¬x)/P, to scramTolerance.
			px := imp.RAW * u.Probability
			for _, x := range []struct {
				name        string
				ours, scram float64
				diff        float64 // the comparison's measure of the difference
			}{
				{"MIF", imp.Birnbaum, f.MIF, math.Abs(imp.Birnbaum-f.MIF) / math.Max(px, math.Max(math.Abs(imp.Birnbaum), math.Abs(f.MIF)))},
				{"CIF", imp.Criticality, f.CIF, math.Abs(imp.Criticality-f.CIF) / math.Max(imp.FussellVesely, math.Max(math.Abs(imp.Criticality), math.Abs(f.CIF)))},
				{"DIF", imp.FussellVesely, f.DIF, relDiff(imp.FussellVesely, f.DIF)},
				{"RAW", imp.RAW, f.RAW, relDiff(imp.RAW, f.RAW)},
				{"RRW", imp.RRW, f.RRW, math.Abs(1/imp.RRW - 1/f.RRW)},
			} {
				if x.name == "RRW" && math.IsInf(x.ours, 1) && x.scram == 0 {
					// SCRAM 0.16.2 writes an infinite RRW as 0 (it divides
					// only when P != p·MIF, in floating point).
					continue
				}
				require.LessOrEqualf(t, x.diff, scramTolerance, "%s, target %s, %s: %s ours %.17g, SCRAM %.17g", k.what, u.Target, imp.ID, x.name, x.ours, x.scram)
				st.note(x.name, x.diff)
				st.note(x.name+" relative", relDiff(x.ours, x.scram))
			}
			delete(factors, imp.Vertex)
		}
		require.Empty(t, factors, "%s: %s: SCRAM has importance for events we do not list", k.what, u.Target)
	}
}

// withRealisticFailureData gives up to most random nodes of m an
// unavailability between 1e-6 and 1e-2 (log-uniform), as real components
// have: the probabilities of such targets are small, where a BDD's
// arithmetic could lose digits that coarse ones keep.
func withRealisticFailureData(m *graph.Model, r *rand.Rand, most int) {
	perm := r.Perm(len(m.Nodes))
	for i := 0; i < len(perm) && i < most; i++ {
		m.Nodes[perm[i]].Availability = 1 - math.Pow(10, -2-4*r.Float64())
	}
}

// On random acyclic cones (any_of, at_least, capacity, replicas with
// standbys, regions), with coarse failure data in half the models and
// realistic in the other half, the probability and every importance
// factor equal SCRAM's exact ones, on every target of each model that
// SCRAM can take.
func TestAvailabilityMatchesScram(t *testing.T) {
	ex := scramExact(t)
	n := 1500
	if testing.Short() {
		n = 150
	}
	seeds := testSeeds(n)
	models, targets := 0, 0
	st := newScramStats()
	// The targets of scramBatch models go to one SCRAM run: a run costs
	// SCRAM's start, some 0.6 billion instructions, whatever the trees.
	const scramBatch = 50
	var batch []scramCase
	for i, s := range seeds {
		m, r := randomFamily.model(s) // randomModels' models
		if r.IntN(2) == 0 {
			withFailureData(m, r, 12)
		} else {
			withRealisticFailureData(m, r, 12)
		}
		cases := scramCases(t, fmt.Sprintf("seed %d (replay with -seed %d)", s, s), availModel(t, m))
		if len(cases) > 0 {
			models++
			targets += len(cases)
		}
		batch = append(batch, cases...)
		if (i+1)%scramBatch == 0 || i == len(seeds)-1 {
			scramCompare(t, ex, batch, st)
			batch = batch[:0]
		}
	}
	t.Logf("%d targets of %d models equal SCRAM's to %g; %s", targets, models, scramTolerance, st)
	require.Greater(t, models, len(seeds)/3)
	for _, f := range scramFeatures {
		require.Greater(t, st.cover[f], targets/50, "targets with %s in their cones", f)
	}
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
		cases := scramCases(t, file, availModel(t, m))
		st := newScramStats()
		scramCompare(t, ex, cases, st)
		t.Logf("%s: %d targets equal SCRAM's to %g; %s", file, len(cases), scramTolerance, st)
		require.Greater(t, len(cases), 3, file)
	}
}
