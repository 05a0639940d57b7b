package synth

import (
	"fmt"
	"github.com/blastradius-go/blastradius/internal/race"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blastradius-go/blastradius/graph"
)

// check returns every way m breaks the model rules (format.md), checked
// independently of graph.Validate, and also the stricter habits of these
// generators: every id a node references is distinct (across requires,
// uses, groups and replica requires), replica sites of a node are distinct,
// no node depends on a site it runs at, and a mirror never has a recovery
// time.
func check(m *graph.Model) []string {
	var bad []string
	fail := func(id, format string, args ...any) {
		bad = append(bad, fmt.Sprintf("node %q: ", id)+fmt.Sprintf(format, args...))
	}
	kinds := make(map[string]graph.Kind, len(m.Nodes))
	for _, n := range m.Nodes {
		if !validID(n.ID) {
			fail(n.ID, "bad id")
		}
		if _, dup := kinds[n.ID]; dup {
			fail(n.ID, "duplicate id")
		}
		kinds[n.ID] = n.Kind
	}
	for _, n := range m.Nodes {
		if n.Kind.String() != graph.Kinds()[min(int(n.Kind), len(graph.Kinds())-1)].String() {
			fail(n.ID, "bad kind %v", n.Kind)
		}
		if t, ok := n.Tier.Get(); n.Users < 0 || (ok && t < 0) {
			fail(n.ID, "bad users or tier")
		}
		if n.Region != "" && (n.Kind != graph.Site || kinds[n.Region] != graph.Region) {
			fail(n.ID, "region %q", n.Region)
		}
		place := n.Site != "" || len(n.Replicas) > 0
		if place && (n.Kind == graph.Site || n.Kind == graph.Region) {
			fail(n.ID, "a %v is placed", n.Kind)
		}
		if n.Site != "" && len(n.Replicas) > 0 {
			fail(n.ID, "both site and replicas")
		}
		refs := map[string]bool{n.ID: true}
		ref := func(field, id string) {
			if _, ok := kinds[id]; !ok {
				fail(n.ID, "%s: unknown node %q", field, id)
			}
			if id == n.ID {
				fail(n.ID, "%s: self-dependency", field)
			} else if refs[id] {
				fail(n.ID, "%s: %q referenced twice", field, id)
			}
			refs[id] = true
		}
		site := func(field, id string) {
			if kinds[id] != graph.Site {
				fail(n.ID, "%s: %q is not a site", field, id)
			}
			if refs[id] {
				fail(n.ID, "%s: site %q twice", field, id)
			}
			refs[id] = true
		}
		if n.Site != "" {
			site("site", n.Site)
		}
		withCap, live := 0, false
		var serving int64
		for i, r := range n.Replicas {
			field := fmt.Sprintf("replicas[%d]", i)
			site(field+".site", r.Site)
			if r.Capacity < 0 || r.Standby > graph.Cold {
				fail(n.ID, "%s: capacity %d standby %v", field, r.Capacity, r.Standby)
			}
			if r.Capacity > 0 {
				withCap++
			}
			if r.Standby <= graph.Mirror {
				live = true
				serving += r.Capacity
			}
			if r.Recovery < 0 || (r.Recovery > 0 && r.Standby < graph.Hot) {
				fail(n.ID, "%s: recovery %v on %v", field, r.Recovery, r.Standby)
			}
		}
		switch {
		case withCap > 0 && withCap < len(n.Replicas):
			fail(n.ID, "capacities on some replicas only")
		case withCap > 0:
			if n.Demand <= 0 || serving < n.Demand {
				fail(n.ID, "demand %d, active capacity %d", n.Demand, serving)
			}
			if n.DegradedAt < 0 || n.DegradedAt > n.Demand {
				fail(n.ID, "degraded_at %d, demand %d", n.DegradedAt, n.Demand)
			}
		default:
			if n.DegradedAt != 0 || n.Demand > 1 || n.Demand < 0 {
				fail(n.ID, "demand %d degraded_at %d without capacities", n.Demand, n.DegradedAt)
			}
			if len(n.Replicas) > 0 && !live {
				fail(n.ID, "no active or mirror replica")
			}
		}
		deps := func(field string, ds []graph.Dep) {
			for i, d := range ds {
				f := fmt.Sprintf("%s[%d]", field, i)
				if msg := checkDep(d); msg != "" {
					fail(n.ID, "%s: %s", f, msg)
				}
				for _, mb := range d.Members {
					ref(f, mb.ID)
				}
			}
		}
		deps("requires", n.Requires)
		deps("uses", n.Uses)
		for i, r := range n.Replicas {
			deps(fmt.Sprintf("replicas[%d].requires", i), r.Requires)
		}
	}
	return bad
}

