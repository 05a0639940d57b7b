package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// The page's audit, which builds the chains of what it serves only (every
// claim of the JSON, the printed ones of the Markdown), serves byte for
// byte the documents of the audit with every chain (the library's
// default), for every owner with a claim of the Kakao and Naver models
// and orders 1 to 3. And it builds no other chain: the claims it
// explains are exactly those the Markdown shows, or every claim for the
// JSON.
func TestAPIAuditMatchesAuditWithEveryChain(t *testing.T) {
	var served *analyze.AuditResult
	var servedAs string
	explainedHook = func(format string, res *analyze.AuditResult) { served, servedAs = res, format }
	t.Cleanup(func() { explainedHook = nil })
	fewer := 0
	defer func() { require.Positive(t, fewer, "some Markdown audit with a claim left unexplained") }()
	for _, path := range []string{kakao, "../../testdata/naver-2022.yaml"} {
		s, ts := newTestServer(t, path)
		c := s.Compiled()
		all, err := analyze.Audit(context.Background(), c, analyze.AuditOptions{})
		require.NoError(t, err)
		owners := map[string]bool{}
		for _, cl := range all.Claims {
			owners[cl.Owner] = true
		}
		require.NotEmpty(t, owners, path)
		for owner := range owners {
			for order := 1; order <= 3; order++ {
				res, err := analyze.Audit(context.Background(), c, analyze.AuditOptions{MaxOrder: order, Owners: []string{owner}, Limit: pageLimit})
				require.NoError(t, err)
				for format, write := range map[string]func(*bytes.Buffer, *graph.Compiled, *analyze.AuditResult) error{
					"json": func(b *bytes.Buffer, c *graph.Compiled, r *analyze.AuditResult) error {
						return export.AuditJSON(b, c, r)
					},
					"markdown": func(b *bytes.Buffer, c *graph.Compiled, r *analyze.AuditResult) error {
						return export.AuditMarkdown(b, c, r)
					},
				} {
					var want bytes.Buffer
					require.NoError(t, write(&want, c, res))
					q := fmt.Sprintf("/api/audit?owner=%s&order=%d&format=%s", url.QueryEscape(owner), order, format)
					code, _, got := get(t, ts, q)
					require.Equal(t, 200, code, "%s: %s", q, got)
					require.Equal(t, want.String(), string(got), "%s of %s", q, path)
					require.NotNil(t, served, q)
					require.Equal(t, format, servedAs, q)
					shown := map[int]bool{}
					for _, i := range export.AuditShown(served) {
						shown[i] = true
					}
					for i, cl := range served.Claims {
						require.Equal(t, format == "json" || shown[i], cl.Explained, "%s: claim %s", q, cl.Name)
					}
					if format == "markdown" && len(shown) < len(served.Claims) {
						fewer++
					}
					served = nil
				}
			}
		}
	}
}
