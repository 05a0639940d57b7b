package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
)

func compiledFile(t testing.TB, model string) *graph.Compiled {
	t.Helper()
	m, err := graph.Load(filepath.Join("..", "testdata", model+".yaml"))
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	return c
}

var pangyo11h = analyze.Scenario{Failures: []analyze.Failure{{ID: "pangyo", For: 11 * time.Hour}}}

// kakaoTimeline is the Kakao model with Pangyo down for 11h.
func kakaoTimeline(t testing.TB) *analyze.Timeline {
	t.Helper()
	tl, err := analyze.Recover(context.Background(), compiledFile(t, "kakao-2022"), pangyo11h, analyze.RecoverOptions{})
	require.NoError(t, err)
	return tl
}

func kakaoWhatIf(t testing.TB, variant string) *analyze.Comparison {
	t.Helper()
	cmp, err := analyze.WhatIf(context.Background(), compiledFile(t, "kakao-2022"), compiledFile(t, variant), pangyo11h, analyze.RecoverOptions{})
	require.NoError(t, err)
	return cmp
}

// mixedTimeline has every kind of row: Down then Degraded, Degraded only,
// not back within the horizon, a restart, a replica.
// facebookTimeline is the Facebook-like model with the backbone down for
// 1h; without onSite, the backbone's repair cannot go on site.
func facebookTimeline(t testing.TB, onSite bool) *analyze.Timeline {
	t.Helper()
	m, err := graph.Load(filepath.Join("..", "testdata", "facebook-2021.yaml"))
	require.NoError(t, err)
	if !onSite {
		for i := range m.Nodes {
			m.Nodes[i].OnSite = 0
		}
	}
	c, err := graph.Compile(m)
	require.NoError(t, err)
	tl, err := analyze.Recover(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "backbone", For: time.Hour}}}, analyze.RecoverOptions{})
	require.NoError(t, err)
	return tl
}

func mixedTimeline(t testing.TB, horizon time.Duration) *analyze.Timeline {
	t.Helper()
	var m graph.Model
	m.Name = "mixed <&> \"model\""
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "a"}, {Site: "b", Standby: graph.Warm, Recovery: 6 * time.Hour}}},
		graph.Node{ID: "api", Kind: graph.Service, Users: 1_200_000, Demand: 100, DegradedAt: 40, Restart: 30 * time.Minute,
			Replicas: []graph.Replica{{Site: "a", Capacity: 100}, {Site: "b", Capacity: 50, Standby: graph.Hot}},
			Requires: graph.All("db")},
		graph.Node{ID: "web", Kind: graph.Service, Users: 900_000, Site: "b", Requires: graph.All("api"), Uses: graph.All("search")},
		graph.Node{ID: "search", Kind: graph.Service, Users: 300_000, Site: "a"},
		graph.Node{ID: "report", Kind: graph.Service, Users: 40, Site: "b", Uses: graph.All("search")},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	tl, err := analyze.Recover(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "a", For: 20 * time.Hour}, {ID: "search", For: 0}}},
		analyze.RecoverOptions{Horizon: horizon})
	require.NoError(t, err)
	return tl
}

func render(t testing.TB, f func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, f(&b))
	return b.Bytes()
}

