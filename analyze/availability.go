package analyze

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/bdd"
)

// Availability: the probability that a target is Down when every node
// fails by itself with its own probability (graph.Compiled.Unavailability),
// independently, at t=0 under the engine's semantics: groups, capacity,
// standbys that are not mirrors carry nothing yet, and the least fixpoint
// through cycles. Degraded is not Down.
//
// The Down state of a vertex is a monotone Boolean function of the nodes
// that failed (the *structure function* of fault-tree analysis): an And
// gate is Down when it failed itself or any hard input is Down; a
// Threshold gate when it failed itself or the weight of its Down inputs
// exceeds Base − Floor (what it can lose and stay live). Soft inputs never
// make anything Down. Availability builds that function as a reduced
// ordered BDD (internal/bdd) and reads the probability and every node's
// importance off it in time linear in its size; that is SCRAM's exact
// method (Rauzy 1993; SCRAM's "Probability Analysis" documentation).
//
//   - Variable order: the basic events (nodes with failure data in the
//     target's cone) in depth-first preorder from the target over its
//     inputs, the order of Fujita, Fujisawa and Kawato ("Evaluation and
//     improvements of Boolean comparison method based on binary decision
//     diagrams", ICCAD 1988): what one gate combines stays together.
//   - Modules: a vertex whose dominator subtree (dominators from the target
//     over the input edges; Cooper, Harvey and Kennedy, "A simple, fast
//     dominance algorithm", 2001) is closed under inputs is reached only
//     through itself, so its function shares no variable with the rest
//     (Dutuit and Rauzy, "A linear-time algorithm to find modules of fault
//     trees", IEEE Trans. Reliability 45(3), 1996, on the same idea). Its
//     BDD is built alone and it enters its parent as one variable with its
//     probability: independent sub-cones multiply instead of growing one
//     diagram. The chain rule carries importance back through it.
//   - Cycles: within a module the vertices are taken a strongly connected
//     component at a time, inputs first; a cyclic component is iterated
//     from all-False (nothing Down) until its functions stop changing.
//     Each step is monotone and starts below the least fixpoint, so it
//     stays below it and stops at it: Kleene iteration over BDDs, the
//     engine's own rule lifted from states to functions. It takes at most
//     one round more than the component has vertices.
//
// When the diagrams would need more than MaxBDDNodes nodes, Availability
// stops and returns bounds from the minimal cut sets instead (see
// cutSetBounds), with Exact false.

// DefaultMaxBDDNodes is the node budget when AvailabilityOptions gives
// none: 4M nodes, about 160 MB with their tables.
const DefaultMaxBDDNodes = 1 << 22

// HoursPerYear is the year of expected downtime: 365.25 days.
const HoursPerYear = 365.25 * 24

// AvailabilityOptions tunes Availability. The zero value is ready to use.
type AvailabilityOptions struct {
	// MaxBDDNodes bounds the diagrams' nodes, all modules together: the
	// memory budget. Beyond it the result holds bounds. 0 means
	// DefaultMaxBDDNodes.
	MaxBDDNodes int
	// BoundOrder is the largest cut set the bounds use (see cutSetBounds):
	// 0 means 2.
	BoundOrder int
}

// Unavailability is what Availability found for one target.
type Unavailability struct {
	Target string
	Vertex int32
	// Exact says Probability is exact (up to floating point); otherwise it
	// is Upper, and the truth lies in [Lower, Upper].
	Exact bool
	// Probability is the probability that the target is Down.
	Probability float64
	// Lower and Upper bound it; both equal Probability when Exact.
	Lower, Upper float64
	// BoundOrder is the largest cut set the bounds used (0 when Exact).
	BoundOrder int
	// Basic is how many nodes with failure data the target's cone holds;
	// Modules how many independent sub-cones were computed apart;
	// BDDNodes how many diagram nodes were made in all.
	Basic, Modules, BDDNodes int
	// Importance holds every basic event of the cone (exact results only),
	// by Fussell-Vesely importance, highest first, then by id.
	Importance []Importance
	c          *graph.Compiled
}

// Compiled is the graph the result is about.
func (u *Unavailability) Compiled() *graph.Compiled { return u.c }

// Downtime is the expected time Down per year (HoursPerYear) at
// Probability.
func (u *Unavailability) Downtime() time.Duration { return downtime(u.Probability) }

func downtime(p float64) time.Duration {
	return time.Duration(p * HoursPerYear * float64(time.Hour))
}

