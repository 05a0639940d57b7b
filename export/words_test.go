package export

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

func TestWords(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{count(0), "0"},
		{count(999), "999"},
		{count(1000), "1,000"},
		{count(int64(-1234567)), "-1,234,567"},
		{count(int64(9223372036854775807)), "9,223,372,036,854,775,807"},
		{plural(1, "single point of failure"), "1 single point of failure"},
		{plural(3, "single point of failure"), "3 single points of failure"},
		{plural(0, "service"), "0 services"},
		{plural(1, "service"), "1 service"},
		{plural(1500, "service"), "1,500 services"},
		{plural(2, "dependency"), "2 dependencies"},
		{plural(2, "day"), "2 days"},
		{plural(2, "policy rule"), "2 policy rules"},
		{plural(int64(2), "user"), "2 users"},
		{shortUsers(1), "1 user"},
		{shortUsers(12_000), "12K users"},
		{mdText("a|b *c* [d] <e>"), `a\|b \*c\* \[d\] \<e\>`},
		{count(int64(-1234567)), "-1,234,567"},
		{userHours(8.76e19), "87,600,000,000,000,000,000"},
		{userHours(-1500.4), "-1,500"},
		{spofCount(1, "new ", ""), "1 new single point of failure"},
		{spofCount(1200, "", " fixed"), "1,200 single points of failure fixed"},
		{capital("degraded"), "Degraded"},
		{percent(0.372), "37.2%"},
		{percent(0.5), "50%"},
		{percent(2.0 / 3), "66.7%"},
	} {
		assert.Equal(t, tt.want, tt.got)
	}
	ids := make([]string, 13)
	for i := range ids {
		ids[i] = fmt.Sprint("s", i)
	}
	assert.Equal(t, "s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 3 more", boundedList(ids))
	assert.Equal(t, "s0, s1", boundedList(ids[:2]))
	assert.Equal(t, "-", boundedList(nil))
	for _, tt := range []struct {
		got, want         float64
		gotText, wantText string
	}{
		{0.8996, 0.9, "89.96%", "90%"},
		{0.9, 0.9, "90%", "90%"},
		{0.5, 0.9, "50%", "90%"},
		{0.8999999, 0.9, "89.99999%", "90%"},
	} {
		g, w := percentVs(tt.got, tt.want)
		assert.Equal(t, [2]string{tt.gotText, tt.wantText}, [2]string{g, w}, "percentVs(%v, %v)", tt.got, tt.want)
	}
	assert.Equal(t, "`s0`, `s1` and 3 more", capped(ids[:2], 5, 10, func(s []string, _ string) string { return mdList(s) }))
	assert.Equal(t, "s0, s1 and 11 more", capped(ids, 13, 2, strings.Join))
	assert.True(t, strings.HasSuffix(mdBoundedList(ids), "`s9` and 3 more"))
}

// The redundancy table and Markdown list at most ten names per cell; the
// JSON lists them all.
func TestRedundancyCellsBounded(t *testing.T) {
	var m graph.Model
	m.Name = "wide"
	m.Add(graph.Node{ID: "dc", Kind: graph.Site}, graph.Node{ID: "dc2", Kind: graph.Site})
	for i := range 25 {
		m.Add(graph.Node{ID: fmt.Sprint("svc-", i), Kind: graph.Service, Users: int64(100 - i), Site: "dc"})
	}
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	r, err := analyze.RedundancyRate(t.Context(), c)
	require.NoError(t, err)
	var table, md, js bytes.Buffer
	require.NoError(t, RedundancyTable(&table, c, r))
	require.NoError(t, RedundancyMarkdown(&md, c, r))
	require.NoError(t, RedundancyJSON(&js, c, r))
	assert.Contains(t, table.String(), "svc-8, svc-9 and 15 more")
	assert.NotContains(t, table.String(), "svc-10")
	assert.Contains(t, md.String(), "`svc-9` and 15 more")
	assert.Contains(t, js.String(), `"svc-24"`)
	assert.Contains(t, table.String(), "(0 of 25)")
}
