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
