package analyze

import (
	"context"
	"flag"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// Benchmarks of one recovery timeline on a synthetic 100,000-node service
// graph (standbys of every tier, some with drilled recovery times), the
// loss of a site repaired after 11h, against the naive time-stepping a Go
// user would write with the t=0 engine: one Simulate per event time (the
// repair and every distinct standby recovery time), on a graph compiled
// for that time with the standbys ready by then made active, folding the
// states into times. The setup checks that both give the same timeline.
// Two more baselines: the naive reference of the property tests (the
// fixpoint by Kleene sweeps over the whole graph at each event time), on the
// model as generated (its order puts dependencies first, so a sweep settles
// a lot at once) and on the same model with its nodes in reverse order.
// Run with
//
//	go test ./analyze -run '^$' -bench 'Recover100K' -benchmem -count 6

var recBench struct {
	once sync.Once
	m    *graph.Model
	c    *graph.Compiled
	err  error
}

func recoverGraph(b *testing.B) (*graph.Model, *graph.Compiled) {
	b.Helper()
	recBench.once.Do(func() {
		recBench.m = synth.Services(synth.Default(100_000, 1))
		recBench.c, recBench.err = graph.Compile(recBench.m)
	})
	if recBench.err != nil {
		b.Fatal(recBench.err)
	}
	return recBench.m, recBench.c
}

// stepper is the baseline: the compiled graph of each event time, on which
// Simulate's t=0 weights are the weights of that time.
type stepper struct {
	times []time.Duration
	cs    []*graph.Compiled
}

func newStepper(b *testing.B, m *graph.Model, repair time.Duration) *stepper {
	b.Helper()
	st := &stepper{times: []time.Duration{0, repair}}
	for _, n := range m.Nodes {
		for _, r := range n.Replicas {
			if t := r.RecoveryTime(); t > 0 {
				st.times = append(st.times, t)
			}
		}
	}
	slices.Sort(st.times)
	st.times = slices.Compact(st.times)
	for _, t := range st.times {
		mt := *m
		mt.Nodes = slices.Clone(m.Nodes)
		for i := range mt.Nodes {
			n := &mt.Nodes[i]
			if len(n.Replicas) == 0 {
				continue
			}
			n.Replicas = slices.Clone(n.Replicas)
			for k := range n.Replicas {
				if r := &n.Replicas[k]; r.Standby != graph.Active && r.RecoveryTime() <= t {
					r.Standby, r.Recovery = graph.Active, 0
				}
			}
		}
		c, err := graph.Compile(&mt)
		if err != nil {
			b.Fatal(err)
		}
		st.cs = append(st.cs, c)
	}
	return st
}

// run steps through the event times and returns the end of each vertex's
// Down and not-Up intervals.
func (st *stepper) run(b *testing.B, site string, repair time.Duration) (down, up map[int32]time.Duration) {
	down, up = make(map[int32]time.Duration), make(map[int32]time.Duration)
	for i, t := range st.times {
		var sc Scenario
		if t < repair {
			sc = Fail(site)
		}
		o, err := Simulate(context.Background(), st.cs[i], sc)
		if err != nil {
			b.Fatal(err)
		}
		end := Never
		if i+1 < len(st.times) {
			end = st.times[i+1]
		}
		for _, e := range o.Effects() {
			switch e.State {
			case Down:
				down[e.Vertex], up[e.Vertex] = end, end
			case Degraded:
				up[e.Vertex] = end
			}
		}
	}
	return down, up
}

func BenchmarkRecover100K(b *testing.B) {
	m, c := recoverGraph(b)
	const repair = 11 * time.Hour
	var site string
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) == graph.Site {
			site = c.VertexName(v)
			break
		}
	}
	sc := Scenario{Failures: []Failure{{ID: site, For: repair}}}
	opts := RecoverOptions{Horizon: 1000 * time.Hour}
	tl, err := Recover(context.Background(), c, sc, opts)
	if err != nil {
		b.Fatal(err)
	}
	st := newStepper(b, m, repair)
	down, up := st.run(b, site, repair)
	n := 0
	for _, r := range tl.Recoveries {
		if r.DownUntil != down[r.Vertex] || r.DegradedUntil != up[r.Vertex] {
			b.Fatalf("%s: Recover says down until %v, degraded until %v; time-stepping %v, %v",
				r.ID, r.DownUntil, r.DegradedUntil, down[r.Vertex], up[r.Vertex])
		}
		n++
	}
	if n != len(up) {
		b.Fatalf("Recover lists %d nodes and replicas, time-stepping %d", n, len(up))
	}
	b.Logf("site %s for %v: %d nodes and replicas affected of %d vertices; %d event times %v; all up at %v",
		site, repair, n, c.Len(), len(st.times), st.times, tl.Totals.AllUp)
	b.Run("recover", func(b *testing.B) { benchRecover(b, c, sc, opts, nil) })
	benchDiffLike(b, c, sc, opts)
	b.Run("recover-legacy", func(b *testing.B) { benchRecover(b, c, sc, opts, legacyOrder) })
	b.Run("simulate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Simulate(context.Background(), c, Fail(site)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("timestep", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			st.run(b, site, repair)
		}
	})
	rev := *m
	rev.Nodes = slices.Clone(m.Nodes)
	slices.Reverse(rev.Nodes)
	cr, err := graph.Compile(&rev)
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range []struct {
		name string
		c    *graph.Compiled
	}{{"naive", c}, {"naive-reversed", cr}} {
		v, _ := g.c.Lookup(site)
		b.Run(g.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				naiveTimeline(g.c, map[int32]time.Duration{v: repair})
			}
		})
	}
}

