package analyze

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// The independence audit checks every redundancy claim of a model against
// the failures that defeat it. OVHcloud's customers who replicated across
// two Strasbourg data centers lost both because the campus shared one
// power supply; Kakao's account data sat in four data centers while every
// service using it sat in one. Each is a claim ("this runs in two places",
// "any one of these will do") defeated by something the claim does not
// name.
//
// A claim is a compiled threshold vertex: a node's replica capacity when
// its replicas sit at two sites or more, and every redundant group
// (any_of, at_least, capacity), in requires (hard) or uses (soft). For
// each, the audit reports:
//
//   - Defeats: the minimal sets of node failures that take the claim Down
//     (its minimal cut sets, as CutSetsVertices finds them on the claim's
//     vertex) and
//     are smaller than what it promises, plus every defeat of one node. A
//     claim's tolerance is the fewest of its own members whose loss takes
//     it Down (two for any_of [a b], two for at_least 2 of three); a
//     defeat smaller than that is hidden: a common cause the members
//     share. So Defeats holds the minimal cut sets of order up to
//     tolerance-1 (at least 1, at most MaxOrder; MaxOrder for a claim no
//     loss of members defeats): the sets that lose the members as
//     promised, {a, b} for any_of [a b], are not listed, which also keeps
//     the search to what is worth reporting. A defeat of one node is
//     reported with the chain from every member down to it ("shop-a runs
//     in sbg2 and sbg3, but both require sbg-campus-power").
//   - Around: for a hard claim, the owner's single points of failure (its
//     minimal cut sets of one node) that leave the claim standing (that do
//     not take the claim's vertex Down): the owner's hard dependencies that
//     are not redundant, which reach it around the claim ("kakao-t runs in
//     gasan and mokdong, but requires pangyo through kakao-login").
//   - Idle: the sites whose loss the claim survives, having lost a member
//     to it, while everything that depends on what the claim keeps up
//     goes Down anyway: redundancy that protects no one at that site's
//     loss. What the claim keeps up is its owner for a replica claim and
//     the group itself for a group; its dependents are the vertices that
//     take it as an input (through further groups to their dependents).
//     A claim nothing depends on protects its own users and is never idle.
//
// Every figure comes from the engines: the sets of one node from one pass
// of the batch engine over every single failure (singleSweep: as Rank's,
// each claim and owner a watched vertex), the defeats of order 2 from one
// search shared by every claim on that pass's index of what each failure
// takes Down (pairSets, equal to CutSetsVertices on each claim),
// the larger ones from CutSetsVertices, the site losses from the batch
// engine (64 sites per batch). The chains (Explain; all of them unless
// AuditOptions.NoChains) come from one run of the event engine per node
// that defeats a claim alone or reaches it around, confined to the
// claims' ancestry, and one per distinct defeat of a claim searched at
// order 2 or more (its single nodes included), as CutSetsVertices explains
// its sets.

// Claim is one redundancy claim and what defeats it.
type Claim struct {
	// Vertex is the claim's threshold vertex (a group, a node's replica
	// capacity, or a node that is its own replica capacity); Name its
	// vertex name.
	Vertex int32
	Name   string
	// Owner is the node the claim belongs to, OwnerVertex its vertex.
	Owner       string
	OwnerVertex int32
	// Label is the group as written ("any_of [a b]") or "replicas" for the
	// owner's placements; Rule how it decides (GroupRule).
	Label    string
	Replicas bool
	Rule     GroupRule
	// Soft: a group in uses, which can only degrade its owner.
	Soft bool
	// Members are the claim's inputs (nodes, replicas), in model order;
	// Sites the distinct sites the replicas run at (replica claims).
	Members []string
	Sites   []string
	// Tolerance is the fewest members whose loss takes the claim Down (a
	// standby that carries nothing at the moment of failure never counts):
	// what the redundancy promises. 0 when no loss of members does.
	Tolerance int
	// Defeats are the minimal sets of failures that take the claim Down,
	// of order 1 up to the order below its tolerance (at most MaxOrder),
	// smallest first; DefeatsTruncated says the search stopped at
	// AuditOptions.Limit.
	Defeats          []Defeat
	DefeatsTruncated bool
	// Around are the owner's single points of failure that leave the
	// claim standing (hard claims only); AroundTruncated says the owner's
	// search stopped at AuditOptions.Limit.
	Around          []CutSet
	AroundTruncated bool
	// Idle lists the sites whose loss the claim survives while all that
	// depends on it goes Down (see the definition above).
	Idle []IdleLoss
	// Explained says the chains of Defeats and Around are filled in:
	// always, unless the audit ran with AuditOptions.NoChains and
	// AuditResult.Explain has not been called for the claim since.
	Explained bool
}

