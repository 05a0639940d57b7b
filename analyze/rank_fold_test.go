package analyze

import (
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// foldable marks the positions that hang off one input: not cyclic, one
// distinct input position (hard and soft edges together), and every
// dependent such a position too (sinks first). Their states would be a
// fixed function of that input's (Up stays Up; Down and Degraded each map
// to one state), so they could be counted when their input is, with no
// push and no visit. sinkOnly keeps only positions nothing depends on.
func foldable(l *layout, sinkOnly bool) []bool {
	n := len(l.vertex)
	f := make([]bool, n)
	for p := n - 1; p >= 0; p-- {
		if l.flags[p]&isCyclic != 0 {
			continue
		}
		in := int32(-1)
		one := true
		for _, u := range l.in[l.inOff[p]:l.inOff[p+1]] {
			if in >= 0 && u != in {
				one = false
			}
			in = u
		}
		for _, u := range l.soft[l.softOff[p]:l.softOff[p+1]] {
			if in >= 0 && u != in {
				one = false
			}
			in = u
		}
		if !one || in < 0 {
			continue
		}
		deps := l.dep[l.depOff[p]:l.depOff[p+1]]
		if sinkOnly && len(deps) > 0 {
			continue
		}
		ok := true
		for _, e := range deps {
			if !f[e&^depTags] {
				ok = false
				break
			}
		}
		f[p] = ok
	}
	return f
}

// BenchmarkRankFoldCount counts, exactly, what folding the positions that
// hang off one input (see foldable) would take off the batches of a
// ranking: the share of the visits of such positions and of the pushes
// into them, beside the share of every position nothing depends on
// (sinks, whatever their inputs). Run with
//
//	go test ./analyze -run '^$' -bench 'RankFoldCount' -benchtime 1x -rank.nodes 1000000 -timeout 60m
//
// The count decided against building it (BENCHMARKS.md, sixth session).
func BenchmarkRankFoldCount(b *testing.B) {
	c, err := graph.Compile(synth.Services(synth.Default(*rankScaleNodes, 1)))
	if err != nil {
		b.Fatal(err)
	}
	l := layoutFor(c)
	for _, sinkOnly := range []bool{true, false} {
		b.Run(fmt.Sprintf("sinks=%v", sinkOnly), func(b *testing.B) {
			f := foldable(l, sinkOnly)
			marked, sinks := 0, 0
			for p, ok := range f {
				if ok {
					marked++
				}
				if l.depOff[p] == l.depOff[p+1] {
					sinks++
				}
			}
			var visits, foldVisits, pushes, foldPushes, sinkVisits, sinkPushes int
			for b.Loop() {
				bt := newBatch(l)
				visits, foldVisits, pushes, foldPushes, sinkVisits, sinkPushes = 0, 0, 0, 0, 0, 0
				for k := 0; k < len(l.order); k += 64 {
					bt.run(l.order[k:min(k+64, len(l.order))], func(p int32, down, bad uint64) {
						visits++
						if f[p] {
							foldVisits++
						}
						if l.depOff[p] == l.depOff[p+1] {
							sinkVisits++
						}
						for _, e := range l.dep[l.depOff[p]:l.depOff[p+1]] {
							pushes++
							q := e &^ depTags
							if f[q] {
								foldPushes++
							}
							if l.depOff[q] == l.depOff[q+1] {
								sinkPushes++
							}
						}
					})
				}
			}
			b.ReportMetric(float64(len(f)), "positions")
			b.ReportMetric(float64(sinks), "sinks")
			b.ReportMetric(float64(marked), "folded")
			b.ReportMetric(float64(visits), "visits")
			b.ReportMetric(100*float64(foldVisits)/float64(visits), "%visits-folded")
			b.ReportMetric(float64(pushes), "pushes")
			b.ReportMetric(100*float64(foldPushes)/float64(pushes), "%pushes-folded")
			b.ReportMetric(100*float64(sinkVisits)/float64(visits), "%visits-sinks")
			b.ReportMetric(100*float64(sinkPushes)/float64(pushes), "%pushes-sinks")
		})
	}
}
