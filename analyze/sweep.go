package analyze

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blastradius-go/blastradius/graph"
)

// parallel calls f on parts [lo, hi) of [0, n), on all cores when n is large
// enough to be worth it, and returns when every call has.
func parallel(n int, f func(lo, hi int)) {
	parts := partsFor(n)
	var wg sync.WaitGroup
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(n*k/parts, n*(k+1)/parts)
		}()
	}
	wg.Wait()
}

// laneSumsPool keeps lane sums (67 KB, clean after sums) between batches.
var laneSumsPool = sync.Pool{New: func() any { return new(laneSums) }}

// partsFor is how many parts to split n items in for all cores: one per
// core, of 4,096 items at least.
func partsFor(n int) int { return min(runtime.GOMAXPROCS(0), max(n/4096, 1)) }

// laneSums adds up, lane by lane, the nodes a batch finds not Up. It runs
// once per (failure, node) pair: tens of millions of times in a large
// ranking. A mask of few lanes is added lane by lane, into plain arrays; a
// mask of many lanes (the failures of a batch of large ones share most of
// their nodes) is added byte by byte: the count and users of each of its 8
// bytes' values, spread over their lanes once, by sums.
type laneSums struct {
	down, degraded laneSum
	tier0          [64]int32
}

// laneSum is one count per lane and one sum of users per lane, with the
// table that adds masks of many lanes byte by byte: per byte of the mask
// (k) and value of that byte (b), a count and a sum of users, side by side
// so that an add touches one cache line (a quarter faster than two arrays).
type laneSum struct {
	count    [64]int32
	users    [64]int64
	bytewise bool
	bytes    [8][256]byteSum
}

type byteSum struct{ users, count int64 }

// bytewiseFrom is the number of lanes from which a mask is added byte by
// byte.
const bytewiseFrom = 12

func (a *laneSums) add(down, bad uint64, users int64, tier0 bool) {
	a.down.add(down, users)
	a.degraded.add(bad&^down, users)
	if tier0 {
		for m := bad; m != 0; m &= m - 1 {
			a.tier0[bits.TrailingZeros64(m)]++
		}
	}
}

// add adds 1 and users to the lanes of m.
func (s *laneSum) add(m uint64, users int64) {
	if bits.OnesCount64(m) < bytewiseFrom {
		for ; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			s.count[i]++
			s.users[i] += users
		}
		return
	}
	s.bytewise = true
	for k := 0; m != 0; k, m = k+1, m>>8 {
		if b := uint8(m); b != 0 {
			e := &s.bytes[k][b]
			e.count++
			e.users += users
		}
	}
}

// spread adds what was added byte by byte to the lanes, and clears it.
func (s *laneSum) spread() {
	if !s.bytewise {
		return
	}
	s.bytewise = false
	for k := range s.bytes {
		for b := 1; b < 256; b++ {
			e := s.bytes[k][b]
			if e.count == 0 {
				continue
			}
			s.bytes[k][b] = byteSum{}
			for m := uint(b); m != 0; m &= m - 1 {
				i := 8*k + bits.TrailingZeros(m)
				s.count[i] += int32(e.count)
				s.users[i] += e.users
			}
		}
	}
}

// reset clears the sums for a new batch.
func (a *laneSums) reset() {
	a.down.count, a.degraded.count, a.tier0 = [64]int32{}, [64]int32{}, [64]int32{}
	a.down.users, a.degraded.users = [64]int64{}, [64]int64{}
}

// sums adds what was added byte by byte to the lanes.
func (a *laneSums) sums() {
	a.down.spread()
	a.degraded.spread()
}

// engines keeps the workers' batch engines (their arrays are as long as
// the graph) between rankings of a graph.
var engines graphPool[batch]

// sweep runs every candidate's single failure through the batch engine on
// workers goroutines: run is called once per batch of at most 64 sources,
// with the worker's batch engine to run them on. It is called from several
// goroutines at once, but each source belongs to one batch, so results kept
// per source need no lock. alone is called first, from the calling
// goroutine, for candidates nothing depends on, which are never propagated.
func sweep(ctx context.Context, c *graph.Compiled, cands []int32, workers int, progress func(done, total int),
	run func(l *layout, b *batch, sources []int32), alone func(v int32)) error {
	return sweepWorkers(ctx, c, cands, workers, progress, func(_ int, l *layout, b *batch, sources []int32) {
		run(l, b, sources)
	}, alone)
}

// sweepWorkers is sweep that tells run which worker calls it, a number
// below workers (or GOMAXPROCS when workers is 0 or less), so that run can
// keep state per worker without a lock.
func sweepWorkers(ctx context.Context, c *graph.Compiled, cands []int32, workers int, progress func(done, total int),
	run func(worker int, l *layout, b *batch, sources []int32), alone func(v int32)) error {
	if c.Len() >= maxPositions {
		return fmt.Errorf("%d vertices: the batch engine takes fewer than %d", c.Len(), maxPositions)
	}
	l := layoutFor(c)
	n := 0
	for _, v := range cands {
		deps, _ := c.Dependents(v)
		if len(deps) == 0 && len(c.SoftDependents(v)) == 0 {
			alone(v)
			continue
		}
		n++
	}
	// Batch the others in the layout's order (see batchOrder), made once
	// per graph: all of it, or the candidates in it.
	batched := l.order
	if n < len(l.order) {
		keep := make([]bool, c.NodeCount())
		for _, v := range cands {
			keep[v] = true
		}
		batched = make([]int32, 0, n)
		for _, v := range l.order {
			if keep[v] {
				batched = append(batched, v)
			}
		}
	}
	batches := (len(batched) + 63) / 64
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu   sync.Mutex // serializes progress
		done = len(cands) - len(batched)
	)
	return onWorkers(ctx, c, l, workers, batches, func(w int, b *batch, k int) {
		sources := batched[k*64 : min(k*64+64, len(batched))]
		run(w, l, b, sources)
		if progress != nil {
			mu.Lock()
			done += len(sources)
			progress(done, len(cands))
			mu.Unlock()
		}
	})
}

// onWorkers runs tasks [0, n) on workers goroutines (at most n, at least
// one), each with a batch engine of c's layout l, and stops at ctx's end.
// The ranking, the sweeps, the pair ranking and the audit's shared search
// all split their work this way. With c nil, l is a layout of its own (the
// audit's, cut down to the claims' ancestry): each worker makes a fresh
// engine, since the pool keeps engines of a graph's own layout.
func onWorkers(ctx context.Context, c *graph.Compiled, l *layout, workers, n int, task func(w int, b *batch, k int)) error {
	workers = max(min(workers, n), 1)
	// Workers take the next task from a counter, not a channel: a ranking
	// has thousands of small batches at its end, and handing each over
	// through a channel wakes a goroutine each time.
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		err  error
		once sync.Once
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b *batch
			if c == nil {
				b = newBatch(l)
			} else {
				b = engines.get(c, func() *batch { return newBatch(l) })
				defer engines.put(c, b) // clean: every run clears what it set
			}
			for {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				if e := ctx.Err(); e != nil {
					once.Do(func() { err = e })
					return
				}
				task(w, b, k)
			}
		}()
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}
