package synth

import "github.com/blastradius-go/blastradius/graph"

// chunk is how many elements an arena allocates at a time. Large models get
// a few dozen big allocations instead of one (or three) per node.
const chunk = 1 << 16

// arena hands out capacity-capped subslices of large shared arrays, so that a
// million nodes do not cost millions of small allocations. Appending to a
// returned slice copies it (its capacity is exact) and never clobbers a
// neighbour.
type arena struct {
	deps     []graph.Dep
	members  []graph.Member
	replicas []graph.Replica
}

func take[T any](pool *[]T, src []T) []T {
	p := grab(pool, len(src))
	copy(p, src)
	return p
}

// grab returns n zeroed elements.
func grab[T any](pool *[]T, n int) []T {
	if n == 0 {
		return nil
	}
	p := *pool
	if cap(p)-len(p) < n {
		p = make([]T, 0, max(chunk, n))
	}
	i := len(p)
	p = p[:i+n]
	*pool = p
	return p[i : i+n : i+n]
}
