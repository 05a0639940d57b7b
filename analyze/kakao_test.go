package analyze_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// The reference models reproduce what the October 2022 article reports
// (shared/seed/kakao-2022-facts.md, "What a correct analysis of a faithful
// model must show", points 1–3; the others belong to later analyses).

func loadT(t *testing.T, path string) *graph.Compiled {
	t.Helper()
	m, err := graph.Load(path)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func TestKakaoNothingFailed(t *testing.T) {
	for _, path := range []string{"../testdata/kakao-2022.yaml", "../testdata/naver-2022.yaml"} {
		o, err := analyze.Simulate(context.Background(), loadT(t, path), analyze.Scenario{})
		require.NoError(t, err)
		assert.Zero(t, o.Len(), "%s: a healthy model has nothing affected", path)
	}
}

// Point 1: removing Pangyo takes down KakaoTalk, Kakao login, Kakao T,
// KakaoPay, Kakao Games and Melon; Kakao Games through login, although its
// game servers run elsewhere.
func TestKakaoPangyoFire(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo"))
	require.NoError(t, err)

	for _, id := range []string{"kakaotalk", "kakao-login", "kakao-t", "kakaopay", "kakao-games", "melon",
		"kakaotalk-channels", "talk-drawer"} {
		assert.Equal(t, analyze.Down, o.State(id), id)
	}
	// Kakao Games' own servers and data are fine: it is down through login.
	for _, id := range []string{"kakaogames-dc", "kakao-games-db-1", "kakao-games-db-2", "kakao-games-db-3"} {
		assert.Equal(t, analyze.Up, o.State(id), id)
	}
	assert.Equal(t,
		[]string{"kakao-games", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"},
		o.Chain("kakao-games"))
	for _, id := range []string{"kakao-t", "kakaopay", "melon"} {
		assert.Equal(t, "kakao-login", o.Chain(id)[1], "%s is down through login", id)
	}
	// KakaoTalk's warm standby carries nothing at the moment of the fire.
	talk, ok := o.Effect("kakaotalk")
	require.True(t, ok)
	assert.Equal(t, int64(0), talk.Live)

	assert.Equal(t, int64(47_500_000), o.Totals.MaxUsersDown)
	assert.Equal(t, 1, o.Totals.Removed)

	// Losing the building's power is the same fire.
	byPower, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo-power"))
	require.NoError(t, err)
	assert.Equal(t, analyze.Down, byPower.State("kakao-games"))
	assert.Equal(t, o.Totals.UsersDown, byPower.Totals.UsersDown)
}

// Point 2: KakaoBank, in its own data center, keeps core banking; its
// KakaoTalk-based login, group-account invite and simple transfer fail, so
// the bank is Degraded, not Down.
func TestKakaoBankPartialFailure(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo"))
	require.NoError(t, err)

	assert.Equal(t, analyze.Up, o.State("kakaobank-core"))
	assert.Equal(t, analyze.Degraded, o.State("kakaobank"))
	for _, id := range []string{"kakaobank-kakao-login", "kakaobank-group-invite", "kakaobank-talk-transfer"} {
		assert.Equal(t, analyze.Down, o.State(id), id)
	}
	var soft []string
	for _, cs := range o.Causes("kakaobank") {
		assert.True(t, cs.Soft, "kakaobank is degraded only through soft dependencies: %+v", cs)
		soft = append(soft, cs.ID)
	}
	assert.ElementsMatch(t, []string{"kakaobank-kakao-login", "kakaobank-group-invite", "kakaobank-talk-transfer"}, soft)
	assert.Equal(t, int64(20_000_000), o.Totals.UsersDegraded)
}

// Point 3: a Naver-like system with servers in the same building stays Up:
// its active replicas elsewhere carry the load. It only loses margin.
func TestNaverSurvivesPangyo(t *testing.T) {
	c := loadT(t, "../testdata/naver-2022.yaml")
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("pangyo"))
	require.NoError(t, err)

	for _, id := range []string{"naver-search", "naver-mail", "naver-pay", "naver-webtoon", "naver-login"} {
		st := o.State(id)
		assert.Equal(t, analyze.Up, st, id)
	}
	assert.Equal(t, analyze.Up, o.State("naver-login"))
	assert.True(t, o.RedundancyLost("naver-login"), "the login survives with no margin left")
	assert.Zero(t, o.Totals.UsersDown)
	assert.Zero(t, o.Totals.UsersDegraded)
	assert.Equal(t, 0, o.Totals.ServicesDegraded)
}

// Point 4: the shared entry point ranks first among nodes that are not a
// site or a site's infrastructure, and its blast radius holds Kakao T,
// KakaoPay, Kakao Games and Melon, though they run elsewhere; Pangyo is the
// top site.
func TestKakaoRank(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	ranked, err := analyze.Rank(context.Background(), c, analyze.RankOptions{})
	require.NoError(t, err)
	var top, topSite *analyze.Radius
	for i := range ranked {
		r := &ranked[i]
		if top == nil && !r.Kind.Infrastructure() {
			top = r
		}
		if topSite == nil && r.Kind == graph.Site {
			topSite = r
		}
	}
	require.NotNil(t, top)
	assert.Contains(t, []string{"kakaotalk", "kakao-login"}, top.ID)
	assert.Equal(t, "pangyo", topSite.ID)

	o, err := analyze.Simulate(context.Background(), c, analyze.Fail(top.ID))
	require.NoError(t, err)
	for _, id := range []string{"kakao-t", "kakaopay", "kakao-games", "melon"} {
		assert.Equal(t, analyze.Down, o.State(id), "%s is in the blast radius of %s", id, top.ID)
	}
	// Login alone, too, takes them all.
	login, err := analyze.Rank(context.Background(), c, analyze.RankOptions{IDs: []string{"kakao-login"}})
	require.NoError(t, err)
	assert.Equal(t, int64(40_000_000), login[0].UsersDown, "Kakao T, KakaoPay, Kakao Games, Melon")
}

// SPOFs of Kakao Games include login and KakaoTalk, though its own servers
// run in another data center, and Pangyo.
func TestKakaoGamesSPOFs(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	spofs, err := analyze.SPOFs(context.Background(), c, "kakao-games")
	require.NoError(t, err)
	ids := map[string][]string{}
	chains := analyze.NewSPOFChains("kakao-games", spofs)
	for i, s := range spofs {
		ids[s.ID] = chains.Chain(i)
	}
	for _, id := range []string{"kakao-login", "kakaotalk", "pangyo", "pangyo-power", "kakaogames-dc"} {
		assert.Contains(t, ids, id)
	}
	assert.Equal(t, []string{"kakao-games", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"}, ids["pangyo"])
	assert.NotContains(t, ids, "kakao-games-db-1", "one game database of three is not a SPOF")
	assert.NotContains(t, ids, "kakao-account-db-gasan", "one copy of four is not a SPOF")
}

// Point 5: the redundancy rate is low for Kakao and high for the Naver-like
// system.
func TestRedundancyRate(t *testing.T) {
	kakao, err := analyze.RedundancyRate(context.Background(), loadT(t, "../testdata/kakao-2022.yaml"))
	require.NoError(t, err)
	naver, err := analyze.RedundancyRate(context.Background(), loadT(t, "../testdata/naver-2022.yaml"))
	require.NoError(t, err)

	assert.Equal(t, 6, kakao.Services)
	assert.Less(t, kakao.Rate, 0.2)
	assert.Less(t, kakao.UsersRate, 0.2)
	assert.Equal(t, "pangyo", kakao.Sites[0].Site, "the worst site first")
	assert.Contains(t, kakao.Sites[0].Down, "kakaotalk")

	assert.Equal(t, 4, naver.Services)
	assert.Equal(t, 1.0, naver.Rate)
	assert.Equal(t, 1.0, naver.UsersRate)
	assert.Positive(t, naver.Exposed, "Naver survives, but some services lose all margin")
}