// Importance is one node's importance to the target, as SCRAM 0.16.2
// defines each measure ("Probability Analysis: Importance Analysis" in
// its documentation; src/importance_analysis.cc), with P the target's
// unavailability, p the node's, and P(·|x), P(·|¬x) the target's
// unavailability with the node certainly down or certainly up:
//
//	Birnbaum (MIF)            P(·|x) − P(·|¬x)
//	Criticality (CIF)         p · MIF / P
//	Fussell-Vesely (DIF)      p · RAW = P(x | target Down)
//	Risk achievement (RAW)    P(·|x) / P = 1 + (1 − p) · MIF / P
//	Risk reduction (RRW)      P / P(·|¬x) = P / (P − p · MIF)
//
// RRW is +Inf for a node without whose failure the target cannot fail;
// every ratio is 0 when P is 0.
type Importance struct {
	ID             string
	Vertex         int32
	Unavailability float64 // the node's own, p
	Birnbaum       float64
	Criticality    float64
	FussellVesely  float64
	RAW, RRW       float64
}

// ErrNoFailureData is what Availability returns for a model in which no
// node has failure data: its answer would be 0 whatever the structure.
var ErrNoFailureData = errors.New("no node has failure data (availability, or mtbf and mttr, or a default for its kind)")

// Availability computes the unavailability of target (a node or a replica):
// the probability that it is Down at t=0, with the importance of every
// node with failure data it depends on.
func Availability(ctx context.Context, c *graph.Compiled, target string, opts AvailabilityOptions) (*Unavailability, error) {
	t, ok := c.Lookup(target)
	if !ok || c.VertexKind(t) != graph.NodeVertex && c.VertexKind(t) != graph.ReplicaVertex {
		return nil, UnknownNode(c, target)
	}
	if !c.HasFailureData() {
		return nil, ErrNoFailureData
	}
	return availabilityOf(ctx, c, t, opts)
}

// errBudget stops an exact computation that ran out of nodes.
var errBudget = errors.New("bdd budget exceeded")

func availabilityOf(ctx context.Context, c *graph.Compiled, t int32, opts AvailabilityOptions) (*Unavailability, error) {
	budget := opts.MaxBDDNodes
	if budget <= 0 {
		budget = DefaultMaxBDDNodes
	}
	k := newStructure(c, t)
	res := &Unavailability{Target: c.VertexName(t), Vertex: t, c: c, Basic: k.basics}
	err := k.exact(ctx, budget, res)
	switch {
	case err == nil:
		res.Exact = true
		res.Lower, res.Upper = res.Probability, res.Probability
		return res, nil
	case !errors.Is(err, errBudget):
		return nil, err
	}
	order := opts.BoundOrder
	if order <= 0 {
		order = 2
	}
	lo, hi, err := cutSetBounds(ctx, c, t, order)
	if err != nil {
		return nil, fmt.Errorf("availability of %s: the exact diagram exceeds %d nodes, and the bounds failed: %w", res.Target, budget, err)
	}
	res.Importance = nil
	res.Lower, res.Upper, res.Probability, res.BoundOrder = lo, hi, hi, order
	return res, nil
}

// structure is the target's cone as the structure function sees it: the
// vertices t reaches over the inputs that can make a vertex Down (every
// hard input of an And gate; those of a Threshold gate that carry weight
// at t=0), numbered locally in depth-first preorder from t.
type structure struct {
	c      *graph.Compiled
	verts  []int32 // local → vertex, in preorder (verts[0] is t)
	local  map[int32]int32
	in     [][]int32 // local inputs that matter
	w      [][]int64 // their weights (Threshold gates)
	basics int

	idom     []int32 // immediate dominator (local), idom[0] = 0
	pre, end []int32 // dominator-tree interval: a dominates b iff pre[a] <= pre[b] && end[b] <= end[a]
	module   []bool  // roots a module (closed dominator subtree)
	owner    []int32 // the module (its root) whose function holds the vertex
}

