package policy_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// testdata/policy.yaml holds the lessons of the October 2022 fire: the
// Kakao model breaks every rule, in the ways the article describes
// (shared/seed/kakao-2022-facts.md), and the Naver-like model in the same
// building keeps them all.

func loadT(t testing.TB, path string) *graph.Compiled {
	t.Helper()
	m, err := graph.Load(path)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

func checkFile(t *testing.T, model string) *policy.Result {
	t.Helper()
	p, err := policy.Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	res, err := policy.Check(context.Background(), loadT(t, "../../testdata/"+model+".yaml"), p)
	require.NoError(t, err)
	require.Len(t, res.Rules, 5)
	return res
}

// rule returns the result of the rule named so in policy.yaml.
func rule(t *testing.T, res *policy.Result, name string) policy.RuleResult {
	t.Helper()
	for _, rr := range res.Rules {
		if rr.Rule == name {
			return rr
		}
	}
	t.Fatalf("no rule %s", name)
	return policy.RuleResult{}
}

// broken maps "node/removed" to the violation.
func broken(rr policy.RuleResult) map[string]policy.Violation {
	out := make(map[string]policy.Violation)
	for _, v := range rr.Violations {
		out[v.Node+"/"+v.Removed] = v
	}
	return out
}

func TestKakaoFailsThePolicy(t *testing.T) {
	res := checkFile(t, "kakao-2022")
	assert.False(t, res.Passed())
	assert.Equal(t, 5, res.Failed(), "every rule")
	assert.Equal(t, "pangyo-lessons", res.Policy)
	assert.Equal(t, "kakao-2022", res.Model)

	// F1, F4: the tier-0 services do not survive the loss of Pangyo;
	// F7: KakaoBank is Degraded, its core banking stays up.
	site := broken(rule(t, res, "survive_site_loss"))
	for _, id := range []string{"kakaotalk", "kakao-login", "kakaopay"} {
		if assert.Contains(t, site, id+"/pangyo") {
			assert.Equal(t, "down", site[id+"/pangyo"].State.String())
		}
	}
	assert.Equal(t, "degraded", site["kakaobank/pangyo"].State.String())
	assert.NotContains(t, site, "kakaobank-core/pangyo")
	assert.Equal(t, []string{"kakaopay", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"}, site["kakaopay/pangyo"].Chain)

	// F3, F4, F6: the login that runs on KakaoTalk is a single point of
	// failure of Kakao T, KakaoPay, Kakao Games and Melon, though they
	// run in other data centers.
	spof := broken(rule(t, res, "no_spof"))
	for _, id := range []string{"kakao-t", "kakaopay", "kakao-games", "melon"} {
		assert.Contains(t, spof, id+"/kakao-login")
		assert.Contains(t, spof, id+"/kakaotalk")
	}
	assert.Equal(t, []string{"kakao-games", "kakao-login", "kakaotalk"}, spof["kakao-games/kakaotalk"].Chain)
	assert.NotContains(t, spof, "kakao-games/kakao-games-db-1", "a quorum member is not a SPOF")

	// The shared entry point reaches furthest.
	radius := rule(t, res, "max_blast_radius")
	require.NotEmpty(t, radius.Violations)
	assert.Equal(t, "kakaotalk", radius.Violations[0].Node)

	// F10, the 5% example: the redundancy rate is low (0% here).
	rate := rule(t, res, "min_redundancy_rate")
	require.NotNil(t, rate.Rate)
	assert.Equal(t, policy.Rate{By: policy.ByUsers, Want: 0.9, Got: 0, Survive: 0, All: 107_500_000}, *rate.Rate)
	assert.Equal(t, 6, rate.Total, "no user-facing service survives every single site")

	// F9, F11: a warm standby with a fifth of the capacity is not a
	// second site; the login has no placement of its own.
	sites := broken(rule(t, res, "sites_at_least"))
	for _, key := range []string{"kakaotalk/pangyo", "kakaopay/ansan", "kakao-login/", "kakaobank/kakaobank-dc", "kakaobank-core/kakaobank-dc"} {
		assert.Contains(t, sites, key)
	}
	assert.Len(t, sites, 5)
}

func TestNaverPassesThePolicy(t *testing.T) {
	res := checkFile(t, "naver-2022")
	for _, rr := range res.Rules {
		assert.True(t, rr.Passed, "%s: %v", rr.Title(), rr.Violations)
		assert.Empty(t, rr.Violations)
	}
	assert.True(t, res.Passed())
}

// Making KakaoTalk's standby a mirror site fixes the site-loss lessons for
// KakaoTalk itself, not the others: the login still has no placement.
func TestKakaoMirrorStillFails(t *testing.T) {
	res := checkFile(t, "kakao-2022-mirror")
	site := broken(rule(t, res, "survive_site_loss"))
	assert.NotContains(t, site, "kakaotalk/pangyo")
	assert.NotContains(t, site, "kakao-login/pangyo")
	assert.Contains(t, broken(rule(t, res, "sites_at_least")), "kakao-login/")
	assert.False(t, res.Passed())
}
