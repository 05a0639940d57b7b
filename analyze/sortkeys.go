package analyze

// effectKey is an effect's place in Sorted's order: k packs the state,
// whether it is a replica and its users so that the order ascends in k,
// and the id breaks ties.
type effectKey struct {
	k  uint64
	id string
	i  int32 // the effect's index
}

// keyByte is the byte at depth d of a key read as one string: k's eight
// bytes, most significant first, then the id; -1 past its end.
func keyByte(e *effectKey, d int) int {
	if d < 8 {
		return int(e.k >> (56 - 8*d) & 0xff)
	}
	if d-8 < len(e.id) {
		return int(e.id[d-8])
	}
	return -1
}

// sortEffectKeys sorts keys by k, then id, with a multikey quicksort
// (Bentley and Sedgewick, "Fast algorithms for sorting and searching
// strings", 1997): it compares each byte of the common prefixes once, where
// a comparison sort compares whole ids at every step. Ids share long
// prefixes in big catalogs ("svc-0001234"), and a million of them sort
// several times faster this way. TestSortEffectKeys holds it to the plain
// comparison.
func sortEffectKeys(a []effectKey) { mkqs(a, 0) }

func mkqs(a []effectKey, d int) {
	for len(a) > 1 {
		if len(a) < 16 {
			insertionSortKeys(a)
			return
		}
		// Median of three as the pivot byte.
		p := median3(keyByte(&a[0], d), keyByte(&a[len(a)/2], d), keyByte(&a[len(a)-1], d))
		// Three-way partition on the byte at d: < p, = p, > p.
		lt, gt, i := 0, len(a), 0
		for i < gt {
			switch c := keyByte(&a[i], d); {
			case c <= p-1:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case c > p:
				gt--
				a[gt], a[i] = a[i], a[gt]
			default:
				i++
			}
		}
		mkqs(a[:lt], d)
		mkqs(a[gt:], d)
		if p < 0 {
			return // equal keys: every one ended at d
		}
		a, d = a[lt:gt], d+1 // the middle shares one more byte
	}
}

func median3(a, b, c int) int {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}

// insertionSortKeys sorts a short run.
func insertionSortKeys(a []effectKey) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && lessKey(&a[j], &a[j-1]); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// lessKey is the order sortEffectKeys sorts by.
func lessKey(x, y *effectKey) bool {
	if x.k != y.k {
		return x.k < y.k
	}
	return x.id < y.id
}
