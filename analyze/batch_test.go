package analyze

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// The batch engine's word formulas for small Threshold gates (appendTerms)
// specialise the one threshold rule; on every gate of up to 4 inputs with
// weights 0..3 (0: a standby not yet serving), every demand and floor, and
// every assignment of Up, Degraded and Down to its inputs, they give what
// threshold gives; gates of 5 and 6 inputs (the most that get terms) are
// checked with weights 1..2 and floors of 1, half the demand and the
// demand.
func TestTermsEqualThreshold(t *testing.T) {
	checked := 0
	for n := 1; n <= maxTermInputs; n++ {
		lo, hi := int64(0), int64(3)
		if n > 4 {
			lo, hi = 1, 2
		}
		ws := make([]int64, n)
		var weights func(i int)
		weights = func(i int) {
			if i < n {
				for w := lo; w <= hi; w++ {
					ws[i] = w
					weights(i + 1)
				}
				return
			}
			var base int64
			for _, w := range ws {
				base += w
			}
			for need := int64(1); need <= base; need++ {
				for floor := int64(1); floor <= need; floor++ {
					if n > 4 && floor != 1 && floor != need && floor != (need+1)/2 {
						continue
					}
					g := graph.Gate{Op: graph.Threshold, Need: need, Floor: floor, Base: base}
					checked += checkTerms(t, g, ws)
				}
			}
		}
		weights(0)
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
	t.Logf("%d assignments checked", checked)
}

func checkTerms(t *testing.T, g graph.Gate, ws []int64) int {
	t.Helper()
	terms := appendTerms(nil, g, ws)
	if len(terms) == 0 {
		t.Fatalf("gate %+v over %v: no formulas", g, ws)
	}
	n := len(ws)
	states := make([]State, n)
	count := 0
	var assign func(i int)
	assign = func(i int) {
		if i < n {
			for _, st := range []State{Up, Degraded, Down} {
				states[i] = st
				assign(i + 1)
			}
			return
		}
		var dm, bm uint8 // inputs Down; inputs not Up
		live, up := g.Base, g.Base
		for j, st := range states {
			if st == Down {
				dm |= 1 << j
				live -= ws[j]
			}
			if st != Up {
				bm |= 1 << j
				up -= ws[j]
			}
		}
		down, bad := false, false
		k := 0
		for ; terms[k] != 0; k++ {
			down = down || terms[k]&dm == terms[k]
		}
		for k++; k < len(terms); k++ {
			bad = bad || terms[k]&bm == terms[k]
		}
		got := Up
		switch {
		case down:
			got = Down
		case bad:
			got = Degraded
		}
		if want := threshold(g, live, up); got != want {
			t.Fatalf("gate %+v over weights %v, inputs %v: formulas say %v, threshold %v", g, ws, states, got, want)
		}
		count++
	}
	assign(0)
	return count
}

// The layout made on several cores (its per-vertex loops, the batch order
// sorted in halves) equals the layout made on one.
func TestLayoutParallel(t *testing.T) {
	defer func(s int) { splitOrder = s }(splitOrder)
	for _, c := range []*graph.Compiled{
		compileT(t, synth.Services(synth.Default(20_000, 1))),
		compileT(t, synth.Services(synth.Params{Nodes: 20_000, AvgDeps: 6, Sites: 3, Hubs: 8, CycleFrac: 0.1, GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.3, Seed: 2})),
	} {
		procs := runtime.GOMAXPROCS(1)
		splitOrder = 1 << 30
		want := newLayout(c)
		want.order = want.batchOrder()
		runtime.GOMAXPROCS(4)
		splitOrder = 100
		got := newLayout(c)
		got.order = got.batchOrder()
		runtime.GOMAXPROCS(procs)
		require.Equal(t, want, got)
	}
}
