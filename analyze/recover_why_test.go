package analyze

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// What each node's time waited for, on small models with one reason each.
func TestRecoverWhy(t *testing.T) {
	const h = time.Hour
	site := func(id string) graph.Node { return graph.Node{ID: id, Kind: graph.Site} }
	m := &graph.Model{}
	m.Add(site("a"), site("b"), site("c"),
		graph.Node{ID: "tools", Kind: graph.Service, Site: "c"},
		graph.Node{ID: "svc", Kind: graph.Service, Replicas: []graph.Replica{
			{Site: "a"}, {Site: "b", Standby: graph.Hot, FailoverRequires: []string{"tools"}}}},
		graph.Node{ID: "app", Kind: graph.Service, Site: "b", Requires: []graph.Dep{{Form: graph.One, Members: []graph.Member{{ID: "svc", Weight: 1}}}}, Restart: 30 * time.Minute},
		graph.Node{ID: "net", Kind: graph.Network, RepairRequires: []string{"remote"}, OnSite: 2 * h},
		graph.Node{ID: "remote", Kind: graph.Network, Requires: []graph.Dep{{Form: graph.One, Members: []graph.Member{{ID: "net", Weight: 1}}}}},
	)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	sc := Scenario{Failures: []Failure{{ID: "a", For: 20 * h}, {ID: "c", For: 3 * h}, {ID: "net", For: h}}}
	tl, err := Recover(context.Background(), c, sc, RecoverOptions{})
	require.NoError(t, err)
	why := func(id string) RecoveryReason {
		r, ok := tl.Recovery(id)
		require.True(t, ok, id)
		return r.Why
	}
	// The standby's takeover starts when the tools are back (3h) and
	// takes its hour: svc is back at 4h, through the takeover.
	assert.Equal(t, RecoveryReason{Kind: ReasonTakeover, Input: "svc@b", At: 4 * h, WaitedFor: "tools", WaitedUntil: 3 * h}, why("svc"))
	assert.Equal(t, RecoveryReason{Kind: ReasonInput, Input: "svc", At: 4 * h, Restart: 30 * time.Minute}, why("app"))
	assert.Equal(t, RecoveryReason{Kind: ReasonInput, Input: "c", At: 3 * h}, why("tools"))
	assert.Equal(t, RecoveryReason{Kind: ReasonRepair, At: 3 * h}, why("c"))
	// The backbone-like repair needs what needs it: on site, at 1h + 2h.
	assert.Equal(t, RecoveryReason{Kind: ReasonRepair, At: 3 * h, WaitedFor: "remote", WaitedUntil: 3 * h, OnSite: true}, why("net"))
	assert.Equal(t, RecoveryReason{Kind: ReasonInput, Input: "net", At: 3 * h}, why("remote"))
	r, _ := tl.Recovery("net")
	assert.Equal(t, 3*h, r.Repair, "the repair time reported is when it was done")
}