// The same model with every standby given a recovery time of its own, as
// if each had been drilled and timed (30m to 72h, spread out): the
// time-stepping baselines then have one event per standby, while Recover
// does not depend on the number of distinct times. The baseline is the
// naive reference (one Simulate per event time would need a graph compiled
// for each). Run with
//
//	go test ./analyze -run '^$' -bench 'Recover100KDrilled' -benchmem -count 6
func BenchmarkRecover100KDrilled(b *testing.B) {
	m, _ := recoverGraph(b)
	dm := *m
	dm.Nodes = slices.Clone(m.Nodes)
	k := 0
	for i := range dm.Nodes {
		n := &dm.Nodes[i]
		if len(n.Replicas) == 0 {
			continue
		}
		n.Replicas = slices.Clone(n.Replicas)
		for j := range n.Replicas {
			if r := &n.Replicas[j]; r.Standby >= graph.Hot {
				k++
				r.Recovery = 30*time.Minute + time.Duration(k*7919%4290)*time.Minute
			}
		}
	}
	c, err := graph.Compile(&dm)
	if err != nil {
		b.Fatal(err)
	}
	const repair = 11 * time.Hour
	site := "site-0"
	v, _ := c.Lookup(site)
	sc := Scenario{Failures: []Failure{{ID: site, For: repair}}}
	opts := RecoverOptions{Horizon: 1000 * time.Hour}
	tl, err := Recover(context.Background(), c, sc, opts)
	if err != nil {
		b.Fatal(err)
	}
	events := eventTimes(c, map[int32]time.Duration{v: repair})
	down, up, _ := naiveTimeline(c, map[int32]time.Duration{v: repair})
	for _, r := range tl.Recoveries {
		if r.DownUntil != down[r.Vertex] || r.DegradedUntil != up[r.Vertex] {
			b.Fatalf("%s: Recover says down until %v, degraded until %v; the naive reference %v, %v",
				r.ID, r.DownUntil, r.DegradedUntil, down[r.Vertex], up[r.Vertex])
		}
	}
	b.Logf("%d standbys with recovery times of their own: %d event times; %d nodes and replicas affected", k, len(events), len(tl.Recoveries))
	b.Run("recover", func(b *testing.B) { benchRecover(b, c, sc, opts, nil) })
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			naiveTimeline(c, map[int32]time.Duration{v: repair})
		}
	})
}

