package importer

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// UndeclaredLabel is the label Merge puts on a node that traffic shows
// calling nodes no source and not the overlay declares: their ids, sorted,
// joined by ",". The policy rule no_undeclared reads it, so that a model
// written by import carries its evidence into check.
const UndeclaredLabel = "blastradius.dev/undeclared"

// MergeOptions say how Merge maps the sources' names to model ids and which
// source is the catalog.
type MergeOptions struct {
	// Names overrides the mapping of a source's names to model ids. A key
	// is a name as a source writes it or as MapName maps it, "source:name"
	// for that source only ("k8s:checkout-v2") or "name" for every source;
	// the value is the model id. A name without an entry maps by MapName.
	// An entry that maps no name of any source is a finding.
	Names map[string]string
	// Catalog is the Source of the Results that say what should exist:
	// "backstage" when empty. The report's "not in the catalog" compares
	// the other sources with it, and only when a Result of it is merged.
	Catalog string
	// Name and Description of the merged model.
	Name, Description string
}

// MapName is the default mapping of a source's name to a model id: lower
// case (Backstage compares names case-insensitively, and Kubernetes and
// trace service names are lower case by convention), every run of
// characters a model id cannot hold (' ', ':', '@', ...) replaced by one
// '-', and leading characters that cannot start an id dropped. A
// Backstage entity outside the default namespace arrives as
// "namespace/name" and keeps its '/'.
func MapName(name string) string {
	if isID(name) {
		return name // the common case, without a copy
	}
	var b strings.Builder
	b.Grow(len(name))
	dash := false
	for _, r := range strings.ToLower(name) {
		ok := 'a' <= r && r <= 'z' || '0' <= r && r <= '9' ||
			r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if b.Len() > 0 && (r == '.' || r == '_' || r == '-' || r == '/') {
			ok = true
		}
		if !ok {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isID reports whether MapName keeps name as it is: lower-case ASCII
// letters and digits, and '.', '_', '-', '/' after the first.
func isID(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '/'):
		default:
			return false
		}
	}
	return true
}

// Report is what Merge found: where each node came from, and where the
// sources disagree.
type Report struct {
	// Model is the merged model's name; Nodes counts its nodes.
	Model string
	Nodes int
	// Sources lists the merged Results in order, with what each gave.
	Sources []SourceSummary
	// Origins gives, for each model id, every place a source or the
	// overlay wrote it, in merge order.
	Origins map[string][]Origin
	// Hidden are the dependencies seen in traffic (Result.Observed) that no
	// source declares and the overlay does not either: the model has them
	// because a trace saw them, not because anyone wrote them down.
	Hidden []Dependency
	// Unobserved are the declared dependencies never seen in traffic, of
	// the nodes that traffic shows (a caller no trace saw is not
	// instrumented, not idle). Empty when no Result observed anything.
	Unobserved []Dependency
	// NotInCatalog are the nodes (sites and regions aside) that another
	// source knows and the catalog does not. Empty when no catalog Result
	// was merged.
	NotInCatalog []Mention
	// Unplaced are the nodes of the merged model, sites, regions and
	// externals aside, that no source and not the overlay places at a
	// site: a site's failure never reaches them.
	Unplaced []Mention
	// Findings are every source's findings, then Merge's own, each with the
	// source it is from ("merge" for Merge's, "overlay" for each node the
	// overlay adds that no source knows, with the closest imported id).
	Findings []SourceFinding
}

// SourceSummary counts what one Result gave.
type SourceSummary struct {
	Source   string
	Nodes    int
	Observed int
	Findings int
}

// Origin is one place a node was written.
type Origin struct {
	Source string // a Result's Source, or "overlay"
	Name   string // the name the source used
	Pos    graph.Pos
}

// Dependency is one dependency of the report, in model ids, with the
// evidence of traffic when there is some.
type Dependency struct {
	From, To      string
	Source        string // where it was seen or declared
	Calls, Failed int64
	Pos           graph.Pos
}

