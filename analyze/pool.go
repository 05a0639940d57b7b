package analyze

import (
	"runtime"
	"sync"
	"weak"

	"github.com/blastradius-go/blastradius/graph"
)

// perGraph is the package's one per-graph cache: one value of type E per
// compiled graph, made on first use. The graph is held weakly, so its
// entry goes when the graph is collected. Everything the analyses keep
// between calls on a graph hangs off it: the engine's and Recover's
// scratch (through graphPool), the batch engine's layout and the
// redundancy rate.
type perGraph[E any] struct {
	m sync.Map // weak.Pointer[graph.Compiled] → *E
}

// get returns c's value, making a zero one on first use.
func (p *perGraph[E]) get(c *graph.Compiled) *E {
	key := weak.Make(c)
	if e, ok := p.m.Load(key); ok {
		return e.(*E)
	}
	e, loaded := p.m.LoadOrStore(key, new(E))
	if !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[graph.Compiled]) { p.m.Delete(k) }, key)
	}
	return e.(*E)
}

// graphPool keeps scratch values of type T per compiled graph between runs,
// so that a big graph's arrays are allocated once, not once per run (a
// sync.Pool would drop them at every garbage collection). A few values
// per graph are kept, one per concurrent caller.
type graphPool[T any] struct {
	lists perGraph[freeList[T]]
}

type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

// get returns a kept value for c, or a new one from fresh.
func (p *graphPool[T]) get(c *graph.Compiled, fresh func() *T) *T {
	l := p.lists.get(c)
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		x := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return x
	}
	l.mu.Unlock()
	return fresh()
}

// put keeps x, which must be clean, for the next run on c.
func (p *graphPool[T]) put(c *graph.Compiled, x *T) {
	l := p.lists.get(c)
	l.mu.Lock()
	if len(l.free) < runtime.GOMAXPROCS(0) {
		l.free = append(l.free, x)
	}
	l.mu.Unlock()
}
