// Package bdd provides reduced ordered binary decision diagrams (ROBDDs)
// with a unique table and an ITE cache, and the probability and marginal
// importance of a function of independent variables.
//
// The diagrams are Bryant's (R. E. Bryant, "Graph-based algorithms for
// Boolean function manipulation", IEEE Trans. Computers C-35(8), 1986),
// built with the if-then-else operator of Brace, Rudell and Bryant
// ("Efficient implementation of a BDD package", DAC 1990): every node is
// unique (a hash table of (variable, low, high)), so two functions are
// equal exactly when their nodes are, and ITE results are memoised in a
// lossy computed table. There are no complement edges: the functions
// availability analysis builds are monotone, and Not is rare.
//
// The probability of a function of independent variables is linear in the
// size of its diagram (Rauzy, "New algorithms for fault trees analysis",
// Reliability Engineering and System Safety 40, 1993); so is the Birnbaum
// importance of every variable at once (see Manager.Birnbaum).
package bdd

import (
	"errors"
	"math/bits"
	"slices"
)

// Node is a function in a Manager: an index into its node arrays. False
// and True are the terminals.
type Node int32

// The terminals.
const (
	False Node = 0
	True  Node = 1
)

// ErrTooLarge is what Err returns once a diagram would need more nodes than
// the Manager's limit.
var ErrTooLarge = errors.New("bdd: more nodes than the limit")

// Manager holds the nodes of the diagrams built in it. Variables are
// numbered from 0, and a smaller number is nearer the root: the number is
// the variable's level in the order. A Manager is not safe for concurrent
// use.
type Manager struct {
	level  []int32 // per node: its variable; terminals have the largest level
	lo, hi []Node  // per node: the function with the variable false, true

	// unique is an open-addressing hash table of node indices (0 = empty:
	// the terminal False is never stored), at most half full.
	unique []Node
	// cache is the ITE computed table, direct-mapped and lossy: a slot
	// holds the last (f, g, h) that hashed to it. It grows with the nodes.
	cache []iteEntry

	limit int
	err   error
}

type iteEntry struct{ f, g, h, r Node }

const terminalLevel = int32(1<<31 - 1)

// New returns a Manager that refuses to hold more than limit nodes (0: no
// limit). A node takes about 40 bytes with its tables.
func New(limit int) *Manager {
	m := &Manager{limit: limit}
	m.level = append(m.level, terminalLevel, terminalLevel)
	m.lo = append(m.lo, False, True)
	m.hi = append(m.hi, False, True)
	m.unique = make([]Node, 1024)
	m.cache = make([]iteEntry, 1024)
	return m
}

// Err returns ErrTooLarge once an operation ran out of nodes; the results
// of every operation since are then meaningless.
func (m *Manager) Err() error { return m.err }

// Len is the number of nodes, terminals included.
func (m *Manager) Len() int { return len(m.level) }

// Var returns the function that is variable v.
func (m *Manager) Var(v int) Node { return m.mk(int32(v), False, True) }

// Level returns the variable of n's root, or -1 for a terminal.
func (m *Manager) Level(n Node) int {
	if n <= True {
		return -1
	}
	return int(m.level[n])
}

// Low and High return n's cofactors by its root variable.
func (m *Manager) Low(n Node) Node  { return m.lo[n] }
func (m *Manager) High(n Node) Node { return m.hi[n] }

func hash3(a, b, c int32) uint64 {
	h := uint64(uint32(a))*0x9E3779B97F4A7C15 ^ uint64(uint32(b))*0xC2B2AE3D27D4EB4F ^ uint64(uint32(c))*0x165667B19E3779F9
	return h ^ h>>29
}

// mk returns the unique node (v, lo, hi), reducing lo == hi to lo.
func (m *Manager) mk(v int32, lo, hi Node) Node {
	if lo == hi {
		return lo
	}
	mask := uint64(len(m.unique) - 1)
	for i := hash3(v, int32(lo), int32(hi)) & mask; ; i = (i + 1) & mask {
		n := m.unique[i]
		if n == 0 {
			break
		}
		if m.level[n] == v && m.lo[n] == lo && m.hi[n] == hi {
			return n
		}
	}
	if m.err != nil {
		return False
	}
	if m.limit > 0 && len(m.level) >= m.limit {
		m.err = ErrTooLarge
		return False
	}
	n := Node(len(m.level))
	m.level = append(m.level, v)
	m.lo = append(m.lo, lo)
	m.hi = append(m.hi, hi)
	if 2*len(m.level) > len(m.unique) {
		m.rehash()
	} else {
		m.insert(n)
	}
	return n
}

func (m *Manager) insert(n Node) {
	mask := uint64(len(m.unique) - 1)
	i := hash3(m.level[n], int32(m.lo[n]), int32(m.hi[n])) & mask
	for m.unique[i] != 0 {
		i = (i + 1) & mask
	}
	m.unique[i] = n
}

// rehash doubles the unique table (and the computed table with it, whose
// entries are only hints and are dropped).
func (m *Manager) rehash() {
	size := 1 << bits.Len(uint(4*len(m.level)))
	m.unique = make([]Node, size)
	for n := Node(2); int(n) < len(m.level); n++ {
		m.insert(n)
	}
	if len(m.cache) < size/2 {
		m.cache = make([]iteEntry, size/2)
	}
}

// cofactors returns f with variable v false and true.
func (m *Manager) cofactors(f Node, v int32) (Node, Node) {
	if m.level[f] != v {
		return f, f
	}
	return m.lo[f], m.hi[f]
}

