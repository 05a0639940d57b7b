package diff_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var seed = flag.Uint64("seed", 0, "seed for the property tests (0: a fixed set)")

// naivePairs is every (failed, protected) pair of c by id, from one
// Simulate per node that is not infrastructure.
func naivePairs(t *testing.T, c *graph.Compiled) map[string][]string {
	out := make(map[string][]string)
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v).Infrastructure() {
			continue
		}
		o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(v)))
		require.NoError(t, err)
		for _, e := range o.Effects() {
			if e.Replica || e.Removed || e.State != analyze.Down {
				continue
			}
			u, _ := c.Lookup(e.ID)
			if c.VertexKind(u) == graph.NodeVertex && (c.Users(u) > 0 || (c.Tier(u) == 0 && !c.Kind(u).Infrastructure())) {
				out[c.VertexName(v)] = append(out[c.VertexName(v)], e.ID)
			}
		}
	}
	return out
}

// naiveDelta renders the SPOFs of in that out lacks as "failed: takes"
// lines, takes sorted by id; with both, only pairs whose nodes out has.
func naiveDelta(in, out map[string][]string, outModel *graph.Compiled, both bool) []string {
	var lines []string
	for f, xs := range in {
		if _, ok := outModel.Lookup(f); both && !ok {
			continue
		}
		var takes []string
		for _, x := range xs {
			if _, ok := outModel.Lookup(x); both && !ok {
				continue
			}
			if !slices.Contains(out[f], x) {
				takes = append(takes, x)
			}
		}
		if len(takes) > 0 {
			slices.Sort(takes)
			lines = append(lines, fmt.Sprintf("%s: %v", f, takes))
		}
	}
	slices.Sort(lines)
	return lines
}

func render(ss []diff.SPOF) []string {
	var lines []string
	for _, s := range ss {
		takes := slices.Clone(s.Takes)
		slices.Sort(takes)
		lines = append(lines, fmt.Sprintf("%s: %v", s.ID, takes))
	}
	slices.Sort(lines)
	return lines
}

// The SPOFs Models finds between two random models (which share many
// ids) are those of a naive comparison of every pair, computed with one
// Simulate per node; the lists come in order of protected nodes taken.
func TestSPOFsMatchNaive(t *testing.T) {
	seeds := make([]uint64, 200)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	found := 0
	for _, s := range seeds {
		r := rand.New(rand.NewPCG(s, 0xd1ff))
		a, err := graph.Compile(synth.Random(r, 3+r.IntN(25)))
		require.NoError(t, err)
		b, err := graph.Compile(synth.Random(r, 3+r.IntN(25)))
		require.NoError(t, err)
		ok := t.Run("", func(t *testing.T) {
			d, err := diff.Models(context.Background(), a, b, diff.Options{MaxSPOFs: -1, MaxTakes: -1})
			require.NoError(t, err)
			pa, pb := naivePairs(t, a), naivePairs(t, b)
			want := naiveDelta(pb, pa, a, false)
			assert.Equal(t, want, render(d.NewSPOFs), "new")
			assert.Equal(t, len(want), d.NewSPOFCount)
			wantFixed := naiveDelta(pa, pb, b, true)
			assert.Equal(t, wantFixed, render(d.FixedSPOFs), "fixed")
			assert.Equal(t, len(wantFixed), d.FixedSPOFCount)
			for _, l := range [][]diff.SPOF{d.NewSPOFs, d.FixedSPOFs} {
				for i, s := range l {
					assert.Len(t, s.Takes, s.TakesCount)
					if i > 0 {
						assert.GreaterOrEqual(t, l[i-1].TakesCount, s.TakesCount, "most taken first")
					}
				}
			}
			found += len(want) + len(wantFixed)

			// Bounded lists keep the first and count all.
			cut, err := diff.Models(context.Background(), a, b, diff.Options{MaxSPOFs: 1, MaxTakes: 1})
			require.NoError(t, err)
			assert.Equal(t, d.NewSPOFCount, cut.NewSPOFCount)
			if len(d.NewSPOFs) > 0 {
				require.Len(t, cut.NewSPOFs, 1)
				assert.Equal(t, d.NewSPOFs[0].ID, cut.NewSPOFs[0].ID)
				assert.Equal(t, d.NewSPOFs[0].Takes[:1], cut.NewSPOFs[0].Takes)
				assert.Equal(t, d.NewSPOFs[0].TakesCount, cut.NewSPOFs[0].TakesCount)
			}
			// Each list is the first of the whole one, each Takes the
			// first of the whole Takes (the lists a pass drops are never
			// among those listed).
			cut3, err := diff.Models(context.Background(), a, b, diff.Options{MaxSPOFs: 3, MaxTakes: 2})
			require.NoError(t, err)
			for _, l := range [][2][]diff.SPOF{{d.NewSPOFs, cut3.NewSPOFs}, {d.FixedSPOFs, cut3.FixedSPOFs}} {
				all, some := l[0], l[1]
				require.Len(t, some, min(3, len(all)))
				for i, s := range some {
					assert.Equal(t, all[i].ID, s.ID)
					assert.Equal(t, all[i].TakesCount, s.TakesCount)
					assert.Equal(t, all[i].Takes[:min(2, len(all[i].Takes))], s.Takes)
				}
			}
		})
		if !ok {
			t.Fatalf("failed with -seed %d", s)
		}
	}
	assert.Positive(t, found, "some pairs of models differ in SPOFs")
}

