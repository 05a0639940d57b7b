package analyze

import (
	"cmp"
	"context"
	"flag"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var seed = flag.Uint64("seed", 0, "seed for the property tests (0: a fixed set)")

// The seeds of the property tests, in one place so that -seed replays a
// case of any of them, the SCRAM tests' batches included: a test runs
// testSeeds(n) (1 to n, or the -seed given), and makes the model of each
// seed by a family of random models (family.model). A family is the PCG
// stream its seeds start and the largest model it makes; randomModels and
// the SCRAM availability test use randomFamily, smallModels (maxN 25)
// and the SCRAM cut-set test smallFamily(25).

// testSeeds returns the seeds 1 to n, or the one given with -seed.
func testSeeds(n int) []uint64 {
	if *seed != 0 {
		return []uint64{*seed}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// underRace is n cases, or a quarter of them (at least 50) under the race
// detector, for the property tests that it makes heavy: 17 to 32 times
// slower with -race than without, where most tests are 2 to 8 times (on
// the loaded machine, the five of them took 400 s of the package's 1,060 s
// with -race). The detector looks for races in what runs concurrently,
// which a quarter of the cases runs as well; the full counts run without
// it (go test ./analyze).
func underRace(n int) int {
	if !race.Enabled {
		return n
	}
	return max(min(n, 50), n/4)
}

// modelFamily is a family of random models of synth.Random.
type modelFamily struct {
	stream   uint64 // the PCG stream of the seeds
	maxNodes int
}

// randomFamily is the models of randomCases: 3 to 30 nodes.
var randomFamily = modelFamily{stream: 0x5eed, maxNodes: 30}

// smallFamily is the models of smallModels: 3 to maxN nodes.
func smallFamily(maxN int) modelFamily { return modelFamily{stream: 0xc075, maxNodes: maxN} }

// model is the model of seed s, and the generator after it, for the test's
// own draws.
func (f modelFamily) model(s uint64) (*graph.Model, *rand.Rand) {
	r := rand.New(rand.NewPCG(s, f.stream))
	return synth.Random(r, 3+r.IntN(f.maxNodes-2)), r
}

// randomModels is randomCases for tests that change the model before
// compiling it.
func randomModels(t *testing.T, n int, f func(t *testing.T, m *graph.Model, r *rand.Rand)) {
	t.Helper()
	for _, s := range testSeeds(n) {
		m, r := randomFamily.model(s)
		if !t.Run("", func(t *testing.T) { f(t, m, r) }) {
			t.Fatalf("failed with -seed %d", s)
		}
	}
}

// smallModels yields random models of 3 to maxN nodes (cycles, groups,
// capacity, standbys, soft edges), printing the seed to replay on failure.
func smallModels(t *testing.T, n, maxN int, f func(t *testing.T, c *graph.Compiled, r *rand.Rand)) {
	t.Helper()
	for _, s := range testSeeds(n) {
		m, r := smallFamily(maxN).model(s)
		c, err := graph.Compile(m)
		if err != nil {
			t.Fatalf("synth.Random made an invalid model (seed %d): %v", s, err)
		}
		if !t.Run("", func(t *testing.T) { f(t, c, r) }) {
			t.Fatalf("failed with -seed %d", s)
		}
	}
}

// randomCases yields small random models with every feature mixed in
// (cycles, any-of, k-of-n, capacity, soft edges, standbys) and a random set
// of removed vertices, printing the seed on failure so a case can be
// replayed with -seed.
func randomCases(t *testing.T, n int, f func(t *testing.T, c *graph.Compiled, r *rand.Rand)) {
	t.Helper()
	randomModels(t, n, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c, err := graph.Compile(m)
		if err != nil {
			t.Fatalf("synth.Random made an invalid model: %v", err)
		}
		f(t, c, r)
	})
}

// removable returns the vertices a scenario can remove: nodes and replicas.
func removable(c *graph.Compiled) []int32 {
	var vs []int32
	for v := int32(0); v < int32(c.Len()); v++ {
		if k := c.VertexKind(v); k == graph.NodeVertex || k == graph.ReplicaVertex {
			vs = append(vs, v)
		}
	}
	return vs
}

func pickSet(r *rand.Rand, from []int32) []int32 {
	k := r.IntN(min(len(from), 4) + 1)
	perm := r.Perm(len(from))
	set := make([]int32, k)
	for i := range set {
		set[i] = from[perm[i]]
	}
	return set
}

func names(c *graph.Compiled, vs []int32) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = c.VertexName(v)
	}
	return out
}

// states returns the outcome's state of every reported vertex (nodes and
// replicas; groups are hidden).
func states(t *testing.T, c *graph.Compiled, o *Outcome) []State {
	t.Helper()
	st := make([]State, c.Len())
	seen := make([]bool, c.Len())
	for _, e := range o.Effects() {
		if seen[e.Vertex] {
			t.Fatalf("%s reported twice", e.ID)
		}
		seen[e.Vertex] = true
		st[e.Vertex] = e.State
		if e.LostRedundancy {
			if e.State != Up {
				t.Fatalf("%s lost redundancy but is %v", e.ID, e.State)
			}
			st[e.Vertex] = lostUp
		}
	}
	return st
}

