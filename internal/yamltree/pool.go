package yamltree

// Pool reads YAML documents one after another as ReadFast does, cutting
// the trees of all of them from the same chunks. ReadFast starts fresh
// chunks for each call (about 120 KB), which a file of thousands of small
// documents (Kubernetes manifests, one object each) pays for every
// document and keeps alive with every tree. A tree that a Pool returned
// stays valid after later calls: chunks are only ever cut further, never
// reused. The zero Pool is ready; a Pool is not safe for concurrent use.
type Pool struct {
	r fastReader // only its chunks and stacks are carried from call to call
}

// ReadFast is ReadFast, cutting the tree from the pool's chunks.
func (p *Pool) ReadFast(data string, maxDepth int) (v *Value, ok bool) {
	defer giveUpOnPanic(&v, &ok)
	src, ok := checkText(data)
	if !ok {
		return nil, false
	}
	old := &p.r
	// A document given up on may leave items on the stacks.
	clear(old.itemStk)
	clear(old.entStk)
	p.r = fastReader{
		src: src, line: 1, maxDepth: maxDepth,
		vals: old.vals, ptrs: old.ptrs, ents: old.ents,
		valsBase: old.valsBase, ptrsBase: old.ptrsBase, entsBase: old.entsBase,
		itemStk: old.itemStk[:0], entStk: old.entStk[:0],
	}
	v, ok = p.r.document()
	p.r.src = "" // the pool keeps no document's text
	return v, ok
}