// Mention is a node of the report with the sources that know it.
type Mention struct {
	ID      string
	Kind    graph.Kind
	Sources []string
	Pos     graph.Pos // where the first source wrote it
}

// SourceFinding is a Finding with the source it is from.
type SourceFinding struct {
	Source string
	Finding
}

// Merge joins the Results into one model and lays overlay over it.
//
// Names are mapped to ids first (MergeOptions.Names, else the Results'
// Aliases, else MapName); then
// the Results are applied in the order given, and for every field the
// first Result that sets it wins: the CLI passes Kubernetes first (what
// runs says where it runs), the catalog second (it says what a thing is,
// who owns it, how many use it), traces last. A node of kind service never
// overrides another kind (the zero Kind is service, so a source that does
// not know the kind says service). Labels are joined key by key, first
// wins. Dependencies are joined by their members: the first Result that
// depends on a set of members decides its form and whether it is hard
// (requires) or soft (uses). A placement (Site or Replicas, with Demand
// and DegradedAt) is taken whole from the first Result that places the
// node; a later one that places it elsewhere is a finding.
//
// The overlay is an ordinary model (the CLI reads it with graph.Load, so a
// file validates on its own: it names each node it refers to, at least
// with its kind, and a node written with only its kind changes nothing but
// the kind): each of its nodes is added (with a finding, which names the
// closest imported id, so that a misspelt node is seen), or, when
// a source has it, laid over it field by field: every field the overlay
// sets (a non-zero value; a Site or Replicas replaces the placement whole)
// wins. Its requires and uses win by member: an imported dependency that
// names a member of any of the overlay's dependencies of that node is
// dropped, hard or soft, and the overlay's are added; so `uses: [x]` makes
// a dependency on x soft, and `requires: [{any_of: [db-a, db-b]}]`
// replaces a dependency on db-a. An empty list (`requires: []`) drops
// every imported dependency of that list.
//
// A dependency on an id no source describes adds that id as a node of
// kind service, with a finding. Merge validates the merged model and
// returns the *graph.ValidationError when it is not valid, with the
// report; the problems name the sources' files and lines.
func Merge(results []Result, overlay *graph.Model, opts MergeOptions) (*graph.Model, *Report, error) {
	mg := merger{
		opts:    opts,
		index:   make(map[string]int),
		rep:     &Report{Origins: make(map[string][]Origin)},
		placed:  make(map[string]string),
		depsOf:  make(map[string]map[string]bool),
		sources: make(map[string][]string),
	}
	mg.usedNames = make(map[string]bool)
	if mg.opts.Catalog == "" {
		mg.opts.Catalog = "backstage"
	}
	mg.alias(results)
	mg.ids = make(map[string]map[string]string)
	for i := range results {
		mg.result(&results[i])
	}
	mg.observed(results)
	mg.dangling()
	if overlay != nil {
		mg.overlay(overlay)
	}
	mg.disagreements(results)
	mg.unusedNames()
	m := &graph.Model{Name: opts.Name, Description: opts.Description, Nodes: mg.nodes}
	if m.Name == "" {
		m.Name = "imported"
	}
	mg.rep.Model, mg.rep.Nodes = m.Name, len(m.Nodes)
	if err := m.Validate(); err != nil {
		return m, mg.rep, err
	}
	return m, mg.rep, nil
}

type merger struct {
	opts  MergeOptions
	nodes []graph.Node
	index map[string]int // id → nodes
	rep   *Report
	// placed: id → the source whose placement was taken.
	placed map[string]string
	// depsOf: id → member keys of its dependencies (requires and uses).
	depsOf map[string]map[string]bool
	// sources: id → the Results' sources that know it, in order.
	sources map[string][]string
	// declared: "from\x00to" → where a non-observed dependency was
	// written (sources and overlay).
	declared map[pair]Dependency
	// observedEdges: "from\x00to" → the first observation of it.
	observedEdges map[pair]Dependency
	observedOrder []pair
	hasObserver   bool
	aliases       map[string]string
	usedNames     map[string]bool              // the keys of opts.Names that mapped a name
	ids           map[string]map[string]string // source → name → id, once the aliases are known
}

