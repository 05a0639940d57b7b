package analyze_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// The recovery timeline of the Kakao model with Pangyo down for 11 hours
// (shared/seed/kakao-2022-facts.md, point 6; testdata/EXPECTED.md,
// "Recovery timeline").

var pangyo11h = analyze.Scenario{Failures: []analyze.Failure{{ID: "pangyo", For: 11 * time.Hour}}}

func recoverKakao(t *testing.T, path string) *analyze.Timeline {
	t.Helper()
	tl, err := analyze.Recover(context.Background(), loadT(t, path), pangyo11h, analyze.RecoverOptions{})
	require.NoError(t, err)
	return tl
}

func downUntil(t *testing.T, tl *analyze.Timeline, id string) time.Duration {
	t.Helper()
	r, ok := tl.Recovery(id)
	if !ok {
		return 0
	}
	return r.DownUntil
}

func TestRecoverKakao(t *testing.T) {
	tl := recoverKakao(t, "../testdata/kakao-2022.yaml")
	const h = time.Hour

	// KakaoTalk is dark for the 11 hours of the fire: its warm standby
	// (24h, 20 of the 100 it needs) never carries it.
	talk, ok := tl.Recovery("kakaotalk")
	require.True(t, ok)
	assert.Equal(t, 11*h, talk.DownUntil)
	assert.Equal(t, 11*h, talk.DegradedUntil)
	assert.InDelta(t, 47_500_000*11.0, talk.DownUserHours, 1)
	assert.Zero(t, talk.DegradedUserHours)

	// Kakao Games is down exactly as long as the login it goes through,
	// though its own servers never stop.
	assert.Equal(t, downUntil(t, tl, "kakao-login"), downUntil(t, tl, "kakao-games"))
	assert.Equal(t, 11*h, downUntil(t, tl, "kakao-games"))
	_, affected := tl.Recovery("kakaogames-dc")
	assert.False(t, affected, "the game servers' data center is never affected")

	for _, id := range []string{"kakao-login", "kakao-t", "kakaopay", "melon", "kakao-ops-tools",
		"kakaobank-kakao-login", "kakaobank-group-invite", "kakaobank-talk-transfer"} {
		assert.Equal(t, 11*h, downUntil(t, tl, id), id)
	}
	// F12: channels and the drawer still recovering about 30 hours after
	// the fire: Pangyo's 11 hours, then their 19-hour restart.
	for _, id := range []string{"kakaotalk-channels", "talk-drawer"} {
		assert.Equal(t, 30*h, downUntil(t, tl, id), id)
		r, _ := tl.Recovery(id)
		assert.Equal(t, analyze.ReasonInput, r.Why.Kind, id)
		assert.Equal(t, 11*h, r.Why.At, id)
		assert.Equal(t, 19*h, r.Why.Restart, id)
	}
	// KakaoTalk waited for Pangyo; its standby's takeover waited for the
	// operation tools in Pangyo (F14), and would not have carried it anyway.
	assert.Equal(t, analyze.RecoveryReason{Kind: analyze.ReasonInput, Input: "kakaotalk@pangyo", At: 11 * h,
		FailoverBlocked: "kakaotalk@gasan", FailoverBlockedBy: "kakao-ops-tools", FailoverBlockedUntil: 11 * h}, talk.Why)

	// KakaoBank's core banking is never Down (never affected at all); the
	// bank is Degraded while its KakaoTalk features are down.
	_, affected = tl.Recovery("kakaobank-core")
	assert.False(t, affected)
	bank, ok := tl.Recovery("kakaobank")
	require.True(t, ok)
	assert.Zero(t, bank.DownUntil)
	assert.Equal(t, 11*h, bank.DegradedUntil)
	assert.InDelta(t, 20_000_000*11.0, bank.DegradedUserHours, 1)

	// EXPECTED.md: 87.5M user-services Down for 11h.
	assert.InDelta(t, 962_500_000.0, tl.Totals.DownUserHours, 1)
	assert.InDelta(t, 220_000_000.0, tl.Totals.DegradedUserHours, 1)
	assert.Equal(t, 30*h, tl.Totals.AllUp)
}

