package analyze

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// RedundancyRateBy(Region) against a naive count: one Simulate per region,
// a service surviving when it stays Up whichever region is lost. And with
// every site a region of its own, the rate by region is the rate by site.
func TestRedundancyRateByRegion(t *testing.T) {
	ctx := context.Background()
	regions, owned := 0, 0
	randomModels(t, 300, func(t *testing.T, m *graph.Model, r *rand.Rand) {
		c, err := graph.Compile(m)
		require.NoError(t, err)
		got, err := RedundancyRateBy(ctx, c, graph.Region)
		require.NoError(t, err)
		assert.Equal(t, graph.Region, got.By)

		services := Measured(c)
		survive := map[int32]bool{}
		for _, s := range services {
			survive[s] = true
		}
		var lines []string
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Kind(v) != graph.Region {
				continue
			}
			regions++
			o, err := Simulate(ctx, c, Fail(c.VertexName(v)))
			require.NoError(t, err)
			var down []string
			for _, s := range services {
				if st := o.VertexState(s); st == Down || st == Degraded {
					survive[s] = false
					if st == Down {
						down = append(down, c.VertexName(s))
					}
				}
			}
			slices.Sort(down)
			lines = append(lines, fmt.Sprintf("%s: %v", c.VertexName(v), down))
		}
		n := 0
		for _, ok := range survive {
			if ok {
				n++
			}
		}
		assert.Equal(t, n, got.Survive)
		var gotLines []string
		for _, l := range got.Sites {
			down := slices.Clone(l.Down)
			slices.Sort(down)
			gotLines = append(gotLines, fmt.Sprintf("%s: %v", l.Site, down))
		}
		slices.Sort(lines)
		slices.Sort(gotLines)
		assert.Equal(t, lines, gotLines)

		// Every site its own region (and no other region): by region is
		// by site.
		own := &graph.Model{Name: m.Name}
		for _, nd := range m.Nodes {
			if nd.Kind == graph.Region {
				continue
			}
			if nd.Region != "" {
				nd.Region = ""
			}
			nd.Requires = slices.DeleteFunc(slices.Clone(nd.Requires), func(d graph.Dep) bool {
				for _, x := range d.Members {
					if i := slices.IndexFunc(m.Nodes, func(n graph.Node) bool { return n.ID == x.ID }); i >= 0 && m.Nodes[i].Kind == graph.Region {
						return true
					}
				}
				return false
			})
			nd.Uses = slices.DeleteFunc(slices.Clone(nd.Uses), func(d graph.Dep) bool {
				for _, x := range d.Members {
					if i := slices.IndexFunc(m.Nodes, func(n graph.Node) bool { return n.ID == x.ID }); i >= 0 && m.Nodes[i].Kind == graph.Region {
						return true
					}
				}
				return false
			})
			if nd.Kind == graph.Site {
				own.Add(graph.Node{ID: "region-of-" + nd.ID, Kind: graph.Region})
				nd.Region = "region-of-" + nd.ID
			}
			own.Add(nd)
		}
		oc, err := graph.Compile(own)
		if err != nil {
			return // a replica's own dependency names a region: not this model's question
		}
		owned++
		bySite, err := RedundancyRate(ctx, oc)
		require.NoError(t, err)
		byRegion, err := RedundancyRateBy(ctx, oc, graph.Region)
		require.NoError(t, err)
		assert.Equal(t, bySite.Survive, byRegion.Survive)
		assert.Equal(t, bySite.SurviveUsers, byRegion.SurviveUsers)
		assert.Equal(t, bySite.Exposed, byRegion.Exposed)
		assert.Len(t, byRegion.Sites, len(bySite.Sites))
	})
	assert.Positive(t, regions, "some random model has regions")
	assert.Greater(t, owned, 100, "most models compile with a region per site")
}

func TestRedundancyRateBy(t *testing.T) {
	c := compileT(t, miniKakao())
	bySite, err := RedundancyRateBy(context.Background(), c, graph.Site)
	require.NoError(t, err)
	plain, err := RedundancyRate(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, plain, bySite)
	assert.Equal(t, graph.Site, plain.By)
	_, err = RedundancyRateBy(context.Background(), c, graph.Power)
	assert.EqualError(t, err, "redundancy rate by power: want by site or by region")
}