func (mg *merger) finding(node string, pos graph.Pos, format string, args ...any) {
	mg.rep.Findings = append(mg.rep.Findings, SourceFinding{Source: "merge",
		Finding: Finding{Pos: pos, Node: node, Message: fmt.Sprintf(format, args...)}})
}

// id maps a source's name: the user's Names, then the sources' Aliases,
// then MapName.
func (mg *merger) id(source, name string) string {
	memo := mg.ids[source]
	if id, ok := memo[name]; ok {
		return id
	}
	id := mg.lookup(source, name)
	if mg.ids != nil {
		if memo == nil {
			memo = make(map[string]string)
			mg.ids[source] = memo
		}
		memo[name] = id
	}
	return id
}

// lookup is id without the memo: a name is mapped once per source.
func (mg *merger) lookup(source, name string) string {
	mapped := MapName(name)
	for t, table := range []map[string]string{mg.opts.Names, mg.aliases} {
		for _, n := range []string{name, mapped} {
			for _, k := range []string{source + ":" + n, n} {
				if id, ok := table[k]; ok {
					if t == 0 {
						mg.usedNames[k] = true
					}
					return id
				}
			}
		}
	}
	return mapped
}

// unusedNames says which entries of MergeOptions.Names mapped no name of
// any source: a misspelt --map changes nothing, and must not do so unsaid.
func (mg *merger) unusedNames() {
	for _, k := range slices.Sorted(maps.Keys(mg.opts.Names)) {
		if !mg.usedNames[k] {
			mg.finding("", graph.Pos{}, "the name mapping %s=%s maps no name of any source", k, mg.opts.Names[k])
		}
	}
}

// alias collects the Aliases of every Result, each mapped to the id of
// the node it names in its own Result.
func (mg *merger) alias(results []Result) {
	mg.aliases = make(map[string]string)
	for _, r := range results {
		keys := slices.Sorted(maps.Keys(r.Aliases))
		for _, k := range keys {
			if _, ok := mg.aliases[k]; !ok {
				mg.aliases[k] = mg.id(r.Source, r.Aliases[k])
			}
		}
	}
}

// pair names a dependency by its ends, as a map key that costs no
// allocation.
type pair struct{ from, to string }

func edgeKey(from, to string) pair { return pair{from, to} }

// depKey names a dependency by its sorted members: two sources that
// depend on the same members mean the same dependency.
func depKey(d graph.Dep) string {
	ids := d.IDs()
	slices.Sort(ids)
	return strings.Join(ids, "\x00")
}

// mapDeps maps the members of deps to model ids, in a copy.
func (mg *merger) mapDeps(source string, deps []graph.Dep) []graph.Dep {
	if deps == nil {
		return nil
	}
	out := make([]graph.Dep, len(deps))
	for i, d := range deps {
		d.Members = slices.Clone(d.Members)
		for j := range d.Members {
			d.Members[j].ID = mg.id(source, d.Members[j].ID)
		}
		out[i] = d
	}
	return out
}