func simulateT(t *testing.T, c *graph.Compiled, removed []int32) []State {
	t.Helper()
	o, err := Simulate(context.Background(), c, Fail(names(c, removed)...))
	if err != nil {
		t.Fatal(err)
	}
	return states(t, c, o)
}

// The engine equals the naive fixpoint on every reported vertex.
func TestSimulateMatchesNaive(t *testing.T) {
	randomCases(t, 3000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		for range 5 {
			removed := pickSet(r, removable(c))
			got := simulateT(t, c, removed)
			want := naive(c, removed)
			for v := int32(0); v < int32(c.Len()); v++ {
				if k := c.VertexKind(v); k == graph.GroupVertex || k == graph.SoftGroupVertex {
					continue
				}
				if got[v] != want[v] {
					t.Fatalf("remove %v: %s is %v, naive says %v", names(c, removed), c.VertexName(v), got[v], want[v])
				}
			}
		}
	})
}

// Removing more never brings anything back, and the order in which the
// failures are listed does not matter.
func TestSimulateMonotoneAndOrderFree(t *testing.T) {
	randomCases(t, 1500, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		all := removable(c)
		small := pickSet(r, all)
		big := append(slices.Clone(small), pickSet(r, all)...)
		a := simulateT(t, c, small)
		b := simulateT(t, c, big)
		for v := range a {
			// Lost redundancy is a report about margin, not a failure:
			// compare on Up < Degraded < Down.
			if severity(b[v]) < severity(a[v]) {
				t.Fatalf("removing %v: %s is %v; removing also %v: %v", names(c, small), c.VertexName(int32(v)), a[v], names(c, big[len(small):]), b[v])
			}
		}
		shuffled := slices.Clone(big)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := simulateT(t, c, shuffled); !slices.Equal(got, b) {
			t.Fatalf("order matters: %v vs %v", names(c, big), names(c, shuffled))
		}
	})
}

func severity(s State) int {
	switch s {
	case Down:
		return 2
	case Degraded:
		return 1
	}
	return 0
}

// Every non-Up vertex's chain ends at a removed vertex, and each link is an
// input of the previous one that is itself not Up.
func TestChainsEndAtRemoved(t *testing.T) {
	randomCases(t, 500, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		removed := pickSet(r, removable(c))
		o, err := Simulate(context.Background(), c, Fail(names(c, removed)...))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range o.Effects() {
			if e.LostRedundancy {
				continue
			}
			ch := o.Chain(e.ID)
			last, ok := o.Effect(ch[len(ch)-1])
			if !ok || !last.Removed {
				t.Fatalf("chain %v of %s does not end at a removed node", ch, e.ID)
			}
		}
	})
}

// Sorted sorts packed keys for speed; it gives the order its doc states,
// written here as the plain comparison of effects.
func TestSortedOrder(t *testing.T) {
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		sc := Scenario{}
		for _, v := range pickSet(r, removable(c)) {
			sc.Failures = append(sc.Failures, Failure{ID: c.VertexName(v)})
		}
		o, err := Simulate(context.Background(), c, sc)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(o.Effects())
		slices.SortFunc(want, func(a, b Effect) int {
			return cmp.Or(
				cmp.Compare(b.State, a.State),
				cmpBool(a.Replica, b.Replica),
				cmp.Compare(b.Users, a.Users),
				strings.Compare(a.ID, b.ID),
			)
		})
		if got := o.Sorted(); !slices.Equal(got, want) {
			t.Fatalf("Sorted:\n%v\nwant\n%v", got, want)
		}
	})
}

// The multikey quicksort of Sorted's keys gives the plain order on keys
// made to collide: few distinct words, ids sharing long prefixes, empty
// ids, equal ids, ids that are prefixes of others.
func TestSortEffectKeys(t *testing.T) {
	s := cmp.Or(*seed, 1)
	r := rand.New(rand.NewPCG(s, 0))
	for n := range 3000 {
		keys := make([]effectKey, r.IntN(200))
		for i := range keys {
			id := strings.Repeat("s", r.IntN(3)) + strconv.Itoa(r.IntN(1+n%1000))
			if r.IntN(10) == 0 {
				id = id[:r.IntN(len(id)+1)]
			}
			keys[i] = effectKey{k: uint64(r.IntN(3))<<62 | uint64(r.IntN(4)), id: id, i: int32(i)}
		}
		want := slices.Clone(keys)
		slices.SortStableFunc(want, func(a, b effectKey) int {
			return cmp.Or(cmp.Compare(a.k, b.k), strings.Compare(a.id, b.id))
		})
		got := slices.Clone(keys)
		sortEffectKeys(got)
		for i := range got {
			if got[i].k != want[i].k || got[i].id != want[i].id {
				t.Fatalf("case %d sorts to %v, want %v (replay with -seed %d)", n, got, want, s)
			}
		}
	}
}
