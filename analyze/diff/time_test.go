package diff_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// talk is a tier-0 service active at a with a standby at b of the given
// tier, and a user-facing app that requires it.
func standbyPair(t *testing.T, tier graph.Standby) *graph.Compiled {
	return compile(t,
		graph.Node{ID: "a", Kind: graph.Site}, graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 100, Tier: graph.TierOf(0), Replicas: []graph.Replica{{Site: "a"}, {Site: "b", Standby: tier}}},
		graph.Node{ID: "app", Kind: graph.Service, Users: 10, Tier: graph.TierOf(1), Site: "b", Requires: graph.All("talk")})
}

// A standby that takes over sooner changes neither the blast radii nor
// the SPOFs: only the times show it, and they count as better (and the
// reverse as worse).
func TestTimes(t *testing.T) {
	warm, hot := standbyPair(t, graph.Warm), standbyPair(t, graph.Hot)
	d, err := diff.Models(context.Background(), warm, hot, diff.Options{Repair: 48 * time.Hour})
	require.NoError(t, err)
	require.NotNil(t, d.Times)
	assert.Equal(t, 48*time.Hour, d.Times.Repair)
	assert.Equal(t, 2, d.Times.Compared)
	require.Len(t, d.Times.Sites, 1)
	s := d.Times.Sites[0]
	assert.Equal(t, "a", s.Site)
	assert.Equal(t, diff.UserHours{Down: 100*24 + 10*24}, s.Old, "warm: both down until the standby's 24h")
	assert.Equal(t, diff.UserHours{Down: 100 + 10}, s.New, "hot: down 1h")
	require.Len(t, s.Nodes, 1, "app is tier 1")
	n := s.Nodes[0]
	assert.Equal(t, "talk", n.ID)
	assert.Equal(t, [2]time.Duration{24 * time.Hour, 24 * time.Hour}, [2]time.Duration{n.Old.DownUntil, n.Old.DegradedUntil})
	assert.Equal(t, [2]time.Duration{time.Hour, time.Hour}, [2]time.Duration{n.New.DownUntil, n.New.DegradedUntil})
	assert.True(t, n.Shorter())
	assert.False(t, n.Longer())
	assert.Equal(t, 1, d.Times.Shorter())
	assert.True(t, d.Better())
	assert.False(t, d.Worse())
	assert.False(t, d.Empty())
	assert.Empty(t, d.Grew)
	assert.Empty(t, d.Shrank)

	back, err := diff.Models(context.Background(), hot, warm, diff.Options{Repair: 48 * time.Hour})
	require.NoError(t, err)
	assert.True(t, back.Worse())
	assert.Equal(t, 1, back.Times.Longer())

	// A repair shorter than both takeovers: no change. A negative repair
	// compares no times.
	short, err := diff.Models(context.Background(), warm, hot, diff.Options{Repair: 30 * time.Minute})
	require.NoError(t, err)
	assert.Empty(t, short.Times.Sites)
	assert.True(t, short.Empty())
	none, err := diff.Models(context.Background(), warm, hot, diff.Options{Repair: -1})
	require.NoError(t, err)
	assert.Nil(t, none.Times)
	assert.True(t, none.Empty())
	def, err := diff.Models(context.Background(), warm, hot, diff.Options{})
	require.NoError(t, err)
	assert.Equal(t, diff.DefaultRepair, def.Times.Repair)
}

// KakaoTalk's outage with Pangyo out for 11h: about 11 hours with the warm
// standby, about one with the hot one.
func TestTimesKakao(t *testing.T) {
	d, err := diff.Models(context.Background(), load(t, "kakao-2022"), load(t, "kakao-2022-hot"), diff.Options{Repair: 11 * time.Hour})
	require.NoError(t, err)
	require.NotEmpty(t, d.Times.Sites)
	assert.Equal(t, "pangyo", d.Times.Sites[0].Site)
	i := slices.IndexFunc(d.Times.Sites[0].Nodes, func(n diff.NodeTimes) bool { return n.ID == "kakaotalk" })
	require.GreaterOrEqual(t, i, 0)
	n := d.Times.Sites[0].Nodes[i]
	assert.Equal(t, 11*time.Hour, n.Old.DownUntil)
	assert.Equal(t, time.Hour, n.New.DownUntil)
	assert.True(t, d.Better())
}