func (mg *merger) result(r *Result) {
	mg.rep.Sources = append(mg.rep.Sources, SourceSummary{Source: r.Source, Nodes: len(r.Nodes), Observed: len(r.Observed), Findings: len(r.Findings)})
	for _, f := range r.Findings {
		f.Node = mg.mapIfName(r.Source, f.Node)
		mg.rep.Findings = append(mg.rep.Findings, SourceFinding{Source: r.Source, Finding: f})
	}
	if len(r.Observed) > 0 {
		mg.hasObserver = true
	}
	// A dependency that is also an observed edge of the same Result was
	// seen, not declared.
	seen := make(map[pair]bool, len(r.Observed))
	for _, e := range r.Observed {
		seen[edgeKey(mg.id(r.Source, e.From), mg.id(r.Source, e.To))] = true
	}
	if mg.declared == nil {
		mg.declared = make(map[pair]Dependency)
	}
	for i := range r.Nodes {
		src := &r.Nodes[i]
		n := *src
		n.ID = mg.id(r.Source, src.ID)
		n.Requires = mg.mapDeps(r.Source, src.Requires)
		n.Uses = mg.mapDeps(r.Source, src.Uses)
		n.Replicas = slices.Clone(src.Replicas)
		for j := range n.Replicas {
			n.Replicas[j].Requires = mg.mapDeps(r.Source, n.Replicas[j].Requires)
			n.Replicas[j].Site = mg.id(r.Source, n.Replicas[j].Site)
		}
		if n.Site != "" {
			n.Site = mg.id(r.Source, n.Site)
		}
		if n.Region != "" {
			n.Region = mg.id(r.Source, n.Region)
		}
		n.Labels = maps.Clone(src.Labels)
		for _, list := range [][]graph.Dep{n.Requires, n.Uses} {
			for _, d := range list {
				for _, m := range d.Members {
					k := edgeKey(n.ID, m.ID)
					if _, ok := mg.declared[k]; !ok && !seen[k] {
						mg.declared[k] = Dependency{From: n.ID, To: m.ID, Source: r.Source, Pos: cmp.Or(d.Pos, n.Pos)}
					}
				}
			}
		}
		mg.rep.Origins[n.ID] = append(mg.rep.Origins[n.ID], Origin{Source: r.Source, Name: src.ID, Pos: src.Pos})
		mg.addSource(n.ID, r.Source)
		mg.add(r.Source, &n)
	}
}

// addSource records that source knows id.
func (mg *merger) addSource(id, source string) {
	if s := mg.sources[id]; !slices.Contains(s, source) {
		mg.sources[id] = append(s, source)
	}
}

// mapIfName maps a finding's node name, keeping "" as it is.
func (mg *merger) mapIfName(source, name string) string {
	if name == "" {
		return ""
	}
	return mg.id(source, name)
}

// add merges n, from source, into the model.
func (mg *merger) add(source string, n *graph.Node) {
	i, ok := mg.index[n.ID]
	if !ok {
		mg.index[n.ID] = len(mg.nodes)
		deps := make(map[string]bool)
		for _, list := range [][]graph.Dep{n.Requires, n.Uses} {
			for _, d := range list {
				deps[depKey(d)] = true
			}
		}
		mg.depsOf[n.ID] = deps
		if n.Site != "" || n.Replicas != nil {
			mg.placed[n.ID] = source
		}
		mg.nodes = append(mg.nodes, *n)
		return
	}
	to := &mg.nodes[i]
	switch {
	case to.Kind == graph.Service:
		to.Kind = n.Kind
	case n.Kind != graph.Service && n.Kind != to.Kind:
		mg.finding(n.ID, n.Pos, "%s says kind %v, kept %v from %s", source, n.Kind, to.Kind, mg.sources[n.ID][0])
	}
	to.Description = cmp.Or(to.Description, n.Description)
	to.Users = cmp.Or(to.Users, n.Users)
	if _, set := to.Tier.Get(); !set {
		to.Tier = n.Tier
	}
	for k, v := range n.Labels {
		if _, ok := to.Labels[k]; !ok {
			if to.Labels == nil {
				to.Labels = make(map[string]string)
			}
			to.Labels[k] = v
		}
	}
	to.Region = cmp.Or(to.Region, n.Region)
	to.Restart = cmp.Or(to.Restart, n.Restart)
	to.RTO = cmp.Or(to.RTO, n.RTO)
	if to.RepairRequires == nil {
		to.RepairRequires, to.OnSite = n.RepairRequires, n.OnSite
	}
	if !to.Reliability().Given() {
		to.Availability, to.MTBF, to.MTTR = n.Availability, n.MTBF, n.MTTR
	}
	if n.Site != "" || n.Replicas != nil {
		if by, ok := mg.placed[n.ID]; !ok {
			to.Site, to.Replicas, to.Demand, to.DegradedAt = n.Site, n.Replicas, n.Demand, n.DegradedAt
			mg.placed[n.ID] = source
		} else if placement(to) != placement(n) {
			mg.finding(n.ID, n.Pos, "%s places it at %s, kept %s from %s", source, placement(n), placement(to), by)
		}
	}
	deps := mg.depsOf[n.ID]
	to.Requires = joinDeps(to.Requires, n.Requires, deps)
	to.Uses = joinDeps(to.Uses, n.Uses, deps)
}