// Every timeline format, compared with golden files under
// testdata/golden/timeline (go test -update rewrites them).
func TestTimelineGolden(t *testing.T) {
	kakao := kakaoTimeline(t)
	mixed := mixedTimeline(t, 3*24*time.Hour)
	hot := kakaoWhatIf(t, "kakao-2022-hot")
	mirror := kakaoWhatIf(t, "kakao-2022-mirror")
	all := export.TimelineOptions{Replicas: true}
	fb := facebookTimeline(t, true)
	fbRemote := facebookTimeline(t, false)
	hotTL, err := analyze.Recover(context.Background(), compiledFile(t, "kakao-2022-hot"), pangyo11h, analyze.RecoverOptions{})
	require.NoError(t, err)
	cases := []struct {
		name string
		f    func(io.Writer) error
	}{
		{"facebook-backbone-1h.txt", func(w io.Writer) error { return export.TimelineTable(w, fb, export.TimelineOptions{}) }},
		{"facebook-backbone-1h.md", func(w io.Writer) error { return export.TimelineMarkdown(w, fb, export.TimelineOptions{}) }},
		{"facebook-backbone-1h.json", func(w io.Writer) error { return export.TimelineJSON(w, fb) }},
		{"facebook-backbone-1h.svg", func(w io.Writer) error { return export.TimelineSVG(w, fb, export.TimelineOptions{}) }},
		{"facebook-no-on-site.txt", func(w io.Writer) error { return export.TimelineTable(w, fbRemote, export.TimelineOptions{}) }},
		{"kakao-hot-pangyo-11h.txt", func(w io.Writer) error { return export.TimelineTable(w, hotTL, all) }},
		{"kakao-pangyo-11h.txt", func(w io.Writer) error { return export.TimelineTable(w, kakao, export.TimelineOptions{}) }},
		{"kakao-pangyo-11h-replicas.txt", func(w io.Writer) error { return export.TimelineTable(w, kakao, all) }},
		{"kakao-pangyo-11h.md", func(w io.Writer) error { return export.TimelineMarkdown(w, kakao, export.TimelineOptions{}) }},
		{"kakao-pangyo-11h.json", func(w io.Writer) error { return export.TimelineJSON(w, kakao) }},
		{"kakao-pangyo-11h.svg", func(w io.Writer) error { return export.TimelineSVG(w, kakao, export.TimelineOptions{}) }},
		{"mixed.txt", func(w io.Writer) error { return export.TimelineTable(w, mixed, all) }},
		{"mixed.md", func(w io.Writer) error { return export.TimelineMarkdown(w, mixed, all) }},
		{"mixed.json", func(w io.Writer) error { return export.TimelineJSON(w, mixed) }},
		{"mixed.svg", func(w io.Writer) error { return export.TimelineSVG(w, mixed, all) }},
		{"kakao-hot.txt", func(w io.Writer) error { return export.ComparisonTable(w, hot, export.TimelineOptions{}) }},
		{"kakao-hot.md", func(w io.Writer) error { return export.ComparisonMarkdown(w, hot, export.TimelineOptions{}) }},
		{"kakao-hot.json", func(w io.Writer) error { return export.ComparisonJSON(w, hot) }},
		{"kakao-hot.svg", func(w io.Writer) error { return export.ComparisonSVG(w, hot, export.TimelineOptions{}) }},
		{"kakao-mirror.txt", func(w io.Writer) error { return export.ComparisonTable(w, mirror, export.TimelineOptions{}) }},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "timeline", tt.name), render(t, tt.f))
		})
	}
}

// wellFormed parses an SVG document whole and returns its text.
func wellFormed(t *testing.T, b []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var text strings.Builder
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the SVG is not well-formed XML")
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte(' ')
		}
	}
	require.Equal(t, "svg", root)
	return text.String()
}

func TestTimelineSVG(t *testing.T) {
	text := wellFormed(t, render(t, func(w io.Writer) error {
		return export.TimelineSVG(w, mixedTimeline(t, 3*24*time.Hour), export.TimelineOptions{Replicas: true})
	}))
	assert.Contains(t, text, `mixed <&> "model": remove site a for 20h, service search for good`, "the title, escaped and read back")
	assert.Contains(t, text, "never (past 3d)")
	assert.Contains(t, text, "up at 20h30m")
	assert.Contains(t, text, "api@a")

	// A chart keeps to MaxRows, the longest outages first.
	text = wellFormed(t, render(t, func(w io.Writer) error {
		return export.TimelineSVG(w, kakaoTimeline(t), export.TimelineOptions{MaxRows: 3})
	}))
	assert.Contains(t, text, "kakaotalk")
	assert.NotContains(t, text, "kakaobank ")
	assert.Contains(t, text, "and 13 more")

	wellFormed(t, render(t, func(w io.Writer) error {
		return export.ComparisonSVG(w, kakaoWhatIf(t, "kakao-2022-mirror"), export.TimelineOptions{Base: "as built", Variant: "mirror"})
	}))
}

