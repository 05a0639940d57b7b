package importer_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/race"
)

var seedFlag = flag.Uint64("seed", 0, "seed of the random sources of the merge property test (0: from the clock)")

// randomSources returns a cluster, a catalog and traces over a few
// services, with names in mixed case (the same node for Merge), random
// placements, declared and observed dependencies.
func randomSources(r *rand.Rand) []importer.Result {
	n := 2 + r.IntN(12)
	name := func(i int) string {
		s := fmt.Sprintf("svc-%d", i)
		if r.IntN(4) == 0 {
			s = fmt.Sprintf("Svc-%d", i)
		}
		return s
	}
	k8s := importer.Result{Source: "k8s", Nodes: []graph.Node{{ID: "zone-a", Kind: graph.Site}, {ID: "zone-b", Kind: graph.Site}}}
	cat := importer.Result{Source: "backstage"}
	tr := importer.Result{Source: "traces"}
	for i := range n {
		if r.IntN(3) > 0 {
			nd := graph.Node{ID: name(i), Site: []string{"zone-a", "zone-b"}[r.IntN(2)]}
			k8s.Nodes = append(k8s.Nodes, nd)
		}
		if r.IntN(3) > 0 {
			nd := graph.Node{ID: name(i), Kind: []graph.Kind{graph.Service, graph.Datastore}[r.IntN(2)]}
			for range r.IntN(3) * min(i, 1) {
				to := name(r.IntN(i)) // acyclic: only to lower indices
				if r.IntN(2) == 0 {
					nd.Requires = append(nd.Requires, graph.On(to))
				} else {
					nd.Uses = append(nd.Uses, graph.On(to))
				}
			}
			cat.Nodes = append(cat.Nodes, nd)
		}
	}
	for range r.IntN(3 * n) {
		from := 1 + r.IntN(n-1)
		to := r.IntN(from)
		if r.IntN(8) == 0 {
			to = from // a service calling itself: no dependency
		}
		tr.Observed = append(tr.Observed, importer.Edge{From: name(from), To: name(to), Calls: int64(1 + r.IntN(100))})
	}
	return []importer.Result{k8s, cat, tr}
}

// TestMergeProperties holds Merge to a naive reading of its rules on
// thousands of random sources: the model is valid, has one node per name,
// depends on every call seen, and the report's lists are exactly the
// naive ones. Rerun a failure with -seed.
func TestMergeProperties(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 3))
	runs := 3000
	if testing.Short() || race.Enabled {
		runs = 300
	}
	valid := 0
	defer func() {
		t.Logf("%d of %d merged models valid", valid, runs)
		if valid < runs/4 {
			t.Errorf("only %d of %d random merges valid: the test checks too little", valid, runs)
		}
	}()
	for run := range runs {
		results := randomSources(r)
		m, rep, err := importer.Merge(results, nil, importer.MergeOptions{})
		if err == nil {
			valid++
		}
		if err != nil {
			// A catalog that requires and uses one node is the
			// validator's business, not the merge's: skip those. The
			// sources depend only on lower indices, and a trace of a
			// service calling itself is no dependency, so no merge
			// depends on itself.
			if strings.Contains(err.Error(), "depends on itself") {
				t.Fatalf("run %d (seed %d): %v", run, seed, err)
			}
			continue
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("run %d (seed %d): %s", run, seed, fmt.Sprintf(format, args...))
		}
		// The naive reference.
		ids := map[string]bool{}
		declared := map[[2]string]bool{}
		inCatalog := map[string]bool{}
		placed := map[string]bool{}
		for _, res := range results {
			for _, n := range res.Nodes {
				id := importer.MapName(n.ID)
				ids[id] = true
				if res.Source == "backstage" {
					inCatalog[id] = true
				}
				if n.Site != "" {
					placed[id] = true
				}
				for _, d := range append(slices.Clone(n.Requires), n.Uses...) {
					to := importer.MapName(d.Members[0].ID)
					ids[to] = true
					declared[[2]string{id, to}] = true
				}
			}
		}
		seen := map[[2]string]bool{}
		var hidden [][2]string
		callers := map[string]bool{}
		for _, e := range results[2].Observed {
			p := [2]string{importer.MapName(e.From), importer.MapName(e.To)}
			if p[0] == p[1] {
				ids[p[0]] = true
				continue // a call to itself is no dependency
			}
			ids[p[0]], ids[p[1]], callers[p[0]], callers[p[1]] = true, true, true, true
			if !seen[p] && !declared[p] {
				hidden = append(hidden, p)
			}
			seen[p] = true
		}
		if len(m.Nodes) != len(ids) {
			fail("%d nodes, want %d", len(m.Nodes), len(ids))
		}
		byID := map[string]*graph.Node{}
		for i := range m.Nodes {
			byID[m.Nodes[i].ID] = &m.Nodes[i]
		}
		for p := range seen {
			n := byID[p[0]]
			deps := append(slices.Clone(n.Requires), n.Uses...)
			if !slices.ContainsFunc(deps, func(d graph.Dep) bool { return d.Members[0].ID == p[1] }) {
				fail("%s does not depend on %s, which it was seen calling", p[0], p[1])
			}
		}
		var got [][2]string
		for _, d := range rep.Hidden {
			got = append(got, [2]string{d.From, d.To})
		}
		if !slices.Equal(got, hidden) {
			fail("hidden %v, want %v", got, hidden)
		}
		var unobserved [][2]string
		for p := range declared {
			if !seen[p] && callers[p[0]] {
				unobserved = append(unobserved, p)
			}
		}
		slices.SortFunc(unobserved, func(a, b [2]string) int {
			if a[0] != b[0] {
				return cmpStr(a[0], b[0])
			}
			return cmpStr(a[1], b[1])
		})
		got = got[:0]
		for _, d := range rep.Unobserved {
			got = append(got, [2]string{d.From, d.To})
		}
		if !slices.Equal(got, unobserved) {
			fail("unobserved %v, want %v", got, unobserved)
		}
		for _, mention := range rep.NotInCatalog {
			if inCatalog[mention.ID] {
				fail("%s is in the catalog", mention.ID)
			}
		}
		for _, mention := range rep.Unplaced {
			if placed[mention.ID] {
				fail("%s is placed", mention.ID)
			}
		}
		for id := range ids {
			n := byID[id]
			if n.Kind != graph.Site && !placed[id] && !slices.ContainsFunc(rep.Unplaced, func(x importer.Mention) bool { return x.ID == id }) {
				fail("%s is not placed and not reported", id)
			}
		}
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
