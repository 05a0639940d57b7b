package analyze

import "math/bits"

// runAbove is runWith(fixed, sources, visit) for a caller that already
// knows what fixed takes Down: down lists those positions (fixed's own
// included), which are Down in every lane. They start Down in every lane
// and are never evaluated, pushed from or visited: a position Down in
// every lane stays so, and what depends on it reads its masks when it is
// evaluated (an And gate depending on it is in down itself). So a run
// costs what the sources take Down beyond fixed's failure, where runWith
// pays for fixed's whole cascade again in every run: the audit's pair
// search runs each failure beside its extensions, 64 to a run, and on the
// 20,000-node redundant catalog three visits in four of runWith's were of
// positions the fixed failure takes Down.
//
// The layout must have no soft edge and no demand (withinLayout's), so
// that a position's masks are its Down lanes twice (bad = down); visit
// then gets every position outside down that some lane takes Down, with
// the masks runWith gives it (a test holds the two equal). The loop is
// runWith's, with the positions of down skipped.
//
// fixed is scratch, one false per position, which runAbove leaves false.
func (b *batch) runAbove(down []int32, fixed []bool, sources []int32, visit func(p int32, down, bad uint64)) {
	l := b.l
	lo := len(b.dirty)
	for _, p := range down {
		b.m[p] = masks{^uint64(0), ^uint64(0)}
		fixed[p] = true
	}
	for i, s := range sources {
		bit := uint64(1) << uint(i)
		p := l.pos[s]
		if fixed[p] {
			continue // Down in every lane already
		}
		b.src[p] |= bit
		if l.flags[p]&isThreshold == 0 {
			b.m[p].down |= bit
			b.m[p].bad |= bit
		}
		b.dirty[p/64] |= 1 << uint(p%64)
		lo = min(lo, int(p/64))
	}
	m, dirty, flags, depOff, dep := b.m, b.dirty, l.flags, l.depOff, l.dep
	for w := lo; w < len(dirty); w++ {
		for w+8 <= len(dirty) {
			d := dirty[w : w+8 : w+8]
			if d[0]|d[1]|d[2]|d[3]|d[4]|d[5]|d[6]|d[7] != 0 {
				break
			}
			w += 8
		}
		if w == len(dirty) {
			break
		}
		back := w
		for dirty[w] != 0 {
			p := int32(w*64 + bits.TrailingZeros64(dirty[w]))
			dirty[w] &= dirty[w] - 1
			if fixed[p] {
				continue
			}
			f := flags[p]
			x := &m[p]
			if f&isThreshold != 0 {
				down, bad := b.eval(p)
				if down == x.down && bad == x.bad {
					continue
				}
				x.down, x.bad = down, bad
			}
			b.touched = append(b.touched, p)
			down, bad := x.down, x.bad
			deps := dep[depOff[p]:depOff[p+1]]
			if f&isCyclic == 0 {
				visit(p, down, bad)
				for _, e := range deps {
					q := uint32(e) &^ depTags
					if e&depThreshold == 0 {
						y := &m[q]
						y.down |= down
						y.bad |= bad
					}
					dirty[q/64] |= 1 << (q % 64)
				}
				continue
			}
			for _, e := range deps {
				q := uint32(e) &^ depTags
				if e&depThreshold == 0 {
					y := &m[q]
					nd := y.down | down
					nb := y.bad | bad | nd
					if nd == y.down && nb == y.bad {
						continue
					}
					y.down, y.bad = nd, nb
				}
				dirty[q/64] |= 1 << (q % 64)
				back = min(back, int(q/64))
			}
			if back < w {
				break
			}
		}
		if back < w {
			w = back - 1
		}
	}
	for _, p := range b.touched {
		if l.flags[p]&isCyclic != 0 {
			if x := b.m[p]; x.bad != 0 {
				visit(p, x.down, x.bad)
			}
		}
		b.m[p] = masks{}
	}
	for _, s := range sources {
		b.src[l.pos[s]] = 0
	}
	for _, p := range down {
		b.m[p] = masks{}
		fixed[p] = false
	}
	b.touched = b.touched[:0]
}
