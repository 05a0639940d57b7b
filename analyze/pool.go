package analyze

import (
	"runtime"
	"sync"
	"weak"

	"github.com/blastradius-go/blastradius/graph"
)

// graphPool keeps scratch values of type T per compiled graph between runs,
// so that a big graph's arrays are allocated once, not once per run (a
// sync.Pool would drop them at every garbage collection). The graph is
// held weakly: its entry goes when the graph is collected. A few values
// per graph are kept, one per concurrent caller.
type graphPool[T any] struct {
	lists sync.Map // weak.Pointer[graph.Compiled] → *freeList[T]
}

type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

func (p *graphPool[T]) list(c *graph.Compiled) *freeList[T] {
	key := weak.Make(c)
	if l, ok := p.lists.Load(key); ok {
		return l.(*freeList[T])
	}
	l, loaded := p.lists.LoadOrStore(key, &freeList[T]{})
	if !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[graph.Compiled]) { p.lists.Delete(k) }, key)
	}
	return l.(*freeList[T])
}

// get returns a kept value for c, or a new one from fresh.
func (p *graphPool[T]) get(c *graph.Compiled, fresh func() *T) *T {
	l := p.list(c)
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
	l := p.list(c)
	l.mu.Lock()
	if len(l.free) < runtime.GOMAXPROCS(0) {
		l.free = append(l.free, x)
	}
	l.mu.Unlock()
}