// Defeat is one minimal set of failures that takes a claim Down.
type Defeat struct {
	CutSet
	// Hidden: smaller than the claim's tolerance, a common cause of its
	// members.
	Hidden bool
	// MemberChains, for a defeat of one node, holds for each of the
	// claim's members (in the order of Claim.Members) the chain of causes
	// from the member down to that node, or nil for a member the failure
	// leaves up (a standby, or a member an at_least can spare).
	MemberChains [][]string
}

// IdleLoss is one site whose loss a claim survives in vain.
type IdleLoss struct {
	Site string
	// Lost are the members the site's loss takes Down; Protected the
	// vertices depending on the claim, all Down anyway (nodes and
	// replicas, by name).
	Lost, Protected []string
}

// searched is the largest defeat looked for: the order below the
// tolerance, at least 1 and at most maxOrder (maxOrder when no loss of
// members defeats the claim).
func (cl *Claim) searched(maxOrder int) int {
	if cl.Tolerance == 0 {
		return maxOrder
	}
	return min(maxOrder, max(1, cl.Tolerance-1))
}

// Smallest is the order of the claim's smallest defeat, or 0 when none was
// found up to the audit's order.
func (cl *Claim) Smallest() int {
	if len(cl.Defeats) == 0 {
		return 0
	}
	return cl.Defeats[0].Order()
}

// AuditOptions select the claims and the failures of an audit.
//
// The zero value builds every chain of every claim, which is most of the
// cost of an audit of a large catalog: on the 100,000-node catalog with
// redundancy everywhere (95,279 claims, some 36,000 nodes that defeat a
// claim alone and 450,000 defeats of two nodes to explain) about a minute
// of CPU, against about 10 s without them. A caller that prints or serves
// some claims (a report prints at most 30: export.AuditShown) sets
// NoChains and explains those (AuditResult.Explain), as the CLI, the web
// page and the policy rule independent do.
type AuditOptions struct {
	// MaxOrder is the largest defeat looked for (see Claim.Defeats): 2
	// when 0, at most MaxCutOrder.
	MaxOrder int
	// Owners, when not empty, audits only the claims of these nodes.
	Owners []string
	// Kinds, when not empty, lets only nodes of these kinds fail (as
	// CutSetOptions.Kinds).
	Kinds []graph.Kind
	// Limit bounds the cut sets searched per claim and per owner: 0 means
	// DefaultAuditLimit, a negative number no bound.
	Limit int
	// Progress, when set, is called now and then, one call at a time,
	// with the steps of the audit done and their total: every phase (the
	// single failures, the pairs, the searches above order 2, the site
	// losses, the chains) is counted from the first call, which gives the
	// total; done only rises, and equals the total at the last call,
	// when the audit is done. The steps are weighted to take about the
	// same time each (see auditSteps).
	Progress func(done, total int)
	// NoChains leaves every chain out (Defeat.Chains and MemberChains,
	// the Chains of Around) and every Claim.Explained false: the sets
	// alone. The chains cost most of an audit of a large catalog (on the
	// 100,000-node catalog with redundancy everywhere, over half of it: a
	// Simulate per node that defeats something alone, an event run per
	// set found), and a report prints those of a few claims;
	// AuditResult.Explain adds them to the claims that need them. A claim
	// searched above order 2 goes through CutSetsVertices, which builds
	// its chains as it searches: for those NoChains saves nothing (the
	// chains are dropped, and Explain builds them again).
	NoChains bool

	// claimByClaim searches the defeats of order 2 with CutSetsVertices,
	// 64 claims at a time, instead of pairCutSets: the reference the tests
	// hold the shared search equal to, and the benchmark's baseline.
	claimByClaim bool
}

