package analyze

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
)

// waitCases scales the property tests down under the race detector, which
// makes them ten times slower (the package's tests share one timeout).
func waitCases(n int) int {
	if testing.Short() || race.Enabled {
		return n / 10
	}
	return n
}

// withWaits gives random standbys failover requirements and random nodes
// repair requirements (some with an on-site time), any node of the model
// being a possible requirement, so that waits form cycles too (a repair
// that needs what depends on it, a takeover that needs the node it
// serves).
func withWaits(t *testing.T, m *graph.Model, r *rand.Rand) *graph.Compiled {
	t.Helper()
	pick := func(self string) []string {
		var ids []string
		for range 1 + r.IntN(2) {
			id := m.Nodes[r.IntN(len(m.Nodes))].ID
			if id != self && !contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	for i := range m.Nodes {
		nd := &m.Nodes[i]
		for j := range nd.Replicas {
			if nd.Replicas[j].Standby >= graph.Hot && r.IntN(2) == 0 {
				nd.Replicas[j].FailoverRequires = pick(nd.ID)
			}
		}
		if r.IntN(3) == 0 {
			nd.RepairRequires = pick(nd.ID)
			if len(nd.RepairRequires) > 0 && r.IntN(2) == 0 {
				nd.OnSite = time.Duration(1+r.IntN(12)) * 30 * time.Minute
			}
		}
	}
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Recover equals the time-stepping reference with recovery dependencies:
// a discrete-event simulation that recomputes the fixpoint at every event
// time and starts takeovers and repairs when their requirements are back.
func TestRecoverWaitsMatchTimeStepping(t *testing.T) {
	randomModels(t, waitCases(3000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c := withWaits(t, m, r)
		for range 3 {
			sc := randomScenario(c, r)
			_, down, up := recoverT(t, c, sc)
			wantDown, wantUp, worse := naiveWaits(c, repairOf(t, c, sc))
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

// Without recovery dependencies the new reference is the old one.
func TestNaiveWaitsWithoutWaits(t *testing.T) {
	randomCases(t, waitCases(1000), func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		sc := randomScenario(c, r)
		rep := repairOf(t, c, sc)
		d1, u1, _ := naiveTimeline(c, rep)
		d2, u2, _ := naiveWaits(c, rep)
		require.Equal(t, d1, d2)
		require.Equal(t, u1, u2)
	})
}

// Adding failover or repair requirements never brings anything back
// earlier; requirements that are Up throughout change nothing; and the
// state at t=0 (Simulate) is the same with them as without.
func TestRecoverWaitsMonotone(t *testing.T) {
	randomModels(t, waitCases(2000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		base, err := graph.Compile(m)
		require.NoError(t, err)
		sc := randomScenario(base, r)
		tl0, down0, up0 := recoverT(t, base, sc)
		c := withWaits(t, m, r)
		_, down, up := recoverT(t, c, sc)
		for v := int32(0); v < int32(c.Len()); v++ {
			if down[v] < down0[v] || up[v] < up0[v] {
				t.Fatalf("%v: %s down until %v, degraded until %v with requirements; %v, %v without",
					sc.Failures, c.VertexName(v), down[v], up[v], down0[v], up0[v])
			}
		}
		removed := make([]int32, 0, len(sc.Failures))
		for _, f := range sc.Failures {
			v, _ := c.Lookup(f.ID)
			removed = append(removed, v)
		}
		require.Equal(t, simulateT(t, base, removed), simulateT(t, c, removed), "t=0 differs")

		// Requirements among what is Up throughout: no change at all.
		affected := map[string]bool{}
		for _, rec := range tl0.Recoveries {
			affected[rec.ID] = true
		}
		for _, f := range sc.Failures {
			affected[f.ID] = true
		}
		var up0IDs []string
		for i := range m.Nodes {
			if !affected[m.Nodes[i].ID] {
				up0IDs = append(up0IDs, m.Nodes[i].ID)
			}
		}
		if len(up0IDs) == 0 {
			return
		}
		for i := range m.Nodes {
			nd := &m.Nodes[i]
			nd.RepairRequires, nd.OnSite = nil, 0
			if id := up0IDs[r.IntN(len(up0IDs))]; id != nd.ID {
				nd.RepairRequires = []string{id}
			}
			for j := range nd.Replicas {
				nd.Replicas[j].FailoverRequires = nil
				if id := up0IDs[r.IntN(len(up0IDs))]; nd.Replicas[j].Standby >= graph.Hot && id != nd.ID {
					nd.Replicas[j].FailoverRequires = []string{id}
				}
			}
		}
		c2, err := graph.Compile(m)
		require.NoError(t, err)
		tl2, err := Recover(context.Background(), c2, sc, RecoverOptions{Horizon: farHorizon})
		require.NoError(t, err)
		require.Equal(t, len(tl0.Recoveries), len(tl2.Recoveries))
		for i := range tl0.Recoveries {
			a, b := tl0.Recoveries[i], tl2.Recoveries[i]
			a.Why, b.Why = RecoveryReason{}, RecoveryReason{}
			require.Equal(t, a, b)
		}
	})
}

// With restarts too (on cycles or not), adding failover and repair
// requirements never brings anything back earlier.
func TestRecoverWaitsMonotoneRestarts(t *testing.T) {
	randomModels(t, waitCases(2000), func(t *testing.T, m *graph.Model, r *rand.Rand) {
		base := withRestarts(t, m, r, false)
		sc := randomScenario(base, r)
		_, down0, up0 := recoverT(t, base, sc)
		c := withWaits(t, m, r)
		_, down, up := recoverT(t, c, sc)
		for v := int32(0); v < int32(c.Len()); v++ {
			if down[v] < down0[v] || up[v] < up0[v] {
				t.Fatalf("%v: %s down until %v, degraded until %v with requirements; %v, %v without",
					sc.Failures, c.VertexName(v), down[v], up[v], down0[v], up0[v])
			}
			if down[v] > up[v] {
				t.Fatalf("%s: down until %v after degraded until %v", c.VertexName(v), down[v], up[v])
			}
		}
	})
}
