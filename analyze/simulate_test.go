package analyze

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// miniKakao is a small model of the 2022 outage built in Go: login runs on
// KakaoTalk, which runs in Pangyo with a warm standby too small to carry it.
func miniKakao() *graph.Model {
	m := &graph.Model{Name: "mini-kakao"}
	m.Add(
		graph.Node{ID: "capital", Kind: graph.Region},
		graph.Node{ID: "pangyo-power", Kind: graph.Power},
		graph.Node{ID: "pangyo", Kind: graph.Site, Region: "capital", Requires: graph.All("pangyo-power")},
		graph.Node{ID: "ansan", Kind: graph.Site, Region: "capital"},
		graph.Node{ID: "gasan", Kind: graph.Site, Region: "capital"},
		graph.Node{ID: "account-db", Kind: graph.Datastore, Replicas: []graph.Replica{
			{Site: "pangyo"}, {Site: "ansan"}, {Site: "gasan"},
		}},
		graph.Node{ID: "kakaotalk", Kind: graph.Service, Users: 47_500_000, Tier: graph.TierOf(0),
			Replicas: []graph.Replica{
				{Site: "pangyo", Capacity: 100},
				{Site: "ansan", Capacity: 20, Standby: graph.Warm},
			},
			Demand: 100, DegradedAt: 30,
			Requires: graph.All("account-db")},
		graph.Node{ID: "kakao-login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("kakaotalk")},
		graph.Node{ID: "game-db-a", Kind: graph.Datastore, Site: "gasan"},
		graph.Node{ID: "game-db-b", Kind: graph.Datastore, Site: "ansan"},
		graph.Node{ID: "kakao-games", Kind: graph.Service, Users: 2_000_000, Tier: graph.TierOf(1), Site: "gasan",
			Requires: []graph.Dep{graph.On("kakao-login"), graph.AnyOf("game-db-a", "game-db-b")}},
		graph.Node{ID: "bank-login", Kind: graph.Service, Requires: graph.All("kakao-login")},
		graph.Node{ID: "core-banking", Kind: graph.Service, Site: "gasan"},
		graph.Node{ID: "kakaobank", Kind: graph.Service, Users: 20_000_000,
			Requires: graph.All("core-banking"), Uses: graph.All("bank-login")},
	)
	return m
}

func compileT(t testing.TB, m *graph.Model) *graph.Compiled {
	t.Helper()
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func TestSimulateMiniKakao(t *testing.T) {
	c := compileT(t, miniKakao())
	o, err := Simulate(context.Background(), c, Fail("pangyo"))
	require.NoError(t, err)

	want := map[string]State{
		"pangyo":           Down,
		"kakaotalk@pangyo": Down,
		"kakaotalk":        Down,
		"kakao-login":      Down,
		"kakao-games":      Down,
		"bank-login":       Down,
		"kakaobank":        Degraded,
		"account-db":       lostUp,
		"core-banking":     Up,
		"pangyo-power":     Up,
		"ansan":            Up,
		"game-db-a":        Up,
	}
	for id, st := range want {
		assert.Equal(t, st, shownState(o, id), id)
	}
	assert.Equal(t, []string{"kakao-games", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"}, o.Chain("kakao-games"))
	assert.Equal(t, []string{"kakaobank", "bank-login", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"}, o.Chain("kakaobank"))
	assert.Equal(t, []Cause{{ID: "bank-login", State: Down, Soft: true}}, o.Causes("kakaobank"))
	assert.Nil(t, o.Chain("core-banking"))

	e, ok := o.Effect("kakaotalk")
	require.True(t, ok)
	assert.Equal(t, int64(0), e.Live)
	assert.Equal(t, int64(100), e.Need)

	tot := o.Totals
	assert.Equal(t, 1, tot.Removed)
	assert.Equal(t, 5, tot.Down) // pangyo, kakaotalk, kakao-login, kakao-games, bank-login
	assert.Equal(t, 4, tot.ServicesDown)
	assert.Equal(t, 1, tot.Degraded)
	assert.Equal(t, int64(47_500_000+2_000_000), tot.UsersDown)
	assert.Equal(t, int64(20_000_000), tot.UsersDegraded)
	assert.Equal(t, int64(47_500_000), tot.MaxUsersDown)
	assert.Equal(t, 1, tot.RedundancyLost)
}

func TestSimulateStates(t *testing.T) {
	c := compileT(t, miniKakao())
	tests := []struct {
		fail []string
		want map[string]State
	}{
		{[]string{"pangyo-power"}, map[string]State{"pangyo": Down, "kakaotalk": Down, "kakao-games": Down}},
		{[]string{"capital"}, map[string]State{"pangyo": Down, "ansan": Down, "account-db": Down, "kakaobank": Down, "core-banking": Down}},
		{[]string{"game-db-a"}, map[string]State{"kakao-games": lostUp, "kakaotalk": Up}},
		{[]string{"game-db-a", "game-db-b"}, map[string]State{"kakao-games": Down, "kakaobank": Up}},
		{[]string{"kakaotalk@pangyo"}, map[string]State{"kakaotalk": Down, "pangyo": Up}},
		{[]string{"bank-login"}, map[string]State{"kakaobank": Degraded, "kakao-login": Up}},
		{[]string{}, map[string]State{"kakaotalk": Up}},
	}
	for _, tt := range tests {
		o, err := Simulate(context.Background(), c, Fail(tt.fail...))
		require.NoError(t, err)
		for id, st := range tt.want {
			assert.Equal(t, st, shownState(o, id), "fail %v: %s", tt.fail, id)
		}
	}
}

// A capacity gate between its floor and its demand is Degraded; a mirror
// counts at once, a warm standby not at all.
func TestSimulateCapacity(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "c", Kind: graph.Site},
		graph.Node{ID: "svc", Kind: graph.Service, Demand: 100, DegradedAt: 40, Replicas: []graph.Replica{
			{Site: "a", Capacity: 60}, {Site: "b", Capacity: 50}, {Site: "c", Capacity: 100, Standby: graph.Warm},
		}},
		graph.Node{ID: "mirrored", Kind: graph.Service, Demand: 100, Replicas: []graph.Replica{
			{Site: "a", Capacity: 100}, {Site: "b", Capacity: 100, Standby: graph.Mirror},
		}},
	)
	c := compileT(t, m)
	for _, tt := range []struct {
		fail          []string
		svc, mirrored State
	}{
		{nil, Up, Up},
		{[]string{"c"}, lostUp, Up}, // a warm standby carries nothing yet, but it is a lost replica
		{[]string{"b"}, Degraded, lostUp},
		{[]string{"a"}, Degraded, lostUp},
		{[]string{"a", "b"}, Down, Down},
	} {
		o, err := Simulate(context.Background(), c, Fail(tt.fail...))
		require.NoError(t, err)
		assert.Equal(t, tt.svc, shownState(o, "svc"), "fail %v", tt.fail)
		assert.Equal(t, tt.mirrored, shownState(o, "mirrored"), "fail %v", tt.fail)
	}
}

// One rule of redundancy lost for every construct: an Up node with a
// member of one of its redundant constructs (a group in requires or uses,
// its replicas, standbys included, a replica's own groups) Down or
// Degraded, the lost member named as Via and in Causes. Once a group under
// uses never counted, a lost warm standby's site gave Up, and a lost
// member of that standby's own group gave redundancy-lost with no Via and
// no causes.
func TestRedundancyLostRule(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "x", Kind: graph.Service},
		graph.Node{ID: "y", Kind: graph.Service},
		graph.Node{ID: "db-b", Kind: graph.Datastore},
		graph.Node{ID: "db-b2", Kind: graph.Datastore},
		graph.Node{ID: "soft", Kind: graph.Service, Uses: []graph.Dep{graph.AnyOf("x", "y")}},
		graph.Node{ID: "hard", Kind: graph.Service, Requires: []graph.Dep{graph.AnyOf("x", "y")}},
		graph.Node{ID: "talk", Kind: graph.Service, Replicas: []graph.Replica{
			{Site: "a"},
			{Site: "b", Standby: graph.Warm, Requires: []graph.Dep{graph.AnyOf("db-b", "db-b2")}},
		}},
	)
	c := compileT(t, m)
	for _, tc := range []struct {
		fail   string
		id     string
		state  State
		via    string
		causes []Cause
	}{
		{"x", "soft", lostUp, "x", []Cause{{ID: "x", State: Down, Soft: true, Group: "any_of [x y]"}}},
		{"x", "hard", lostUp, "x", []Cause{{ID: "x", State: Down, Group: "any_of [x y]"}}},
		{"b", "talk", lostUp, "talk@b", []Cause{{ID: "talk@b", State: Down, Group: "replicas"}}},
		{"db-b", "talk", lostUp, "db-b", []Cause{{ID: "db-b", State: Down, Group: "any_of [db-b db-b2]"}}},
		{"a", "talk", Down, "talk@a", []Cause{{ID: "talk@a", State: Down}}},
	} {
		o, err := Simulate(context.Background(), c, Fail(tc.fail))
		require.NoError(t, err)
		e, ok := o.Effect(tc.id)
		require.True(t, ok, "fail %s: %s", tc.fail, tc.id)
		assert.Equal(t, tc.state, shownState(o, tc.id), "fail %s: %s", tc.fail, tc.id)
		assert.Equal(t, tc.state == lostUp, e.LostRedundancy, "fail %s: %s", tc.fail, tc.id)
		assert.Equal(t, tc.via, e.Via, "fail %s: %s", tc.fail, tc.id)
		assert.Equal(t, tc.causes, o.Causes(tc.id), "fail %s: %s", tc.fail, tc.id)
		assert.Equal(t, tc.fail, o.Chain(tc.id)[len(o.Chain(tc.id))-1], "the chain reaches the removed node")
	}
}

// A cycle stays up unless something outside breaks it; broken from outside,
// it goes down whole.
func TestSimulateCycle(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "x", Kind: graph.Service, Site: "s", Requires: graph.All("y")},
		graph.Node{ID: "y", Kind: graph.Service, Requires: graph.All("z")},
		graph.Node{ID: "z", Kind: graph.Service, Requires: graph.All("x")},
		graph.Node{ID: "w", Kind: graph.Service, Uses: graph.All("z")},
		graph.Node{ID: "other", Kind: graph.Service},
	)
	c := compileT(t, m)
	o, err := Simulate(context.Background(), c, Fail("other"))
	require.NoError(t, err)
	assert.Equal(t, Up, o.State("x"))
	assert.Equal(t, 1, o.Len())

	o, err = Simulate(context.Background(), c, Fail("s"))
	require.NoError(t, err)
	for _, id := range []string{"x", "y", "z"} {
		assert.Equal(t, Down, o.State(id), id)
	}
	assert.Equal(t, Degraded, o.State("w"))
	assert.Equal(t, []string{"w", "z", "x", "s"}, o.Chain("w"))
}

