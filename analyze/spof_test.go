package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/graph/flow"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/blastradius-go/blastradius/graph"
)

// SPOFs equals trying every other node with Simulate, on random graphs.
func TestSPOFsMatchSimulate(t *testing.T) { checkSPOFsMatchSimulate(t, 1000) }

// The same when the batch engine decides which candidates are SPOFs (what
// SPOFs does once its stopped runs have cost too much), the stopped runs
// finding only their chains.
func TestSPOFsMatchSimulateBatch(t *testing.T) {
	defer func(b func(int) int) { spofBudget = b }(spofBudget)
	spofBudget = func(int) int { return -1 }
	checkSPOFsMatchSimulate(t, 300)
}

func checkSPOFsMatchSimulate(t *testing.T, cases int) {
	randomCases(t, cases, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		target := int32(r.IntN(c.NodeCount()))
		name := c.VertexName(target)
		got, err := SPOFs(context.Background(), c, name)
		require.NoError(t, err)
		var gotIDs, want []string
		chains := NewSPOFChains(name, got)
		for i, s := range got {
			gotIDs = append(gotIDs, s.ID)
			chain := chains.Chain(i)
			if chain[0] != name || chain[len(chain)-1] != s.ID || len(chain) != s.Hops+1 {
				t.Fatalf("chain %v (hops %d) does not lead from %s to %s", chain, s.Hops, name, s.ID)
			}
			checkCauseChain(t, c, s.ID, chain)
		}
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if v == target {
				continue
			}
			o, err := Simulate(context.Background(), c, Fail(c.VertexName(v)))
			require.NoError(t, err)
			if o.State(name) == Down {
				want = append(want, c.VertexName(v))
			}
		}
		slices.Sort(gotIDs)
		slices.Sort(want)
		if !slices.Equal(gotIDs, want) {
			t.Fatalf("SPOFs(%s) = %v, Simulate says %v", name, gotIDs, want)
		}
	})
}

// checkCauseChain checks that chain is a chain of causes of failing
// failed: each link is Down when failed alone fails and is a hard input of
// the link before it, directly or as a member of one of its groups or
// replicas.
func checkCauseChain(t *testing.T, c *graph.Compiled, failed string, chain []string) {
	t.Helper()
	o, err := Simulate(context.Background(), c, Fail(failed))
	require.NoError(t, err)
	for i := 1; i < len(chain); i++ {
		require.Equal(t, Down, o.State(chain[i]), "link %s of %v", chain[i], chain)
		from, _ := c.Lookup(chain[i-1])
		to, _ := c.Lookup(chain[i])
		found := false
		ins, _ := c.Inputs(from)
		for _, u := range ins {
			if u == to {
				found = true
			}
			if k := c.VertexKind(u); k == graph.GroupVertex {
				members, _ := c.Inputs(u)
				found = found || slices.Contains(members, to)
			}
		}
		require.True(t, found, "%s is not a hard input of %s in %v", chain[i], chain[i-1], chain)
	}
}

// On a cycle of requires every node is a SPOF of every other, and each
// SPOF's chain goes through the next one toward the target: the chains
// form a tree, and Tail cuts them.
func TestSPOFsCycle(t *testing.T) {
	m := &graph.Model{}
	const n = 50
	for i := range n {
		m.Add(graph.Node{ID: "c" + strconv.Itoa(i), Kind: graph.Service, Requires: graph.All("c" + strconv.Itoa((i+1)%n))})
	}
	c := compileT(t, m)
	got, err := SPOFs(context.Background(), c, "c0")
	require.NoError(t, err)
	require.Len(t, got, n-1)
	assert.Equal(t, SPOF{ID: "c1", Kind: graph.Service, Next: "c0", Path: []string{"c1"}, Hops: 1}, got[0])
	assert.Equal(t, SPOF{ID: "c2", Kind: graph.Service, Next: "c1", Path: []string{"c2"}, Hops: 2}, got[1])
	ch := NewSPOFChains("c0", got)
	links, more := ch.Tail(n-2, 3)
	assert.Equal(t, []string{"c47", "c48", "c49"}, links)
	assert.Equal(t, n-3, more)
	assert.Len(t, ch.Chain(n-2), n)
}