// joinDeps appends the dependencies of add whose members no dependency of
// the node has yet (have holds their keys).
func joinDeps(to, add []graph.Dep, have map[string]bool) []graph.Dep {
	for _, d := range add {
		k := depKey(d)
		if have[k] {
			continue
		}
		have[k] = true
		to = append(to, d)
	}
	return to
}

// placement describes where a node runs, to compare two sources.
func placement(n *graph.Node) string {
	if n.Site != "" {
		return n.Site
	}
	sites := make([]string, len(n.Replicas))
	for i, r := range n.Replicas {
		sites[i] = r.Site
	}
	slices.Sort(sites)
	return "[" + strings.Join(sites, ", ") + "]"
}

// dangling adds a node for every dependency target no source describes.
func (mg *merger) dangling() {
	for i := 0; i < len(mg.nodes); i++ {
		n := &mg.nodes[i]
		var missing []graph.Pos
		var ids []string
		check := func(deps []graph.Dep) {
			for _, d := range deps {
				for _, m := range d.Members {
					if _, ok := mg.index[m.ID]; !ok && !slices.Contains(ids, m.ID) {
						ids = append(ids, m.ID)
						missing = append(missing, cmp.Or(m.Pos, d.Pos, n.Pos))
					}
				}
			}
		}
		check(n.Requires)
		check(n.Uses)
		for _, r := range n.Replicas {
			check(r.Requires)
		}
		from := n.ID
		for j, id := range ids {
			mg.finding(id, missing[j], "no source describes %s, which %s depends on: added as a service", id, from)
			mg.index[id] = len(mg.nodes)
			mg.depsOf[id] = make(map[string]bool)
			mg.sources[id] = []string{"merge"}
			for _, k := range mg.observedOrder {
				if d := mg.observedEdges[k]; d.To == id {
					mg.sources[id] = []string{d.Source} // traffic saw it
					break
				}
			}
			mg.nodes = append(mg.nodes, graph.Node{ID: id, Pos: missing[j]})
			n = &mg.nodes[i] // the append may have moved the slice
		}
	}
}

// observed collects the observed edges, in model ids.
func (mg *merger) observed(results []Result) {
	mg.observedEdges = make(map[pair]Dependency)
	for _, r := range results {
		for _, e := range r.Observed {
			d := Dependency{From: mg.id(r.Source, e.From), To: mg.id(r.Source, e.To), Source: r.Source, Calls: e.Calls, Failed: e.Failed, Pos: e.Pos}
			k := edgeKey(d.From, d.To)
			if _, ok := mg.index[d.From]; ok {
				mg.addSource(d.From, r.Source)
			}
			if _, ok := mg.index[d.To]; ok {
				mg.addSource(d.To, r.Source)
			}
			if d.From == d.To {
				// A node cannot require itself: a service calling its own
				// API is no dependency (the source says so for its own
				// names; two names mapped to one id are Merge's to say).
				if e.From != e.To {
					mg.finding(d.From, d.Pos, "%s calls %s, both %s: no dependency (a node cannot require itself)", e.From, e.To, d.From)
				}
				mg.caller(d) // still a node traffic saw
				continue
			}
			if old, ok := mg.observedEdges[k]; ok {
				old.Calls += d.Calls
				old.Failed += d.Failed
				mg.observedEdges[k] = old
				continue
			}
			mg.observedEdges[k] = d
			mg.observedOrder = append(mg.observedOrder, k)
			mg.depend(d)
		}
	}
}

