package analyze

// sccs finds strongly connected components with Tarjan's algorithm (R. E.
// Tarjan, "Depth-first search and linear graph algorithms", SIAM J.
// Computing 1(2), 1972), iteratively so that deep graphs do not overflow
// the goroutine stack. It is the one component routine of the package:
// the batch engine's order (over dependents) and Recover's timer (over the
// inputs of the affected region, hard ones only or hard and soft) both
// run it. Its slices are kept between runs.
type sccs struct {
	index, low []int32 // per vertex: discovery index (-1 before), lowest index reachable
	onStack    []bool
	stack      []int32 // Tarjan's stack of open vertices
	call       []sccFrame
}

type sccFrame struct {
	v    int32
	next int32 // the next edge of v to explore
}

// run calls emit with the members of each component of the graph on
// vertices 0..n-1 whose edges leave v as edge(v, 0), edge(v, 1), ... until
// ok is false; an edge to w < 0 is skipped. A component is emitted after
// every component it reaches. The members slice is valid only during the
// call. run stops at emit's first error.
func (s *sccs) run(n int, edge func(v, i int32) (w int32, ok bool), emit func(members []int32) error) error {
	s.index = fill(s.index, n, -1)
	s.low = fill(s.low, n, 0)
	s.onStack = fill(s.onStack, n, false)
	s.stack, s.call = s.stack[:0], s.call[:0]
	next := int32(0)
	open := func(v int32) {
		s.index[v], s.low[v] = next, next
		next++
		s.stack = append(s.stack, v)
		s.onStack[v] = true
		s.call = append(s.call, sccFrame{v: v})
	}
	for root := int32(0); root < int32(n); root++ {
		if s.index[root] >= 0 {
			continue
		}
		open(root)
		for len(s.call) > 0 {
			f := &s.call[len(s.call)-1]
			if w, ok := edge(f.v, f.next); ok {
				f.next++
				switch {
				case w < 0:
				case s.index[w] < 0:
					open(w)
				case s.onStack[w]:
					s.low[f.v] = min(s.low[f.v], s.index[w])
				}
				continue
			}
			v := f.v
			s.call = s.call[:len(s.call)-1]
			if len(s.call) > 0 {
				p := s.call[len(s.call)-1].v
				s.low[p] = min(s.low[p], s.low[v])
			}
			if s.low[v] != s.index[v] {
				continue
			}
			// v roots a component: the stack above it.
			k := len(s.stack) - 1
			for s.stack[k] != v {
				k--
			}
			members := s.stack[k:]
			for _, w := range members {
				s.onStack[w] = false
			}
			if err := emit(members); err != nil {
				return err
			}
			s.stack = s.stack[:k]
		}
	}
	return nil
}