func checkDep(d graph.Dep) string {
	n := int64(len(d.Members))
	var sum int64
	for _, m := range d.Members {
		if m.Weight <= 0 || (d.Form != graph.Weighted && m.Weight != 1) {
			return fmt.Sprintf("weight %d", m.Weight)
		}
		sum += m.Weight
	}
	if d.DegradedAt != 0 && d.Form != graph.Weighted {
		return "degraded_at outside a capacity group"
	}
	switch d.Form {
	case graph.One:
		if n != 1 || d.Need != 1 {
			return "plain dependency with several members"
		}
	case graph.AnyOfN:
		if n < 1 || d.Need != 1 {
			return "bad any_of"
		}
	case graph.AtLeastK:
		if d.Need < 1 || d.Need > n {
			return fmt.Sprintf("at_least %d of %d", d.Need, n)
		}
	case graph.Weighted:
		if n < 1 || d.Need <= 0 || d.Need > sum || d.DegradedAt < 0 || d.DegradedAt > d.Need {
			return fmt.Sprintf("capacity %d, demand %d, degraded_at %d", sum, d.Need, d.DegradedAt)
		}
	default:
		return "bad form"
	}
	return ""
}

func validID(id string) bool {
	if id == "" || len(id) > 256 {
		return false
	}
	for i, c := range id {
		ok := unicode.IsLetter(c) || unicode.IsDigit(c)
		if i > 0 {
			ok = ok || c == '.' || c == '_' || c == '-' || c == '/'
		}
		if !ok || c == utf8.RuneError {
			return false
		}
	}
	return true
}

// adjacency returns every model node's references as indices: a node points
// at what it requires or uses (group members and replica requires
// included), its site, its replicas' sites and its region.
func adjacency(m *graph.Model) [][]int32 {
	index := make(map[string]int32, len(m.Nodes))
	for i, n := range m.Nodes {
		index[n.ID] = int32(i)
	}
	adj := make([][]int32, len(m.Nodes))
	for i, n := range m.Nodes {
		add := func(id string) { adj[i] = append(adj[i], index[id]) }
		deps := func(ds []graph.Dep) {
			for _, d := range ds {
				for _, mb := range d.Members {
					add(mb.ID)
				}
			}
		}
		deps(n.Requires)
		deps(n.Uses)
		for _, r := range n.Replicas {
			add(r.Site)
			deps(r.Requires)
		}
		for _, id := range []string{n.Site, n.Region} {
			if id != "" {
				add(id)
			}
		}
	}
	return adj
}

// sccSizes returns the sizes of the strongly connected components of adj
// with more than one vertex (Tarjan 1972, iterative).
func sccSizes(adj [][]int32) []int {
	n := len(adj)
	index := make([]int32, n)
	low := make([]int32, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack, sizes []int
	type frame struct{ v, e int }
	var call []frame
	next := int32(0)
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		call = append(call[:0], frame{root, 0})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		on[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.e < len(adj[f.v]) {
				w := int(adj[f.v][f.e])
				f.e++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					on[w] = true
					call = append(call, frame{w, 0})
				} else if on[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				size := 0
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					on[w] = false
					size++
					if w == v {
						break
					}
				}
				if size > 1 {
					sizes = append(sizes, size)
				}
			}
		}
	}
	return sizes
}

// valid fails the test when m is not valid: by the local check, by
// Validate, and by Compile.
func valid(t *testing.T, what string, m *graph.Model) {
	t.Helper()
	if bad := check(m); len(bad) > 0 {
		t.Fatalf("%s: %d problems, first: %v", what, len(bad), bad[:min(len(bad), 5)])
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("%s: Validate: %v", what, err)
	}
	if _, err := graph.Compile(m); err != nil {
		t.Fatalf("%s: Compile: %v", what, err)
	}
}

