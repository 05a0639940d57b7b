package analyze

import "github.com/blastradius-go/blastradius/graph"

// order numbers the strongly connected components of the dependents graph
// (hard and soft edges) so that every edge goes from a component to one
// with a greater or equal number: inputs come first. Vertices of one cycle
// share a number. It is Tarjan's algorithm (1972), iterative so that deep
// graphs do not overflow the stack, over the CSR arrays directly.
func order(c *graph.Compiled) (rank, discovery []int32, comps int) {
	n := c.Len()
	const unvisited = -1
	index := make([]int32, n) // discovery index, or unvisited
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp := make([]int32, n)
	for i := range index {
		index[i] = unvisited
	}
	var stack []int32 // Tarjan's stack of open vertices
	type frame struct {
		v    int32
		next int32 // next edge to explore: hard dependents, then soft ones
	}
	var call []frame
	next := int32(0)
	emitted := int32(0)

	edge := func(v int32, i int32) (int32, bool) {
		deps, _ := c.Dependents(v)
		if int(i) < len(deps) {
			return deps[i], true
		}
		soft := c.SoftDependents(v)
		if j := int(i) - len(deps); j < len(soft) {
			return soft[j], true
		}
		return 0, false
	}

	for root := int32(0); root < int32(n); root++ {
		if index[root] != unvisited {
			continue
		}
		call = append(call, frame{v: root})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			w, ok := edge(f.v, f.next)
			if ok {
				f.next++
				switch {
				case index[w] == unvisited:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				case onStack[w]:
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				// v roots a component; Tarjan emits components after all
				// components reachable from them, i.e. dependents first.
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = emitted
					if w == v {
						break
					}
				}
				emitted++
			}
		}
	}
	// Reverse the emission order so that inputs come first.
	for v := range comp {
		comp[v] = emitted - 1 - comp[v]
	}
	return comp, index, int(emitted)
}
