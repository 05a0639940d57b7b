package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// farHorizon keeps every finite time of the property tests within the
// horizon, so that Never means "never".
const farHorizon = 10_000 * time.Hour

// repairTimes are the repair times scenarios draw from: some equal to the
// standby tiers' recovery times (1h, 24h, 72h), so that ties are common.
var repairTimes = []time.Duration{
	0, 0, 30 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour, 11 * time.Hour,
	24 * time.Hour, 30 * time.Hour, 72 * time.Hour, 80 * time.Hour,
}

// randomScenario removes a random set with random repair times (0: never).
func randomScenario(c *graph.Compiled, r *rand.Rand) Scenario {
	var sc Scenario
	for _, v := range pickSet(r, removable(c)) {
		sc.Failures = append(sc.Failures, Failure{ID: c.VertexName(v), For: repairTimes[r.IntN(len(repairTimes))]})
	}
	return sc
}

// repairOf is the scenario as the references take it: vertex → repair
// time, Never for 0.
func repairOf(t *testing.T, c *graph.Compiled, sc Scenario) map[int32]time.Duration {
	t.Helper()
	m := make(map[int32]time.Duration)
	for _, f := range sc.Failures {
		v, ok := c.Lookup(f.ID)
		require.True(t, ok, f.ID)
		r := f.For
		if r == 0 {
			r = Never
		}
		m[v] = max(m[v], r)
	}
	return m
}

// recoverT runs Recover and returns the times of every vertex (0 for the
// vertices it does not list: Up throughout, or groups).
func recoverT(t *testing.T, c *graph.Compiled, sc Scenario) (tl *Timeline, down, up []time.Duration) {
	t.Helper()
	tl, err := Recover(context.Background(), c, sc, RecoverOptions{Horizon: farHorizon})
	require.NoError(t, err)
	down = make([]time.Duration, c.Len())
	up = make([]time.Duration, c.Len())
	for _, r := range tl.Recoveries {
		require.Zero(t, down[r.Vertex]+up[r.Vertex], "%s listed twice", r.ID)
		down[r.Vertex], up[r.Vertex] = r.DownUntil, r.DegradedUntil
	}
	return tl, down, up
}

func reported(c *graph.Compiled, v int32) bool {
	k := c.VertexKind(v)
	return k == graph.NodeVertex || k == graph.ReplicaVertex
}

// Recover equals the naive time-stepping reference: the fixpoint
// recomputed from scratch at every event time.
func TestRecoverMatchesTimeStepping(t *testing.T) {
	randomCases(t, 3000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		for range 3 {
			sc := randomScenario(c, r)
			_, down, up := recoverT(t, c, sc)
			wantDown, wantUp, worse := naiveTimeline(c, repairOf(t, c, sc))
			require.False(t, worse, "a vertex got worse with time")
			for v := int32(0); v < int32(c.Len()); v++ {
				if !reported(c, v) {
					continue
				}
				if down[v] != wantDown[v] || up[v] != wantUp[v] {
					t.Fatalf("%v: %s down until %v, degraded until %v; time-stepping says %v, %v",
						sc.Failures, c.VertexName(v), down[v], up[v], wantDown[v], wantUp[v])
				}
			}
		}
	})
}

// With nothing repaired, what is Down (or not Up) just after the failure
// is what Simulate says.
func TestRecoverNeverRepairedIsSimulate(t *testing.T) {
	randomCases(t, 2000, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		removed := pickSet(r, removable(c))
		sc := Fail(names(c, removed)...)
		_, down, up := recoverT(t, c, sc)
		st := simulateT(t, c, removed)
		for v := int32(0); v < int32(c.Len()); v++ {
			if !reported(c, v) {
				continue
			}
			if (down[v] > 0) != (st[v] == Down) || (up[v] > 0) != (st[v] == Down || st[v] == Degraded) {
				t.Fatalf("remove %v: %s is %v at t=0, but down until %v, degraded until %v",
					names(c, removed), c.VertexName(v), st[v], down[v], up[v])
			}
		}
	})
}

