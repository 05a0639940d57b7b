package analyze

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

// rawStates is every vertex's state (groups included) when removed fail,
// by the naive fixpoint.
func rawStates(c *graph.Compiled, removed ...int32) []State {
	never := make(map[int32]time.Duration, len(removed))
	for _, v := range removed {
		never[v] = Never
	}
	return naiveAt(c, never, 0)
}

// subsetsUpTo calls f with every set of at most k of vs (sorted as vs).
func subsetsUpTo(vs []int32, k int, f func(set []int32)) {
	var rec func(start int, set []int32)
	rec = func(start int, set []int32) {
		if len(set) > 0 {
			f(set)
		}
		if len(set) == k {
			return
		}
		for i := start; i < len(vs); i++ {
			rec(i+1, append(set, vs[i]))
		}
	}
	rec(0, nil)
}

// minimalSets returns the minimal sets of at most k of vs for which down
// holds (down monotone), found by brute force, as sorted id lists.
func minimalSets(c *graph.Compiled, vs []int32, k int, down func(set []int32) bool) [][]string {
	vs = slices.Clone(vs)
	slices.Sort(vs) // sets in vertex order, so that their keys are canonical
	var found [][]int32
	subsetsUpTo(vs, k, func(set []int32) {
		for _, f := range found {
			if isSubset(f, set) {
				return
			}
		}
		if down(set) {
			found = append(found, slices.Clone(set))
		}
	})
	// Sets come in lexicographic order, not by size: drop those that
	// contain a smaller one found later.
	out := [][]string{}
	for i, f := range found {
		minimal := true
		for j, g := range found {
			if i != j && len(g) < len(f) && isSubset(g, f) {
				minimal = false
			}
		}
		if minimal {
			ids := names(c, f)
			slices.Sort(ids)
			out = append(out, ids)
		}
	}
	slices.SortFunc(out, func(a, b []string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return slices.Compare(a, b)
	})
	return out
}

func isSubset(a, b []int32) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

func setIDs(sets []CutSet) [][]string {
	out := [][]string{}
	for _, s := range sets {
		out = append(out, s.IDs)
	}
	return out
}