func newStructure(c *graph.Compiled, t int32) *structure {
	k := &structure{c: c, local: map[int32]int32{t: 0}, verts: []int32{t}}
	// Depth-first preorder, iteratively: deep chains do not grow the
	// stack. k.in holds vertex numbers until every vertex has a local one.
	type frame struct{ v, next int32 }
	stack := []frame{{0, 0}}
	k.in, k.w = [][]int32{k.rawInputs(t)}, [][]int64{k.rawWeights(t)}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		raw := k.in[f.v]
		if int(f.next) >= len(raw) {
			stack = stack[:len(stack)-1]
			continue
		}
		u := raw[f.next]
		f.next++
		if _, ok := k.local[u]; ok {
			continue
		}
		l := int32(len(k.verts))
		k.local[u] = l
		k.verts = append(k.verts, u)
		k.in, k.w = append(k.in, k.rawInputs(u)), append(k.w, k.rawWeights(u))
		stack = append(stack, frame{l, 0})
	}
	for l, v := range k.verts {
		loc := make([]int32, len(k.in[l]))
		for i, u := range k.in[l] {
			loc[i] = k.local[u]
		}
		k.in[l] = loc
		if c.Unavailability(v) > 0 {
			k.basics++
		}
	}
	k.dominators()
	return k
}

// rawInputs are v's inputs that can make it Down.
func (k *structure) rawInputs(v int32) []int32 {
	ins, ws := k.c.Inputs(v)
	if k.c.Op(v) != graph.Threshold {
		return slices.Clone(ins)
	}
	var out []int32
	for i, u := range ins {
		if ws[i] > 0 {
			out = append(out, u)
		}
	}
	return out
}

func (k *structure) rawWeights(v int32) []int64 {
	ins, ws := k.c.Inputs(v)
	if k.c.Op(v) != graph.Threshold {
		return nil
	}
	out := make([]int64, 0, len(ins))
	for _, w := range ws {
		if w > 0 {
			out = append(out, w)
		}
	}
	return out
}