// withRestarts gives random nodes a restart time; acyclic only restarts
// nodes that are on no dependency cycle.
func withRestarts(t *testing.T, m *graph.Model, r *rand.Rand, acyclic bool) *graph.Compiled {
	t.Helper()
	c, err := graph.Compile(m)
	require.NoError(t, err)
	onCycle := make(map[string]bool)
	if acyclic {
		for _, comp := range topo.TarjanSCC(c) {
			if len(comp) > 1 {
				for _, n := range comp {
					onCycle[c.VertexName(c.Owner(int32(n.ID())))] = true
				}
			}
		}
	}
	for i := range m.Nodes {
		if !onCycle[m.Nodes[i].ID] && r.IntN(3) == 0 {
			m.Nodes[i].Restart = time.Duration(1+r.IntN(4)) * 15 * time.Minute
		}
	}
	c, err = graph.Compile(m)
	require.NoError(t, err)
	return c
}

// With restarts off every cycle, Recover equals the least solution of the
// time equations, restarts included, found by plain Kleene iteration; and
// without restarts the two references agree with each other.
func TestRecoverMatchesEquations(t *testing.T) {
	randomModels(t, 2000, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c := withRestarts(t, m, r, true)
		for range 3 {
			sc := randomScenario(c, r)
			_, down, up := recoverT(t, c, sc)
			wantDown, wantUp, ok := naiveEquations(c, repairOf(t, c, sc), 10*c.Len()+10)
			require.True(t, ok, "the equations do not settle without restarts on cycles")
			for v := int32(0); v < int32(c.Len()); v++ {
				if reported(c, v) && (down[v] != wantDown[v] || up[v] != wantUp[v]) {
					t.Fatalf("%v: %s down until %v, degraded until %v; the equations say %v, %v",
						sc.Failures, c.VertexName(v), down[v], up[v], wantDown[v], wantUp[v])
				}
			}
		}
	})
}

// With restarts anywhere, cycles included, Recover follows the stated
// rule for cycles, as naiveCycles computes it. (Where a restart sits on a
// cycle the plain equations may still settle, through a threshold that
// does not need the cycle, at a different answer: the cycle rule is the
// contract.)
func TestRecoverMatchesCycleRule(t *testing.T) {
	randomModels(t, underRace(1500), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c := withRestarts(t, m, r, false)
		for range 3 {
			sc := randomScenario(c, r)
			repair := repairOf(t, c, sc)
			_, down, up := recoverT(t, c, sc)
			wantDown, wantUp := naiveCycles(c, repair)
			for v := int32(0); v < int32(c.Len()); v++ {
				if reported(c, v) && (down[v] != wantDown[v] || up[v] != wantUp[v]) {
					t.Fatalf("%v: %s down until %v, degraded until %v; the cycle rule says %v, %v",
						sc.Failures, c.VertexName(v), down[v], up[v], wantDown[v], wantUp[v])
				}
			}
		}
	})
}

// The example: a site that uses monitoring, which runs at the
// site. Its only link into the cycle is soft, so monitoring's restart does
// not hold it Down: power back after 30m, the site and what runs there are
// Down 0–30m and Degraded until monitoring is back, 3h later.
func TestRecoverSoftCycleRestart(t *testing.T) {
	src := `nodes:
  power: {kind: power}
  dc: {kind: site, requires: [power], uses: [monitoring]}
  monitoring: {kind: service, site: dc, restart: 3h}
  app: {kind: service, site: dc}
`
	m, err := graph.Decode(strings.NewReader(src), "cycle.yaml", graph.YAML)
	require.NoError(t, err)
	c := compileT(t, m)
	tl, err := Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "power", For: 30 * time.Minute}}}, RecoverOptions{})
	require.NoError(t, err)
	h, min30 := time.Hour, 30*time.Minute
	for _, tc := range []struct {
		id       string
		down, up time.Duration
	}{
		{"power", min30, min30},
		{"dc", min30, 3*h + min30},
		{"app", min30, 3*h + min30},
		{"monitoring", 3*h + min30, 3*h + min30},
	} {
		d, u := rt(t, tl, tc.id)
		assert.Equal(t, [2]time.Duration{tc.down, tc.up}, [2]time.Duration{d, u}, tc.id)
	}
}

