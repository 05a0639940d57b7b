package diff_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

func load(t *testing.T, name string) *graph.Compiled {
	t.Helper()
	m, err := graph.Load("../../testdata/" + name + ".yaml")
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func compile(t *testing.T, nodes ...graph.Node) *graph.Compiled {
	t.Helper()
	c, err := graph.Compile(new(graph.Model).Add(nodes...))
	require.NoError(t, err)
	return c
}

func compare(t *testing.T, from, to *graph.Compiled, p *policy.Policy) *diff.Diff {
	t.Helper()
	d, err := diff.Models(context.Background(), from, to, diff.Options{Policy: p})
	require.NoError(t, err)
	return d
}

func TestSameModel(t *testing.T) {
	c := load(t, "kakao-2022")
	p, err := policy.Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	d := compare(t, c, load(t, "kakao-2022"), p)
	assert.True(t, d.Empty())
	assert.False(t, d.Worse())
	assert.False(t, d.Better())
	require.NotNil(t, d.Policy)
	for _, r := range d.Policy.Rules {
		assert.False(t, r.Passed)
		assert.False(t, r.NewlyFailing())
		assert.Empty(t, r.Introduced)
	}
}

// Kakao's warm standby made a mirror site, and back.
func TestKakaoMirror(t *testing.T) {
	kakao, mirror := load(t, "kakao-2022"), load(t, "kakao-2022-mirror")
	d := compare(t, kakao, mirror, nil)
	assert.False(t, d.Worse())
	assert.True(t, d.Better())
	assert.Equal(t, []string{"kakaotalk"}, d.Redundancy.Gained)
	assert.Empty(t, d.Redundancy.Lost)
	assert.Greater(t, d.Redundancy.New.UsersRate, d.Redundancy.Old.UsersRate)
	assert.Empty(t, d.NewSPOFs, "a whole node failing takes the same down either way")
	var shrank []string
	for _, c := range d.Shrank {
		shrank = append(shrank, c.ID)
	}
	assert.Equal(t, []string{"pangyo", "pangyo-power"}, shrank)
	assert.Equal(t, int64(87_500_000), d.Shrank[0].Old.UsersDown)
	assert.Empty(t, d.Grew)
	assert.Empty(t, d.Added)
	assert.Empty(t, d.Removed)

	back := compare(t, mirror, kakao, nil)
	assert.True(t, back.Worse())
	assert.Equal(t, []string{"kakaotalk"}, back.Redundancy.Lost)
	assert.Len(t, back.Grew, 2)
}

// A shared dependency added under two services is a new single point of
// failure of both; taking it out again fixes it.
func TestNewSPOF(t *testing.T) {
	s := graph.Node{ID: "s", Kind: graph.Site}
	t2 := graph.Node{ID: "t", Kind: graph.Site}
	app := func(id string, users int64, deps ...string) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Users: users, Tier: graph.TierOf(1),
			Replicas: []graph.Replica{{Site: "s"}, {Site: "t"}}, Requires: graph.All(deps...)}
	}
	before := compile(t, s, t2, app("pay", 20), app("games", 3), graph.Node{ID: "old-db", Kind: graph.Datastore, Tier: graph.TierOf(1), Site: "s"}, app("mail", 5, "old-db"))
	after := compile(t, s, t2, graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(1), Site: "s"},
		app("pay", 20, "login"), app("games", 3, "login"), app("mail", 5))
	p := &policy.Policy{Rules: []policy.Rule{policy.NoSPOF(policy.UserFacing()), policy.SurviveSiteLoss(policy.UserFacing())}}

	d := compare(t, before, after, p)
	assert.True(t, d.Worse())
	require.Len(t, d.NewSPOFs, 1)
	assert.Equal(t, diff.SPOF{ID: "login", Kind: graph.Identity, Takes: []string{"pay", "games"}, TakesCount: 2, Chain: []string{"pay", "login"}}, d.NewSPOFs[0])
	assert.Empty(t, d.FixedSPOFs, "old-db is gone: removed, not fixed")
	assert.Equal(t, []string{"login"}, d.Added)
	assert.Equal(t, []string{"old-db"}, d.Removed)
	assert.ElementsMatch(t, []string{"pay", "games"}, d.Redundancy.Lost)
	assert.Equal(t, []string{"mail"}, d.Redundancy.Gained)
	require.Len(t, d.Policy.Rules, 2)
	for _, r := range d.Policy.Rules {
		assert.False(t, r.Passed)
		assert.False(t, r.WasPassed, "mail needed old-db")
		assert.NotEmpty(t, r.Introduced)
	}
	var grew []string
	for _, c := range d.Grew {
		grew = append(grew, c.ID)
	}
	assert.Equal(t, []string{"s"}, grew, "site s now takes pay and games, not mail")

	back := compare(t, after, before, p)
	require.Len(t, back.NewSPOFs, 1)
	assert.Equal(t, "old-db", back.NewSPOFs[0].ID)
	assert.Equal(t, []string{"mail"}, back.NewSPOFs[0].Takes)
	assert.Empty(t, back.FixedSPOFs, "login is gone: removed, not fixed")
}