func TestSimulateUnknownNode(t *testing.T) {
	c := compileT(t, miniKakao())
	_, err := Simulate(context.Background(), c, Fail("pangyoo"))
	var unk *UnknownNodeError
	require.True(t, errors.As(err, &unk))
	assert.Equal(t, "pangyo", unk.Suggestion)
	assert.EqualError(t, err, `unknown node "pangyoo" (did you mean "pangyo"?)`)

	_, err = Simulate(context.Background(), c, Fail("kakao-games.requires[1]"))
	assert.Error(t, err, "groups are not nodes a user can remove")
}

func TestSimulateConcurrent(t *testing.T) {
	c := compileT(t, miniKakao())
	want, err := Simulate(context.Background(), c, Fail("pangyo"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				id := []string{"pangyo", "ansan", "gasan", "kakaotalk"}[(i+j)%4]
				o, err := Simulate(context.Background(), c, Fail(id))
				if err != nil {
					t.Error(err)
					return
				}
				if id == "pangyo" && o.State("kakao-games") != want.State("kakao-games") {
					t.Error("concurrent run disagrees")
				}
			}
		}(i)
	}
	wg.Wait()
}

// Without capacities every replica counts 1 and demand says how many must
// be live.
func TestSimulateReplicaCount(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "c", Kind: graph.Site},
		graph.Node{ID: "quorum", Kind: graph.Datastore, Demand: 2,
			Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}, {Site: "c"}}},
	)
	c := compileT(t, m)
	for _, tt := range []struct {
		fail []string
		want State
	}{
		{nil, Up},
		{[]string{"a"}, lostUp},
		{[]string{"a", "c"}, Down},
	} {
		o, err := Simulate(context.Background(), c, Fail(tt.fail...))
		require.NoError(t, err)
		assert.Equal(t, tt.want, shownState(o, "quorum"), "fail %v", tt.fail)
	}
}

