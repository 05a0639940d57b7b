package policy

import (
	"math"
	"slices"
)

// keeper keeps the first k of a stream of items in the order cmp, and
// counts them all. Items arrive in any order (from several goroutines,
// serialized); what it keeps depends only on the items, not on the order,
// as long as cmp is a total order (ties broken down to the item's
// identity).
//
// It collects up to 2k items and then sorts and cuts them to k; after a
// cut, the k-th kept item bounds what can still make the list, so an offer
// that does not beat it is only counted. On a catalog with millions of
// violations and k = 50, almost every offer ends there, and the sorts,
// which were a third of Check, all but vanish.
type keeper[T any] struct {
	k     int
	cmp   func(a, b T) int
	items []T
	total int
	// last is the k-th item after the latest cut, when full.
	last T
	full bool
}

func (kp *keeper[T]) offer(x T) {
	kp.total++
	if kp.k <= 0 || (kp.full && kp.cmp(x, kp.last) >= 0) {
		return
	}
	kp.items = append(kp.items, x)
	if kp.k < math.MaxInt/2 && len(kp.items) >= 2*kp.k {
		kp.trim()
	}
}

func (kp *keeper[T]) trim() {
	slices.SortFunc(kp.items, kp.cmp)
	if len(kp.items) >= kp.k {
		kp.items = kp.items[:kp.k]
		kp.last, kp.full = kp.items[kp.k-1], true
	}
}

// sorted returns the kept items, in order.
func (kp *keeper[T]) sorted() []T {
	kp.trim()
	return kp.items
}
