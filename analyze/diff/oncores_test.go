package diff

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// onCoresAfter runs every job once, one at a time until more is closed;
// it returns the first error by job, and ctx's once it ended.
func TestOnCoresAfter(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 2, 7, 100} {
		more := make(chan struct{})
		ran := make([]int32, n)
		err := onCoresAfter(ctx, n, more, func(j int) error {
			atomic.AddInt32(&ran[j], 1)
			if j == n/2 {
				close(more) // the passes are done half way through
			}
			return nil
		})
		assert.NoError(t, err)
		for j, k := range ran {
			assert.EqualValues(t, 1, k, "job %d of %d", j, n)
		}
		if n == 0 {
			close(more)
		}
	}

	// Before more is closed, one job at a time.
	more := make(chan struct{})
	var running atomic.Int32
	calls := 0
	err := onCoresAfter(ctx, 50, more, func(j int) error {
		if running.Add(1) > 1 {
			t.Errorf("job %d beside another before more", j)
		}
		calls++
		running.Add(-1)
		if j == 49 {
			close(more)
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 50, calls)

	// The first error by job, whatever finished first.
	closed := make(chan struct{})
	close(closed)
	e3, e5 := errors.New("3"), errors.New("5")
	err = onCoresAfter(ctx, 10, closed, func(j int) error {
		switch j {
		case 3:
			return e3
		case 5:
			return e5
		}
		return nil
	})
	assert.ErrorIs(t, err, e3)

	// A cancelled context starts no job, and the workers waiting for more
	// stop waiting.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	started := 0
	err = onCoresAfter(cctx, 10, make(chan struct{}), func(int) error { started++; return nil })
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, started)
}