// With KakaoTalk's standby made a hot site of full capacity, KakaoTalk and
// everything down through it are back within hours (1h); what runs in
// Pangyo itself still waits for Pangyo.
func TestRecoverKakaoHot(t *testing.T) {
	tl := recoverKakao(t, "../testdata/kakao-2022-hot.yaml")
	const h = time.Hour
	for _, id := range []string{"kakaotalk", "kakao-login", "kakao-games", "kakao-t", "kakaopay", "melon",
		"kakaobank-kakao-login", "kakaobank-talk-transfer"} {
		assert.Equal(t, 1*h, downUntil(t, tl, id), id)
	}
	for _, id := range []string{"kakaotalk-channels", "talk-drawer"} {
		assert.Equal(t, 30*h, downUntil(t, tl, id), id)
	}
	bank, _ := tl.Recovery("kakaobank")
	assert.Equal(t, 1*h, bank.DegradedUntil)
	talk, _ := tl.Recovery("kakaotalk")
	assert.Equal(t, analyze.RecoveryReason{Kind: analyze.ReasonTakeover, Input: "kakaotalk@gasan", At: h}, talk.Why)
}

// The hot standby is worth nothing while the tools that start it sit in
// Pangyo: with kakao-ops-tools only there, its takeover waits for Pangyo
// (11h) and KakaoTalk is back only when Pangyo is, as in the original.
func TestRecoverKakaoHotToolsInPangyo(t *testing.T) {
	m, err := graph.Load("../testdata/kakao-2022-hot.yaml")
	require.NoError(t, err)
	for i := range m.Nodes {
		if m.Nodes[i].ID == "kakao-ops-tools" {
			m.Nodes[i].Replicas, m.Nodes[i].Site = nil, "pangyo"
		}
	}
	c, err := graph.Compile(m)
	require.NoError(t, err)
	tl, err := analyze.Recover(context.Background(), c, pangyo11h, analyze.RecoverOptions{})
	require.NoError(t, err)
	const h = time.Hour
	talk, ok := tl.Recovery("kakaotalk")
	require.True(t, ok)
	assert.Equal(t, 11*h, talk.DownUntil)
	assert.Equal(t, 11*h, downUntil(t, tl, "kakao-login"))
	// Pangyo and the standby's takeover come back at the same moment (the
	// takeover, 1h after the tools, is later): Pangyo's replica decided.
	assert.Equal(t, "kakaotalk@pangyo", talk.Why.Input)
	assert.Equal(t, "kakao-ops-tools", talk.Why.FailoverBlockedBy)
}

// With a mirror, KakaoTalk never goes down.
func TestRecoverKakaoMirror(t *testing.T) {
	tl := recoverKakao(t, "../testdata/kakao-2022-mirror.yaml")
	for _, id := range []string{"kakaotalk", "kakao-login", "kakao-games", "kakao-t", "kakaopay", "melon"} {
		_, affected := tl.Recovery(id)
		assert.False(t, affected, "%s is never down", id)
	}
	assert.Equal(t, 11*time.Hour, downUntil(t, tl, "kakaotalk@pangyo"), "the Pangyo replica still waits for Pangyo")
	_, affected := tl.Recovery("kakaobank")
	assert.False(t, affected)
}

func TestWhatIfKakao(t *testing.T) {
	base := loadT(t, "../testdata/kakao-2022.yaml")
	for _, tt := range []struct {
		variant  string
		talkDown time.Duration
	}{
		{"../testdata/kakao-2022-hot.yaml", time.Hour},
		{"../testdata/kakao-2022-mirror.yaml", 0},
	} {
		cmp, err := analyze.WhatIf(context.Background(), base, loadT(t, tt.variant), pangyo11h, analyze.RecoverOptions{})
		require.NoError(t, err)
		var talk *analyze.ComparisonRow
		for i := range cmp.Rows {
			if cmp.Rows[i].ID == "kakaotalk" {
				talk = &cmp.Rows[i]
			}
		}
		require.NotNil(t, talk)
		assert.Equal(t, 11*time.Hour, talk.Base.DownUntil)
		assert.Equal(t, tt.talkDown, talk.Variant.DownUntil, tt.variant)
		assert.Equal(t, int64(47_500_000), talk.Variant.Users, "users come from the variant even when it is up")
		assert.Less(t, cmp.Variant.Totals.DownUserHours, cmp.Base.Totals.DownUserHours/5, tt.variant)
		// Nothing is affected in the variant only, but for the hot
		// variant's Pangyo copy of the tools (the original has the tools
		// at Pangyo alone, not as a replica).
		extra := 0
		if tt.variant == "../testdata/kakao-2022-hot.yaml" {
			extra = 1
		}
		assert.Len(t, cmp.Rows, len(cmp.Base.Recoveries)+extra, "nothing is affected in the variant only")
	}

	// A scenario id the variant lacks is an error that says so.
	var m graph.Model
	m.Add(graph.Node{ID: "elsewhere", Kind: graph.Site})
	other, err := graph.Compile(&m)
	require.NoError(t, err)
	_, err = analyze.WhatIf(context.Background(), base, other, pangyo11h, analyze.RecoverOptions{})
	var unknown *analyze.UnknownNodeError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "pangyo", unknown.ID)
}
