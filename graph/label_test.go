package graph

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestGroupLabel holds compile's label of a group equal to Dep.String on
// thousands of random groups of every form, with ids and numbers of every
// length, cut from one buffer as compile cuts them (a label must not
// change once a later one is cut).
func TestGroupLabel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := &compiler{}
	type cut struct{ got, want string }
	var cuts []cut
	for i := range 20_000 {
		d := Dep{Form: Form(r.IntN(5)), Need: r.Int64N(1 << uint(r.IntN(63))), DegradedAt: r.Int64N(10)}
		if r.IntN(10) == 0 {
			d.Need = math.MinInt64 + r.Int64N(10)
		}
		for range r.IntN(6) {
			id := "n" + strconv.Itoa(r.IntN(1000))
			if r.IntN(50) == 0 {
				id = string(make([]byte, r.IntN(3000)))
			}
			d.Members = append(d.Members, Member{ID: id, Weight: r.Int64N(1<<20) - 10})
		}
		cuts = append(cuts, cut{b.label(&d), d.String()})
		if i%1000 == 0 {
			for _, c := range cuts {
				if c.got != c.want {
					t.Fatalf("label %q, Dep.String %q", c.got, c.want)
				}
			}
		}
	}
	for _, c := range cuts {
		if c.got != c.want {
			t.Fatalf("label %q, Dep.String %q", c.got, c.want)
		}
	}
}
