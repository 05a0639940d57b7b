package analyze

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// catalogWithData is a synthetic catalog whose every node fails: sites,
// power and regions by defaults per kind, every other node 99.9% to
// 99.999% available.
func catalogWithData(tb testing.TB, n int) (*graph.Compiled, int32) {
	tb.Helper()
	m := synth.Services(synth.Default(n, 1))
	m.Defaults = map[graph.Kind]graph.Reliability{
		graph.Site: {Availability: 0.9998}, graph.Power: {Availability: 0.9995}, graph.Region: {Availability: 0.99999},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Nodes {
		if !m.Nodes[i].Kind.Infrastructure() {
			m.Nodes[i].Availability = 0.999 + 0.00099*r.Float64()
		}
	}
	c, err := graph.Compile(m)
	if err != nil {
		tb.Fatal(err)
	}
	// The target: the node with the largest cone among the last 200.
	best, size := int32(0), -1
	for v := int32(max(0, c.NodeCount()-200)); v < int32(c.NodeCount()); v++ {
		if k := len(hardAncestors(c, v)); k > size {
			best, size = v, k
		}
	}
	return c, best
}

func BenchmarkAvailabilityCatalog(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		c, t := catalogWithData(b, n)
		b.Run(sizeName(n), func(b *testing.B) {
			var u *Unavailability
			for b.Loop() {
				var err error
				if u, err = availabilityOf(context.Background(), c, t, AvailabilityOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(u.Basic), "basics")
			b.ReportMetric(float64(u.BDDNodes), "bdd-nodes")
			b.ReportMetric(float64(u.Modules), "modules")
		})
	}
}

func sizeName(n int) string { return strconv.Itoa(n/1000) + "k" }

// The bounds, when the budget is too small for the exact diagram: the
// cut sets up to order 2 and the Esary-Proschan bound.
func BenchmarkAvailabilityBounds(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		c, t := catalogWithData(b, n)
		b.Run(sizeName(n), func(b *testing.B) {
			var u *Unavailability
			for b.Loop() {
				var err error
				if u, err = availabilityOf(context.Background(), c, t, AvailabilityOptions{MaxBDDNodes: 1000}); err != nil {
					b.Fatal(err)
				}
			}
			if u.Exact {
				b.Fatal("exact within 1000 nodes")
			}
			b.ReportMetric(u.Upper/u.Lower, "upper/lower")
		})
	}
}

// The baseline: enumeration of every failure combination of a cone of 12
// nodes with failure data, one Simulate each (what the property test
// does), against the BDD on the same cone.
func BenchmarkAvailabilitySmallCone(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	var c *graph.Compiled
	var target int32
	for c == nil {
		m := synth.Random(r, 30)
		for i := range m.Nodes {
			m.Nodes[i].Availability = 0.99
		}
		cc, err := graph.Compile(m)
		if err != nil {
			b.Fatal(err)
		}
		for v := int32(0); v < int32(cc.NodeCount()); v++ {
			if k := newStructure(cc, v); k.basics == 12 {
				c, target = cc, v
				break
			}
		}
	}
	var basics []string
	k := newStructure(c, target)
	for _, v := range k.verts {
		if c.Unavailability(v) > 0 {
			basics = append(basics, c.VertexName(v))
		}
	}
	b.Run("bdd", func(b *testing.B) {
		for b.Loop() {
			if _, err := availabilityOf(context.Background(), c, target, AvailabilityOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-enumeration", func(b *testing.B) {
		name := c.VertexName(target)
		for b.Loop() {
			p := 0.0
			for a := 0; a < 1<<len(basics); a++ {
				var ids []string
				w := 1.0
				for i, id := range basics {
					if a>>i&1 == 1 {
						ids = append(ids, id)
						w *= 0.01
					} else {
						w *= 0.99
					}
				}
				o, err := Simulate(context.Background(), c, Fail(ids...))
				if err != nil {
					b.Fatal(err)
				}
				if o.State(name) == Down {
					p += w
				}
			}
			_ = p
		}
	})
}