// On a graph where every node needs any one of its inputs (and nodes with
// no inputs never fail on their own), a node takes the target down exactly
// when it dominates the target in the graph turned around from a root that
// feeds every input-less node: gonum's flow.Dominators gives the same set.
func TestSPOFsAreDominatorsForAnyOf(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 3 + r.IntN(25)
		m := &graph.Model{}
		id := func(i int) string { return "n" + strconv.Itoa(i) }
		for i := range n {
			nd := graph.Node{ID: id(i), Kind: graph.Service}
			if i > 0 && r.IntN(5) > 0 {
				var ins []string
				for _, j := range r.Perm(i)[:1+r.IntN(min(i, 3))] {
					ins = append(ins, id(j))
				}
				nd.Requires = []graph.Dep{graph.AnyOf(ins...)}
			}
			m.Add(nd)
		}
		c, err := graph.Compile(m)
		require.NoError(t, err)
		target := n - 1

		// Turned around: root → every node without inputs; input → node.
		g := simple.NewDirectedGraph()
		root := int64(n)
		g.AddNode(simple.Node(root))
		for i := range n {
			g.AddNode(simple.Node(int64(i)))
		}
		for i := range n {
			deps := m.Nodes[i].Requires
			if len(deps) == 0 {
				g.SetEdge(simple.Edge{F: simple.Node(root), T: simple.Node(int64(i))})
				continue
			}
			for _, u := range deps[0].IDs() {
				j, _ := strconv.Atoi(u[1:])
				g.SetEdge(simple.Edge{F: simple.Node(int64(j)), T: simple.Node(int64(i))})
			}
		}
		dt := flow.Dominators(simple.Node(root), g)
		var want []string
		for d := dt.DominatorOf(int64(target)); d != nil && d.ID() != root; d = dt.DominatorOf(d.ID()) {
			want = append(want, id(int(d.ID())))
		}
		got, err := SPOFs(context.Background(), c, id(target))
		require.NoError(t, err)
		var gotIDs []string
		for _, s := range got {
			gotIDs = append(gotIDs, s.ID)
		}
		slices.Sort(want)
		slices.Sort(gotIDs)
		assert.Equal(t, want, gotIDs, "seed %d", seed)
	}
}

func TestSPOFsUnknownTarget(t *testing.T) {
	c := compileT(t, miniKakao())
	_, err := SPOFs(context.Background(), c, "kakao-gmaes")
	assert.EqualError(t, err, `unknown node "kakao-gmaes" (did you mean "kakao-games"?)`)
	_, err = SPOFs(context.Background(), c, "kakaotalk@pangyo")
	assert.Error(t, err, "replicas are not targets")
}

func TestRedundancyRateMini(t *testing.T) {
	m := &graph.Model{}
	m.Add(
		graph.Node{ID: "a", Kind: graph.Site},
		graph.Node{ID: "b", Kind: graph.Site},
		graph.Node{ID: "pinned", Kind: graph.Service, Users: 30, Site: "a"},
		graph.Node{ID: "spread", Kind: graph.Service, Users: 60, Replicas: []graph.Replica{{Site: "a"}, {Site: "b"}}},
		graph.Node{ID: "on-spread", Kind: graph.Service, Users: 10, Site: "b", Requires: graph.All("spread")},
	)
	c := compileT(t, m)
	r, err := RedundancyRate(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, 3, r.Services)
	assert.Equal(t, 1, r.Survive, "spread survives either site")
	assert.InDelta(t, 1.0/3, r.Rate, 1e-9)
	assert.InDelta(t, 0.6, r.UsersRate, 1e-9)
	assert.Equal(t, 1, r.Exposed, "but losing a site leaves it without a spare")
	byName := map[string]SiteLoss{}
	for _, s := range r.Sites {
		byName[s.Site] = s
	}
	assert.Equal(t, []string{"pinned"}, byName["a"].Down)
	assert.Equal(t, []string{"spread", "on-spread"}, byName["a"].Exposed, "on-spread needs spread: it has no spare either")
	assert.Equal(t, []string{"on-spread"}, byName["b"].Down)
	assert.Equal(t, "a", r.Sites[0].Site, "site a hurts 30 users, b 10")
}

// Chain, which simulates only the target's ancestry, equals the chain of a
// whole Simulate, for targets Down, Degraded and Up, on random graphs with
// every feature (cycles, groups, soft edges, replicas).
func TestChainEqualsSimulate(t *testing.T) {
	randomCases(t, 1500, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		from := removable(c)
		for range 5 {
			failed := c.VertexName(from[r.IntN(len(from))])
			target := c.VertexName(int32(r.IntN(c.NodeCount())))
			o, err := Simulate(context.Background(), c, Fail(failed))
			require.NoError(t, err)
			got, err := Chain(c, failed, target)
			require.NoError(t, err)
			require.Equal(t, o.Chain(target), got, "fail %s, chain of %s", failed, target)
		}
	})
	c := compileT(t, miniKakao())
	_, err := Chain(c, "pangyoo", "kakaotalk")
	var unk *UnknownNodeError
	require.ErrorAs(t, err, &unk)
	_, err = Chain(c, "pangyo", "kakaotlk")
	require.ErrorAs(t, err, &unk)
}