// The audit against brute force on random models with cycles, groups,
// capacities and standbys: each claim's defeats are exactly the minimal
// sets of at most two nodes, and fewer than its tolerance (at least one),
// that take its vertex Down, Hidden exactly when
// smaller than its tolerance (the fewest members whose loss takes it Down,
// by the gate's rule over every subset of its members); Around exactly the
// owner's single points of failure that leave the claim up; Idle exactly the sites whose loss takes a
// member Down and leaves the claim (and a replica claim's owner) up while
// every dependent goes Down; and the claims are every group and every
// node placed at two sites or more.
func TestAuditMatchesBruteForce(t *testing.T) {
	claimsSeen, idleSeen, aroundSeen := 0, 0, 0
	defer func() {
		assert.Positive(t, claimsSeen)
		assert.Positive(t, idleSeen, "some claim idle")
		assert.Positive(t, aroundSeen, "some claim reached around")
	}()
	randomCases(t, 400, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		res, err := Audit(context.Background(), c, AuditOptions{Limit: -1})
		require.NoError(t, err)
		// Every set is run once by the naive fixpoint, for every claim.
		memo := map[string][]State{}
		rawStates := func(c *graph.Compiled, removed ...int32) []State {
			k := setKey(removed)
			if st, ok := memo[k]; ok {
				return st
			}
			st := rawStates(c, removed...)
			memo[k] = st
			return st
		}
		nodes := make([]int32, c.NodeCount())
		for v := range nodes {
			nodes[v] = int32(v)
		}
		var want []string
		for v := range int32(c.Len()) {
			switch c.VertexKind(v) {
			case graph.GroupVertex, graph.SoftGroupVertex:
			case graph.NodeVertex:
				if c.CapacityVertex(v) != v {
					continue
				}
			default:
				continue
			}
			if c.GroupLabel(v) == "replicas" || c.VertexKind(v) == graph.NodeVertex {
				ins, _ := c.Inputs(v)
				sites := map[int32]bool{}
				for _, m := range ins {
					sites[c.ReplicaSite(m)] = true
				}
				if len(sites) < 2 {
					continue
				}
			}
			want = append(want, c.VertexName(v))
		}
		var got []string
		for _, cl := range res.Claims {
			got = append(got, cl.Name)
		}
		slices.Sort(want)
		slices.Sort(got)
		require.Equal(t, want, got, "the claims")
		claimsSeen += len(got)

		for _, cl := range res.Claims {
			g := cl.Vertex
			// A node that is its own replica capacity is no defeat of itself.
			defeats := minimalSets(c, nodes, cl.searched(2), func(set []int32) bool { return !slices.Contains(set, g) && rawStates(c, set...)[g] == Down })
			var gotDefeats []CutSet
			for _, d := range cl.Defeats {
				gotDefeats = append(gotDefeats, d.CutSet)
			}
			require.Equal(t, defeats, setIDs(gotDefeats), "defeats of %s", cl.Name)

			// The tolerance is the gate's own promise: its members lost
			// as independent inputs, by the threshold rule over every
			// subset of them (a member may also take another down, which
			// the defeats show).
			members, ws := c.Inputs(g)
			tol := 0
			for set := 1; set < 1<<len(members); set++ {
				live, k := c.Base(g), 0
				for i, w := range ws {
					if set&(1<<i) != 0 {
						live -= w
						k++
					}
				}
				if threshold(c.Gate(g), live, live) == Down && (tol == 0 || k < tol) {
					tol = k
				}
			}
			require.Equal(t, tol, cl.Tolerance, "tolerance of %s", cl.Name)
			for _, d := range cl.Defeats {
				require.Equal(t, tol == 0 || d.Order() < tol, d.Hidden, "%s defeated by %v", cl.Name, d.IDs)
				if d.Order() == 1 {
					require.Len(t, d.MemberChains, len(members))
					st := rawStates(c, d.Vertices[0])
					for i, m := range members {
						ch := d.MemberChains[i]
						if st[m] != Down {
							require.Nil(t, ch, "%s is up", c.VertexName(m))
							continue
						}
						require.Equal(t, c.VertexName(m), ch[0])
						require.Equal(t, d.IDs[0], ch[len(ch)-1])
					}
				}
			}

			if cl.Soft || cl.OwnerVertex == g {
				require.Empty(t, cl.Around, cl.Name)
			} else {
				o := cl.OwnerVertex
				owner := minimalSets(c, nodes, 1, func(set []int32) bool {
					return !slices.Contains(set, o) && rawStates(c, set...)[o] == Down
				})
				var around [][]string
				for _, s := range owner {
					var vs []int32
					for _, id := range s {
						v, _ := c.Lookup(id)
						vs = append(vs, v)
					}
					if rawStates(c, vs...)[g] != Down {
						around = append(around, s)
					}
				}
				if around == nil {
					around = [][]string{}
				}
				require.Equal(t, around, setIDs(cl.Around), "around %s", cl.Name)
				aroundSeen += len(around)
			}

			kept := g
			if cl.Replicas {
				kept = cl.OwnerVertex
			}
			prot := dependentsThroughGroups(c, kept)
			var idle []string
			for v := range int32(c.NodeCount()) {
				if c.Kind(v) != graph.Site || len(prot) == 0 {
					continue
				}
				st := rawStates(c, v)
				lost := slices.ContainsFunc(members, func(m int32) bool { return st[m] == Down })
				all := !slices.ContainsFunc(prot, func(p int32) bool { return st[p] != Down })
				if lost && all && st[g] != Down && st[kept] != Down {
					idle = append(idle, c.VertexName(v))
				}
			}
			var gotIdle []string
			for _, il := range cl.Idle {
				gotIdle = append(gotIdle, il.Site)
				require.NotEmpty(t, il.Lost)
				require.Len(t, il.Protected, len(prot))
			}
			slices.Sort(idle)
			require.Equal(t, idle, gotIdle, "idle %s", cl.Name)
			idleSeen += len(idle)
		}
		for i := 1; i < len(res.Claims); i++ {
			a, b := res.Claims[i-1].Smallest(), res.Claims[i].Smallest()
			require.True(t, b == 0 || a != 0 && a <= b, "claims not ordered by smallest defeat")
		}
	})
}

