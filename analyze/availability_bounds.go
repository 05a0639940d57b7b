package analyze

import (
	"context"
	"fmt"

	"github.com/blastradius-go/blastradius/graph"
)

// Bounds from the minimal cut sets, for a target whose exact diagram would
// exceed the node budget. Let q_i be the unavailabilities, independent; let
// S be the minimal cut sets of order at most k over the nodes with failure
// data (CutSetsVertices, complete up to k: no Limit), plus {t} when the
// target fails by itself; C_K the event that every node of K failed; and E
// the event that at least k+1 nodes of the target's cone failed.
//
// Upper bound: Down ⊆ ∪_{K∈S} C_K ∪ E. When the target is Down, the set F
// of failed nodes contains a minimal cut set K (the structure function is
// monotone); either |K| ≤ k, and C_K holds, or |F| ≥ |K| > k, and E holds.
// Every C_K and E is an increasing event of independent components, so
// their complements are positively associated (Harris 1960; Esary,
// Proschan and Walkup, "Association of random variables", Ann. Math.
// Statist. 38, 1967): P(∩ not-A) ≥ ∏ P(not-A). Hence
//
//	P(Down) ≤ 1 − (1 − P(E)) · ∏_{K∈S} (1 − ∏_{i∈K} q_i),
//
// the Esary–Proschan min-cut upper bound (SCRAM's "MCUB"), made a proof for
// truncated cut sets by the E term. P(E) is the tail of the Poisson
// binomial distribution of the number of failed nodes, computed exactly by
// a dynamic program over the nodes.
//
// Lower bound: every C_K takes the target Down, so P(Down) ≥ P(∪ C_K) ≥
// max_K P(C_K), and ≥ Σ_K P(C_K) − Σ_{K<L} P(C_K ∩ C_L) (the Bonferroni
// inequality of second order; P(C_K ∩ C_L) = ∏_{i∈K∪L} q_i). The larger of
// the two is reported. The pair sum is skipped beyond maxBonferroni cut
// sets, where it costs too much.
const maxBonferroni = 4000

// cutSetBounds returns the bounds above for target t from its cut sets of
// order at most k.
func cutSetBounds(ctx context.Context, c *graph.Compiled, t int32, k int) (lo, hi float64, err error) {
	k = min(max(k, 1), MaxCutOrder)
	cone := ancestors(c, t, false)
	var basics []int32
	var cands []string
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if cone[v] && c.Unavailability(v) > 0 {
			basics = append(basics, v)
			if v != t {
				cands = append(cands, c.VertexName(v))
			}
		}
	}
	var sets [][]int32
	if c.Unavailability(t) > 0 {
		sets = append(sets, []int32{t})
	}
	if len(cands) > 0 {
		res, err := CutSetsVertices(ctx, c, []int32{t}, CutSetOptions{MaxOrder: k, Candidates: cands})
		if err != nil {
			return 0, 0, err
		}
		if res[0].Truncated {
			return 0, 0, fmt.Errorf("the cut sets of %s were truncated", c.VertexName(t))
		}
		for _, s := range res[0].Sets {
			if len(s.Vertices) == 0 {
				return 1, 1, nil // Down with nothing failed
			}
			sets = append(sets, s.Vertices)
		}
	}
	q := c.Unavailability
	prod := func(vs ...[]int32) float64 {
		p := 1.0
		for i, s := range vs {
			for _, v := range s {
				dup := false
				for _, earlier := range vs[:i] {
					for _, w := range earlier {
						dup = dup || w == v
					}
				}
				if !dup {
					p *= q(v)
				}
			}
		}
		return p
	}
	// Upper.
	tail := atLeast(basics, q, k+1)
	keep := 1 - tail
	sum, most := 0.0, 0.0
	for _, s := range sets {
		p := prod(s)
		keep *= 1 - p
		sum += p
		most = max(most, p)
	}
	hi = min(1, 1-keep)
	// Lower.
	lo = most
	if len(sets) <= maxBonferroni {
		pairs := 0.0
		for i := range sets {
			for j := i + 1; j < len(sets); j++ {
				pairs += prod(sets[i], sets[j])
			}
		}
		lo = max(lo, sum-pairs)
	}
	return lo, max(lo, hi), nil
}

// atLeast is the probability that at least n of vs fail, each v with
// probability q(v), independently: the tail of a Poisson binomial
// distribution, kept as its own bucket so that a tiny tail is not the
// difference of numbers near 1.
func atLeast(vs []int32, q func(int32) float64, n int) float64 {
	if n > len(vs) {
		return 0
	}
	dist := make([]float64, n) // P(exactly j failed so far), j < n
	dist[0] = 1
	tail := 0.0
	for _, v := range vs {
		p := q(v)
		tail += dist[n-1] * p
		for j := n - 1; j > 0; j-- {
			dist[j] = dist[j]*(1-p) + dist[j-1]*p
		}
		dist[0] *= 1 - p
	}
	return tail
}
