package export

import (
	"io"
	"runtime"
	"sync"
)

// rowBlock is how many rows of a large table one worker formats at a time
// (about 1.4 MB of a ranking's table); tests lower it.
var rowBlock = 16384

// inParts calls f on at most most parts [lo, hi) of [0, n), one per core
// and of a block of rows at least, at once, and returns how many when
// every call has; part k is the k-th.
func inParts(n, most int, f func(k, lo, hi int)) (parts int) {
	parts = max(min(runtime.GOMAXPROCS(0), most, n/rowBlock), 1)
	if parts == 1 {
		f(0, 0, n)
		return 1
	}
	var wg sync.WaitGroup
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(k, n*k/parts, n*(k+1)/parts)
		}()
	}
	wg.Wait()
	return parts
}

// writeRows writes rows [0, n) of a table, each appended to a buffer by
// row, to w in order. A table of more than two blocks is formatted on
// every core, a block of rows at a time, while the blocks before are
// written: the ranking of every node of a 5,000,000-node catalog is
// 440 MB of table, about 3 s of one core to format. At most two blocks
// per core are formatted ahead of the writer, so the memory stays a few
// megabytes whatever the table's size. It stops formatting at w's first
// error, and returns it.
func writeRows(w io.Writer, n int, row func(b []byte, i int) []byte) error {
	workers := min(runtime.GOMAXPROCS(0), (n+rowBlock-1)/rowBlock)
	if workers <= 1 || n <= 2*rowBlock {
		var b []byte
		for lo := 0; lo < n; lo += rowBlock {
			b = b[:0]
			for i := lo; i < min(lo+rowBlock, n); i++ {
				b = row(b, i)
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	type block struct {
		lo   int
		done chan []byte // the block's rows, once formatted
	}
	var (
		queue = make(chan block, 2*workers) // in order: what the writer waits for
		jobs  = make(chan block, 2*workers)
		free  = make(chan []byte, 3*workers) // buffers the writer is done with
		stop  = make(chan struct{})          // closed at the writer's first error
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var b []byte
				select {
				case b = <-free:
				default:
				}
				b = b[:0]
				for i := j.lo; i < min(j.lo+rowBlock, n); i++ {
					b = row(b, i)
				}
				j.done <- b
			}
		}()
	}
	go func() {
		defer close(queue)
		defer close(jobs)
		for lo := 0; lo < n; lo += rowBlock {
			j := block{lo, make(chan []byte, 1)}
			select {
			case queue <- j: // waits while the writer is two blocks per core behind
			case <-stop:
				return
			}
			jobs <- j
		}
	}()
	var err error
	for j := range queue {
		b := <-j.done
		if err == nil {
			if _, err = w.Write(b); err != nil {
				close(stop)
			}
		}
		select {
		case free <- b:
		default:
		}
	}
	wg.Wait()
	return err
}