// smallest is a sort and a cut, on random input with repeats.
func TestSmallest(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 2000 {
		n := r.IntN(60)
		xs := make([]int32, n)
		for i := range xs {
			xs[i] = int32(r.IntN(20))
		}
		k := r.IntN(n + 2)
		want := slices.Clone(xs)
		slices.Sort(want)
		want = want[:min(k, n)]
		assert.Equal(t, want, diff.Smallest(slices.Clone(xs), k), "%v k=%d", xs, k)
	}
}

// edit makes one small change to m, as a pull request does: a node's
// users or tier, a dependency dropped or added, a node added that
// requires another, or a node removed.
func edit(r *rand.Rand, m *graph.Model) {
	n := &m.Nodes[r.IntN(len(m.Nodes))]
	other := m.Nodes[r.IntN(len(m.Nodes))].ID
	switch r.IntN(11) {
	case 0:
		n.Users = int64(r.IntN(1000))
	case 1:
		n.Tier = graph.TierOf(r.IntN(3))
	case 2:
		if len(n.Requires) > 0 {
			n.Requires = slices.Delete(slices.Clone(n.Requires), 0, 1)
		}
	case 3:
		if len(n.Uses) > 0 {
			n.Uses = slices.Delete(slices.Clone(n.Uses), 0, 1)
		}
	case 4:
		n.Uses = append(slices.Clone(n.Uses), graph.On(other))
	case 5:
		m.Nodes = append(m.Nodes, graph.Node{ID: fmt.Sprintf("added-%d", r.IntN(1000)), Kind: graph.Service,
			Users: int64(1 + r.IntN(100)), Tier: graph.TierOf(r.IntN(2)), Requires: []graph.Dep{graph.On(other)}})
	case 6:
		i := r.IntN(len(m.Nodes))
		m.Nodes = slices.Delete(slices.Clone(m.Nodes), i, i+1)
	// What only recovery reads (the time comparison): a standby's tier,
	// recovery time or failover requirements, a restart, a repair's
	// requirements and on-site time.
	case 7:
		if len(n.Replicas) > 0 {
			n.Replicas = slices.Clone(n.Replicas)
			rp := &n.Replicas[r.IntN(len(n.Replicas))]
			rp.Standby = graph.Standby(1 + r.IntN(4))
			rp.Recovery = time.Duration(r.IntN(4)) * time.Hour
		}
	case 8:
		n.Restart = time.Duration(1+r.IntN(5)) * time.Hour
	case 9:
		n.RepairRequires, n.OnSite = []string{other}, time.Duration(r.IntN(3))*time.Hour
	case 10:
		if len(n.Replicas) > 0 {
			n.Replicas = slices.Clone(n.Replicas)
			rp := &n.Replicas[r.IntN(len(n.Replicas))]
			if rp.Standby == graph.Active || rp.Standby == graph.Mirror {
				rp.Standby = graph.Warm
			}
			rp.FailoverRequires = []string{other}
		}
	}
}

// A diff that ranks only the failures that can reach a changed node equals
// the diff that ranks every failure of both models, on random models with
// a few small edits (both directions: a change and its undoing).
func TestScopedDiffMatchesWhole(t *testing.T) {
	seeds := make([]uint64, 3000)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	ctx := context.Background()
	compared, scoped := 0, 0
	for _, s := range seeds {
		size := 3 + rand.New(rand.NewPCG(s, 1)).IntN(40)
		a, err := graph.Compile(synth.Random(rand.New(rand.NewPCG(s, 2)), size))
		require.NoError(t, err)
		mb := synth.Random(rand.New(rand.NewPCG(s, 2)), size) // the same model, to edit
		r := rand.New(rand.NewPCG(s, 3))
		for range 1 + r.IntN(3) {
			edit(r, mb)
		}
		b, err := graph.Compile(mb)
		if err != nil {
			continue // the edit broke the model (a node removed that others need)
		}
		compared++
		for _, pair := range [][2]*graph.Compiled{{a, b}, {b, a}} {
			for _, opts := range []diff.Options{{}, {MaxSPOFs: 2, MaxTakes: 1, MaxChains: 1}} {
				whole := opts
				whole.Whole = true
				want, err := diff.Models(ctx, pair[0], pair[1], whole)
				require.NoError(t, err)
				got, err := diff.Models(ctx, pair[0], pair[1], opts)
				require.NoError(t, err)
				if !assert.Equal(t, want, got, "opts %+v", opts) {
					t.Fatalf("differs with -seed %d", s)
				}
			}
		}
		if diff.Scoped(a, b) {
			scoped++
		}
	}
	t.Logf("%d model pairs compared, %d of them ranked in part", compared, scoped)
	assert.Greater(t, compared, len(seeds)/2)
	if len(seeds) > 1 {
		assert.Greater(t, scoped, compared/8, "small edits rank in part")
	}
}
