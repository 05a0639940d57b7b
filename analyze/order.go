package analyze

import (
	"math"

	"github.com/blastradius-go/blastradius/graph"
)

// order numbers the strongly connected components of the dependents graph
// (hard and soft edges) so that every edge goes from a component to one
// with a greater or equal number: inputs come first. Vertices of one cycle
// share a number.
//
// It is Tarjan's algorithm, as sccs runs it (the same roots, edges and
// emission order, so the same numbers: TestOrderMatchesSCCs), specialised
// for the compiled graph's arrays: at 5,000,000 nodes the layout waits for
// it on one core, and the general form's call per edge (a closure that
// looks the vertex's edges up again) and its separate on-stack array made
// it 2-2.5 s there. Here a vertex's edges are scanned in one loop until an
// unvisited one, and a vertex leaves the stack by taking the largest index,
// so that an edge to it no longer lowers anything: one read per edge.
func order(c *graph.Compiled) (rank []int32, comps int) {
	n := c.Len()
	comp := make([]int32, n)
	// index is 0 before a vertex is visited, 1 + its discovery number
	// while it is on the stack, math.MaxInt32 after its component is out.
	index := make([]int32, n)
	low := make([]int32, n)
	var (
		stack []int32 // Tarjan's stack of open vertices
		call  []sccFrame
	)
	next, emitted := int32(1), int32(0)
	open := func(v int32) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		call = append(call, sccFrame{v: v})
	}
	for root := range int32(n) {
		if index[root] != 0 {
			continue
		}
		open(root)
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			deps, _ := c.Dependents(v)
			soft := c.SoftDependents(v)
			nd := int32(len(deps))
			lv, descend := low[v], false
			for i := f.next; i < nd+int32(len(soft)); i++ {
				var w int32
				if i < nd {
					w = deps[i]
				} else {
					w = soft[i-nd]
				}
				if iw := index[w]; iw == 0 {
					f.next, low[v] = i+1, lv
					open(w)
					descend = true
					break
				} else {
					lv = min(lv, iw) // MaxInt32 once out: no change
				}
			}
			if descend {
				continue
			}
			low[v] = lv
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], lv)
			}
			if lv != index[v] {
				continue
			}
			// v roots a component: the stack above it.
			k := len(stack) - 1
			for stack[k] != v {
				k--
			}
			for _, w := range stack[k:] {
				comp[w] = emitted
				index[w] = math.MaxInt32
			}
			emitted++
			stack = stack[:k]
		}
	}
	// Reverse the emission order so that inputs come first.
	for v := range comp {
		comp[v] = emitted - 1 - comp[v]
	}
	return comp, int(emitted)
}
