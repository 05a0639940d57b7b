package graph

import (
	"hash/maphash"
	"math/bits"
)

// idTable finds the node of an id for resolving a model's references:
// an open-addressing table whose slots hold the first bytes of their id,
// so that a lookup reads one slot, where the Go map also read the id's
// bytes from wherever they are (a second read at a random place per
// reference: its key comparisons were most of resolving the references,
// 0.34 s of the 0.49 s at 1,000,000 nodes). It holds only what is
// inserted, never changes after, and is read by any number of goroutines.
type idTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []idSlot
	ids   []string // the ids inserted, by node: an id longer than a slot's bytes is compared with its own
}

// idSlot is one slot: node+1 (0 when empty), the id's length (or long),
// and its first bytes. 32 bytes, a slot never straddles two cache lines.
type idSlot struct {
	node int32
	n    uint8
	key  [slotKey]byte
}

const (
	slotKey = 27
	long    = 255 // n of an id longer than slotKey
)

// newIDTable indexes ids, node i being ids[i], with half as many slots
// again as ids at least (at most two thirds full: 64 MB for 1,000,000
// ids). unique is false when an id is written twice: the slots an id
// probes are those of its equals, so a duplicate is met on the way to
// a free slot, and the compact load finds it here instead of in the Go
// map of the graph's index, which is made meanwhile on another core.
func newIDTable(ids []string) (t *idTable, unique bool) {
	size := uint64(1) << bits.Len64(uint64(len(ids)+len(ids)/2)|15)
	t = &idTable{seed: maphash.MakeSeed(), mask: size - 1, slots: make([]idSlot, size), ids: ids}
	for i, id := range ids {
		n := uint8(long)
		if len(id) <= slotKey {
			n = uint8(len(id))
		}
		h := maphash.String(t.seed, id) & t.mask
		for ; t.slots[h].node != 0; h = (h + 1) & t.mask {
			if t.slots[h].n == n && t.same(&t.slots[h], id) {
				return nil, false
			}
		}
		s := &t.slots[h]
		s.node = int32(i) + 1
		s.n = n
		copy(s.key[:], id)
	}
	return t, true
}

// same reports whether the id of slot s, whose length class is id's, is id.
func (t *idTable) same(s *idSlot, id string) bool {
	if s.n != long {
		return string(s.key[:s.n]) == id
	}
	return string(s.key[:]) == id[:slotKey] && t.ids[s.node-1] == id
}

// get returns the node of id.
func (t *idTable) get(id string) (int32, bool) {
	n := uint8(long)
	if len(id) <= slotKey {
		n = uint8(len(id))
	}
	for h := maphash.String(t.seed, id) & t.mask; ; h = (h + 1) & t.mask {
		s := &t.slots[h]
		switch {
		case s.node == 0:
			return 0, false
		case s.n != n:
		case n != long:
			if string(s.key[:n]) == id {
				return s.node - 1, true
			}
		case string(s.key[:]) == id[:slotKey] && t.ids[s.node-1] == id:
			return s.node - 1, true
		}
	}
}