// ITE returns the function "if f then g else h".
func (m *Manager) ITE(f, g, h Node) Node {
	switch {
	case f == True:
		return g
	case f == False:
		return h
	case g == h:
		return g
	case g == True && h == False:
		return f
	}
	if m.err != nil {
		return False
	}
	slot := &m.cache[hash3(int32(f), int32(g), int32(h))&uint64(len(m.cache)-1)]
	if slot.f == f && slot.g == g && slot.h == h && slot.r != 0 {
		return slot.r
	}
	v := min(m.level[f], m.level[g], m.level[h])
	f0, f1 := m.cofactors(f, v)
	g0, g1 := m.cofactors(g, v)
	h0, h1 := m.cofactors(h, v)
	hi := m.ITE(f1, g1, h1)
	lo := m.ITE(f0, g0, h0)
	r := m.mk(v, lo, hi)
	if m.err != nil {
		return False
	}
	// The slot may have moved if the table grew meanwhile.
	slot = &m.cache[hash3(int32(f), int32(g), int32(h))&uint64(len(m.cache)-1)]
	*slot = iteEntry{f, g, h, r}
	return r
}

// And returns f ∧ g.
func (m *Manager) And(f, g Node) Node { return m.ITE(f, g, False) }

// Or returns f ∨ g.
func (m *Manager) Or(f, g Node) Node { return m.ITE(f, True, g) }

// Not returns ¬f.
func (m *Manager) Not(f Node) Node { return m.ITE(f, False, True) }

// Restrict returns f with variable v set to val (a cofactor).
func (m *Manager) Restrict(f Node, v int, val bool) Node {
	memo := map[Node]Node{}
	var rec func(n Node) Node
	rec = func(n Node) Node {
		if n <= True || m.level[n] > int32(v) {
			return n
		}
		if m.level[n] == int32(v) {
			if val {
				return m.hi[n]
			}
			return m.lo[n]
		}
		if r, ok := memo[n]; ok {
			return r
		}
		r := m.mk(m.level[n], rec(m.lo[n]), rec(m.hi[n]))
		memo[n] = r
		return r
	}
	return rec(f)
}

// reach returns the nodes of f's diagram, root last: every node after its
// children (nodes are made after their children, so index order is one).
func (m *Manager) reach(f Node) []Node {
	seen := make([]bool, len(m.level))
	var out []Node
	stack := []Node{f}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n <= True || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
		stack = append(stack, m.lo[n], m.hi[n])
	}
	slices.Sort(out)
	return out
}

// Size is the number of nodes of f's diagram, terminals excluded.
func (m *Manager) Size(f Node) int { return len(m.reach(f)) }

// Eval returns f's value under an assignment of every variable.
func (m *Manager) Eval(f Node, value func(v int) bool) bool {
	for f > True {
		if value(int(m.level[f])) {
			f = m.hi[f]
		} else {
			f = m.lo[f]
		}
	}
	return f == True
}

// Probability returns the probability that f is true when each variable
// v is true with probability p[v], independently: Shannon's expansion
// P(f) = p·P(f|v) + (1-p)·P(f|¬v) at each node, children first.
func (m *Manager) Probability(f Node, p []float64) float64 {
	_, prob := m.probabilities(f, p)
	return prob[f]
}

func (m *Manager) probabilities(f Node, p []float64) ([]Node, []float64) {
	nodes := m.reach(f)
	prob := make([]float64, len(m.level))
	prob[True] = 1
	for _, n := range nodes {
		q := p[m.level[n]]
		prob[n] = q*prob[m.hi[n]] + (1-q)*prob[m.lo[n]]
	}
	return nodes, prob
}

// Birnbaum returns P(f) and, for every variable v < len(p), its Birnbaum
// (marginal) importance ∂P(f)/∂p[v] = P(f|v) − P(f|¬v). P(f) is linear in
// each p[v], so the derivative is the sum over the nodes of v of the
// probability of reaching the node from the root times P(high) − P(low):
// a path that skips v does not depend on it. The reach probabilities are
// pushed from the root down (parents before children), so the whole
// vector costs two passes over the diagram.
func (m *Manager) Birnbaum(f Node, p []float64) (float64, []float64) {
	nodes, prob := m.probabilities(f, p)
	b := make([]float64, len(p))
	reach := make([]float64, len(m.level))
	reach[f] = 1
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		r := reach[n]
		v := m.level[n]
		q := p[v]
		b[v] += r * (prob[m.hi[n]] - prob[m.lo[n]])
		if m.hi[n] > True {
			reach[m.hi[n]] += r * q
		}
		if m.lo[n] > True {
			reach[m.lo[n]] += r * (1 - q)
		}
	}
	return prob[f], b
}

// Necessary returns, for every variable v < n, whether f is false whenever
// v is: f restricted to ¬v is the constant False, so v takes its true
// branch on every path from the root to True. It is computed bottom-up as
// the intersection, over a node's two edges to something that can be
// true, of what each needs (the high edge adding the node's variable): a
// pass over the diagram, each node holding the sorted list its paths need.
func (m *Manager) Necessary(f Node, n int) []bool {
	out := make([]bool, n)
	if f == False { // false whenever anything
		for v := range out {
			out[v] = true
		}
		return out
	}
	nodes := m.reach(f)
	need := make(map[Node][]int32, len(nodes))
	need[True] = nil
	for _, x := range nodes {
		lo, hi := m.lo[x], m.hi[x]
		var viaHi []int32
		if hi != False {
			viaHi = append(slices.Clone(need[hi]), m.level[x])
			slices.Sort(viaHi)
		}
		switch {
		case hi == False:
			need[x] = need[lo]
		case lo == False:
			need[x] = viaHi
		default:
			need[x] = intersect(need[lo], viaHi)
		}
	}
	for _, v := range need[f] {
		if int(v) < n {
			out[v] = true
		}
	}
	return out
}

// intersect returns the elements common to two sorted lists.
func intersect(a, b []int32) []int32 {
	var out []int32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}
