package bdd

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed of the random functions (0: from the clock)")

func seed(t *testing.T) uint64 {
	s := *seedFlag
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

// formula is a random Boolean formula over n variables, kept as a truth
// table (bit a of the table is the value under assignment a) beside its
// diagram.
type formula struct {
	table []bool
	node  Node
}

func randomFormula(m *Manager, r *rand.Rand, n, depth int) formula {
	size := 1 << n
	if depth == 0 || r.IntN(4) == 0 {
		v := r.IntN(n)
		t := make([]bool, size)
		for a := range t {
			t[a] = a>>v&1 == 1
		}
		return formula{t, m.Var(v)}
	}
	a := randomFormula(m, r, n, depth-1)
	b := randomFormula(m, r, n, depth-1)
	t := make([]bool, size)
	var node Node
	switch r.IntN(4) {
	case 0:
		for i := range t {
			t[i] = a.table[i] && b.table[i]
		}
		node = m.And(a.node, b.node)
	case 1:
		for i := range t {
			t[i] = a.table[i] || b.table[i]
		}
		node = m.Or(a.node, b.node)
	case 2:
		for i := range t {
			t[i] = !a.table[i]
		}
		node = m.Not(a.node)
	default:
		c := randomFormula(m, r, n, depth-1)
		for i := range t {
			if a.table[i] {
				t[i] = b.table[i]
			} else {
				t[i] = c.table[i]
			}
		}
		node = m.ITE(a.node, b.node, c.node)
	}
	return formula{t, node}
}

func TestRandomFormulas(t *testing.T) {
	r := rand.New(rand.NewPCG(seed(t), 13))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + r.IntN(7)
		m := New(0)
		f := randomFormula(m, r, n, 5)
		p := make([]float64, n)
		for i := range p {
			p[i] = r.Float64()
		}
		want := 0.0
		for a, val := range f.table {
			if !m.Eval(f.node, func(v int) bool { return a>>v&1 == 1 }) != !val {
				t.Fatalf("iter %d: Eval differs from the truth table at %b", iter, a)
			}
			if val {
				w := 1.0
				for v := 0; v < n; v++ {
					if a>>v&1 == 1 {
						w *= p[v]
					} else {
						w *= 1 - p[v]
					}
				}
				want += w
			}
		}
		got, b := m.Birnbaum(f.node, p)
		if math.Abs(got-want) > 1e-12 || math.Abs(m.Probability(f.node, p)-want) > 1e-12 {
			t.Fatalf("iter %d: probability %v, enumeration %v", iter, got, want)
		}
		for v := 0; v < n; v++ {
			p1 := m.Probability(m.Restrict(f.node, v, true), p)
			p0 := m.Probability(m.Restrict(f.node, v, false), p)
			if math.Abs(b[v]-(p1-p0)) > 1e-12 {
				t.Fatalf("iter %d: Birnbaum of %d is %v, P(f|v)-P(f|¬v) = %v", iter, v, b[v], p1-p0)
			}
		}
		nec := m.Necessary(f.node, n)
		for v := 0; v < n; v++ {
			if want := m.Restrict(f.node, v, false) == False; nec[v] != want {
				t.Fatalf("iter %d: Necessary(%d) = %v, want %v", iter, v, nec[v], want)
			}
		}
		// Canonical: the same function built from its truth table is the
		// same node.
		if g := fromTable(m, f.table, n); g != f.node {
			t.Fatalf("iter %d: two nodes for one function", iter)
		}
	}
}

// fromTable builds the function of a truth table as a disjunction of
// minterms: another construction, which must give the same node.
func fromTable(m *Manager, table []bool, n int) Node {
	f := False
	for a, val := range table {
		if !val {
			continue
		}
		term := True
		for v := 0; v < n; v++ {
			x := m.Var(v)
			if a>>v&1 == 0 {
				x = m.Not(x)
			}
			term = m.And(term, x)
		}
		f = m.Or(f, term)
	}
	return f
}

func TestLimit(t *testing.T) {
	m := New(20)
	f := False
	for v := 0; v < 40; v += 2 {
		f = m.Or(f, m.And(m.Var(v), m.Var(v+1)))
	}
	if m.Err() != ErrTooLarge {
		t.Fatalf("Err() = %v, want ErrTooLarge", m.Err())
	}
	if m.Len() > 20 {
		t.Fatalf("%d nodes, limit 20", m.Len())
	}
}

func TestGrowth(t *testing.T) {
	// Enough nodes to rehash the unique table several times: the
	// majority-like function x0x1 + x2x3 + ... has a linear diagram.
	m := New(0)
	f := False
	for v := 0; v < 4000; v += 2 {
		f = m.Or(f, m.And(m.Var(v), m.Var(v+1)))
	}
	if got := m.Size(f); got != 4000 {
		t.Fatalf("size %d, want 4000", got)
	}
	p := make([]float64, 4000)
	for i := range p {
		p[i] = 0.5
	}
	want := 1 - math.Pow(0.75, 2000)
	if got := m.Probability(f, p); math.Abs(got-want) > 1e-12 {
		t.Fatalf("probability %v, want %v", got, want)
	}
}
