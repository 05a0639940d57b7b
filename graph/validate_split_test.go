package graph_test

import (
	"runtime"
	"slices"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
	"github.com/stretchr/testify/require"
)

// TestValidateSplit holds validating a large model on two cores equal to
// validating it on one: the same references resolved, in the same order,
// and, with problems anywhere, the same problems.
func TestValidateSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	m := synth.Services(synth.Default(30_000, 1))
	one, err := graph.Resolve(m, false)
	require.NoError(t, err)
	two, err := graph.Resolve(m, true)
	require.NoError(t, err)
	require.True(t, slices.Equal(one, two), "references differ")

	// A problem in either half, or in both (unknown ids, whose
	// suggestions are a budget spent in order).
	n := len(m.Nodes)
	for _, at := range [][]int{{10}, {n - 10}, {10, n - 10}} {
		bad := *m
		bad.Nodes = slices.Clone(m.Nodes)
		for _, i := range at {
			nd := &bad.Nodes[i]
			nd.Uses = append(slices.Clone(nd.Uses), graph.On(nd.ID+"-typo"))
			nd.Users = -1
		}
		_, errOne := graph.Resolve(&bad, false)
		_, errTwo := graph.Resolve(&bad, true)
		require.Error(t, errOne)
		require.Equal(t, errOne.Error(), errTwo.Error())
	}
	// Users that add up to too much only over both halves.
	big := *m
	big.Nodes = slices.Clone(m.Nodes)
	big.Nodes[0].Users = graph.MaxUsers
	for i := 1; i < n; i++ {
		big.Nodes[i].Users = graph.MaxTotalUsers / int64(n) * 2
	}
	_, errOne := graph.Resolve(&big, false)
	_, errTwo := graph.Resolve(&big, true)
	require.Error(t, errOne)
	require.Equal(t, errOne.Error(), errTwo.Error())
}
