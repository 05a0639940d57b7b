package analyze

import (
	"math/bits"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// The order in which the timer solves the region's components, from the
// graph's.
//
// The timer needs the strongly connected components of the lost region,
// inputs first, twice per run (hard edges for D, hard and soft for U). A
// region's components refine the graph's: two vertices on a cycle inside
// the region are on that cycle in the graph, and a cycle of the graph
// through a vertex outside the region is no cycle of the region. So a
// region's component is a component of (a graph component ∩ the region),
// and those, taken in a topological order of the graph's components, are
// in a topological order of the region's. The graph does not change
// between losses, so its components are found once (recOrderOf) and each
// run only sorts the region by its vertices' graph components; a graph
// component of one vertex is a region component of one vertex, and only
// the region's part of a larger one (a cycle of the graph, few and small
// in a catalog) is split by Tarjan's algorithm again, inside that part,
// when the region holds only some of the cycle (all of it is one
// component of the region).
// The components and their order are those of Tarjan's algorithm over the
// whole region (the way before it, kept in recover_legacy_test.go for the
// tests that hold the two equal) up to the order of components neither of
// which reaches the other, which the times do not depend on.

// regionOrder is a way for the timer to number a region (number returns
// the region in the order of its local indices) and to find its
// components, inputs first (components calls emit with each one's local
// indices). Recover's own way is none (a nil *regionOrder): by vertex
// (byVertex) and from the graph's components (regionComponents); tests
// put others beside it.
type regionOrder struct {
	number     func(tr *timer, region []int32) []int32
	components func(tr *timer, soft bool, emit func(members []int32) error) error
}

// recOrder is the per-graph part: for hard edges (runs[0]) and hard and
// soft edges (runs[1]), each vertex's component, numbered inputs first,
// and whether that component has more than one vertex. About 8.25 bytes
// per vertex, made on the first Recover on the graph.
type recOrder struct {
	once sync.Once
	runs [2]compOrder
}

type compOrder struct {
	comp   []int32  // per vertex: its component; an input's is lower or equal
	cyclic []uint64 // per vertex, a bit: its component has more than one vertex
	comps  int
	// cycleSize is the number of vertices of each component with more
	// than one (few in a catalog: 19,478 of 1.1 million at 1,000,000
	// nodes, of 2 to 4 vertices).
	cycleSize map[int32]int32
}

func (o *compOrder) onCycle(v int32) bool { return o.cyclic[v>>6]&(1<<(v&63)) != 0 }

var recOrders perGraph[recOrder]

// recOrderOf returns c's component orders, computing them on first use;
// safe for concurrent callers.
func recOrderOf(c *graph.Compiled) *recOrder {
	o := recOrders.get(c)
	o.once.Do(func() {
		o.runs[0] = inputOrder(c, false)
		o.runs[1] = inputOrder(c, true)
	})
	return o
}

// inputOrder numbers the components of the graph of hard inputs (requires
// and placements), or of hard and soft ones, inputs first: Tarjan's
// algorithm over inputs emits a component after every component it
// reaches. Run over inputs from vertex 0 up, it numbers the components
// nearly in vertex order (a model lists what is depended on first): in
// the 100,000-node catalog 87% of the vertices are within 64 of the one
// before them in this order (hard and soft edges; hard only, 89%),
// against 19% in the batch engine's order of the same components (over
// dependents, then reversed), and the timer's walk over the region
// follows it.
func inputOrder(c *graph.Compiled, soft bool) compOrder {
	n := c.Len()
	comp := make([]int32, n)
	next := int32(0)
	var s sccs
	_ = s.run(n, func(v, i int32) (int32, bool) {
		ins, _ := c.Inputs(v)
		if int(i) < len(ins) {
			return ins[i], true
		}
		if !soft {
			return 0, false
		}
		sins := c.SoftInputs(v)
		if j := int(i) - len(ins); j < len(sins) {
			return sins[j], true
		}
		return 0, false
	}, func(members []int32) error {
		for _, w := range members {
			comp[w] = next
		}
		next++
		return nil
	})
	return newCompOrder(comp, int(next))
}

func newCompOrder(comp []int32, comps int) compOrder {
	size := make([]int32, comps)
	for _, k := range comp {
		size[k]++
	}
	cyclic := make([]uint64, (len(comp)+63)/64)
	cycleSize := map[int32]int32{}
	for v, k := range comp {
		if size[k] > 1 {
			cyclic[v>>6] |= 1 << (v & 63)
			cycleSize[k] = size[k]
		}
	}
	return compOrder{comp: comp, cyclic: cyclic, comps: comps, cycleSize: cycleSize}
}

// regionComponents calls emit with the local indices of each component of
// the region (hard edges, or hard and soft ones), inputs first, as
// sccs.run would over the region; members is valid only during the call.
func (tr *timer) regionComponents(soft bool, emit func(members []int32) error) error {
	o := &recOrderOf(tr.c).runs[0]
	if soft {
		o = &recOrderOf(tr.c).runs[1]
	}
	n := len(tr.region)
	keys := slices.Grow(tr.keys[:0], n)[:n]
	for i, v := range tr.region {
		keys[i] = uint64(o.comp[v])<<32 | uint64(i)
	}
	tr.keys = keys
	keys = tr.sortKeys(keys, o.comps)
	one := tr.one[:]
	for i := 0; i < n; {
		m := int32(uint32(keys[i]))
		if !o.onCycle(tr.region[m]) {
			one[0] = m
			if err := emit(one); err != nil {
				return err
			}
			i++
			continue
		}
		j := i + 1
		for j < n && keys[j]>>32 == keys[i]>>32 {
			j++
		}
		var err error
		if int32(j-i) == o.cycleSize[int32(keys[i]>>32)] {
			// The whole cycle is in the region, so it is one component
			// of it: a path between two vertices of a strongly connected
			// set never leaves the set. Most are, and skip Tarjan's
			// algorithm (about a seventh of a Recover at 1,000,000
			// nodes).
			ms := tr.groupMembers[:0]
			for _, k := range keys[i:j] {
				ms = append(ms, int32(uint32(k)))
			}
			tr.groupMembers = ms
			err = emit(ms)
		} else {
			err = tr.splitGroup(keys[i:j], soft, emit)
		}
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// splitGroup runs Tarjan's algorithm on the region's part of one cycle of
// the graph (its keys), its edges those between members of the part.
func (tr *timer) splitGroup(keys []uint64, soft bool, emit func(members []int32) error) error {
	group := tr.group[:0]
	for _, k := range keys {
		m := int32(uint32(k))
		tr.inGroup[m] = int32(len(group))
		group = append(group, m)
	}
	tr.group = group
	within := func(u int32) int32 {
		if k := tr.rank(u); k >= 0 {
			return tr.inGroup[k]
		}
		return -1
	}
	edge := func(g, j int32) (int32, bool) {
		v := tr.region[group[g]]
		ins, _ := tr.c.Inputs(v)
		if int(j) < len(ins) {
			return within(ins[j]), true
		}
		if !soft {
			return 0, false
		}
		if k := int(j) - len(ins); k < len(tr.c.SoftInputs(v)) {
			return within(tr.c.SoftInputs(v)[k]), true
		}
		return 0, false
	}
	err := tr.sccs.run(len(group), edge, func(gs []int32) error {
		ms := tr.groupMembers[:0]
		for _, g := range gs {
			ms = append(ms, group[g])
		}
		tr.groupMembers = ms
		return emit(ms)
	})
	for _, m := range group {
		tr.inGroup[m] = -1
	}
	return err
}

// sortKeys sorts keys (component << 32 | local index, the local indices
// ascending) by component, stably, and returns them: a radix sort of the
// component's bits for a large region, a plain sort for a small one. Its
// digits are at most 11 bits wide, as few passes as that allows, evenly
// split (two of 11 bits for up to 4 million components): with 2,048
// counts and as many places to write to, a pass stays in the first-level
// cache, where 16-bit digits scattered to 65,536 places. The two buffers
// it sorts between, and its counts, stay in tr for the next run.
func (tr *timer) sortKeys(keys []uint64, comps int) []uint64 {
	if len(keys) < 1<<12 {
		slices.Sort(keys)
		return keys
	}
	const most = 11
	top := uint64(max(comps-1, 0))
	width := bits.Len64(top)
	if width == 0 {
		return keys // one component
	}
	passes := (width + most - 1) / most
	digit := uint((width + passes - 1) / passes)
	tmp := slices.Grow(tr.keyTmp[:0], len(keys))[:len(keys)]
	// The counts stay in tr too: as a local array they would be
	// allocated on the heap by every call.
	if tr.count == nil {
		tr.count = make([]int32, 1<<most)
	}
	count := tr.count[:1<<digit]
	mask := uint64(1)<<digit - 1
	for shift := uint(32); top>>(shift-32) > 0; shift += digit {
		clear(count)
		for _, k := range keys {
			count[k>>shift&mask]++
		}
		sum := int32(0)
		for d := range count {
			sum, count[d] = sum+count[d], sum
		}
		for _, k := range keys {
			d := k >> shift & mask
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	tr.keys, tr.keyTmp = keys, tmp
	return keys
}

// byVertex returns the region sorted by vertex number, the order in which
// the timer numbers it locally: the graph's components, inputs first,
// mostly follow the vertex numbers (a model lists what is depended on
// first, and Compile keeps its order), so solving them walks the region's
// arrays nearly in order rather than in the order the failure reached
// them. A bitmap of the graph for a large region, a sort for a small one.
func (tr *timer) byVertex(region []int32) []int32 {
	out := append(tr.sorted[:0], region...)
	if len(out) < 1<<12 {
		slices.Sort(out)
		tr.sorted = out
		return out
	}
	if tr.bits == nil {
		tr.bits = make([]uint64, (tr.c.Len()+63)/64)
	}
	for _, v := range region {
		tr.bits[v>>6] |= 1 << (v & 63)
	}
	out = out[:0]
	for w, b := range tr.bits {
		for b != 0 {
			out = append(out, int32(w<<6+bits.TrailingZeros64(b)))
			b &= b - 1
		}
		tr.bits[w] = 0
	}
	tr.sorted = out
	return out
}