// depend makes an observed edge a hard dependency of its caller, unless
// the caller depends on the callee already (hard or soft, alone or in a
// group): what traffic shows is what runs. The overlay can then make it
// soft, as any other dependency.
func (mg *merger) depend(d Dependency) {
	n := &mg.nodes[mg.caller(d)]
	for _, list := range [][]graph.Dep{n.Requires, n.Uses} {
		for _, dep := range list {
			if slices.ContainsFunc(dep.Members, func(m graph.Member) bool { return m.ID == d.To }) {
				return
			}
		}
	}
	dep := graph.On(d.To)
	dep.Pos = d.Pos
	n.Requires = append(n.Requires, dep)
	mg.depsOf[d.From][depKey(dep)] = true
}

// caller returns the index of the node of d's caller, adding it when no
// Result describes it.
func (mg *merger) caller(d Dependency) int {
	if i, ok := mg.index[d.From]; ok {
		return i
	}
	mg.index[d.From] = len(mg.nodes)
	mg.depsOf[d.From] = make(map[string]bool)
	mg.sources[d.From] = []string{d.Source}
	mg.rep.Origins[d.From] = append(mg.rep.Origins[d.From], Origin{Source: d.Source, Name: d.From, Pos: d.Pos})
	mg.nodes = append(mg.nodes, graph.Node{ID: d.From, Pos: d.Pos})
	return len(mg.nodes) - 1
}

func (mg *merger) overlay(o *graph.Model) {
	var imported []string // the ids the sources gave, for a suggestion
	for i := range o.Nodes {
		on := &o.Nodes[i]
		mg.rep.Origins[on.ID] = append(mg.rep.Origins[on.ID], Origin{Source: "overlay", Name: on.ID, Pos: on.Pos})
		for _, list := range [][]graph.Dep{on.Requires, on.Uses} {
			for _, d := range list {
				for _, m := range d.Members {
					k := edgeKey(on.ID, m.ID)
					if _, ok := mg.declared[k]; !ok {
						mg.declared[k] = Dependency{From: on.ID, To: m.ID, Source: "overlay", Pos: cmp.Or(d.Pos, on.Pos)}
					}
				}
			}
		}
		j, ok := mg.index[on.ID]
		if !ok {
			// Added, and said: an overlay that misspells a node would
			// otherwise add a node and change nothing, silently.
			if imported == nil {
				imported = make([]string, len(mg.nodes))
				for i := range mg.nodes {
					imported[i] = mg.nodes[i].ID
				}
			}
			mg.rep.Findings = append(mg.rep.Findings, SourceFinding{Source: "overlay", Finding: Finding{Pos: on.Pos, Node: on.ID,
				Message: fmt.Sprintf("the overlay adds %s, which no source knows%s", on.ID, yamltree.DidYouMean(on.ID, imported))}})
			n := *on
			n.Labels = maps.Clone(on.Labels)
			mg.index[n.ID] = len(mg.nodes)
			mg.nodes = append(mg.nodes, n)
			continue
		}
		to := &mg.nodes[j]
		to.Kind = on.Kind
		to.Description = cmp.Or(on.Description, to.Description)
		to.Users = cmp.Or(on.Users, to.Users)
		if _, set := on.Tier.Get(); set {
			to.Tier = on.Tier
		}
		if on.Labels != nil {
			if to.Labels == nil {
				to.Labels = make(map[string]string, len(on.Labels))
			}
			maps.Copy(to.Labels, on.Labels)
		}
		to.Region = cmp.Or(on.Region, to.Region)
		if on.Site != "" || on.Replicas != nil {
			to.Site, to.Replicas = on.Site, on.Replicas
			to.Demand, to.DegradedAt = on.Demand, on.DegradedAt
		} else {
			to.Demand = cmp.Or(on.Demand, to.Demand)
			to.DegradedAt = cmp.Or(on.DegradedAt, to.DegradedAt)
		}
		to.Restart = cmp.Or(on.Restart, to.Restart)
		to.RTO = cmp.Or(on.RTO, to.RTO)
		if on.RepairRequires != nil {
			to.RepairRequires, to.OnSite = on.RepairRequires, on.OnSite
		}
		if on.Reliability().Given() {
			to.Availability, to.MTBF, to.MTTR = on.Availability, on.MTBF, on.MTTR
		}
		// An empty list drops the imported ones: one built in Go is an
		// empty non-nil slice; one read from a file (`requires: []`)
		// may decode to nil, and the file says it was written.
		clearReq := len(on.Requires) == 0 && (on.Requires != nil || on.HasField("requires"))
		clearUses := len(on.Uses) == 0 && (on.Uses != nil || on.HasField("uses"))
		if on.Requires != nil || on.Uses != nil || clearReq || clearUses {
			named := make(map[string]bool)
			for _, list := range [][]graph.Dep{on.Requires, on.Uses} {
				for _, d := range list {
					for _, m := range d.Members {
						named[m.ID] = true
					}
				}
			}
			keep := func(deps []graph.Dep, cleared bool) []graph.Dep {
				if cleared {
					return nil
				}
				var out []graph.Dep
				for _, d := range deps {
					if !slices.ContainsFunc(d.Members, func(m graph.Member) bool { return named[m.ID] }) {
						out = append(out, d)
					}
				}
				return out
			}
			to.Requires = append(keep(to.Requires, clearReq), on.Requires...)
			to.Uses = append(keep(to.Uses, clearUses), on.Uses...)
		}
	}
}

