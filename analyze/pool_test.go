package analyze

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// entries counts the graphs a per-graph cache holds.
func entries[E any](p *perGraph[E]) int {
	n := 0
	p.m.Range(func(_, _ any) bool { n++; return true })
	return n
}

// The per-graph cache holds graphs weakly: once a graph that every
// analysis ran on is dropped, its entries go. A value that pointed back to
// its graph (a layout did once) would keep the graph alive for ever.
func TestPerGraphReleasesGraphs(t *testing.T) {
	counts := func() [5]int {
		return [5]int{entries(&layouts), entries(&scratches.lists), entries(&engines.lists),
			entries(&recScratches.lists), entries(&redundancies)}
	}
	runtime.GC()
	before := counts()
	func() {
		r := rand.New(rand.NewPCG(7, 7))
		for range 20 {
			c, err := graph.Compile(synth.Random(r, 60))
			require.NoError(t, err)
			ctx := context.Background()
			_, err = Rank(ctx, c, RankOptions{})
			require.NoError(t, err)
			id := c.IDs()[0]
			_, err = Simulate(ctx, c, Fail(id))
			require.NoError(t, err)
			_, err = Recover(ctx, c, Scenario{Failures: []Failure{{ID: id, For: time.Hour}}}, RecoverOptions{})
			require.NoError(t, err)
			_, err = RedundancyRate(ctx, c)
			require.NoError(t, err)
		}
	}()
	// Entries of graphs other tests dropped may go meanwhile too, so the
	// counts must come back to at most what they were, not exactly.
	within := func(after [5]int) bool {
		for i := range after {
			if after[i] > before[i] {
				return false
			}
		}
		return true
	}
	var after [5]int
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
		if after = counts(); within(after) {
			break
		}
	}
	require.True(t, within(after), "entries of layouts, scratches, engines, recover scratches, redundancy rates: %v before, %v after", before, after)
}

// RedundancyRateFrom with outcomes simulated by the caller gives what
// RedundancyRate gives, and asks for every site's outcome once.
func TestRedundancyRateFrom(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ctx := context.Background()
	for range 200 {
		m := synth.Random(r, 40)
		a, err := graph.Compile(m)
		require.NoError(t, err)
		b, err := graph.Compile(m) // another graph: its own cache entry
		require.NoError(t, err)
		want, err := RedundancyRate(ctx, a)
		require.NoError(t, err)
		asked := map[int32]int{}
		got, err := RedundancyRateFrom(ctx, b, func(v int32) *Outcome {
			asked[v]++
			if v%2 == 0 {
				return nil // simulated by RedundancyRateFrom itself
			}
			o, err := Simulate(ctx, b, Fail(b.VertexName(v)))
			require.NoError(t, err)
			return o
		})
		require.NoError(t, err)
		require.Equal(t, want, got)
		for v := int32(0); v < int32(b.NodeCount()); v++ {
			if b.Kind(v) == graph.Site {
				require.Equal(t, 1, asked[v], "site %s", b.VertexName(v))
			}
		}
	}
}