// A rule that passed and fails now is newly failing, and makes it worse.
func TestNewlyFailing(t *testing.T) {
	s := graph.Node{ID: "s", Kind: graph.Site}
	t2 := graph.Node{ID: "t", Kind: graph.Site}
	before := compile(t, s, t2, graph.Node{ID: "app", Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Replicas: []graph.Replica{{Site: "s"}, {Site: "t"}}})
	after := compile(t, s, t2, graph.Node{ID: "app", Kind: graph.Service, Users: 1, Tier: graph.TierOf(0), Site: "s"})
	d := compare(t, before, after, &policy.Policy{Rules: []policy.Rule{policy.SitesAtLeast(2, policy.Tier(0))}})
	require.Len(t, d.Policy.Rules, 1)
	r := d.Policy.Rules[0]
	assert.True(t, r.NewlyFailing())
	assert.Equal(t, 0, r.OldTotal)
	assert.Equal(t, 1, r.NewTotal)
	assert.True(t, d.Worse())

	_, err := diff.Models(context.Background(), before, after, diff.Options{Policy: &policy.Policy{Rules: []policy.Rule{policy.NoSPOF(policy.ID("nope"))}}})
	assert.Error(t, err)
}

// The checks a diff runs share its ranking passes and redundancy rates;
// they give what a Check of each model alone gives, on the reference
// models and on two synthetic catalogs.
func TestSharedCheckEqualsCheck(t *testing.T) {
	p, err := policy.Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	every := &policy.Policy{Rules: []policy.Rule{
		policy.SurviveSiteLoss(policy.Tier(0)),
		policy.NoSPOF(policy.Tier(0), policy.Selector{Redundant: true}),
		policy.MaxBlastRadius(policy.Limit{Nodes: 100, Users: 0.1}),
		policy.MinRedundancyRate(0.9, policy.ByUsers),
		policy.SitesAtLeast(2, policy.Tier(0)),
	}}
	synthA, err := graph.Compile(synth.Services(synth.Default(2_000, 1)))
	require.NoError(t, err)
	synthB, err := graph.Compile(synth.Services(synth.Default(2_000, 2)))
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		from, to *graph.Compiled
		p        *policy.Policy
	}{
		{"kakao → naver", load(t, "kakao-2022"), load(t, "naver-2022"), p},
		{"mirror → kakao", load(t, "kakao-2022-mirror"), load(t, "kakao-2022"), p},
		{"synthetic", synthA, synthB, every},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := compare(t, tc.from, tc.to, tc.p)
			ctx := context.Background()
			old, err := policy.Check(ctx, tc.from, tc.p)
			require.NoError(t, err)
			now, err := policy.Check(ctx, tc.to, tc.p)
			require.NoError(t, err)
			assert.Equal(t, old.Rules, d.Policy.Old.Rules)
			assert.Equal(t, now.Rules, d.Policy.New.Rules)
		})
	}
}

// A cancelled context stops a comparison, with or without a policy, with
// the context's error.
func TestCompareCancelled(t *testing.T) {
	p, err := policy.Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	a, err := graph.Compile(synth.Services(synth.Default(2_000, 1)))
	require.NoError(t, err)
	b, err := graph.Compile(synth.Services(synth.Default(2_000, 2)))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, opts := range []diff.Options{{}, {Policy: p}} {
		_, err := diff.Models(ctx, a, b, opts)
		assert.ErrorIs(t, err, context.Canceled)
	}
}

// A rule whose violations grow is worse even when the lists are cut and
// show the same first violation: Introduced names only listed ones. Before,
// a change from 2 to 3 violations with one listed passed --fail-on-worse.
func TestWorseWhenCutListsGrow(t *testing.T) {
	s := graph.Node{ID: "s", Kind: graph.Site}
	svc := func(id string, users int64) graph.Node {
		return graph.Node{ID: id, Kind: graph.Service, Users: users, Tier: graph.TierOf(0), Site: "s"}
	}
	before := compile(t, s, svc("a", 30), svc("b", 20))
	after := compile(t, s, svc("a", 30), svc("b", 20), svc("c", 10))
	p := &policy.Policy{MaxViolations: 1, Rules: []policy.Rule{policy.SurviveSiteLoss(policy.Tier(0))}}
	d := compare(t, before, after, p)
	require.Len(t, d.Policy.Rules, 1)
	r := d.Policy.Rules[0]
	assert.Equal(t, 2, r.OldTotal)
	assert.Equal(t, 3, r.NewTotal)
	assert.Empty(t, r.Introduced, "both cut lists show only a")
	assert.True(t, d.Worse())
	assert.False(t, d.Better())
}

// The services lost and gained come from the site losses the diff
// simulates, or, when the graphs' redundancy rates were measured before
// (each graph keeps its rate, and no site is lost again), from the rates'
// lists: both give the same diff, as does one model compared with itself.
func TestRedundancyMeasuredBefore(t *testing.T) {
	p, err := policy.Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	ctx := context.Background()
	for _, pair := range [][2]string{{"kakao-2022-mirror", "kakao-2022"}, {"kakao-2022", "kakao-2022-mirror"}} {
		fresh := compare(t, load(t, pair[0]), load(t, pair[1]), p)
		require.NotEmpty(t, append(fresh.Redundancy.Lost, fresh.Redundancy.Gained...))
		from, to := load(t, pair[0]), load(t, pair[1])
		for _, c := range []*graph.Compiled{from, to} {
			_, err := analyze.RedundancyRate(ctx, c)
			require.NoError(t, err)
		}
		assert.Equal(t, fresh, compare(t, from, to, p), "%s → %s", pair[0], pair[1])
	}
	c := load(t, "kakao-2022")
	d := compare(t, c, c, p)
	assert.True(t, d.Empty())
}