// A later repair never brings anything back sooner, restarts and cycles
// included; and nothing is Degraded before it is Down.
func TestRecoverMonotoneInRepair(t *testing.T) {
	randomModels(t, 2000, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c := withRestarts(t, m, r, false)
		sc := randomScenario(c, r)
		if len(sc.Failures) == 0 {
			return
		}
		_, down, up := recoverT(t, c, sc)
		for v := range down {
			require.LessOrEqual(t, down[v], up[v], "%s", c.VertexName(int32(v)))
		}
		later := Scenario{Failures: slices.Clone(sc.Failures)}
		f := &later.Failures[r.IntN(len(later.Failures))]
		if f.For != 0 {
			if r.IntN(3) == 0 {
				f.For = 0 // never
			} else {
				f.For += time.Duration(1+r.IntN(20)) * 30 * time.Minute
			}
		}
		_, down2, up2 := recoverT(t, c, later)
		for v := range down {
			if down2[v] < down[v] || up2[v] < up[v] {
				t.Fatalf("%v → %v: %s down until %v → %v, degraded until %v → %v", sc.Failures, later.Failures,
					c.VertexName(int32(v)), down[v], down2[v], up[v], up2[v])
			}
		}
	})
}

// rt is a table-test helper: the times of id in tl.
func rt(t *testing.T, tl *Timeline, id string) (down, up time.Duration) {
	t.Helper()
	r, ok := tl.Recovery(id)
	if !ok {
		return 0, 0
	}
	return r.DownUntil, r.DegradedUntil
}

