package analyze_test

import (
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
		o, err := analyze.Simulate(loadT(t, path), analyze.Scenario{})
		require.NoError(t, err)
		assert.Zero(t, o.Len(), "%s: a healthy model has nothing affected", path)
	}
}

// Point 1: removing Pangyo takes down KakaoTalk, Kakao login, Kakao T,
// KakaoPay, Kakao Games and Melon; Kakao Games through login, although its
// game servers run elsewhere.
func TestKakaoPangyoFire(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	o, err := analyze.Simulate(c, analyze.Fail("pangyo"))
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
	byPower, err := analyze.Simulate(c, analyze.Fail("pangyo-power"))
	require.NoError(t, err)
	assert.Equal(t, analyze.Down, byPower.State("kakao-games"))
	assert.Equal(t, o.Totals.UsersDown, byPower.Totals.UsersDown)
}

// Point 2: KakaoBank, in its own data center, keeps core banking; its
// KakaoTalk-based login, group-account invite and simple transfer fail, so
// the bank is Degraded, not Down.
func TestKakaoBankPartialFailure(t *testing.T) {
	c := loadT(t, "../testdata/kakao-2022.yaml")
	o, err := analyze.Simulate(c, analyze.Fail("pangyo"))
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
	o, err := analyze.Simulate(c, analyze.Fail("pangyo"))
	require.NoError(t, err)

	for _, id := range []string{"naver-search", "naver-mail", "naver-pay", "naver-webtoon", "naver-login"} {
		st := o.State(id)
		assert.True(t, st == analyze.Up || st == analyze.RedundancyLost, "%s is %v", id, st)
	}
	assert.Equal(t, analyze.RedundancyLost, o.State("naver-login"), "the login survives with no margin left")
	assert.Zero(t, o.Totals.UsersDown)
	assert.Zero(t, o.Totals.UsersDegraded)
	assert.Equal(t, 0, o.Totals.ServicesDegraded)
}
