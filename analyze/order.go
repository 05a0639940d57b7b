package analyze

import "github.com/blastradius-go/blastradius/graph"

// order numbers the strongly connected components of the dependents graph
// (hard and soft edges) so that every edge goes from a component to one
// with a greater or equal number: inputs come first. Vertices of one cycle
// share a number.
func order(c *graph.Compiled) (rank []int32, comps int) {
	n := c.Len()
	comp := make([]int32, n)
	emitted := int32(0)
	var s sccs
	// Tarjan emits components after all components reachable from them:
	// over dependents, dependents first.
	_ = s.run(n, func(v, i int32) (int32, bool) {
		deps, _ := c.Dependents(v)
		if int(i) < len(deps) {
			return deps[i], true
		}
		soft := c.SoftDependents(v)
		if j := int(i) - len(deps); j < len(soft) {
			return soft[j], true
		}
		return 0, false
	}, func(members []int32) error {
		for _, w := range members {
			comp[w] = emitted
		}
		emitted++
		return nil
	})
	// Reverse the emission order so that inputs come first.
	for v := range comp {
		comp[v] = emitted - 1 - comp[v]
	}
	return comp, int(emitted)
}
