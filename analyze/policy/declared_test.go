package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
)

func TestNoUndeclared(t *testing.T) {
	// The import labels web and api with the calls traffic showed and no
	// source declared; the rule lists each, most users first.
	results := []importer.Result{
		{Source: "backstage", Nodes: []graph.Node{
			{ID: "web", Users: 10, Requires: graph.All("api")},
			{ID: "api", Users: 5}, {ID: "flags"}, {ID: "db", Kind: graph.Datastore},
		}},
		{Source: "traces", Observed: []importer.Edge{
			{From: "web", To: "api", Calls: 3}, {From: "web", To: "flags", Calls: 3},
			{From: "api", To: "flags", Calls: 1}, {From: "api", To: "db", Calls: 1},
		}},
	}
	m, _, err := importer.Merge(results, nil, importer.MergeOptions{})
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)

	p, err := policy.Decode(strings.NewReader("rules:\n  - rule: no_undeclared\n"), "p.yaml")
	require.NoError(t, err)
	res, err := policy.Check(context.Background(), c, p)
	require.NoError(t, err)
	rr := res.Rules[0]
	require.False(t, rr.Passed)
	require.Equal(t, 3, rr.Total)
	var got []string
	for _, v := range rr.Violations {
		got = append(got, v.Node+"→"+v.Removed+":"+v.RemovedKind.String())
	}
	require.Equal(t, []string{"web→flags:service", "api→db:datastore", "api→flags:service"}, got)

	// Selecting only what declares everything passes; a model without the
	// label (written by hand) passes.
	res, err = policy.Check(context.Background(), c, &policy.Policy{Rules: []policy.Rule{policy.NoUndeclared(policy.ID("db"))}})
	require.NoError(t, err)
	require.True(t, res.Rules[0].Passed)
	hand, err := graph.Compile((&graph.Model{}).Add(graph.Node{ID: "web", Requires: graph.All("api")}, graph.Node{ID: "api"}))
	require.NoError(t, err)
	res, err = policy.Check(context.Background(), hand, &policy.Policy{Rules: []policy.Rule{policy.NoUndeclared(policy.Selector{})}})
	require.NoError(t, err)
	require.True(t, res.Rules[0].Passed)

	// A selector that picks nothing is an error, as for every rule.
	_, err = policy.Check(context.Background(), c, &policy.Policy{Rules: []policy.Rule{policy.NoUndeclared(policy.Label("team", "nobody"))}})
	require.Error(t, err)
}