func TestRecoverTable(t *testing.T) {
	h := time.Hour
	m := time.Minute
	site := func(id string) graph.Node { return graph.Node{ID: id, Kind: graph.Site} }
	svc := func(id, at string, requires ...string) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Site: at, Requires: graph.All(requires...)}
	}
	restart := func(n graph.Node, d time.Duration) graph.Node { n.Restart = d; return n }
	uses := func(n graph.Node, ids ...string) graph.Node { n.Uses = graph.All(ids...); return n }
	anyOf := func(n graph.Node, ids ...string) graph.Node {
		n.Requires = append(n.Requires, graph.AnyOf(ids...))
		return n
	}
	replicated := func(id string, demand, degradedAt int64, reps ...graph.Replica) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Demand: demand, DegradedAt: degradedAt, Replicas: reps}
	}
	type want struct {
		id       string
		down, up time.Duration
	}
	tests := []struct {
		name  string
		nodes []graph.Node
		fail  []Failure
		want  []want
	}{
		{"a chain comes back with its root",
			[]graph.Node{site("s"), svc("a", "s"), svc("b", "", "a")},
			[]Failure{{"s", 2 * h}},
			[]want{{"s", 2 * h, 2 * h}, {"a", 2 * h, 2 * h}, {"b", 2 * h, 2 * h}}},
		{"never repaired",
			[]graph.Node{site("s"), svc("a", "s")},
			[]Failure{{"s", 0}},
			[]want{{"a", Never, Never}}},
		{"restarts add up along a chain",
			[]graph.Node{site("s"), restart(svc("a", "s"), 30*m), restart(svc("b", "", "a"), 15*m), svc("c", "", "b")},
			[]Failure{{"s", 2 * h}},
			[]want{{"a", 2*h + 30*m, 2*h + 30*m}, {"b", 2*h + 45*m, 2*h + 45*m}, {"c", 2*h + 45*m, 2*h + 45*m}}},
		{"a removed node restarts after its repair",
			[]graph.Node{site("s"), restart(svc("a", "s"), 30*m)},
			[]Failure{{"a", 2 * h}},
			[]want{{"a", 2*h + 30*m, 2*h + 30*m}, {"s", 0, 0}}},
		{"a node only degraded restarts too",
			[]graph.Node{site("s"), svc("x", "s"), restart(uses(svc("a", "s"), "x"), 10*m)},
			[]Failure{{"x", h}},
			[]want{{"a", 0, h + 10*m}}},
		{"an unaffected node does not restart",
			[]graph.Node{site("s"), site("t"), svc("x", "t"), restart(svc("a", "s"), 10*m)},
			[]Failure{{"x", h}},
			[]want{{"a", 0, 0}}},
		{"the latest input decides an and gate",
			[]graph.Node{site("s"), site("t"), svc("a", "s"), svc("b", "t"), svc("c", "", "a", "b")},
			[]Failure{{"s", 2 * h}, {"t", 5 * h}},
			[]want{{"c", 5 * h, 5 * h}}},
		{"the first input back decides an any_of",
			[]graph.Node{site("s"), site("t"), svc("a", "s"), svc("b", "t"), anyOf(svc("c", ""), "a", "b")},
			[]Failure{{"s", 2 * h}, {"t", 5 * h}},
			[]want{{"c", 2 * h, 2 * h}}},
		{"a cycle broken from outside comes back with it",
			[]graph.Node{site("s"), svc("x", "s"), svc("a", "", "b", "x"), svc("b", "", "a")},
			[]Failure{{"x", 3 * h}},
			[]want{{"a", 3 * h, 3 * h}, {"b", 3 * h, 3 * h}}},
		{"a cycle restarts as a whole, by its longest restart",
			[]graph.Node{site("s"), svc("x", "s"), restart(svc("a", "", "b", "x"), 10*m), restart(svc("b", "", "a"), 20*m), svc("c", "", "b")},
			[]Failure{{"x", 3 * h}},
			[]want{{"a", 3*h + 20*m, 3*h + 20*m}, {"b", 3*h + 20*m, 3*h + 20*m}, {"c", 3*h + 20*m, 3*h + 20*m}}},
		{"a cycle with a way out comes back by it",
			// b needs a or y; a needs b and x. y is back first: b with it,
			// and a when x is.
			[]graph.Node{site("s"), svc("x", "s"), svc("y", "s"), svc("a", "", "b", "x"), anyOf(svc("b", ""), "a", "y")},
			[]Failure{{"x", 5 * h}, {"y", 2 * h}},
			[]want{{"a", 5 * h, 5 * h}, {"b", 2 * h, 2 * h}}},
		{"a cycle of soft uses degrades, then recovers",
			[]graph.Node{site("s"), svc("x", "s"), uses(svc("a", "", "x"), "b"), uses(svc("b", "s"), "a")},
			[]Failure{{"x", 4 * h}},
			[]want{{"a", 4 * h, 4 * h}, {"b", 0, 4 * h}}},
		{"a hot standby with full capacity takes over at 1h",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Hot})},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", h, h}, {"a@s", 5 * h, 5 * h}}},
		{"a small hot standby degrades the node until the primary is back",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 50, Standby: graph.Hot})},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", h, 5 * h}}},
		{"a warm standby too slow for the repair",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Warm})},
			[]Failure{{"s", 11 * h}},
			[]want{{"a", 11 * h, 11 * h}}},
		{"a warm standby faster than the repair",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Warm})},
			[]Failure{{"s", 0}},
			[]want{{"a", 24 * h, 24 * h}}},
		{"a standby waits for its own site",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Hot, Recovery: 30 * m})},
			[]Failure{{"s", 5 * h}, {"t", 3 * h}},
			[]want{{"a", 3 * h, 3 * h}, {"a@t", 3 * h, 3 * h}}},
		{"a mirror never lets the node down",
			[]graph.Node{site("s"), site("t"), replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Mirror})},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", 0, 0}, {"a@s", 5 * h, 5 * h}}},
		{"a restart applies once a standby carries the node",
			[]graph.Node{site("s"), site("t"), restart(replicated("a", 100, 30,
				graph.Replica{Site: "s", Capacity: 100}, graph.Replica{Site: "t", Capacity: 100, Standby: graph.Hot}), 15*m)},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", h + 15*m, h + 15*m}}},
		{"a standby in a cycle",
			// The site t needs the service a that runs there: a cycle
			// through the infrastructure, down while s is. Only the cycle
			// holds the standby at t down, so the least fixpoint has it
			// serve at its recovery time, and t with it.
			[]graph.Node{site("s"), {ID: "t", Kind: graph.Site, Requires: graph.All("a")}, replicated("a", 2, 0,
				graph.Replica{Site: "s", Capacity: 2}, graph.Replica{Site: "t", Capacity: 2, Standby: graph.Hot})},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", h, h}, {"t", h, h}, {"a@t", h, h}, {"a@s", 5 * h, 5 * h}}},
		{"a standby in a cycle, restarting",
			// The same with restarts: the cycle {a, a@t, t} comes back as
			// a whole, after its longest restart.
			[]graph.Node{site("s"), {ID: "t", Kind: graph.Site, Requires: graph.All("a"), Restart: 10 * m}, restart(replicated("a", 2, 0,
				graph.Replica{Site: "s", Capacity: 2}, graph.Replica{Site: "t", Capacity: 2, Standby: graph.Hot}), 30*m)},
			[]Failure{{"s", 5 * h}},
			[]want{{"a", h + 30*m, h + 30*m}, {"t", h + 30*m, h + 30*m}, {"a@s", 5 * h, 5 * h}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var md graph.Model
			md.Add(tt.nodes...)
			c := compileT(t, &md)
			tl, err := Recover(context.Background(), c, Scenario{Failures: tt.fail}, RecoverOptions{})
			require.NoError(t, err)
			for _, w := range tt.want {
				d, u := rt(t, tl, w.id)
				assert.Equal(t, [2]time.Duration{w.down, w.up}, [2]time.Duration{d, u}, "%s: down until, degraded until", w.id)
			}
		})
	}
}

