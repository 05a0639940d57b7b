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