func TestTimelineJSON(t *testing.T) {
	var doc export.TimelineDoc
	require.NoError(t, json.Unmarshal(render(t, func(w io.Writer) error { return export.TimelineJSON(w, mixedTimeline(t, 3*24*time.Hour)) }), &doc))
	assert.Equal(t, export.TimelineSchema, doc.Schema)
	assert.Equal(t, int64(3*24*3600), doc.HorizonSeconds)
	assert.Nil(t, doc.Totals.AllUpSeconds, "not everything is back within the horizon")
	byID := map[string]export.RecoveryRecord{}
	for _, r := range doc.Nodes {
		byID[r.ID] = r
	}
	api := byID["api"]
	require.NotNil(t, api.DownUntilSeconds)
	assert.Equal(t, int64(6*3600+30*60), *api.DownUntilSeconds)
	require.NotNil(t, api.DegradedUntilSeconds)
	assert.Equal(t, int64(20*3600+30*60), *api.DegradedUntilSeconds, "a back at 20h, then api's restart")
	assert.Nil(t, byID["web"].DegradedUntilSeconds, "web uses search, which is never back: never")
	assert.True(t, byID["search"].NotRepaired)
	assert.Equal(t, int64(20*3600), *byID["a"].RepairSeconds)
	assert.True(t, byID["api@a"].Replica)
}

func TestHours(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"},
		{30 * time.Second, "30s"},
		{45 * time.Minute, "45m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{11 * time.Hour, "11h"},
		{36*time.Hour + 30*time.Minute, "36h30m"},
		{72 * time.Hour, "3d"},
		{100 * time.Hour, "4d4h"},
		{30 * 24 * time.Hour, "30d"},
		{time.Hour + 1500*time.Millisecond, "1h1.5s"},
		{analyze.Never, "never"},
	} {
		assert.Equal(t, tt.want, export.Hours(tt.d), "%v", tt.d)
		if tt.d > 0 && tt.d != analyze.Never && tt.d%time.Second == 0 {
			back, err := graph.ParseDuration(tt.want)
			require.NoError(t, err, "Hours writes what model files read")
			assert.Equal(t, tt.d, back)
		}
	}
}

func TestOutage(t *testing.T) {
	h := time.Hour
	for _, tt := range []struct {
		down, up time.Duration
		want     string
	}{
		{0, 0, "up"},
		{11 * h, 11 * h, "down 0–11h"},
		{0, 11 * h, "degraded 0–11h"},
		{h, 11 * h, "down 0–1h, degraded –11h"},
		{h, analyze.Never, "down 0–1h, degraded –never"},
	} {
		assert.Equal(t, tt.want, export.Outage(analyze.Recovery{DownUntil: tt.down, DegradedUntil: tt.up}))
	}
}

// User-hours beyond the int64 range print as the number the JSON holds
// (the table once printed -9.2e18 where the JSON said positive).
func TestTimelineHugeUserHours(t *testing.T) {
	var m graph.Model
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "big", Kind: graph.Service, Users: graph.MaxUsers, Site: "a"},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	tl, err := analyze.Recover(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "a", For: graph.MaxDuration}}},
		analyze.RecoverOptions{Horizon: 2 * graph.MaxDuration})
	require.NoError(t, err)
	// 10^15 users for 87,600 hours.
	const want = "87,600,000,000,000,000,000"
	table := string(render(t, func(w io.Writer) error { return export.TimelineTable(w, tl, export.TimelineOptions{}) }))
	assert.Contains(t, table, "big   service  1,000,000,000,000,000  0–3650d  -         "+want)
	assert.Contains(t, table, "user-service-hours lost: "+want+" down")
	md := string(render(t, func(w io.Writer) error { return export.TimelineMarkdown(w, tl, export.TimelineOptions{}) }))
	assert.Contains(t, md, want)
	var doc struct {
		Totals struct {
			DownUserHours float64 `json:"down_user_hours"`
		} `json:"totals"`
	}
	require.NoError(t, json.Unmarshal(render(t, func(w io.Writer) error { return export.TimelineJSON(w, tl) }), &doc))
	assert.Equal(t, 8.76e19, doc.Totals.DownUserHours)
}