func TestRecoverHorizon(t *testing.T) {
	c := compileT(t, miniKakao())
	day := 24 * time.Hour
	tl, err := Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "pangyo", For: 40 * day}}}, RecoverOptions{})
	require.NoError(t, err)
	assert.Equal(t, DefaultHorizon, tl.Horizon)
	talk, ok := tl.Recovery("kakaotalk")
	require.True(t, ok)
	// The warm standby (20 of 100, floor 30) never carries KakaoTalk, so
	// it waits for Pangyo, beyond the horizon.
	assert.Equal(t, Never, talk.DownUntil)
	assert.Equal(t, Never, talk.DegradedUntil)
	assert.Equal(t, DefaultHorizon, talk.Down(tl.Horizon))
	assert.InDelta(t, 47_500_000*30*24.0, talk.DownUserHours, 1, "user-hours count up to the horizon")
	assert.Equal(t, Never, tl.Totals.AllUp)
	p, _ := tl.Recovery("pangyo")
	assert.True(t, p.Removed)
	assert.Equal(t, Never, p.DownUntil, "not back within the horizon")
	assert.Equal(t, 40*day, p.Repair, "but repaired, after it (once reported as not repaired)")

	tl, err = Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "pangyo", For: 40 * day}}}, RecoverOptions{Horizon: 50 * day})
	require.NoError(t, err)
	talk, _ = tl.Recovery("kakaotalk")
	assert.Equal(t, 40*day, talk.DownUntil)
	assert.Equal(t, 40*day, tl.Totals.AllUp)
}

// The totals count what the rows show: EverDegraded counts every node with
// a Degraded span, Down before or not (the summary once said "0 nodes
// degraded" above Degraded rows).
func TestRecoverEverDegraded(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Site: "s", Restart: time.Hour},
		graph.Node{ID: "api", Kind: graph.Service, Site: "s", Uses: graph.All("db"), Users: 10},
	)
	c := compileT(t, m)
	tl, err := Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "s", For: time.Hour}}}, RecoverOptions{})
	require.NoError(t, err)
	d, u := rt(t, tl, "api")
	assert.Equal(t, [2]time.Duration{time.Hour, 2 * time.Hour}, [2]time.Duration{d, u}, "down with its site, degraded until db restarts")
	assert.Equal(t, RecoveryTotals{Down: 3, Degraded: 0, EverDegraded: 1, DownUserHours: 10, DegradedUserHours: 10, AllUp: 2 * time.Hour}, tl.Totals)
}