// The time comparison against a naive one on random pairs of models
// (which share many ids): lose each site both have, for the repair time,
// in each, and compare every tier-0 node of both by id, looking each up
// in the timeline; a site is listed, with both timelines' user-hours, when
// a node's outage or the user-hours changed. Swapping the models swaps
// longer and shorter.
func TestTimesMatchNaive(t *testing.T) {
	ctx := context.Background()
	seeds := make([]uint64, 200)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seed != 0 {
		seeds = []uint64{*seed}
	}
	found := 0
	for _, s := range seeds {
		r := rand.New(rand.NewPCG(s, 0xd1ff)) // the pairs of TestSPOFsMatchNaive
		a, err := graph.Compile(synth.Random(r, 3+r.IntN(25)))
		require.NoError(t, err)
		b, err := graph.Compile(synth.Random(r, 3+r.IntN(25)))
		require.NoError(t, err)
		repair := time.Duration(1+r.IntN(72)) * time.Hour
		ok := t.Run("", func(t *testing.T) {
			d, err := diff.Models(ctx, a, b, diff.Options{Repair: repair})
			require.NoError(t, err)
			var want, wantSites []string
			outage := func(tl *analyze.Timeline, id string) [2]time.Duration {
				x, _ := tl.Recovery(id)
				return [2]time.Duration{x.DownUntil, x.DegradedUntil}
			}
			tier0 := func(c *graph.Compiled, id string) bool {
				v, ok := c.Lookup(id)
				return ok && c.VertexKind(v) == graph.NodeVertex && c.Tier(v) == 0 && !c.Kind(v).Infrastructure()
			}
			for _, site := range b.IDs() {
				vb, _ := b.Lookup(site)
				va, ok := a.Lookup(site)
				if b.Kind(vb) != graph.Site || !ok || a.VertexKind(va) != graph.NodeVertex || a.Kind(va) != graph.Site {
					continue
				}
				sc := analyze.Scenario{Failures: []analyze.Failure{{ID: site, For: repair}}}
				ta, err := analyze.Recover(ctx, a, sc, analyze.RecoverOptions{})
				require.NoError(t, err)
				tb, err := analyze.Recover(ctx, b, sc, analyze.RecoverOptions{})
				require.NoError(t, err)
				changed := ta.Totals.DownUserHours != tb.Totals.DownUserHours || ta.Totals.DegradedUserHours != tb.Totals.DegradedUserHours
				for _, id := range b.IDs() {
					if tier0(a, id) && tier0(b, id) && outage(ta, id) != outage(tb, id) {
						want = append(want, fmt.Sprintf("%s/%s %v→%v", site, id, outage(ta, id), outage(tb, id)))
						changed = true
					}
				}
				if changed {
					wantSites = append(wantSites, fmt.Sprintf("%s %v/%v→%v/%v", site, ta.Totals.DownUserHours, ta.Totals.DegradedUserHours,
						tb.Totals.DownUserHours, tb.Totals.DegradedUserHours))
				}
			}
			var got, gotSites []string
			for _, st := range d.Times.Sites {
				gotSites = append(gotSites, fmt.Sprintf("%s %v/%v→%v/%v", st.Site, st.Old.Down, st.Old.Degraded, st.New.Down, st.New.Degraded))
				for _, n := range st.Nodes {
					got = append(got, fmt.Sprintf("%s/%s %v→%v", st.Site, n.ID, [2]time.Duration{n.Old.DownUntil, n.Old.DegradedUntil}, [2]time.Duration{n.New.DownUntil, n.New.DegradedUntil}))
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			assert.Equal(t, want, got)
			slices.Sort(wantSites)
			slices.Sort(gotSites)
			assert.Equal(t, wantSites, gotSites, "sites and their user-hours")
			found += len(want)

			back, err := diff.Models(ctx, b, a, diff.Options{Repair: repair})
			require.NoError(t, err)
			assert.Equal(t, d.Times.Longer(), back.Times.Shorter())
			assert.Equal(t, d.Times.Shorter(), back.Times.Longer())
			same, err := diff.Models(ctx, a, a, diff.Options{Repair: repair})
			require.NoError(t, err)
			assert.Empty(t, same.Times.Sites, "a model against itself")
		})
		if !ok {
			t.Fatalf("failed with -seed %d", s)
		}
	}
	assert.Positive(t, found, "some pairs of models differ in time")
}
