package policy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

func decode(t testing.TB, src string) (*Policy, error) {
	t.Helper()
	return Decode(strings.NewReader(src), "p.yaml")
}

// problems returns the lines of a *graph.ValidationError.
func problems(t testing.TB, err error) []string {
	t.Helper()
	var ve *graph.ValidationError
	require.True(t, errors.As(err, &ve), "want a *graph.ValidationError, got %v", err)
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.Error()
	}
	return out
}

func TestDecodeReferencePolicy(t *testing.T) {
	p, err := Load("../../testdata/policy.yaml")
	require.NoError(t, err)
	assert.Equal(t, "pangyo-lessons", p.Name)
	assert.Equal(t, "../../testdata/policy.yaml", p.File)
	require.Len(t, p.Rules, 5)
	var names []string
	for _, r := range p.Rules {
		names = append(names, r.Name())
		assert.NotZero(t, r.info().pos.Line)
		assert.NotEmpty(t, r.info().label)
	}
	assert.Equal(t, []string{"survive_site_loss", "no_spof", "max_blast_radius", "min_redundancy_rate", "sites_at_least"}, names)

	// The same rules written in Go give the same verdicts.
	goRules := &Policy{Rules: []Rule{
		SurviveSiteLoss(Tier(0)),
		NoSPOF(UserFacing(), Selector{Redundant: true}, Kind(graph.External)),
		MaxBlastRadius(Limit{Nodes: 5}),
		MinRedundancyRate(0.9, ByUsers),
		SitesAtLeast(2, Tier(0)),
	}}
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		m, err := graph.Load("../../testdata/" + model + ".yaml")
		require.NoError(t, err)
		c, err := graph.Compile(m)
		require.NoError(t, err)
		fromFile, err := Check(context.Background(), c, p)
		require.NoError(t, err)
		fromGo, err := Check(context.Background(), c, goRules)
		require.NoError(t, err)
		for i := range fromFile.Rules {
			assert.Equal(t, fromGo.Rules[i].Violations, fromFile.Rules[i].Violations, "%s: rule %d", model, i)
			g, f := fromGo.Rules[i], fromFile.Rules[i]
			assert.Equal(t, []any{g.Total, g.Selected, g.Scenarios, g.Largest, g.Rate}, []any{f.Total, f.Selected, f.Scenarios, f.Largest, f.Rate})
		}
	}
}

func TestDecodeForms(t *testing.T) {
	p, err := decode(t, `
policy: forms
max_violations: 7
rules:
  - rule: survive_region_loss
    select: &tier0 {tier: [0, 1], kind: [service, identity]}
  - rule: no_spof
    select: {<<: *tier0, label: {team: talk, on-call: ""}, user_facing: true}
    ignore: {kind: external}
  - {rule: max_blast_radius, users: 12.5%, ignore: [{id: a}, {id: [b, c], redundant: true}]}
  - {rule: max_blast_radius, users: 0.25, nodes: 3}
  - {rule: min_redundancy_rate, rate: 1}
  - {rule: min_redundancy_rate, rate: 50%, by: count}
  - {rule: sites_at_least, sites: 3, select: {}}
`)
	require.NoError(t, err, "%v", err)
	assert.Equal(t, 7, p.MaxViolations)
	require.Len(t, p.Rules, 7)
	sel := Selector{Tiers: []int{0, 1}, Kinds: []graph.Kind{graph.Service, graph.Identity}}
	assert.Equal(t, sel, p.Rules[0].(*survive).sel)
	assert.Equal(t, graph.Region, p.Rules[0].(*survive).kind)
	spof := p.Rules[1].(*noSPOF)
	assert.Equal(t, []graph.Kind{graph.Service, graph.Identity}, spof.sel.Kinds, "merge key")
	assert.Equal(t, map[string]string{"team": "talk", "on-call": ""}, spof.sel.Labels)
	assert.True(t, spof.sel.UserFacing)
	assert.Equal(t, []Selector{{Kinds: []graph.Kind{graph.External}}}, spof.ignore)
	mr := p.Rules[2].(*maxRadius)
	assert.Equal(t, Limit{Users: 0.125}, mr.lim)
	require.Len(t, mr.ignore, 2)
	assert.Equal(t, []string{"b", "c"}, mr.ignore[1].IDs)
	assert.True(t, mr.ignore[1].Redundant)
	assert.Equal(t, 10, mr.ignore[1].idPos[0].Line)
	assert.Equal(t, Limit{Users: 0.25, Nodes: 3}, p.Rules[3].(*maxRadius).lim)
	assert.Equal(t, 1.0, p.Rules[4].(*minRate).rate)
	assert.Equal(t, ByCount, p.Rules[4].(*minRate).by)
	assert.Equal(t, 0.5, p.Rules[5].(*minRate).rate)
	assert.Equal(t, 3, p.Rules[6].(*sitesAtLeast).n)

	p, err = decode(t, "rules: [{rule: no_spof, select: {}}]\nmax_violations: all\n")
	require.NoError(t, err)
	assert.Equal(t, -1, p.MaxViolations)
}

func TestDecodeProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"many at once", `policy: kakao
rules:
  - rule: surive_site_loss
    select: {tier: 0}
  - rule: no_spof
    selct: {tier: 0}
  - rule: max_blast_radius
    nodes: 0
    users: 150%
    sites: 2
  - rule: min_redundancy_rate
    rate: 90
    by: people
  - rule: sites_at_least
    sites: two
    select: {kind: servce, tier: -1, label: {team: [a]}, user_facing: yes please}
`, []string{
			`p.yaml:3: rules[0].rule: unknown rule "surive_site_loss" (did you mean "survive_site_loss"?): want one of independent, max_blast_radius, max_unavailability, min_redundancy_rate, no_spof, no_undeclared, recover_within, sites_at_least, survive_region_loss, survive_site_loss, survive_sites`,
			`p.yaml:5: rules[1].select: missing: which nodes to protect, e.g. {user_facing: true}`,
			`p.yaml:6: rules[1].selct: unknown field (did you mean "select"?)`,
			`p.yaml:8: rules[2].nodes: must be > 0, got 0 (leave it out for no limit on nodes)`,
			`p.yaml:9: rules[2].users: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got "150%"`,
			`p.yaml:10: rules[2].sites: does not apply to rule max_blast_radius (it takes nodes, users, ignore)`,
			`p.yaml:12: rules[3].rate: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got 90`,
			`p.yaml:13: rules[3].by: unknown measure "people": want count or users`,
			`p.yaml:15: rules[4].sites: must be an integer, got "two"`,
			`p.yaml:16: rules[4].select.kind: unknown kind "servce" (did you mean "service"?): want one of service, identity, datastore, queue, network, power, site, region, external`,
			`p.yaml:16: rules[4].select.label.team: a label value must be a scalar, got a list`,
			`p.yaml:16: rules[4].select.tier: must be >= 0, got -1`,
			`p.yaml:16: rules[4].select.user_facing: must be true or false, got "yes please"`,
		}},
		{"top level", "polcy: x\nrules: {rule: no_spof}\n", []string{
			`p.yaml:1: polcy: unknown field (did you mean "policy"?)`,
			`p.yaml:2: rules: must be a list of rules such as - {rule: no_spof, select: {tier: 0}}, got a mapping`,
		}},
		{"no rules", "policy: x\n", []string{`p.yaml:1: rules: missing: a policy needs rules`}},
		{"empty rules", "rules: []\n", []string{`p.yaml:1: rules: is empty: a policy needs at least one rule`}},
		{"rule without a name", "rules:\n  - select: {tier: 0}\n  - no_spof\n", []string{
			`p.yaml:2: rules[0].rule: missing: want one of independent, max_blast_radius, max_unavailability, min_redundancy_rate, no_spof, no_undeclared, recover_within, sites_at_least, survive_region_loss, survive_site_loss, survive_sites`,
			`p.yaml:3: rules[1]: must be a mapping such as {rule: no_spof, select: {tier: 0}}, got "no_spof"`,
		}},
		{"duplicate key", "rules:\n  - rule: no_spof\n    select: {tier: 0}\n    select: {tier: 1}\n", []string{
			`p.yaml:4: rules[0].select: duplicate key (first at line 3)`,
		}},
		{"limits", "rules:\n  - rule: max_blast_radius\n  - {rule: max_blast_radius, users: 0%}\n  - {rule: sites_at_least, sites: 0, select: {id: []}}\n", []string{
			`p.yaml:2: rules[0]: give a limit: nodes (other nodes down), users (a share such as 10%), or both`,
			`p.yaml:3: rules[1].users: must be more than 0% (leave it out for no limit on users)`,
			`p.yaml:4: rules[2].select.id: is empty: give one value or a list of them`,
			`p.yaml:4: rules[2].sites: must be at least 1, got 0`,
		}},
		{"selector values", "rules:\n  - {rule: no_spof, select: null, ignore: [3]}\n  - {rule: survive_site_loss, select: {id: [[a]], redundant: 1, kind: [site, nope]}}\n", []string{
			`p.yaml:2: rules[0].ignore[0]: must be a selector such as {tier: 0} or {kind: service, label: {team: talk}} ({} for every node), got 3`,
			`p.yaml:2: rules[0].select: must be a selector such as {tier: 0} or {kind: service, label: {team: talk}} ({} for every node), got nothing`,
			`p.yaml:3: rules[1].select.id[0]: must be a single value, got a list`,
			`p.yaml:3: rules[1].select.kind[1]: unknown kind "nope": want one of service, identity, datastore, queue, network, power, site, region, external`,
			`p.yaml:3: rules[1].select.redundant: must be true or false, got 1`,
		}},
		// Regression: a mapping where one value or a list belongs was read
		// as the value "": id {a: 1} selected the node "" and kind {b: 2}
		// was reported as the unknown kind "".
		{"a mapping for one value", "rules:\n  - {rule: no_spof, select: {id: {a: 1}, kind: {b: 2}, tier: {c: 3}}}\n", []string{
			`p.yaml:2: rules[0].select.id: must be a node id, got a mapping`,
			`p.yaml:2: rules[0].select.kind: must be a kind, got a mapping`,
			`p.yaml:2: rules[0].select.tier: must be an integer, got a mapping`,
		}},
		{"max_violations", "max_violations: 0\nrules: [{rule: no_spof, select: {}}]\n", []string{`p.yaml:1: max_violations: must be > 0 or all, got 0`}},
		{"syntax", "rules:\n  - rule: no_spof\n   select: {}\n", []string{`p.yaml:2: invalid YAML: did not find expected '-' indicator`}},
		{"syntax 2", "rules: [\n", []string{`p.yaml:2: invalid YAML: did not find expected node content`}},
		{"empty file", "", []string{`p.yaml: the file is empty: want a mapping with rules`}},
		{"not a mapping", "- rule: no_spof\n", []string{`p.yaml:1: must be a mapping with rules, got a list`}},
		{"two documents", "rules: []\n---\nrules: []\n", []string{`p.yaml:2: invalid YAML: a file holds one YAML document, found a second`}},
		{"deep", "rules: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", []string{`p.yaml:1: nesting is deeper than the limit of 64`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decode(t, tc.src)
			assert.Nil(t, p)
			assert.Equal(t, tc.want, problems(t, err))
		})
	}
}