// counts returns the compiled graph's vertex and edge counts, when the
// compiled graph reports them.
func counts(t *testing.T, m *graph.Model) (vertices, edges int, ok bool) {
	t.Helper()
	c, err := graph.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := any(c).(interface {
		Len() int
		Edges() int
	})
	if !ok {
		return 0, 0, false
	}
	return s.Len(), s.Edges(), true
}

func randomModel(seed uint64) *graph.Model {
	r := rand.New(rand.NewPCG(seed, 0))
	return Random(r, 1+int(seed%32))
}

func TestRandomValid(t *testing.T) {
	for seed := range uint64(3000) {
		m := randomModel(seed)
		if want := 1 + int(seed%32); len(m.Nodes) != want {
			t.Fatalf("seed %d: %d nodes, want %d", seed, len(m.Nodes), want)
		}
		valid(t, fmt.Sprintf("Random seed %d", seed), m)
	}
}

func TestRandomEmpty(t *testing.T) {
	if m := Random(rand.New(rand.NewPCG(1, 2)), 0); len(m.Nodes) != 0 {
		t.Fatalf("Random(0) has %d nodes", len(m.Nodes))
	}
}

func TestRandomDeterministic(t *testing.T) {
	for seed := range uint64(50) {
		if a, b := randomModel(seed), randomModel(seed); !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
}

// TestRandomFeatures checks that Random models, taken together, exercise
// every feature often enough to matter to property tests.
func TestRandomFeatures(t *testing.T) {
	const runs = 1000
	seen := map[string]int{}
	for seed := range uint64(runs) {
		m := randomModel(seed)
		if len(sccSizes(adjacency(m))) > 0 {
			seen["cycle"]++
		}
		for _, n := range m.Nodes {
			seen["kind "+n.Kind.String()]++
			if n.Region != "" {
				seen["region"]++
			}
			if n.Site != "" {
				seen["site"]++
			}
			if len(n.Uses) > 0 {
				seen["uses"]++
			}
			if n.DegradedAt > 0 {
				seen["degraded_at"]++
			}
			for _, r := range n.Replicas {
				seen["standby "+r.Standby.String()]++
				if r.Capacity > 0 {
					seen["capacity"]++
				}
				if r.Recovery > 0 {
					seen["recovery"]++
				}
				if len(r.Requires) > 0 {
					seen["replica requires"]++
				}
			}
			for _, d := range append(n.Requires[:len(n.Requires):len(n.Requires)], n.Uses...) {
				seen[fmt.Sprintf("form %d", d.Form)]++
				if d.DegradedAt > 0 {
					seen["group degraded_at"]++
				}
			}
		}
	}
	for _, f := range []string{
		"cycle", "region", "site", "uses", "degraded_at", "capacity", "recovery", "replica requires",
		"group degraded_at", "form 0", "form 1", "form 2", "form 3",
		"standby active", "standby mirror", "standby hot", "standby warm", "standby cold",
		"kind service", "kind identity", "kind datastore", "kind queue", "kind network",
		"kind power", "kind site", "kind region", "kind external",
	} {
		if seen[f] < runs/20 {
			t.Errorf("%s: seen %d times in %d models", f, seen[f], runs)
		}
	}
	t.Logf("%v", seen)
}

func TestServicesValid(t *testing.T) {
	sizes := []int{0, 1, 4, 5, 10, 37, 100, 1000, 10_000, 100_000}
	if race.Enabled {
		sizes = sizes[:len(sizes)-1]
	}
	for _, n := range sizes {
		for seed := range int64(3) {
			p := Default(n, seed)
			m := Services(p)
			if want := max(n, 4); len(m.Nodes) != want {
				t.Fatalf("n=%d: %d nodes, want %d", n, len(m.Nodes), want)
			}
			valid(t, fmt.Sprintf("Services(Default(%d, %d))", n, seed), m)
		}
	}
}

func TestServicesParams(t *testing.T) {
	base := Default(5000, 7)
	for _, tc := range []struct {
		name string
		edit func(*Params)
	}{
		{"one site", func(p *Params) { p.Sites = 1 }},
		{"no hubs", func(p *Params) { p.Hubs = 0 }},
		{"no deps", func(p *Params) { p.AvgDeps = 0 }},
		{"dense", func(p *Params) { p.AvgDeps = 40 }},
		{"all groups", func(p *Params) { p.GroupFrac = 1 }},
		{"all soft", func(p *Params) { p.SoftFrac = 1 }},
		{"all replicated", func(p *Params) { p.ReplicaFrac = 1 }},
		{"many cycles", func(p *Params) { p.CycleFrac = 1 }},
		{"more sites than nodes", func(p *Params) { p.Nodes, p.Sites, p.Hubs = 50, 40, 10 }},
		{"zero", func(p *Params) { *p = Params{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.edit(&p)
			m := Services(p)
			if len(m.Nodes) != max(p.Nodes, 4) {
				t.Fatalf("%d nodes, want %d", len(m.Nodes), max(p.Nodes, 4))
			}
			valid(t, tc.name, m)
		})
	}
}

func TestServicesAcyclicWithoutBackEdges(t *testing.T) {
	p := Default(20_000, 3)
	p.CycleFrac = 0
	if s := sccSizes(adjacency(Services(p))); len(s) > 0 {
		t.Fatalf("CycleFrac 0 gave %d cycles", len(s))
	}
}

func TestServicesDeterministic(t *testing.T) {
	p := Default(3000, 42)
	if a, b := Services(p), Services(p); !reflect.DeepEqual(a, b) {
		t.Fatal("two runs differ")
	}
	p.Seed++
	if a, b := Services(Default(3000, 42)), Services(p); reflect.DeepEqual(a, b) {
		t.Fatal("different seeds give the same model")
	}
}

// TestServicesShape checks the edge density, the login hub's fan-in and the
// cycles of a default service graph.
func TestServicesShape(t *testing.T) {
	const n = 100_000
	m := Services(Default(n, 1))
	adj := adjacency(m)
	in := make([]int, len(adj))
	for _, a := range adj {
		for _, w := range a {
			in[w]++
		}
	}
	var login, maxSvc int
	for i, nd := range m.Nodes {
		switch {
		case nd.ID == "identity-0":
			login = in[i]
		case nd.Kind.Infrastructure():
		default:
			maxSvc = max(maxSvc, in[i])
		}
	}
	if login < maxSvc {
		t.Errorf("login fan-in %d, largest other %d: want the login first", login, maxSvc)
	}
	if login < n/20 {
		t.Errorf("login fan-in %d: want a hub many services require", login)
	}
	sizes := sccSizes(adj)
	largest := 0
	for _, s := range sizes {
		largest = max(largest, s)
	}
	if len(sizes) < n/1000 || largest > 200 {
		t.Errorf("%d cyclic components, largest %d: want many small ones", len(sizes), largest)
	}
	v, e, ok := counts(t, m)
	if ok && (e < 45*n/10 || e > 55*n/10 || v < n || v > 12*n/10) {
		t.Errorf("compiled: %d vertices, %d edges for %d nodes: want about 1 and 5 per node", v, e, n)
	}
	t.Logf("%d nodes: compiled %d vertices, %d edges; login fan-in %d; %d cyclic components, largest %d",
		n, v, e, login, len(sizes), largest)
}

func TestServices1M(t *testing.T) {
	if testing.Short() || race.Enabled {
		t.Skip("1M nodes: not in -short or -race runs (the race detector adds nothing here but time)")
	}
	const n = 1_000_000
	m := Services(Default(n, 1))
	if len(m.Nodes) != n {
		t.Fatalf("%d nodes", len(m.Nodes))
	}
	if bad := check(m); len(bad) > 0 {
		t.Fatalf("%d problems, first: %v", len(bad), bad[:min(len(bad), 5)])
	}
	v, e, ok := counts(t, m)
	if ok && (e < 45*n/10 || e > 55*n/10 || v < n || v > 12*n/10) {
		t.Errorf("compiled: %d vertices, %d edges for %d nodes: want about 1 and 5 per node", v, e, n)
	}
	t.Logf("compiled: %d vertices, %d edges", v, e)
}

func BenchmarkServices1M(b *testing.B) {
	p := Default(1_000_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		Services(p)
	}
}

func BenchmarkRandom30(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		Random(r, 30)
	}
}
