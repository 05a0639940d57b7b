package policy_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
)

const independentPolicy = `policy: independence
rules:
  - {rule: independent, select: {user_facing: true}}
  - {rule: independent, k: 3, select: {tier: 0}}
  - {rule: independent, select: {id: kakaobank-core}}
`

// independent on both reference models, in the check table, against a
// golden file: on Kakao every claim falls to the capital region alone, and
// Kakao Games' databases to their one data center; on Naver two quorums
// fall to the capital region, and three-site replicas to two failures;
// a node with no claim fails closed.
func TestIndependentGolden(t *testing.T) {
	var b bytes.Buffer
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		src := independentPolicy
		if model == "naver-2022" {
			src = strings.Replace(src, "kakaobank-core", "card-networks", 1)
		}
		p, err := policy.Decode(strings.NewReader(src), "independence.yaml")
		require.NoError(t, err)
		c := loadT(t, "../../testdata/"+model+".yaml")
		res, err := policy.Check(context.Background(), c, p)
		require.NoError(t, err)
		require.NoError(t, export.CheckTable(&b, res))
		b.WriteString("\n")
	}
	golden.Assert(t, filepath.Join("..", "..", "testdata", "golden", "policy", "independent.txt"), b.Bytes())
}

// The rule's violations are the audit's hidden defeats below k, on random
// models.
func TestIndependentMatchesAudit(t *testing.T) {
	found := 0
	defer func() { assert.Positive(t, found) }()
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		res := checkAll(t, c, policy.Independent(2, policy.Selector{}), policy.Independent(3, policy.Selector{}))
		for i, k := range []int{2, 3} {
			audit, err := analyze.Audit(context.Background(), c, analyze.AuditOptions{MaxOrder: k - 1, Limit: -1})
			require.NoError(t, err)
			var want []string
			for _, cl := range audit.Claims {
				for _, d := range cl.Defeats {
					if d.Hidden && d.Order() < k {
						want = append(want, cl.Owner+"/"+strings.Join(d.IDs, ", "))
					}
				}
			}
			var got []string
			for _, v := range res.Rules[i].Violations {
				got = append(got, v.Node+"/"+v.Removed)
				require.Equal(t, v.Node, v.Chain[0])
			}
			assert.ElementsMatch(t, want, got, "k = %d", k)
			assert.Equal(t, len(audit.Claims), res.Rules[i].Scenarios)
			assert.Equal(t, len(want) == 0 && len(audit.Claims) > 0, res.Rules[i].Passed)
			found += len(got)
		}
	})
}

func TestIndependentDecode(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"rules: [{rule: independent, k: 1, select: {tier: 0}}]", "p.yaml:1: rules[0].k: must be 2 to 9 (no common cause of fewer than k failures), got 1"},
		{"rules: [{rule: independent}]", "p.yaml:1: rules[0].select: missing"},
	} {
		_, err := policy.Decode(strings.NewReader(tt.src), "p.yaml")
		require.Error(t, err, tt.src)
		assert.Contains(t, err.Error(), tt.want, tt.src)
	}
	p, err := policy.Decode(strings.NewReader("rules: [{rule: independent, select: {tier: 0}}]"), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, "no single failure defeats the redundancy of nodes of tier 0", p.Rules[0].String())
}