func TestDecodeHostile(t *testing.T) {
	// A "billion laughs" file: aliases that expand exponentially.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("rules: []\n")
	_, err := decode(t, b.String())
	assert.Contains(t, problems(t, err)[0], "aliases expand to more than")

	_, err = decode(t, "rules: "+strings.Repeat("x", maxFileSize))
	assert.Equal(t, []string{"p.yaml: file is larger than the limit of 4 MiB"}, problems(t, err))

	_, err = decode(t, "a: &a [*a]\nrules: []\n")
	assert.Error(t, err)
}

// Nodes a selector names are checked against the model, at the line
// where the policy file names them.
func TestCheckUnknownIDsInFile(t *testing.T) {
	p, err := decode(t, "rules:\n  - rule: no_spof\n    select:\n      id: [kakao-t, kakao-logn]\n    ignore:\n      - id: kakaotlk\n")
	require.NoError(t, err)
	m, err := graph.Load("../../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	_, err = Check(context.Background(), c, p)
	assert.Equal(t, []string{
		`p.yaml:4: rules[0].select.id[1]: unknown node "kakao-logn" (did you mean "kakao-login"?)`,
		`p.yaml:6: rules[0].ignore[0].id[0]: unknown node "kakaotlk" (did you mean "kakaotalk"?)`,
	}, problems(t, err))
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("no/such/policy.yaml")
	assert.ErrorIs(t, err, os.ErrNotExist)
}
