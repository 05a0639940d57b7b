package analyze

import (
	"context"
	"flag"
	"fmt"
	"math/bits"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/traverse"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Benchmarks of ranking every node of synthetic service graphs, against the
// two baselines a Go user would write: (b) one gonum traverse.BreadthFirst
// over the reversed graph per node (pure reachability: every dependent
// fails), and (c) one Simulate per node (the full gate semantics, the
// result Rank must equal). Run with
//
//	go test ./analyze -run '^$' -bench '^BenchmarkRank$' -benchtime 2x -count 3 -timeout 60m

// reversed is the compiled graph with its edges turned around, so that a
// traversal from a node walks what depends on it.
type reversed struct{ c *graph.Compiled }

func (r reversed) From(id int64) gonum.Nodes { return r.c.To(id) }
func (r reversed) Edge(uid, vid int64) gonum.Edge {
	if e := r.c.Edge(vid, uid); e != nil {
		return e.ReversedEdge()
	}
	return nil
}

func BenchmarkRank(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		c := servicesGraph(b, n)
		// What a graph's first ranking makes and keeps (see layoutFor) is
		// made before the timing: rank-first measures it.
		if _, err := Rank(context.Background(), c, RankOptions{}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("n=%d/rank", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Rank(context.Background(), c, RankOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/rank-first", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				fresh, err := graph.Compile(synth.Services(synth.Default(n, 1)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := Rank(context.Background(), fresh, RankOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/rank-1-worker", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Rank(context.Background(), c, RankOptions{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/gonum-bfs-per-node", n), func(b *testing.B) {
			g := reversed{c}
			for b.Loop() {
				for v := 0; v < c.NodeCount(); v++ {
					var bf traverse.BreadthFirst
					count := 0
					bf.Walk(g, c.Node(int64(v)), func(gonum.Node, int) bool { count++; return false })
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/simulate-per-node", n), func(b *testing.B) {
			for b.Loop() {
				for v := 0; v < c.NodeCount(); v++ {
					if _, err := Simulate(context.Background(), c, Fail(c.VertexName(int32(v)))); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkRank1M shows that a million nodes finish (one run).
func BenchmarkRank1M(b *testing.B) {
	c := servicesGraph(b, 1_000_000)
	for b.Loop() {
		if _, err := Rank(context.Background(), c, RankOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatches times the batch engine alone (one worker, no counting)
// over every batch of a ranking, and reports how many vertices the batches
// visit and how many (failure, vertex) pairs they cover: the sum of every
// single failure's reach, what one Simulate per node visits. Their ratio is
// how much the batch order makes 64 failures share.
func BenchmarkBatches(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		c := servicesGraph(b, n)
		cands, err := candidates(c, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		layoutFor(c) // made on a graph's first ranking: not timed here
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var visits, pairs int
			for b.Loop() {
				visits, pairs = 0, 0
				err := sweep(context.Background(), c, cands, 1, nil, func(l *layout, bt *batch, sources []int32) {
					bt.run(sources, func(p int32, down, bad uint64) {
						visits++
						pairs += bits.OnesCount64(bad)
					})
				}, func(int32) {})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(visits), "visits/op")
			b.ReportMetric(float64(pairs), "pairs/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(visits), "ns/visit")
		})
	}
}

// BenchmarkSPOFs100k finds the SPOFs of a service in the middle of a
// 100,000-node catalog (197 of them) with their chains, and, as the
// baseline, the same SPOFs with each chain from a whole Simulate of its
// failure (what SPOFs did before Chain simulated only the target's
// ancestry).
func BenchmarkSPOFs100k(b *testing.B) {
	c := servicesGraph(b, 100_000)
	target := c.VertexName(int32(c.NodeCount() / 2))
	if _, err := SPOFs(context.Background(), c, target); err != nil { // the layout, made once
		b.Fatal(err)
	}
	b.Run("spofs", func(b *testing.B) {
		for b.Loop() {
			if _, err := SPOFs(context.Background(), c, target); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("chains-by-whole-simulate", func(b *testing.B) {
		for b.Loop() {
			spofs, err := SPOFs(context.Background(), c, target)
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range spofs {
				o, err := Simulate(context.Background(), c, Fail(s.ID))
				if err != nil {
					b.Fatal(err)
				}
				if len(o.Chain(target)) == 0 {
					b.Fatal("no chain")
				}
			}
		}
	})
}

// rankScaleNodes is the catalog size of BenchmarkRankScale: it is a flag,
// since 3,000,000 or 5,000,000 nodes need gigabytes and a run of its own.
var rankScaleNodes = flag.Int("rank.nodes", 1_000_000, "nodes of BenchmarkRankScale's catalog")

// BenchmarkRankScale is a CLI's ranking of a big catalog in process: the
// first ranking of a freshly compiled graph (the layout and batch order
// included, as one CLI run pays), then the engine alone with its visits
// and pairs. Run with
//
//	go test ./analyze -run '^$' -bench 'RankScale' -benchtime 1x -rank.nodes 3000000 -timeout 60m
func BenchmarkRankScale(b *testing.B) {
	n := *rankScaleNodes
	c, err := graph.Compile(synth.Services(synth.Default(n, 1)))
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("n=%d/rank-first", n), func(b *testing.B) {
		for b.Loop() {
			if _, err := Rank(context.Background(), c, RankOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	cands, err := candidates(c, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("n=%d/batches-1-worker", n), func(b *testing.B) {
		var visits, pairs int
		var each []int // visits per batch, in the batch order
		for b.Loop() {
			visits, pairs, each = 0, 0, each[:0]
			err := sweep(context.Background(), c, cands, 1, nil, func(l *layout, bt *batch, sources []int32) {
				before := visits
				bt.run(sources, func(p int32, down, bad uint64) {
					visits++
					pairs += bits.OnesCount64(bad)
				})
				each = append(each, visits-before)
			}, func(int32) {})
			if err != nil {
				b.Fatal(err)
			}
		}
		// The batches of large failures come first: the share of the
		// visits in the first 5% of the batches.
		first := 0
		for _, v := range each[:len(each)/20] {
			first += v
		}
		b.ReportMetric(float64(len(each)), "batches/op")
		b.ReportMetric(float64(visits), "visits/op")
		b.ReportMetric(float64(pairs), "pairs/op")
		b.ReportMetric(100*float64(first)/float64(visits), "%visits-first-5%-batches")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(visits), "ns/visit")
	})
}

// BenchmarkRankChainRule measures an exact reduction that was not built:
// when v's failure alone takes its only dependent u Down (over hard and
// soft edges) and v is on no cycle, v's failure is u's plus v itself, so
// v would need no lane. It reports how many of the batched candidates
// qualify, the share of the (failure, vertex) pairs they carry, and the
// visits of the batches with each of them replaced by the end of its chain
// (v → u → ... to the first vertex that does not qualify), against the
// visits of the ranking's batches. Run with
//
//	go test ./analyze -run '^$' -bench 'RankChainRule' -benchtime 1x -rank.nodes 1000000 -timeout 60m
func BenchmarkRankChainRule(b *testing.B) {
	c, err := graph.Compile(synth.Services(synth.Default(*rankScaleNodes, 1)))
	if err != nil {
		b.Fatal(err)
	}
	l := layoutFor(c)
	next := make([]int32, c.Len()) // v's only dependent when the rule holds, else -1
	for v := range int32(c.Len()) {
		next[v] = -1
		if l.flags[l.pos[v]]&isCyclic == 0 {
			next[v] = onlyDependentDown(c, v)
		}
	}
	end := func(v int32) int32 {
		for next[v] >= 0 {
			v = next[v]
		}
		return v
	}
	visitsOf := func(order []int32) (visits, pairs int) {
		bt := newBatch(l)
		for k := 0; k < len(order); k += 64 {
			bt.run(order[k:min(k+64, len(order))], func(p int32, down, bad uint64) {
				visits++
				pairs += bits.OnesCount64(bad)
			})
		}
		return visits, pairs
	}
	for b.Loop() {
		// The reach of each candidate, from the batches of the ranking.
		reach := make([]int, c.NodeCount())
		bt := newBatch(l)
		for k := 0; k < len(l.order); k += 64 {
			src := l.order[k:min(k+64, len(l.order))]
			bt.run(src, func(p int32, down, bad uint64) {
				if l.flags[p]&isCounted != 0 {
					for m := bad; m != 0; m &= m - 1 {
						reach[src[bits.TrailingZeros64(m)]]++
					}
				}
			})
		}
		qualify, qualifyPairs, pairs := 0, 0, 0
		seen := make([]bool, c.Len())
		var reduced []int32
		for _, v := range l.order {
			pairs += reach[v]
			r := v
			if next[v] >= 0 {
				qualify++
				qualifyPairs += reach[v]
				r = end(v)
			}
			if !seen[r] {
				seen[r] = true
				reduced = append(reduced, r)
			}
		}
		visits, _ := visitsOf(l.order)
		after, _ := visitsOf(reduced)
		b.ReportMetric(float64(len(l.order)), "batched/op")
		b.ReportMetric(float64(qualify), "qualify/op")
		b.ReportMetric(100*float64(qualifyPairs)/float64(pairs), "%pairs-of-qualifying")
		b.ReportMetric(float64(visits), "visits/op")
		b.ReportMetric(float64(after), "visits-without-qualifying/op")
	}
}

// onlyDependentDown returns v's only dependent u (every hard and soft edge
// from v goes to u) when v's failure alone takes u Down, else -1.
func onlyDependentDown(c *graph.Compiled, v int32) int32 {
	deps, ws := c.Dependents(v)
	if len(deps) == 0 {
		return -1
	}
	u, lost := deps[0], int64(0)
	for i, d := range deps {
		if d != u {
			return -1
		}
		lost += ws[i]
	}
	for _, d := range c.SoftDependents(v) {
		if d != u {
			return -1
		}
	}
	if c.Op(u) == graph.Threshold {
		if g := c.Gate(u); threshold(g, g.Base-lost, g.Base-lost) != Down {
			return -1
		}
	}
	return u
}