// A node that one side of a what-if lacks is absent there, not Up.
func TestWhatIfAbsent(t *testing.T) {
	base := &graph.Model{Name: "base"}
	base.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "old", Kind: graph.Service, Site: "s"},
	)
	variant := &graph.Model{Name: "variant"}
	variant.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "new", Kind: graph.Service, Site: "s"},
	)
	cmp, err := WhatIf(context.Background(), compileT(t, base), compileT(t, variant), Fail("s"), RecoverOptions{})
	require.NoError(t, err)
	rows := map[string]ComparisonRow{}
	for _, r := range cmp.Rows {
		rows[r.ID] = r
	}
	assert.True(t, rows["old"].VariantAbsent)
	assert.False(t, rows["old"].BaseAbsent)
	assert.True(t, rows["new"].BaseAbsent)
	assert.False(t, rows["new"].VariantAbsent)
	assert.False(t, rows["s"].BaseAbsent || rows["s"].VariantAbsent)
}

func TestRecoverErrors(t *testing.T) {
	c := compileT(t, miniKakao())
	_, err := Recover(context.Background(), c, Fail("pangyoo"), RecoverOptions{})
	var unknown *UnknownNodeError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "pangyo", unknown.Suggestion)

	_, err = Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "pangyo", For: -time.Hour}}}, RecoverOptions{})
	assert.ErrorContains(t, err, "negative repair time")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Recover(ctx, c, Fail("pangyo"), RecoverOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRecoverNothing(t *testing.T) {
	c := compileT(t, miniKakao())
	tl, err := Recover(context.Background(), c, Scenario{}, RecoverOptions{})
	require.NoError(t, err)
	assert.Empty(t, tl.Recoveries)
	assert.Zero(t, tl.Totals)
}

func TestRecoverProgress(t *testing.T) {
	c := compileT(t, synth.Services(synth.Default(50_000, 3)))
	site := c.IDs()[0]
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v) == graph.Site {
			site = c.VertexName(v)
			break
		}
	}
	var calls, last, total int
	_, err := Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: site, For: 5 * time.Hour}}},
		RecoverOptions{Progress: func(done, n int) {
			require.GreaterOrEqual(t, done, last)
			calls, last, total = calls+1, done, n
		}})
	require.NoError(t, err)
	assert.Greater(t, calls, 1)
	assert.Equal(t, total, last, "the last call reports everything done")
}

// Recover is safe to call concurrently on one graph (run with -race), and
// gives every caller the same answer.
func TestRecoverConcurrent(t *testing.T) {
	c := compileT(t, miniKakao())
	sc := Scenario{Failures: []Failure{{ID: "pangyo", For: 11 * time.Hour}, {ID: "ansan", For: 3 * time.Hour}}}
	want, err := Recover(context.Background(), c, sc, RecoverOptions{})
	require.NoError(t, err)
	done := make(chan *Timeline)
	for range 8 {
		go func() {
			tl, err := Recover(context.Background(), c, sc, RecoverOptions{})
			assert.NoError(t, err)
			done <- tl
		}()
	}
	for range 8 {
		tl := <-done
		assert.Equal(t, want.Recoveries, tl.Recoveries)
	}
}

// restart: in a model file reaches the timeline.
func TestRecoverRestartFromYAML(t *testing.T) {
	src := `nodes:
  s: {kind: site}
  db: {kind: datastore, site: s, restart: 20m}
  api: {kind: service, site: s, requires: [db], restart: 1h30m}
`
	m, err := graph.Decode(strings.NewReader(src), "r.yaml", graph.YAML)
	require.NoError(t, err)
	c := compileT(t, m)
	api, _ := c.Lookup("api")
	assert.Equal(t, 90*time.Minute, c.Restart(api))
	tl, err := Recover(context.Background(), c, Scenario{Failures: []Failure{{ID: "s", For: 2 * time.Hour}}}, RecoverOptions{})
	require.NoError(t, err)
	d, u := rt(t, tl, "db")
	assert.Equal(t, [2]time.Duration{2*time.Hour + 20*time.Minute, 2*time.Hour + 20*time.Minute}, [2]time.Duration{d, u})
	d, _ = rt(t, tl, "api")
	assert.Equal(t, 2*time.Hour+20*time.Minute+90*time.Minute, d, "api waits for db, then restarts")
}
