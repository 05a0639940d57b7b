package analyze

import "github.com/blastradius-go/blastradius/graph"

// Measured returns, in vertex order, the nodes a rate over services counts: every
// node that is not infrastructure (site, region, power, network) and has users, or,
// when no such node has users, every node that is not infrastructure. The redundancy
// rate, the policy rules and diff all count these, and only these. It is low-level:
// the nodes are dense vertex numbers of graph.Compiled (VertexName names each).
func Measured(c *graph.Compiled) []int32 {
	var withUsers, all []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Kind(v).Infrastructure() {
			continue
		}
		all = append(all, v)
		if c.Users(v) > 0 {
			withUsers = append(withUsers, v)
		}
	}
	if len(withUsers) == 0 {
		return all
	}
	return withUsers
}

// Tier0 reports whether v is a node Radius.Tier0 counts: a tier-0 node that
// is not infrastructure (a tier-0 site is where tier-0 services run, not one
// of them). Rank, the batch engine and diff all count these, and only these.
func Tier0(c *graph.Compiled, v int32) bool {
	return v < int32(c.NodeCount()) && c.Tier(v) == 0 && !c.Kind(v).Infrastructure()
}
