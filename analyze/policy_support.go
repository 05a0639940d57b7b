package analyze

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"

	"github.com/blastradius-go/blastradius/graph"
)

// Losses is the state of every vertex of a compiled graph after the
// failure of each of some model nodes alone (LoseEach): what a policy
// check needs of the loss of each site and region, without an Outcome per
// loss.
type Losses struct {
	c    *graph.Compiled
	lost []int32
	// Per batch of 64 losses (loss i is lane i%64 of batch i/64), per
	// vertex: the lanes in which it is Down, and those in which it is
	// Down or Degraded.
	down, bad [][]uint64
}

// LoseEach returns the state of every vertex after the failure of each of
// lost (model nodes) alone: what Simulate(ctx, c, Fail(id)).VertexState
// gives for each, found by the batch engine that Rank uses, 64 failures
// in one pass over the graph instead of one Simulate each. The 16 site
// losses of a 1,000,000-node catalog cost about what one Simulate of its
// largest site costs; each outcome's causes, which the sites' states do
// not need, are left out (Chain gives the chain of one node when asked).
// A graph too large for the batch engine simulates each loss instead.
func LoseEach(ctx context.Context, c *graph.Compiled, lost []int32) (*Losses, error) {
	for _, v := range lost {
		if v < 0 || int(v) >= c.NodeCount() {
			return nil, fmt.Errorf("lose: vertex %d is not a node of the model", v)
		}
	}
	ls := newLosses(c, lost)
	batches := len(ls.down)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(lost) == 0 {
		return ls, nil
	}
	if c.Len() >= maxPositions {
		if err := ls.simulate(ctx); err != nil {
			return nil, err // never a Losses half filled
		}
		return ls, nil
	}
	l := layoutFor(c)
	// A worker per core, not per batch: each holds a batch engine of its
	// own (about 90 MB at 5,000,000 nodes), beside the ranking pass's.
	err := onWorkers(ctx, c, l, runtime.GOMAXPROCS(0), batches, func(_ int, b *batch, k int) {
		down, bad := ls.down[k], ls.bad[k]
		b.run(lost[k*64:min(k*64+64, len(lost))], func(p int32, d, x uint64) {
			v := l.vertex[p]
			down[v], bad[v] = d, x
		})
	})
	if err != nil {
		return nil, err
	}
	return ls, nil
}

func newLosses(c *graph.Compiled, lost []int32) *Losses {
	batches := (len(lost) + 63) / 64
	ls := &Losses{c: c, lost: lost, down: make([][]uint64, batches), bad: make([][]uint64, batches)}
	for k := range batches {
		ls.down[k], ls.bad[k] = make([]uint64, c.Len()), make([]uint64, c.Len())
	}
	return ls
}

// simulate fills the states from one Simulate per loss, for a graph too
// large for the batch engine (2^29 vertices).
func (ls *Losses) simulate(ctx context.Context) error {
	c := ls.c
	for i, f := range ls.lost {
		o, err := Simulate(ctx, c, Fail(c.VertexName(f)))
		if err != nil {
			return err
		}
		bit, down, bad := uint64(1)<<(i%64), ls.down[i/64], ls.bad[i/64]
		for v := int32(0); v < int32(c.Len()); v++ {
			switch o.VertexState(v) {
			case Down:
				down[v] |= bit
				bad[v] |= bit
			case Degraded:
				bad[v] |= bit
			}
		}
	}
	return nil
}

// Len is the number of losses.
func (ls *Losses) Len() int { return len(ls.lost) }

// Lost returns the node lost in loss i.
func (ls *Losses) Lost(i int) int32 { return ls.lost[i] }

// State returns the state of vertex v after loss i: the lost node itself
// is Down.
func (ls *Losses) State(i int, v int32) State {
	bit := uint64(1) << (i % 64)
	switch {
	case ls.down[i/64][v]&bit != 0:
		return Down
	case ls.bad[i/64][v]&bit != 0:
		return Degraded
	}
	return Up
}

// Worst returns the worst state of vertex v after any one of losses lo to
// hi-1, and the first of them that gives it: Up and -1 when v stays Up
// after each.
func (ls *Losses) Worst(v int32, lo, hi int) (State, int) {
	first := func(masks [][]uint64) int {
		for k := lo / 64; k*64 < hi; k++ {
			m := masks[k][v]
			if k == lo/64 {
				m &^= 1<<(lo%64) - 1
			}
			if m != 0 {
				if i := k*64 + bits.TrailingZeros64(m); i < hi {
					return i
				}
				return -1
			}
		}
		return -1
	}
	if i := first(ls.down); i >= 0 {
		return Down, i
	}
	if i := first(ls.bad); i >= 0 {
		return Degraded, i
	}
	return Up, -1
}

// Survival is what RedundancyRate counts, without its lists: the
// measured services (Measured) and their users, and those that survive
// (stay Up) whichever one of the losses happens.
type Survival struct {
	Services, Survive   int
	Users, SurviveUsers int64
	// Rate and UsersRate are Survive/Services and SurviveUsers/Users (1
	// when there is nothing to measure).
	Rate, UsersRate float64
}

// Survival counts the measured services that survive each of the losses:
// from the loss of every site, RedundancyRate's Services, Users, Survive,
// SurviveUsers, Rate and UsersRate (a test holds them equal). It skips
// what RedundancyRate adds for its reports (each loss' lists of names, the
// exposed services), which a policy check does not print.
func (ls *Losses) Survival() Survival { return ls.SurvivalOf(0, len(ls.lost)) }

// SurvivalOf is Survival of losses lo to hi-1 only: a policy check loses
// the sites and the regions in one pass and counts the rate of the sites.
func (ls *Losses) SurvivalOf(lo, hi int) Survival {
	c := ls.c
	services := Measured(c)
	r := Survival{Services: len(services)}
	// The lanes of losses lo to hi-1 in each batch.
	lanes := make([]uint64, len(ls.bad))
	for i := lo; i < hi; i++ {
		lanes[i/64] |= 1 << (i % 64)
	}
	for _, s := range services {
		users := c.Users(s)
		r.Users += users
		var hit uint64 // the lanes of those losses in which s is not Up
		for k, m := range lanes {
			hit |= ls.bad[k][s] & m
		}
		if hit == 0 {
			r.Survive++
			r.SurviveUsers += users
		}
	}
	r.Rate, r.UsersRate = 1, 1
	if r.Services > 0 {
		r.Rate = float64(r.Survive) / float64(r.Services)
	}
	if r.Users > 0 {
		r.UsersRate = float64(r.SurviveUsers) / float64(r.Users)
	}
	return r
}