// The three recover reports a user found wrong: the summary counts every
// row with a Degraded span ("0 nodes degraded" once stood above Degraded
// rows); a removal repaired after the horizon says when, not "not
// repaired"; a what-if side whose model lacks a node says "absent", not
// "up".
func TestTimelineReportsSayWhatRowsShow(t *testing.T) {
	var m graph.Model
	m.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "db", Kind: graph.Datastore, Site: "s", Restart: time.Hour},
		graph.Node{ID: "api", Kind: graph.Service, Site: "s", Uses: graph.All("db")},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	tl, err := analyze.Recover(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "s", For: time.Hour}}}, analyze.RecoverOptions{})
	require.NoError(t, err)
	table := string(render(t, func(w io.Writer) error { return export.TimelineTable(w, tl, export.TimelineOptions{}) }))
	assert.Regexp(t, `(?m)^api +service +- +0–1h +1h–2h`, table)
	assert.Contains(t, table, "3 nodes down, 1 node degraded;")

	tl, err = analyze.Recover(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "s", For: 11 * time.Hour}}}, analyze.RecoverOptions{Horizon: time.Hour})
	require.NoError(t, err)
	table = string(render(t, func(w io.Writer) error { return export.TimelineTable(w, tl, export.TimelineOptions{}) }))
	assert.Contains(t, table, "removed, repaired at 11h, after the horizon")
	assert.NotContains(t, table, "not repaired")
	var doc export.TimelineDoc
	require.NoError(t, json.Unmarshal(render(t, func(w io.Writer) error { return export.TimelineJSON(w, tl) }), &doc))
	found := false
	for _, n := range doc.Nodes {
		if n.ID == "s" {
			found = true
			require.NotNil(t, n.RepairSeconds)
			assert.Equal(t, int64(11*3600), *n.RepairSeconds)
			assert.False(t, n.NotRepaired)
		}
	}
	require.True(t, found, "the removed site s is a row of the timeline's JSON")

	var v graph.Model
	v.Add(
		graph.Node{ID: "s", Kind: graph.Site},
		graph.Node{ID: "api", Kind: graph.Service, Site: "s"},
	)
	cv, err := graph.Compile(&v)
	require.NoError(t, err)
	cmp, err := analyze.WhatIf(context.Background(), c, cv, analyze.Fail("s"), analyze.RecoverOptions{})
	require.NoError(t, err)
	table = string(render(t, func(w io.Writer) error { return export.ComparisonTable(w, cmp, export.TimelineOptions{}) }))
	assert.Regexp(t, `(?m)^db +- +down 0–never +absent`, table)
	md := string(render(t, func(w io.Writer) error { return export.ComparisonMarkdown(w, cmp, export.TimelineOptions{}) }))
	assert.Contains(t, md, "| `db` | - | down 0–never | absent |")
	svg := string(render(t, func(w io.Writer) error { return export.ComparisonSVG(w, cmp, export.TimelineOptions{}) }))
	assert.Contains(t, svg, "absent from ")
	var cdoc export.ComparisonDoc
	require.NoError(t, json.Unmarshal(render(t, func(w io.Writer) error { return export.ComparisonJSON(w, cmp) }), &cdoc))
	for _, n := range cdoc.Nodes {
		assert.Equal(t, n.ID == "db", n.VariantAbsent, n.ID)
	}
}