// The same model with a failover requirement on every standby (whose
// takeover then waits for it), against Recover on the model without them,
// in the same run. Two placements of what the takeovers need: ops tools at
// the site that fails (every takeover waits for its repair, 11h: one run
// of D alone to learn when the tools are back, then the full run) and ops
// tools at another site (Up throughout: nothing waits). The setup checks
// the first against the discrete-event reference. Run with
//
//	go test ./analyze -run '^$' -bench 'Recover100KFailover' -benchmem -count 6
func BenchmarkRecover100KFailover(b *testing.B) {
	m, c := recoverGraph(b)
	const repair = 11 * time.Hour
	site := "site-0"
	sc := Scenario{Failures: []Failure{{ID: site, For: repair}}}
	opts := RecoverOptions{Horizon: 1000 * time.Hour}
	with := func(toolsAt string) *graph.Compiled {
		fm := *m
		fm.Nodes = append(slices.Clone(m.Nodes), graph.Node{ID: "ops-tools", Kind: graph.Service, Site: toolsAt})
		k := 0
		for i := range fm.Nodes {
			n := &fm.Nodes[i]
			if len(n.Replicas) == 0 {
				continue
			}
			n.Replicas = slices.Clone(n.Replicas)
			for j := range n.Replicas {
				if r := &n.Replicas[j]; r.Standby >= graph.Hot {
					r.FailoverRequires = []string{"ops-tools"}
					k++
				}
			}
		}
		fc, err := graph.Compile(&fm)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("tools at %s: %d standbys wait for them", toolsAt, k)
		return fc
	}
	down, up := with(site), with("site-1")
	tl, err := Recover(context.Background(), down, sc, opts)
	if err != nil {
		b.Fatal(err)
	}
	v, _ := down.Lookup(site)
	wd, wu, _ := naiveWaits(down, map[int32]time.Duration{v: repair})
	later := 0
	base, err := Recover(context.Background(), c, sc, opts)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range tl.Recoveries {
		if r.DownUntil != wd[r.Vertex] || r.DegradedUntil != wu[r.Vertex] {
			b.Fatalf("%s: Recover says down until %v, degraded until %v; the reference %v, %v",
				r.ID, r.DownUntil, r.DegradedUntil, wd[r.Vertex], wu[r.Vertex])
		}
		if b, ok := base.Recovery(r.ID); !ok || r.DegradedUntil > b.DegradedUntil {
			later++
		}
	}
	b.Logf("%d nodes and replicas affected (%d without the requirements); %d back later for them", len(tl.Recoveries), len(base.Recoveries), later)
	for _, g := range []struct {
		name string
		c    *graph.Compiled
	}{{"none", c}, {"tools-down", down}, {"tools-up", up}} {
		b.Run(g.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Recover(context.Background(), g.c, sc, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var recBenchNodes = flag.Int("recover-nodes", 1_000_000, "nodes of BenchmarkRecover1M's catalog")

var recBench1M struct {
	once sync.Once
	c    *graph.Compiled
	err  error
}

// The loss of one site of the synthetic 1,000,000-node catalog for 11h,
// Recover against its legacy path (Tarjan's algorithm over the whole lost
// region, twice per run, rather than the region sorted by the graph's
// components), in the same run; "order" is what Recover computes once per
// compiled graph (the graph's components for hard edges and for hard and
// soft ones). The setup checks that both paths give the same timeline.
// About 2 GB of memory; -recover-nodes sets another size. Run with
//
//	go test ./analyze -run '^$' -bench 'Recover1M' -benchmem -count 5
func BenchmarkRecover1M(b *testing.B) {
	recBench1M.once.Do(func() {
		recBench1M.c, recBench1M.err = graph.Compile(synth.Services(synth.Default(*recBenchNodes, 1)))
	})
	if recBench1M.err != nil {
		b.Fatal(recBench1M.err)
	}
	c := recBench1M.c
	sc := Scenario{Failures: []Failure{{ID: "site-0", For: 11 * time.Hour}}}
	opts := RecoverOptions{Horizon: 1000 * time.Hour}
	tl, err := Recover(context.Background(), c, sc, opts)
	if err != nil {
		b.Fatal(err)
	}
	old, err := recoverWith(context.Background(), c, sc, opts, legacyOrder)
	if err != nil {
		b.Fatal(err)
	}
	if !slices.Equal(tl.Recoveries, old.Recoveries) || tl.Totals != old.Totals {
		b.Fatal("Recover and its legacy path differ")
	}
	b.Logf("site-0 for 11h: %d nodes and replicas affected of %d vertices", len(tl.Recoveries), c.Len())
	b.Run("recover", func(b *testing.B) { benchRecover(b, c, sc, opts, nil) })
	benchDiffLike(b, c, sc, opts)
	b.Run("recover-legacy", func(b *testing.B) { benchRecover(b, c, sc, opts, legacyOrder) })
	b.Run("order", func(b *testing.B) {
		b.ReportAllocs()
		start := cpu()
		for b.Loop() {
			inputOrder(c, false)
			inputOrder(c, true)
		}
		reportCPU(b, start)
	})
}

// benchRecover times Recover (alt: with another way to order the region,
// such as legacyOrder) on c, with the CPU time per call beside the wall
// clock.
func benchRecover(b *testing.B, c *graph.Compiled, sc Scenario, opts RecoverOptions, alt *regionOrder) {
	b.ReportAllocs()
	start := cpu()
	for b.Loop() {
		if _, err := recoverWith(context.Background(), c, sc, opts, alt); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// benchDiffLike times Recover as diff's comparison of recovery times
// calls it: without reasons (recover-noreasons), and without reasons
// keeping only the tier-0 nodes that are not infrastructure
// (recover-tier0, RecoverOptions.Only, from a []bool as diff has).
func benchDiffLike(b *testing.B, c *graph.Compiled, sc Scenario, opts RecoverOptions) {
	opts.NoReasons = true
	b.Run("recover-noreasons", func(b *testing.B) { benchRecover(b, c, sc, opts, nil) })
	keep := make([]bool, c.NodeCount())
	for v := range int32(len(keep)) {
		keep[v] = c.Tier(v) == 0 && !c.Kind(v).Infrastructure()
	}
	opts.Only = func(v int32) bool { return v < int32(len(keep)) && keep[v] }
	b.Run("recover-tier0", func(b *testing.B) { benchRecover(b, c, sc, opts, nil) })
}

// reportCPU reports the process's CPU time per iteration since start (the
// package's cpu, from getrusage): on a shared machine a steadier figure
// than the wall clock.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpu()-start)/float64(b.N)/1e6, "cpu-ms/op")
}