// DefaultAuditLimit is AuditOptions.Limit when it is 0.
const DefaultAuditLimit = 100

// AuditResult is an independence audit: every claim, those with the
// smallest defeats first.
type AuditResult struct {
	MaxOrder int
	// Claims are ordered by their smallest defeat (order 1, the hidden
	// common causes, first; claims with no defeat up to MaxOrder last),
	// then hidden defeats before expected ones, then by the owner's users,
	// most first, then by name.
	Claims []Claim
	// Sites is how many sites were lost one at a time for Claim.Idle.
	Sites int
}

// Audit runs the independence audit of c (see Claim).
func Audit(ctx context.Context, c *graph.Compiled, opts AuditOptions) (*AuditResult, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.MaxOrder == 0 {
		opts.MaxOrder = 2
	}
	if opts.MaxOrder < 1 || opts.MaxOrder > MaxCutOrder {
		return nil, fmt.Errorf("audit of order %d: the order must be 1 to %d", opts.MaxOrder, MaxCutOrder)
	}
	limit := opts.Limit
	switch {
	case limit == 0:
		limit = DefaultAuditLimit
	case limit < 0:
		limit = 0
	}
	claims, err := findClaims(c, opts.Owners)
	if err != nil {
		return nil, err
	}
	res := &AuditResult{MaxOrder: opts.MaxOrder, Claims: claims}
	if len(claims) == 0 {
		return res, ctx.Err()
	}
	// Order 1 for every claim's vertex and every owner in one sweep of
	// the single failures, which also indexes them for the pair search of
	// the claims searched at order 2 (see singleSweep); then the claims
	// that promise more than one loss, at the order below their promise,
	// grouped by that order.
	var targets []int32
	slot := map[int32]int{}
	want := func(v int32) {
		if _, ok := slot[v]; !ok {
			slot[v] = len(targets)
			targets = append(targets, v)
		}
	}
	for i := range claims {
		want(claims[i].Vertex)
		if !claims[i].Soft {
			want(claims[i].OwnerVertex)
		}
	}
	byOrder := map[int][]int{} // order → claims searched at it
	for i := range claims {
		if k := claims[i].searched(opts.MaxOrder); k > 1 {
			byOrder[k] = append(byOrder[k], i)
		}
	}
	orders := slices.Sorted(maps.Keys(byOrder))
	vertices := func(k int) []int32 {
		vs := make([]int32, len(byOrder[k]))
		for j, i := range byOrder[k] {
			vs[j] = claims[i].Vertex
		}
		return vs
	}
	pairs := len(byOrder[2]) > 0 && !opts.claimByClaim
	var pairTargets []int32
	if pairs {
		pairTargets = vertices(2)
	}
	sw, err := newSingleSweep(ctx, c, targets, pairTargets, opts.Kinds)
	if err != nil {
		return nil, err
	}
	// Every phase's steps, counted before any runs (see auditSteps).
	steps := auditSteps{sweep: sw.steps(), claims: len(claims), sites: countSites(c)}
	if pairs {
		steps.pairs = pairSteps(sw)
	}
	for _, k := range orders {
		if k > 2 || !pairs {
			steps.searched += len(byOrder[k])
		}
	}
	if !opts.NoChains {
		steps.explained = len(claims)
	}
	prog := newAuditProgress(opts.Progress, steps.total())
	prog.phase(steps.sweep)
	first, err := sw.run(ctx, limit, prog.of())
	if err != nil {
		return nil, err
	}
	copts := CutSetOptions{Kinds: opts.Kinds, Limit: limit}
	defeats := make([]*CutSetResult, len(claims))
	for i := range claims {
		if claims[i].searched(opts.MaxOrder) == 1 {
			defeats[i] = &first[slot[claims[i].Vertex]]
		}
	}
	for _, k := range orders {
		vs := vertices(k)
		copts.MaxOrder = k
		var rs []CutSetResult
		if k == 2 && pairs {
			// Order 2, the default: the claims share every run (see
			// pairCutSets), where CutSetsVertices runs each candidate of
			// the ancestry of every 64 claims again.
			// Their chains, when asked for, come with the others' (explain).
			prog.phase(steps.pairs * pairWeight)
			rs, err = pairSets(ctx, sw, vs, limit, prog.of())
		} else {
			prog.phase(len(vs) * searchWeight)
			rs, err = cutSetsCounted(ctx, c, vs, copts, prog)
		}
		if err != nil {
			return nil, err
		}
		for j, i := range byOrder[k] {
			defeats[i] = &rs[j]
		}
	}
	prog.phase(steps.claims * claimWeight)
	for i := range claims {
		if i%1024 == 1023 {
			prog.at(i, len(claims))
		}
		cl := &claims[i]
		g := defeats[i]
		cl.DefeatsTruncated = g.Truncated
		for _, s := range g.Sets {
			if opts.NoChains {
				s.Chains = nil // those CutSetsVertices found, for every claim alike
			}
			cl.Defeats = append(cl.Defeats, Defeat{CutSet: s, Hidden: cl.Tolerance == 0 || s.Order() < cl.Tolerance})
		}
		if !cl.Soft && cl.OwnerVertex != cl.Vertex {
			o := &first[slot[cl.OwnerVertex]]
			cl.AroundTruncated = o.Truncated
			for _, s := range o.Sets {
				if !containsDefeat(s, g.Sets) {
					cl.Around = append(cl.Around, s)
				}
			}
		}
	}
	prog.phase(steps.siteSteps())
	if res.Sites, err = idleClaims(ctx, c, claims, prog.of()); err != nil {
		return nil, err
	}
	slices.SortStableFunc(res.Claims, func(a, b Claim) int {
		order := func(cl *Claim) int {
			if n := cl.Smallest(); n > 0 {
				return n
			}
			return MaxCutOrder + 1
		}
		hidden := func(cl *Claim) int {
			if len(cl.Defeats) > 0 && cl.Defeats[0].Hidden {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(order(&a), order(&b)), cmp.Compare(hidden(&a), hidden(&b)),
			cmp.Compare(c.Users(b.OwnerVertex), c.Users(a.OwnerVertex)), cmp.Compare(a.Owner, b.Owner), cmp.Compare(a.Name, b.Name))
	})
	if !opts.NoChains {
		all := make([]int, len(res.Claims))
		for i := range all {
			all[i] = i
		}
		prog.phase(steps.explained * explainWeight)
		if err := res.explain(ctx, c, all, prog.of()); err != nil {
			return nil, err
		}
	}
	prog.end()
	return res, nil
}

// containsDefeat reports whether cut set s contains one of defeats: a set
// that takes the claim Down (failures are monotone, so a superset of a
// defeat does too; every defeat of order at most len(s) is in defeats
// unless the search was truncated).
func containsDefeat(s CutSet, defeats []CutSet) bool {
	for _, d := range defeats {
		if d.Order() > s.Order() {
			break // smallest first
		}
		all := true
		for _, v := range d.Vertices {
			if !slices.Contains(s.Vertices, v) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// findClaims lists the claims of c (of the owners named, when any), in
// vertex order.
func findClaims(c *graph.Compiled, owners []string) ([]Claim, error) {
	var keep []bool
	if len(owners) > 0 {
		keep = make([]bool, c.NodeCount())
		for _, id := range owners {
			v, ok := c.Lookup(id)
			if !ok || c.VertexKind(v) != graph.NodeVertex {
				return nil, UnknownNode(c, id)
			}
			keep[v] = true
		}
	}
	// The rule of each group as explanations word it (Outcome.group), read
	// off the outcome of nothing failed.
	none, err := Simulate(context.Background(), c, Scenario{})
	if err != nil {
		return nil, err
	}
	var claims []Claim
	add := func(gv int32) {
		owner := c.Owner(gv)
		if keep != nil && !keep[owner] {
			return
		}
		ge := none.group(gv)
		ins, _ := c.Inputs(gv)
		cl := Claim{Vertex: gv, Name: c.VertexName(gv), Owner: c.VertexName(owner), OwnerVertex: owner,
			Label: ge.Label, Replicas: ge.Replicas, Rule: ge.Rule, Soft: c.VertexKind(gv) == graph.SoftGroupVertex,
			Tolerance: tolerance(c, gv)}
		for _, m := range ins {
			cl.Members = append(cl.Members, c.VertexName(m))
		}
		if cl.Replicas {
			for _, m := range ins {
				if c.VertexKind(m) == graph.ReplicaVertex {
					if s := c.VertexName(c.ReplicaSite(m)); !slices.Contains(cl.Sites, s) {
						cl.Sites = append(cl.Sites, s)
					}
				}
			}
			if len(cl.Sites) < 2 {
				return // replicas at one site claim no independence
			}
		}
		claims = append(claims, cl)
	}
	for v := range int32(c.Len()) {
		switch c.VertexKind(v) {
		case graph.GroupVertex, graph.SoftGroupVertex:
			add(v)
		case graph.NodeVertex:
			if c.CapacityVertex(v) == v {
				add(v) // a node that is its own replica capacity
			}
		}
	}
	return claims, nil
}

// tolerance is the fewest inputs of threshold vertex gv whose loss takes
// it Down, by the threshold rule: the heaviest first. 0 when losing every
// input does not.
func tolerance(c *graph.Compiled, gv int32) int {
	_, ws := c.Inputs(gv)
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b int64) int { return cmp.Compare(b, a) })
	g := c.Gate(gv)
	live := g.Base
	for i, w := range ws {
		live -= w
		if threshold(g, live, live) == Down {
			return i + 1
		}
	}
	return 0
}

// idleClaims fills in each claim's Idle: every site is lost once, 64 to a
// batch of the batch engine, and a claim is idle at a site whose loss
// takes one of its members Down, not the claim (nor, for a replica claim,
// its owner), and every vertex depending on it. It returns the number of
// sites. progress, when set, counts the sites lost.
func idleClaims(ctx context.Context, c *graph.Compiled, claims []Claim, progress func(done, total int)) (int, error) {
	var sites []int32
	for v := range int32(c.NodeCount()) {
		if c.Kind(v) == graph.Site {
			sites = append(sites, v)
		}
	}
	if len(sites) == 0 {
		return 0, ctx.Err()
	}
	if c.Len() >= maxPositions {
		return 0, fmt.Errorf("%d vertices: the batch engine takes fewer than %d", c.Len(), maxPositions)
	}
	// What each claim keeps up, and what depends on that.
	type watch struct {
		kept      int32
		protected []int32
	}
	ws := make([]watch, len(claims))
	for i := range claims {
		cl := &claims[i]
		kept := cl.Vertex
		if cl.Replicas {
			kept = cl.OwnerVertex
		}
		ws[i] = watch{kept: kept, protected: dependentsThroughGroups(c, kept)}
	}
	l := layoutFor(c)
	downs := make([]uint64, len(l.vertex)) // per position, this batch
	var touched []int32
	err := sweep(ctx, c, sites, 1, progress, func(l *layout, b *batch, sources []int32) {
		b.run(sources, func(p int32, down, _ uint64) {
			if down != 0 {
				downs[p] = down
				touched = append(touched, p)
			}
		})
		downOf := func(v int32) uint64 { return downs[l.pos[v]] }
		for i := range claims {
			cl := &claims[i]
			w := ws[i]
			if len(w.protected) == 0 {
				continue
			}
			ins, _ := c.Inputs(cl.Vertex)
			var lost uint64
			for _, m := range ins {
				lost |= downOf(m)
			}
			idle := lost &^ downOf(cl.Vertex) &^ downOf(w.kept)
			for _, p := range w.protected {
				idle &= downOf(p)
			}
			for m := idle; m != 0; m &= m - 1 {
				lane := bits.TrailingZeros64(m)
				il := IdleLoss{Site: c.VertexName(sources[lane])}
				for _, m := range ins {
					if downOf(m)&(1<<lane) != 0 {
						il.Lost = append(il.Lost, c.VertexName(m))
					}
				}
				for _, p := range w.protected {
					il.Protected = append(il.Protected, c.VertexName(p))
				}
				cl.Idle = append(cl.Idle, il)
			}
		}
		for _, p := range touched {
			downs[p] = 0
		}
		touched = touched[:0]
	}, func(v int32) {})
	for i := range claims {
		slices.SortFunc(claims[i].Idle, func(a, b IdleLoss) int { return cmp.Compare(a.Site, b.Site) })
	}
	return len(sites), err
}

// dependentsThroughGroups returns the vertices that take v as an input,
// hard or soft, with each group vertex among them replaced by its own
// dependents, in vertex order.
func dependentsThroughGroups(c *graph.Compiled, v int32) []int32 {
	var out []int32
	seen := map[int32]bool{v: true}
	queue := []int32{v}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		deps, _ := c.Dependents(u)
		for _, list := range [][]int32{deps, c.SoftDependents(u)} {
			for _, w := range list {
				if seen[w] {
					continue
				}
				seen[w] = true
				if k := c.VertexKind(w); k == graph.GroupVertex || k == graph.SoftGroupVertex {
					queue = append(queue, w)
					continue
				}
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Explain fills in the chains of the claims r.Claims[i], for each i of
// claims, in an audit run with AuditOptions.NoChains on c: the chains an
// audit without NoChains gives them (a test holds the two equal). Claims
// explained already are left as they are. It costs one Simulate per
// distinct node that defeats one of the claims alone or reaches it around,
// and one event run per distinct defeat of a claim searched at order 2 or
// more (its single nodes too: their Chains are CutSetsVertices').
func (r *AuditResult) Explain(ctx context.Context, c *graph.Compiled, claims ...int) error {
	if ctx == nil {
		ctx = context.Background()
	}
	for _, i := range claims {
		if i < 0 || i >= len(r.Claims) {
			return fmt.Errorf("audit: no claim %d (the audit has %d)", i, len(r.Claims))
		}
		if cl := &r.Claims[i]; int(cl.Vertex) >= c.Len() || c.VertexName(cl.Vertex) != cl.Name {
			return fmt.Errorf("audit: claim %s is not of this graph", cl.Name)
		}
	}
	return r.explain(ctx, c, claims, nil)
}

// explain is Explain without its checks. The chains of a claim searched
// at order 2 or more are those of the cut-set search (pairChains, as
// CutSetsVertices gives them) on every defeat; then, for every defeat of
// one node, the chain from each member down to it, and for every set
// around the claim the owner's chain, from one Simulate per failed node.
// progress, when set, counts the sets run and then the failed nodes
// (each when its run starts).
func (r *AuditResult) explain(ctx context.Context, c *graph.Compiled, which []int, progress func(done, total int)) error {
	var todo []int
	seen := map[int]bool{}
	for _, i := range which {
		if !r.Claims[i].Explained && !seen[i] {
			seen[i] = true
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return ctx.Err()
	}
	// The chains of the sets of one node: asked for per failed node.
	type ask struct {
		claim, set int
		around     bool
	}
	single := map[int32][]ask{}
	for _, i := range todo {
		cl := &r.Claims[i]
		for j, d := range cl.Defeats {
			if d.Order() == 1 {
				single[d.Vertices[0]] = append(single[d.Vertices[0]], ask{claim: i, set: j})
			}
		}
		for j, s := range cl.Around {
			single[s.Vertices[0]] = append(single[s.Vertices[0]], ask{claim: i, set: j, around: true})
		}
	}
	failed := slices.Sorted(maps.Keys(single))
	// progress counts the sets pairChains runs (it says how many), then
	// the failed nodes.
	var chained int
	if progress != nil {
		f := progress
		progress = func(done, total int) {
			chained = total
			f(done, total+len(failed))
		}
	}
	// The cut-set search's chains, for the claims searched past order 1
	// whose sets have none (a search by CutSetsVertices gave them).
	var (
		targets []int32
		sets    [][][]int32
		owners  []int // the claim of each target
	)
	for _, i := range todo {
		cl := &r.Claims[i]
		if cl.searched(r.MaxOrder) < 2 || !slices.ContainsFunc(cl.Defeats, func(d Defeat) bool { return d.Order() > 0 && d.Chains == nil }) {
			continue
		}
		ss := make([][]int32, len(cl.Defeats))
		for j, d := range cl.Defeats {
			ss[j] = d.Vertices
		}
		targets, sets, owners = append(targets, cl.Vertex), append(sets, ss), append(owners, i)
	}
	if len(targets) > 0 {
		out := make([]CutSetResult, len(targets))
		if err := pairChains(ctx, c, targets, sets, out, progress); err != nil {
			return err
		}
		for k, i := range owners {
			byKey := make(map[string][][]string, len(out[k].Sets))
			for _, s := range out[k].Sets {
				byKey[setKey(s.Vertices)] = s.Chains
			}
			for j := range r.Claims[i].Defeats {
				d := &r.Claims[i].Defeats[j]
				d.Chains = byKey[setKey(d.Vertices)]
			}
		}
	}
	// From every member of a claim down to the node, from the claim and
	// from the owner. One run of the event engine per failed node,
	// whatever the number of claims it defeats (a region defeats most),
	// one outcome at a time per core. Each run is confined to the claims'
	// ancestry over hard and soft inputs, where it gives every vertex the
	// state and the cause Simulate gives it (see scratch.within), and so
	// the same chains: a site's loss reaches an eighth of a catalog, most
	// of it no claim's concern. Each ask fills its own set, so the
	// workers share nothing they write.
	var within []bool
	if len(failed) > 0 {
		var from []int32
		for _, i := range todo {
			from = append(from, r.Claims[i].Vertex, r.Claims[i].OwnerVertex)
		}
		within = ancestorsOf(c, from, true)
	}
	var (
		once     sync.Once
		chainErr error
		mu       sync.Mutex // serializes progress
		ran      int
	)
	onCores(ctx, len(failed), func(_ int, next func() (int, bool)) {
		for k, ok := next(); ok; k, ok = next() {
			if progress != nil {
				mu.Lock()
				progress(chained+ran, chained+len(failed))
				ran++
				mu.Unlock()
			}
			v := failed[k]
			o, err := simulateWithin(ctx, c, v, within)
			if err != nil {
				once.Do(func() { chainErr = err })
				return
			}
			for _, a := range single[v] {
				cl := &r.Claims[a.claim]
				if a.around {
					s := &cl.Around[a.set]
					s.Chains = [][]string{o.Chain(cl.Owner)}
					continue
				}
				d := &cl.Defeats[a.set]
				d.MemberChains = make([][]string, len(cl.Members))
				for j, m := range cl.Members {
					if o.State(m) == Down {
						d.MemberChains[j] = o.Chain(m)
						if d.Chains == nil {
							// The claim's chain goes through its first member
							// down (a claim that is its owner is that node).
							d.Chains = [][]string{append([]string{cl.Name}, d.MemberChains[j]...)}
						}
					}
				}
				if cl.Vertex == cl.OwnerVertex {
					d.Chains = [][]string{o.Chain(cl.Owner)}
				}
			}
		}
	})
	if chainErr != nil {
		return chainErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, i := range todo {
		r.Claims[i].Explained = true
	}
	return nil
}

// simulateWithin is Simulate of the failure of v confined to within, a
// set of vertices closed under hard and soft inputs that holds v: the
// outcome has every vertex of within in the state, with the cause (and so
// the chain), Simulate gives it; the others are Up.
func simulateWithin(ctx context.Context, c *graph.Compiled, v int32, within []bool) (*Outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := getScratch(c)
	defer putScratch(c, s)
	s.within = within
	defer func() { s.within = nil }()
	s.remove(c, v)
	if !s.drain(c, ctx.Done()) {
		return nil, ctx.Err()
	}
	return s.outcome(c, Fail(c.VertexName(v))), nil
}

// ancestorsOf is ancestors for many vertices: it marks those of vs and
// every vertex they depend on, over hard inputs (and soft ones too, when
// soft), a set closed under them, to which a run of either engine can be
// confined.
func ancestorsOf(c *graph.Compiled, vs []int32, soft bool) []bool {
	within := make([]bool, c.Len())
	var queue []int32
	add := func(v int32) {
		if !within[v] {
			within[v] = true
			queue = append(queue, v)
		}
	}
	for _, v := range vs {
		add(v)
	}
	for k := 0; k < len(queue); k++ {
		ins, _ := c.Inputs(queue[k])
		for _, u := range ins {
			add(u)
		}
		if soft {
			for _, u := range c.SoftInputs(queue[k]) {
				add(u)
			}
		}
	}
	return within
}