// On the Kakao model: the account data survives the loss of Pangyo (three
// of its four copies left) while the services that use it, KakaoTalk and
// the login, do not; Kakao Games' three databases share one data center;
// Kakao T runs in two data centers but reaches Pangyo through the login.
func TestKakaoAudit(t *testing.T) {
	c := loadModelT(t, "../testdata/kakao-2022.yaml")
	res, err := Audit(context.Background(), c, AuditOptions{})
	require.NoError(t, err)
	byName := map[string]*Claim{}
	for i := range res.Claims {
		byName[res.Claims[i].Name] = &res.Claims[i]
	}
	for _, name := range []string{"kakaotalk.requires[0]", "kakao-login.requires[1]"} {
		cl := byName[name]
		require.NotNil(t, cl, name)
		assert.Equal(t, AnyOfRule, cl.Rule)
		assert.Equal(t, 4, cl.Tolerance)
		require.Len(t, cl.Idle, 1, name)
		assert.Equal(t, IdleLoss{Site: "pangyo", Lost: []string{"kakao-account-db-pangyo"}, Protected: []string{cl.Owner}}, cl.Idle[0])
	}
	games := byName["kakao-games.requires[1]"]
	require.NotNil(t, games)
	var single []string
	for _, d := range games.Defeats {
		if d.Order() == 1 {
			assert.True(t, d.Hidden)
			single = append(single, d.IDs[0])
		}
	}
	assert.Equal(t, []string{"capital", "kakaogames-dc", "kakaogames-dc-power"}, single)
	assert.Equal(t, []string{"kakao-games-db-1", "kakaogames-dc"}, games.Defeats[1].MemberChains[0])

	kt := byName["kakao-t.replicas[*]"]
	require.NotNil(t, kt)
	assert.Equal(t, []string{"gasan", "mokdong"}, kt.Sites)
	assert.Equal(t, [][]string{{"kakao-login"}, {"kakaotalk"}, {"pangyo"}, {"pangyo-power"}}, setIDs(kt.Around))
	assert.Equal(t, []string{"kakao-t", "kakao-login", "kakaotalk", "kakaotalk@pangyo", "pangyo"}, kt.Around[2].Chains[0])

	// The largest audience first among the claims with a common cause.
	assert.Equal(t, "kakaotalk.requires[0]", res.Claims[0].Name)
	assert.Equal(t, 6, res.Sites)
}

func TestAuditOptions(t *testing.T) {
	c := loadModelT(t, "../testdata/kakao-2022.yaml")
	ctx := context.Background()
	res, err := Audit(ctx, c, AuditOptions{Owners: []string{"kakao-games"}, MaxOrder: 1})
	require.NoError(t, err)
	require.Len(t, res.Claims, 1)
	for _, d := range res.Claims[0].Defeats {
		assert.Equal(t, 1, d.Order())
	}
	_, err = Audit(ctx, c, AuditOptions{Owners: []string{"kakao-game"}})
	var unknown *UnknownNodeError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "kakao-games", unknown.Suggestion)

	lim, err := Audit(ctx, c, AuditOptions{Owners: []string{"kakao-games"}, Limit: 2})
	require.NoError(t, err)
	assert.True(t, lim.Claims[0].DefeatsTruncated)
	assert.Len(t, lim.Claims[0].Defeats, 2)

	_, err = Audit(ctx, c, AuditOptions{MaxOrder: MaxCutOrder + 1})
	require.Error(t, err)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Audit(cancelled, c, AuditOptions{})
	require.ErrorIs(t, err, context.Canceled)
}
