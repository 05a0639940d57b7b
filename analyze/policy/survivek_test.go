package policy_test

import (
	"bytes"
	"context"
	"fmt"
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

// survivePolicy is a policy of survive_sites rules for k = 1, 2, 3 over
// every tier-0 node and k = 2 over Naver-style user-facing services.
const survivePolicy = `policy: n-k
rules:
  - {rule: survive_sites, k: 1, select: {tier: 0}}
  - {rule: survive_sites, k: 2, select: {tier: 0}}
  - {rule: survive_sites, k: 3, select: {user_facing: true}}
  - {rule: survive_sites, k: 9, select: {tier: 0}}
`

// survive_sites on both reference models, in the check table, against a
// golden file: Kakao breaks k = 1 already (Pangyo), Naver survives any one
// site but not two; k = 9 fails closed (neither has 9 sites).
func TestSurviveSitesGolden(t *testing.T) {
	p, err := policy.Decode(strings.NewReader(survivePolicy), "n-k.yaml")
	require.NoError(t, err)
	var b bytes.Buffer
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		c := loadT(t, "../../testdata/"+model+".yaml")
		res, err := policy.Check(context.Background(), c, p)
		require.NoError(t, err)
		require.NoError(t, export.CheckTable(&b, res))
		b.WriteString("\n")
		last := res.Rules[3]
		assert.False(t, last.Passed, "fails closed")
		assert.Zero(t, last.Scenarios)
	}
	golden.Assert(t, filepath.Join("..", "..", "testdata", "golden", "policy", "survive-sites.txt"), b.Bytes())
}

// survive_sites with k = 1 is survive_site_loss, violation for
// violation; with k = 2 its violations are those of one Simulate per pair
// of sites, on random models.
func TestSurviveSitesMatchesSimulate(t *testing.T) {
	sel := policy.Selector{} // every node
	found := 0
	defer func() { assert.Positive(t, found, "some model breaks k = 2") }()
	randomModels(t, 300, func(t *testing.T, c *graph.Compiled) {
		res := checkAll(t, c, policy.SurviveSites(1, sel), policy.SurviveSiteLoss(sel), policy.SurviveSites(2, sel))
		one, loss, two := res.Rules[0], res.Rules[1], res.Rules[2]
		assert.Equal(t, loss.Passed, one.Passed)
		assert.Equal(t, loss.Total, one.Total)
		assert.Equal(t, loss.Violations, one.Violations)

		var sites []string
		for v := range int32(c.NodeCount()) {
			if c.Kind(v) == graph.Site {
				sites = append(sites, c.VertexName(v))
			}
		}
		want := map[string]analyze.State{}
		pairs := 0
		for i := range sites {
			for j := i + 1; j < len(sites); j++ {
				pairs++
				o, err := analyze.Simulate(context.Background(), c, analyze.Fail(sites[i], sites[j]))
				require.NoError(t, err)
				for _, e := range o.Effects() {
					if !e.Replica && !e.Removed && e.State != analyze.Up {
						want[fmt.Sprintf("%s/%s, %s", e.ID, sites[i], sites[j])] = e.State
					}
				}
			}
		}
		got := map[string]analyze.State{}
		for _, v := range two.Violations {
			got[v.Node+"/"+v.Removed] = v.State
			require.Equal(t, v.Node, v.Chain[0])
		}
		assert.Equal(t, want, got)
		found += len(got)
		assert.Equal(t, pairs, two.Scenarios)
		assert.Equal(t, len(want) == 0 && pairs > 0, two.Passed)
	})
}

func TestSurviveSitesDecode(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"rules: [{rule: survive_sites, select: {tier: 0}}]", `p.yaml:1: rules[0].k: missing: how many sites lost together, e.g. 2`},
		{"rules: [{rule: survive_sites, k: 0, select: {tier: 0}}]", `rules[0].k: must be at least 1, got 0`},
		{"rules: [{rule: survive_sites, k: two, select: {tier: 0}}]", `rules[0].k`},
		{"rules: [{rule: survive_sites, k: 2}]", `p.yaml:1: rules[0].select: missing: which nodes must survive`},
	} {
		_, err := policy.Decode(strings.NewReader(tt.src), "p.yaml")
		require.Error(t, err, tt.src)
		assert.Contains(t, err.Error(), tt.want, tt.src)
	}
	p, err := policy.Decode(strings.NewReader("rules: [{rule: survive_sites, k: 2, select: {kind: service}}]"), "p.yaml")
	require.NoError(t, err)
	assert.Equal(t, "nodes of kind service stay up when any 2 sites are lost together", p.Rules[0].String())
}
