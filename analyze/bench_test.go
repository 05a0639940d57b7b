package analyze

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Benchmarks of one failure on a synthetic 1,000,000-node service graph,
// each against a plain breadth-first search over the same CSR arrays (every
// dependent of a failed vertex fails: pure reachability, no gates, no
// causes) as the baseline a Go user would write. Run with
//
//	go test ./analyze -run '^$' -bench 'Simulate1M' -benchmem -count 6

// servicesGraph returns synth.Services(synth.Default(n, 1)) compiled, made
// once per size for all the benchmarks that use it.
func servicesGraph(b *testing.B, n int) *graph.Compiled {
	b.Helper()
	if c, ok := servicesGraphs.Load(n); ok {
		return c.(*graph.Compiled)
	}
	c, err := graph.Compile(synth.Services(synth.Default(n, 1)))
	if err != nil {
		b.Fatal(err)
	}
	servicesGraphs.Store(n, c)
	return c
}

var servicesGraphs sync.Map // size → *graph.Compiled

// bfs is the baseline: every vertex reachable from the removed one over
// dependents (hard and soft) is counted as failed.
func bfs(c *graph.Compiled, from int32) int {
	seen := make([]bool, c.Len())
	queue := []int32{from}
	seen[from] = true
	for i := 0; i < len(queue); i++ {
		deps, _ := c.Dependents(queue[i])
		for _, v := range deps {
			if !seen[v] {
				seen[v] = true
				queue = append(queue, v)
			}
		}
		for _, v := range c.SoftDependents(queue[i]) {
			if !seen[v] {
				seen[v] = true
				queue = append(queue, v)
			}
		}
	}
	return len(queue)
}

// smallFailure finds a node whose failure reaches about ten vertices.
func smallFailure(c *graph.Compiled) int32 {
	best, bestN := int32(0), 1<<30
	for v := int32(c.NodeCount() - 1); v > 0; v -= 997 {
		n := bfs(c, v)
		if n >= 8 && n <= 12 {
			return v
		}
		if d := abs(n - 10); d < abs(bestN-10) {
			best, bestN = v, n
		}
	}
	return best
}

func abs(x int) int { return max(x, -x) }

func benchSite(b *testing.B) (*graph.Compiled, int32) {
	c := servicesGraph(b, 1_000_000)
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) == graph.Site {
			return c, v
		}
	}
	b.Fatal("no site")
	return nil, 0
}

func BenchmarkSimulate1MSite(b *testing.B) {
	c, site := benchSite(b)
	engineAgainstBFS(b, c, site)
}

func BenchmarkSimulate1MSmall(b *testing.B) {
	c := servicesGraph(b, 1_000_000)
	engineAgainstBFS(b, c, smallFailure(c))
}

// engineAgainstBFS runs, as two sub-benchmarks, Simulate of v's failure
// and the BFS baseline from v.
func engineAgainstBFS(b *testing.B, c *graph.Compiled, v int32) {
	sc := Fail(c.VertexName(v))
	o, err := Simulate(context.Background(), c, sc)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d affected, bfs reaches %d of %d vertices", c.VertexName(v), o.Len(), bfs(c, v), c.Len())
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Simulate(context.Background(), c, sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A context that can be cancelled: Simulate then polls its Done
	// channel every cancelEvery events (context.Background's is nil and
	// never polled).
	b.Run("engine-cancelable", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Simulate(ctx, c, sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bfs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bfs(c, v)
		}
	})
}

// BenchmarkSorted sorts the outcome of a site's failure in the 1M-node
// catalog (about a third of it affected, ids sharing their prefixes) by the
// multikey quicksort of Sorted and, as the baseline, by slices.SortFunc
// with the plain comparison of effects.
func BenchmarkSorted(b *testing.B) {
	c, site := benchSite(b)
	o, err := Simulate(context.Background(), c, Fail(c.VertexName(site)))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d effects", len(o.Effects()))
	b.Run("Sorted", func(b *testing.B) {
		for b.Loop() {
			o.Sorted()
		}
	})
	b.Run("SortFunc", func(b *testing.B) {
		for b.Loop() {
			es := slices.Clone(o.Effects())
			slices.SortFunc(es, func(a, b Effect) int {
				return cmp.Or(cmp.Compare(b.State, a.State), cmpBool(a.Replica, b.Replica),
					cmp.Compare(b.Users, a.Users), strings.Compare(a.ID, b.ID))
			})
		}
	})
}