// TestSimulateCanceled: a done context stops Simulate before it starts and
// while it drains a long chain, and the scratch it gives back is clean: the
// next run on the same graph gives the whole answer.
func TestSimulateCanceled(t *testing.T) {
	const n = 3 * cancelEvery
	m := &graph.Model{Name: "chain"}
	m.Add(graph.Node{ID: "n0", Kind: graph.Service})
	for i := 1; i < n; i++ {
		m.Add(graph.Node{ID: fmt.Sprintf("n%d", i), Kind: graph.Service, Requires: graph.All(fmt.Sprintf("n%d", i-1))})
	}
	c := compileT(t, m)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Simulate(ctx, c, Fail("n0"))
	require.ErrorIs(t, err, context.Canceled)

	// Cancelled while draining: the engine stops at its next look.
	closed := make(chan struct{})
	close(closed)
	s := getScratch(c)
	v, _ := c.Lookup("n0")
	s.remove(c, v)
	assert.False(t, s.drain(c, closed), "a closed done must stop a run of %d events", n)
	assert.Less(t, len(s.touched), n, "stopped part way")
	putScratch(c, s)

	o, err := Simulate(context.Background(), c, Fail("n0"))
	require.NoError(t, err)
	assert.Equal(t, n, o.Totals.Down)
}