// dominators computes the dominator tree of the cone from t over the input
// edges (Cooper, Harvey and Kennedy's iteration over reverse postorder),
// then the modules: a vertex whose dominator subtree holds every input of
// every vertex in it is entered only through itself. An edge p→u marks
// every dominator of p that does not dominate u as no module, walking up
// from p: O(edges × dominator depth).
func (k *structure) dominators() {
	n := len(k.verts)
	// Postorder by iterative DFS.
	post := make([]int32, 0, n)
	num := make([]int32, n) // postorder number
	seen := make([]bool, n)
	type frame struct{ v, next int32 }
	stack := []frame{{0, 0}}
	seen[0] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if int(f.next) < len(k.in[f.v]) {
			u := k.in[f.v][f.next]
			f.next++
			if !seen[u] {
				seen[u] = true
				stack = append(stack, frame{u, 0})
			}
			continue
		}
		num[f.v] = int32(len(post))
		post = append(post, f.v)
		stack = stack[:len(stack)-1]
	}
	preds := make([][]int32, n)
	for p := range k.in {
		for _, u := range k.in[p] {
			preds[u] = append(preds[u], int32(p))
		}
	}
	idom := make([]int32, n)
	for i := range idom {
		idom[i] = -1
	}
	idom[0] = 0
	intersect := func(a, b int32) int32 {
		for a != b {
			for num[a] < num[b] {
				a = idom[a]
			}
			for num[b] < num[a] {
				b = idom[b]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		for i := len(post) - 1; i >= 0; i-- { // reverse postorder
			v := post[i]
			if v == 0 {
				continue
			}
			nd := int32(-1)
			for _, p := range preds[v] {
				if idom[p] < 0 {
					continue
				}
				if nd < 0 {
					nd = p
				} else {
					nd = intersect(p, nd)
				}
			}
			if idom[v] != nd {
				idom[v] = nd
				changed = true
			}
		}
	}
	k.idom = idom
	// Dominator-tree intervals.
	kids := make([][]int32, n)
	for v := 1; v < n; v++ {
		kids[idom[v]] = append(kids[idom[v]], int32(v))
	}
	k.pre, k.end = make([]int32, n), make([]int32, n)
	clock := int32(0)
	tstack := []frame{{0, 0}}
	k.pre[0] = clock
	clock++
	order := []int32{0} // dominator-tree preorder
	for len(tstack) > 0 {
		f := &tstack[len(tstack)-1]
		if int(f.next) < len(kids[f.v]) {
			u := kids[f.v][f.next]
			f.next++
			k.pre[u] = clock
			clock++
			order = append(order, u)
			tstack = append(tstack, frame{u, 0})
			continue
		}
		k.end[f.v] = clock
		tstack = tstack[:len(tstack)-1]
	}
	dominates := func(a, b int32) bool { return k.pre[a] <= k.pre[b] && k.end[b] <= k.end[a] }
	k.module = make([]bool, n)
	for v := 1; v < n; v++ {
		// A leaf is a variable already; and the only input of its
		// dominator adds nothing apart (a chain: the dominator's function
		// is its own failure or this one's).
		k.module[v] = len(k.in[v]) > 0 && len(k.in[idom[v]]) > 1
	}
	for p := range k.in {
		for _, u := range k.in[p] {
			for x := int32(p); x != 0 && !dominates(x, u); x = idom[x] {
				k.module[x] = false
			}
		}
	}
	k.owner = make([]int32, n)
	for _, v := range order {
		switch {
		case v == 0 || k.module[v]:
			k.owner[v] = v
		default:
			k.owner[v] = k.owner[idom[v]]
		}
	}
}

// moduleResult is one module's function: its probability, and the
// Birnbaum importance within it of each of its variables.
type moduleResult struct {
	prob  float64
	vars  []int32   // local vertex of each variable: a basic member, or a sub-module root
	birn  []float64 // per variable: ∂P(module)/∂p(variable)
	need  []bool    // per variable: the module is never Down while it is Up
	scale float64   // ∂P(target)/∂P(module)
	// needed: the target is never Down while this module is Up.
	needed bool
}

// exact computes every module bottom-up, then the importance top-down.
func (k *structure) exact(ctx context.Context, budget int, res *Unavailability) error {
	n := len(k.verts)
	var roots []int32
	for v := int32(0); v < int32(n); v++ {
		if k.owner[v] == v {
			roots = append(roots, v)
		}
	}
	// Sub-modules before their parents: a module's dominator-tree preorder
	// number is larger than its parent's.
	slices.SortFunc(roots, func(a, b int32) int { return int(k.pre[b] - k.pre[a]) })
	mods := make(map[int32]*moduleResult, len(roots))
	members := make(map[int32][]int32, len(roots))
	for v := int32(0); v < int32(n); v++ {
		members[k.owner[v]] = append(members[k.owner[v]], v)
	}
	used := 0
	for _, r := range roots {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, size, err := k.module1(r, members[r], mods, budget-used)
		used += size
		if err != nil {
			res.BDDNodes = used
			return err
		}
		mods[r] = m
	}
	res.BDDNodes = used
	res.Modules = len(roots) - 1
	top := mods[0]
	res.Probability = top.prob
	// Importance, top-down: the chain rule through each module variable.
	// A variable is needed by the target (RRW infinite) when it is needed
	// by its module and the module by the target, and so on up: the
	// target's function with the variable Up is its function with the
	// module at a function that is not False, hence not False, unless the
	// module is needed too.
	top.scale, top.needed = 1, true
	slices.Reverse(roots)
	for _, r := range roots {
		m := mods[r]
		for i, v := range m.vars {
			if v != r && k.owner[v] == v { // a sub-module root
				mods[v].scale = m.scale * m.birn[i]
				mods[v].needed = m.needed && m.need[i]
			}
		}
	}
	P := top.prob
	for _, r := range roots {
		m := mods[r]
		for i, v := range m.vars {
			if v != r && k.owner[v] == v {
				continue
			}
			vx := k.verts[v]
			res.Importance = append(res.Importance, importance(k.c, vx, k.c.Unavailability(vx), m.scale*m.birn[i], P, m.needed && m.need[i]))
		}
	}
	slices.SortFunc(res.Importance, func(a, b Importance) int {
		if a.FussellVesely != b.FussellVesely {
			if a.FussellVesely > b.FussellVesely {
				return -1
			}
			return 1
		}
		return cmpString(a.ID, b.ID)
	})
	return nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// importance applies SCRAM's definitions (see Importance) to a node of
// unavailability p and Birnbaum importance mif, the target's being P;
// needed says the target cannot be Down while the node is Up, which the
// BDD decides exactly (P − p·MIF is only zero up to rounding).
func importance(c *graph.Compiled, v int32, p, mif, P float64, needed bool) Importance {
	imp := Importance{ID: c.VertexName(v), Vertex: v, Unavailability: p, Birnbaum: mif}
	if P <= 0 {
		return imp
	}
	imp.Criticality = p * mif / P
	imp.RAW = 1 + (1-p)*mif/P
	imp.FussellVesely = p * imp.RAW
	if d := P - p*mif; d > 0 && !needed {
		imp.RRW = P / d
	} else {
		imp.RRW = math.Inf(1)
	}
	return imp
}

// module1 builds module r's function over its members: the basic events
// among them and the roots of its sub-modules (already computed, in mods)
// are its variables, in preorder.
func (k *structure) module1(r int32, members []int32, mods map[int32]*moduleResult, budget int) (*moduleResult, int, error) {
	if budget <= 2 {
		return nil, 0, errBudget
	}
	c := k.c
	// Variables: the members that fail by themselves, and the sub-module
	// roots the members read, in local preorder (members is in it).
	varOf := map[int32]int{}
	var vars []int32
	isMember := make(map[int32]bool, len(members))
	for _, v := range members {
		isMember[v] = true
	}
	leaves := map[int32]bool{}
	for _, v := range members {
		for _, u := range k.in[v] {
			if !isMember[u] {
				leaves[u] = true
			}
		}
	}
	cand := slices.Clone(members)
	for u := range leaves {
		cand = append(cand, u)
	}
	slices.Sort(cand) // local numbers are the preorder
	probs := []float64{}
	for _, v := range cand {
		switch {
		case leaves[v]:
			varOf[v] = len(vars)
			vars = append(vars, v)
			probs = append(probs, mods[v].prob)
		case c.Unavailability(k.verts[v]) > 0:
			varOf[v] = len(vars)
			vars = append(vars, v)
			probs = append(probs, c.Unavailability(k.verts[v]))
		}
	}
	m := bdd.New(budget)
	f := make(map[int32]bdd.Node, len(members))
	get := func(u int32) bdd.Node {
		if leaves[u] {
			return m.Var(varOf[u])
		}
		return f[u] // bdd.False until computed: the bottom of the iteration
	}
	gate := func(v int32) bdd.Node {
		var down bdd.Node
		if c.Op(k.verts[v]) == graph.Threshold {
			down = k.thresholdDown(m, v, get)
		} else {
			down = bdd.False
			for _, u := range k.in[v] {
				down = m.Or(down, get(u))
			}
		}
		if i, ok := varOf[v]; ok && !leaves[v] {
			down = m.Or(m.Var(i), down)
		}
		return down
	}
	// Components, inputs first.
	localIdx := make(map[int32]int32, len(members))
	for i, v := range members {
		localIdx[v] = int32(i)
	}
	var sc sccs
	err := sc.run(len(members), func(i, j int32) (int32, bool) {
		ins := k.in[members[i]]
		if int(j) >= len(ins) {
			return 0, false
		}
		if x, ok := localIdx[ins[j]]; ok {
			return x, true
		}
		return -1, true
	}, func(comp []int32) error {
		vs := make([]int32, len(comp))
		for i, x := range comp {
			vs[i] = members[x]
		}
		cyclic := len(vs) > 1 || slices.Contains(k.in[vs[0]], vs[0])
		for {
			changed := false
			for _, v := range vs {
				nf := gate(v)
				if nf != f[v] {
					f[v] = nf
					changed = true
				}
			}
			if m.Err() != nil {
				return errBudget
			}
			if !cyclic || !changed {
				return nil
			}
		}
	})
	if err != nil {
		return nil, m.Len(), err
	}
	root := f[r]
	prob, birn := m.Birnbaum(root, probs)
	return &moduleResult{prob: prob, vars: vars, birn: birn, need: m.Necessary(root, len(vars))}, m.Len(), nil
}

// thresholdDown is a Threshold gate's Down function: the weight of its Down
// inputs exceeds what it can lose, Base − Floor. It is the threshold rule
// (see threshold) read as a function of the inputs' Down functions, built
// by Shannon expansion over the inputs in order with the weight still
// allowed as the memo key: for unit weights O(inputs²) ITE calls.
func (k *structure) thresholdDown(m *bdd.Manager, v int32, get func(int32) bdd.Node) bdd.Node {
	g := k.c.Gate(k.verts[v])
	ins, ws := k.in[v], k.w[v]
	slack := g.Base - g.Floor // Down once the Down inputs weigh more
	if slack < 0 {
		return bdd.True
	}
	rest := make([]int64, len(ins)+1) // weight of inputs i..
	for i := len(ins) - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + ws[i]
	}
	type key struct {
		i int
		r int64
	}
	memo := map[key]bdd.Node{}
	var rec func(i int, r int64) bdd.Node
	rec = func(i int, r int64) bdd.Node {
		switch {
		case r < 0:
			return bdd.True
		case rest[i] <= r:
			return bdd.False
		}
		if n, ok := memo[key{i, r}]; ok {
			return n
		}
		n := m.ITE(get(ins[i]), rec(i+1, r-ws[i]), rec(i+1, r))
		memo[key{i, r}] = n
		return n
	}
	return rec(0, slack)
}