// disagreements fills the report's lists.
func (mg *merger) disagreements(results []Result) {
	rep := mg.rep
	undeclared := make(map[string][]string)
	for _, k := range mg.observedOrder {
		if _, ok := mg.declared[k]; !ok {
			d := mg.observedEdges[k]
			rep.Hidden = append(rep.Hidden, d)
			undeclared[d.From] = append(undeclared[d.From], d.To)
		}
	}
	for id, tos := range undeclared {
		n := &mg.nodes[mg.index[id]]
		if n.Labels == nil {
			n.Labels = make(map[string]string, 1)
		}
		slices.Sort(tos)
		n.Labels[UndeclaredLabel] = strings.Join(tos, ",")
	}
	if mg.hasObserver {
		// Traffic knows a node when it saw it call or be called.
		known := make(map[string]bool)
		for _, d := range mg.observedEdges {
			known[d.From], known[d.To] = true, true
		}
		for _, d := range mg.declared {
			k := edgeKey(d.From, d.To)
			if _, ok := mg.observedEdges[k]; !ok && known[d.From] {
				rep.Unobserved = append(rep.Unobserved, d)
			}
		}
		slices.SortFunc(rep.Unobserved, func(a, b Dependency) int {
			return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
		})
	}
	hasCatalog := slices.ContainsFunc(results, func(r Result) bool { return r.Source == mg.opts.Catalog })
	for i := range mg.nodes {
		n := &mg.nodes[i]
		srcs := mg.sources[n.ID]
		if hasCatalog && len(srcs) > 0 && srcs[0] != "merge" && !slices.Contains(srcs, mg.opts.Catalog) &&
			n.Kind != graph.Site && n.Kind != graph.Region {
			rep.NotInCatalog = append(rep.NotInCatalog, Mention{ID: n.ID, Kind: n.Kind, Sources: srcs, Pos: n.Pos})
		}
		if n.Site == "" && n.Replicas == nil && n.Kind != graph.Site && n.Kind != graph.Region && n.Kind != graph.External {
			s := srcs
			if len(s) == 0 {
				s = []string{"overlay"}
			}
			rep.Unplaced = append(rep.Unplaced, Mention{ID: n.ID, Kind: n.Kind, Sources: s, Pos: n.Pos})
		}
	}
}