// TestLostRedundancyIsUp: losing redundancy is not a step of the State
// order. A node that lost some is Up, says so in LostRedundancy and
// RedundancyLost, is counted in Totals.RedundancyLost and sorts after
// every Down and Degraded effect; the text forms know three states only.
func TestLostRedundancyIsUp(t *testing.T) {
	c := compileT(t, miniKakao())
	o, err := Simulate(context.Background(), c, Fail("game-db-a"))
	require.NoError(t, err)
	assert.Equal(t, Up, o.State("kakao-games"))
	assert.True(t, o.RedundancyLost("kakao-games"))
	assert.False(t, o.RedundancyLost("kakaotalk"))
	e, ok := o.Effect("kakao-games")
	require.True(t, ok, "listed although Up")
	assert.True(t, e.LostRedundancy)
	assert.Equal(t, "game-db-a", e.Via)
	x, _ := o.Explain("kakao-games")
	assert.Equal(t, Up, x.State)
	assert.True(t, x.LostRedundancy)

	o, err = Simulate(context.Background(), c, Fail("pangyo"))
	require.NoError(t, err)
	lost, seenLost := 0, false
	for _, e := range o.Sorted() {
		if e.LostRedundancy {
			assert.Equal(t, Up, e.State, e.ID)
			seenLost = true
			if !e.Replica {
				lost++
			}
			continue
		}
		assert.False(t, seenLost, "%s (%v) sorts after a node that only lost redundancy", e.ID, e.State)
		assert.NotEqual(t, Up, e.State, e.ID)
	}
	assert.Equal(t, o.Totals.RedundancyLost, lost)
	assert.Positive(t, lost)

	var st State
	require.NoError(t, st.UnmarshalText([]byte("down")))
	assert.Equal(t, Down, st)
	assert.Error(t, st.UnmarshalText([]byte("redundancy-lost")), "not a State")
	assert.Equal(t, []string{"up", "degraded", "down"}, []string{Up.String(), Degraded.String(), Down.String()})
}
