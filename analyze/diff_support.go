package analyze

import "context"

// OnCores runs job(i) for each i in [0, n) on one worker per core (at most
// n), each worker taking the next i when it is done with one, and returns
// the first error by i (nil when every job succeeded). A job that fails
// does not stop the others; once ctx ends no new job starts and ctx's
// error is returned. It is the worker loop of the audit (onCores), for
// callers outside the package that run independent analyses side by side,
// such as package diff's Recovers: each job holds its own analysis'
// memory, so at most one per core is alive at a time.
func OnCores(ctx context.Context, n int, job func(i int) error) error {
	errs := make([]error, n)
	onCores(ctx, n, func(_ int, next func() (int, bool)) {
		for {
			i, ok := next()
			if !ok {
				return
			}
			errs[i] = job(i)
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// RadiusOf returns the blast radius of candidate v as Radii lists it, and
// false when v is not a candidate or has not run yet. It reads that one
// candidate's sums: a caller that compares two rankings node by node
// (package diff) needs neither Radii's sort of every radius nor a lookup of
// each radius' id to find its node again.
func (r *Ranker) RadiusOf(v int32) (Radius, bool) {
	if v < 0 || int(v) >= len(r.index) || r.index[v] < 0 || !r.ran[r.index[v]] {
		return Radius{}, false
	}
	k := r.sums[r.index[v]]
	return Radius{ID: r.c.VertexName(k.v), Kind: r.c.Kind(k.v), Tier: r.c.Tier(k.v),
		Down: int(k.down), Degraded: int(k.degraded),
		UsersDown: k.usersDown, UsersDegraded: k.usersDegraded, Tier0: int(k.tier0)}, true
}
