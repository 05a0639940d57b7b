package policy

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Check evaluates every rule of p on c. It returns a *graph.ValidationError
// listing every problem when a rule cannot be evaluated on c (an unknown
// node id in a selector, a share above 100%, ...), with the file and line
// when the policy was read from a file; other errors are those of ctx.
//
// However many rules there are, Check runs at most one ranking pass over
// all single failures (analyze.RankWatch: the blast radius of every node
// and which protected nodes each takes Down, for MaxBlastRadius and NoSPOF)
// and one Simulate per site (SurviveSiteLoss, MinRedundancyRate) and per
// region (SurviveRegionLoss); SitesAtLeast reads the compiled placements.
// The chain of causes of each listed violation of NoSPOF and MaxBlastRadius
// costs one Simulate of its failure, shared by the rules. A nil policy has
// no rules.
func Check(ctx context.Context, c *graph.Compiled, p *Policy) (*Result, error) {
	if p == nil {
		p = &Policy{}
	}
	pl := &plan{c: c, limit: p.limit()}
	evs := make([]evaluator, len(p.Rules))
	var probs []graph.Problem
	for i, r := range p.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		if r == nil {
			probs = append(probs, graph.Problem{Field: path, Msg: "no rule (nil)"})
			continue
		}
		ev, ps := r.prepare(pl, path)
		probs = append(probs, ps...)
		evs[i] = ev
	}
	if len(probs) > 0 {
		return nil, validationError(probs)
	}
	e, err := pl.run(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Policy: p.Name, Model: c.Name(), Rules: make([]RuleResult, len(p.Rules))}
	for i, r := range p.Rules {
		e.rule = i
		rr, err := evs[i].eval(e)
		if err != nil {
			return nil, err
		}
		m := r.info()
		rr.Rule, rr.Name, rr.Description, rr.Pos = r.Name(), m.label, m.desc, m.pos
		if rr.Description == "" {
			rr.Description = r.String()
		}
		if rr.Violations == nil {
			rr.Violations = []Violation{}
		}
		res.Rules[i] = rr
	}
	if err := e.chains(res); err != nil {
		return nil, err
	}
	return res, nil
}

// validationError sorts problems as graph does and wraps them.
func validationError(ps []graph.Problem) error {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b graph.Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return &graph.ValidationError{Problems: slices.Compact(ps)}
}

// plan gathers what the rules of one Check need before any pass runs, so
// that each pass runs once for all of them.
type plan struct {
	c     *graph.Compiled
	limit int

	rank           bool
	watch          []bool // per node: some NoSPOF rule protects it
	onHit          []func(analyze.Hit)
	sites, regions bool

	place []*placement // per node, computed on first use
}

// evaluator is a rule prepared for one Check.
type evaluator interface {
	eval(e *env) (RuleResult, error)
}

// env holds the passes' results, shared by the rules.
type env struct {
	ctx   context.Context
	c     *graph.Compiled
	p     *plan
	radii []analyze.Radius
	// sites and regions are the outcomes of losing each, in model order.
	sites, regions []loss
	users          int64 // all users of the model

	// The chains of violations whose scenario is a single failure, filled
	// in at the end: one Simulate per failed node, whichever rules need
	// it, and one outcome held at a time (each can be most of a large
	// graph).
	rule     int // the rule being evaluated
	wanted   map[int32][]chainWanted
	failedAt []int32 // the keys of wanted, in the order first asked for
}

// chainWanted asks for the chain of violation i of rule r: the chain of
// the node victim, or of the Down node with the most users when victim is
// "".
type chainWanted struct {
	r, i   int
	victim string
}

type loss struct {
	v int32
	o *analyze.Outcome
}

func (p *plan) run(ctx context.Context) (*env, error) {
	c := p.c
	e := &env{ctx: ctx, c: c, p: p, wanted: make(map[int32][]chainWanted)}
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		e.users += c.Users(v)
	}
	if p.rank {
		var watch []int32
		for v, w := range p.watch {
			if w {
				watch = append(watch, int32(v))
			}
		}
		var hits func([]analyze.Hit)
		if len(p.onHit) > 0 {
			hits = func(hs []analyze.Hit) {
				for _, h := range hs {
					for _, f := range p.onHit {
						f(h)
					}
				}
			}
		}
		var err error
		e.radii, err = analyze.RankWatch(ctx, c, analyze.RankOptions{Kinds: software()}, watch, hits)
		if err != nil {
			return nil, err
		}
	}
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		k := c.Kind(v)
		if !(k == graph.Site && p.sites) && !(k == graph.Region && p.regions) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o, err := analyze.Simulate(c, analyze.Fail(c.VertexName(v)))
		if err != nil {
			return nil, err
		}
		if k == graph.Site {
			e.sites = append(e.sites, loss{v, o})
		} else {
			e.regions = append(e.regions, loss{v, o})
		}
	}
	return e, nil
}

// software returns the kinds that are not infrastructure.
func software() []graph.Kind {
	var ks []graph.Kind
	for _, k := range graph.Kinds() {
		if !k.Infrastructure() {
			ks = append(ks, k)
		}
	}
	return ks
}

// chain asks for the chain of violation i of the rule being evaluated, in
// the scenario where failed fails alone.
func (e *env) chain(i int, failed int32, victim string) {
	if _, ok := e.wanted[failed]; !ok {
		e.failedAt = append(e.failedAt, failed)
	}
	e.wanted[failed] = append(e.wanted[failed], chainWanted{r: e.rule, i: i, victim: victim})
}

// chains fills in the chains asked for.
func (e *env) chains(res *Result) error {
	for _, f := range e.failedAt {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		if e.victimsKnown(f) {
			// Each chain from simulating the victim's ancestry only: a
			// failure that breaks a rule often reaches most of the graph.
			for _, w := range e.wanted[f] {
				chain, err := analyze.Chain(e.c, e.c.VertexName(f), w.victim)
				if err != nil {
					return err
				}
				res.Rules[w.r].Violations[w.i].Chain = chain
			}
			continue
		}
		o, err := analyze.Simulate(e.c, analyze.Fail(e.c.VertexName(f)))
		if err != nil {
			return err
		}
		for _, w := range e.wanted[f] {
			victim := w.victim
			if victim == "" {
				victim = mostUsersDown(o)
			}
			if victim != "" {
				res.Rules[w.r].Violations[w.i].Chain = o.Chain(victim)
			}
		}
	}
	return nil
}

// victimsKnown reports whether every chain asked for failed's failure
// names its victim.
func (e *env) victimsKnown(failed int32) bool {
	for _, w := range e.wanted[failed] {
		if w.victim == "" {
			return false
		}
	}
	return true
}

// mostUsersDown returns the node, other than the removed one, that is Down
// in o with the most users (then the first by id): one scan, not a sort of
// what may be most of the graph.
func mostUsersDown(o *analyze.Outcome) string {
	var victim *analyze.Effect
	effects := o.Effects()
	for i := range effects {
		ef := &effects[i]
		if ef.State != analyze.Down || ef.Removed || ef.Replica {
			continue
		}
		if victim == nil || ef.Users > victim.Users || (ef.Users == victim.Users && ef.ID < victim.ID) {
			victim = ef
		}
	}
	if victim == nil {
		return ""
	}
	return victim.ID
}

// selection resolves a selector to a mark per model node; path names it
// in problems ("rules[1].select").
func (p *plan) selection(s Selector, path string, pos graph.Pos) ([]bool, []graph.Problem) {
	c := p.c
	var probs []graph.Problem
	ids := make(map[int32]bool, len(s.IDs))
	for i, id := range s.IDs {
		at := pos
		if i < len(s.idPos) {
			at = s.idPos[i]
		}
		v, ok := c.Lookup(id)
		if !ok || c.VertexKind(v) != graph.NodeVertex {
			msg := fmt.Sprintf("unknown node %q", id)
			if ok {
				msg = fmt.Sprintf("%q is a replica or a group, not a node of the model", id)
			} else if hint, ok := graph.Suggest(id, c.IDs()); ok {
				msg += fmt.Sprintf(" (did you mean %q?)", hint)
			}
			probs = append(probs, graph.Problem{Pos: at, Field: fmt.Sprintf("%s.id[%d]", path, i), Msg: msg})
			continue
		}
		ids[v] = true
	}
	for i, k := range s.Kinds {
		if _, ok := graph.ParseKind(k.String()); !ok {
			probs = append(probs, graph.Problem{Pos: pos, Field: fmt.Sprintf("%s.kind[%d]", path, i), Msg: fmt.Sprintf("unknown kind %v", k)})
		}
	}
	for i, t := range s.Tiers {
		if t < 0 {
			probs = append(probs, graph.Problem{Pos: pos, Field: fmt.Sprintf("%s.tier[%d]", path, i), Msg: fmt.Sprintf("must be >= 0, got %d", t)})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	out := make([]bool, c.NodeCount())
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		out[v] = p.matches(s, v, ids)
	}
	return out, nil
}

func (p *plan) matches(s Selector, v int32, ids map[int32]bool) bool {
	c := p.c
	switch {
	case len(s.IDs) > 0 && !ids[v],
		len(s.Kinds) > 0 && !slices.Contains(s.Kinds, c.Kind(v)),
		len(s.Tiers) > 0 && !slices.Contains(s.Tiers, c.Tier(v)),
		s.UserFacing && c.Users(v) <= 0:
		return false
	}
	if len(s.Labels) > 0 {
		labels := c.Labels(v)
		for k, want := range s.Labels {
			if got, ok := labels[k]; !ok || got != want {
				return false
			}
		}
	}
	if s.Redundant && !p.placement(v).redundant() {
		return false
	}
	return true
}

// anyOf resolves a list of selectors to the nodes that match one of them.
func (p *plan) anyOf(ss []Selector, path string, pos graph.Pos) ([]bool, []graph.Problem) {
	out := make([]bool, p.c.NodeCount())
	var probs []graph.Problem
	for i, s := range ss {
		m, ps := p.selection(s, fmt.Sprintf("%s[%d]", path, i), pos)
		probs = append(probs, ps...)
		for v, ok := range m {
			out[v] = out[v] || ok
		}
	}
	return out, probs
}

func count(marks []bool) int {
	n := 0
	for _, m := range marks {
		if m {
			n++
		}
	}
	return n
}

// keeper keeps the first k of a stream of items in the order cmp, and
// counts them all. Items arrive in any order (from several goroutines,
// serialized); what it keeps depends only on the items, not on the order.
type keeper[T any] struct {
	k     int
	cmp   func(a, b T) int
	items []T
	total int
}

func (kp *keeper[T]) offer(x T) {
	kp.total++
	if kp.k <= 0 {
		return
	}
	kp.items = append(kp.items, x)
	if kp.k < math.MaxInt/2 && len(kp.items) >= 2*kp.k {
		kp.trim()
	}
}

func (kp *keeper[T]) trim() {
	slices.SortFunc(kp.items, kp.cmp)
	if len(kp.items) > kp.k {
		kp.items = kp.items[:kp.k]
	}
}

// sorted returns the kept items, in order.
func (kp *keeper[T]) sorted() []T {
	kp.trim()
	return kp.items
}

// ---------------------------------------------------------------- rules

func (r *survive) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.kind == graph.Region {
		p.regions = true
	} else {
		p.sites = true
	}
	return &surviveEval{r: r, sel: sel}, probs
}

type surviveEval struct {
	r   *survive
	sel []bool
}

type lossHit struct {
	v     int32
	loss  int // index in env.sites or env.regions
	state analyze.State
	users int64
	id    string
}

func (ev *surviveEval) eval(e *env) (RuleResult, error) {
	losses := e.sites
	if ev.r.kind == graph.Region {
		losses = e.regions
	}
	kp := keeper[lossHit]{k: e.p.limit, cmp: func(a, b lossHit) int {
		return cmp.Or(cmp.Compare(b.state, a.state), cmp.Compare(b.users, a.users), cmp.Compare(a.id, b.id), cmp.Compare(a.loss, b.loss))
	}}
	for i, l := range losses {
		for _, ef := range l.o.Effects() {
			if ef.Replica || ef.Removed || !ev.sel[ef.Vertex] || (ef.State != analyze.Down && ef.State != analyze.Degraded) {
				continue
			}
			kp.offer(lossHit{v: ef.Vertex, loss: i, state: ef.State, users: ef.Users, id: ef.ID})
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0}
	kind := ev.r.kind.String()
	if len(losses) == 0 {
		rr.Summary = fmt.Sprintf("the model has no %ss: nothing to lose", kind)
	} else {
		rr.Summary = fmt.Sprintf("%d selected nodes, each of %d %s lost", count(ev.sel), len(losses), plural(len(losses), kind))
	}
	for _, h := range kp.sorted() {
		l := losses[h.loss]
		site := e.c.VertexName(l.v)
		rr.Violations = append(rr.Violations, Violation{
			Node: h.id, Removed: site, State: h.state, Chain: l.o.Chain(h.id),
			Msg: fmt.Sprintf("%s when %s %s is lost", h.state, kind, site),
		})
	}
	return rr, nil
}

func (r *noSPOF) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	ign, ps := p.anyOf(r.ignore, path+".ignore", r.at("ignore"))
	probs = append(probs, ps...)
	if len(probs) > 0 {
		return nil, probs
	}
	c := p.c
	ev := &spofEval{sel: sel, ign: ign}
	ev.kp = keeper[analyze.Hit]{k: p.limit, cmp: func(a, b analyze.Hit) int {
		return cmp.Or(
			cmp.Compare(c.Users(b.Down), c.Users(a.Down)),
			cmp.Compare(c.VertexName(a.Down), c.VertexName(b.Down)),
			cmp.Compare(c.VertexName(a.Failed), c.VertexName(b.Failed)),
		)
	}}
	if p.watch == nil {
		p.watch = make([]bool, c.NodeCount())
	}
	for v, s := range sel {
		p.watch[v] = p.watch[v] || s
	}
	p.rank = true
	p.onHit = append(p.onHit, func(h analyze.Hit) {
		if sel[h.Down] && !ign[h.Failed] {
			ev.kp.offer(h)
		}
	})
	return ev, nil
}

type spofEval struct {
	sel, ign []bool
	kp       keeper[analyze.Hit]
}

func (ev *spofEval) eval(e *env) (RuleResult, error) {
	c := e.c
	cands := 0
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if !c.Kind(v).Infrastructure() && !ev.ign[v] {
			cands++
		}
	}
	rr := RuleResult{Total: ev.kp.total, Passed: ev.kp.total == 0,
		Summary: fmt.Sprintf("%d selected nodes, the single failure of each of %d nodes", count(ev.sel), cands)}
	for i, h := range ev.kp.sorted() {
		id, failed := c.VertexName(h.Down), c.VertexName(h.Failed)
		rr.Violations = append(rr.Violations, Violation{
			Node: id, Removed: failed, State: analyze.Down,
			Msg: fmt.Sprintf("down when %s %s fails", c.Kind(h.Failed), failed),
		})
		e.chain(i, h.Failed, id)
	}
	return rr, nil
}

func (r *maxRadius) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	var probs []graph.Problem
	if r.lim.Nodes < 0 {
		probs = append(probs, graph.Problem{Pos: r.at("nodes"), Field: path + ".nodes", Msg: fmt.Sprintf("must be > 0, got %d", r.lim.Nodes)})
	}
	if r.lim.Users < 0 || r.lim.Users > 1 || math.IsNaN(r.lim.Users) {
		probs = append(probs, graph.Problem{Pos: r.at("users"), Field: path + ".users", Msg: fmt.Sprintf("must be a share from 0 to 1 (0%% to 100%%), got %v", r.lim.Users)})
	}
	if r.lim.Nodes == 0 && r.lim.Users == 0 {
		probs = append(probs, graph.Problem{Pos: r.pos, Field: path, Msg: "give a limit: nodes, users or both"})
	}
	ign, ps := p.anyOf(r.ignore, path+".ignore", r.at("ignore"))
	probs = append(probs, ps...)
	p.rank = true
	return &radiusEval{r: r, ign: ign}, probs
}

type radiusEval struct {
	r   *maxRadius
	ign []bool
}

type overLimit struct {
	v            int32
	id           string
	others       int
	users        int64
	degraded     int
	usersDegrade int64
}

func (ev *radiusEval) eval(e *env) (RuleResult, error) {
	c, lim := e.c, ev.r.lim
	kp := keeper[overLimit]{k: e.p.limit, cmp: func(a, b overLimit) int {
		return cmp.Or(cmp.Compare(b.users, a.users), cmp.Compare(b.others, a.others), cmp.Compare(a.id, b.id))
	}}
	share := func(u int64) float64 {
		if e.users <= 0 {
			return 0
		}
		return float64(u) / float64(e.users)
	}
	checked := 0
	var worst overLimit
	for _, r := range e.radii {
		v, _ := c.Lookup(r.ID)
		if ev.ign[v] {
			continue
		}
		checked++
		x := overLimit{v: v, id: r.ID, others: r.Down - 1, users: r.UsersDown - c.Users(v)}
		if x.users > worst.users || (x.users == worst.users && x.others > worst.others) {
			worst = x
		}
		if (lim.Nodes > 0 && x.others > lim.Nodes) || (lim.Users > 0 && share(x.users) > lim.Users) {
			kp.offer(x)
		}
	}
	rr := RuleResult{Total: kp.total, Passed: kp.total == 0}
	rr.Summary = fmt.Sprintf("the single failure of each of %d nodes", checked)
	if worst.id != "" {
		rr.Summary += fmt.Sprintf("; the largest, %s, takes %s down with it", worst.id, reach(worst.others, worst.users, share(worst.users)))
	}
	for i, x := range kp.sorted() {
		e.chain(i, x.v, "") // the victim with the most users
		var over []string
		if lim.Nodes > 0 && x.others > lim.Nodes {
			over = append(over, fmt.Sprintf("%d nodes", lim.Nodes))
		}
		if lim.Users > 0 && share(x.users) > lim.Users {
			over = append(over, pct(lim.Users)+" of users")
		}
		rr.Violations = append(rr.Violations, Violation{
			Node: x.id, Removed: x.id, State: analyze.Down,
			Msg: fmt.Sprintf("its failure takes %s down with it, more than %s", reach(x.others, x.users, share(x.users)), strings.Join(over, " or ")),
		})
	}
	return rr, nil
}

// reach says how far a failure reaches: "10 other nodes (40,000,000 users, 37.2%)".
func reach(nodes int, users int64, share float64) string {
	s := fmt.Sprintf("%d other node", nodes)
	if nodes != 1 {
		s += "s"
	}
	if users > 0 {
		s += fmt.Sprintf(" (%s users, %s)", thousands(users), pct(share))
	}
	return s
}

// thousands formats n with comma separators: 47,500,000.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func (r *minRate) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	var probs []graph.Problem
	if r.rate < 0 || r.rate > 1 || math.IsNaN(r.rate) {
		probs = append(probs, graph.Problem{Pos: r.at("rate"), Field: path + ".rate", Msg: fmt.Sprintf("must be a share from 0 to 1 (0%% to 100%%), got %v", r.rate)})
	}
	if r.by != ByCount && r.by != ByUsers {
		probs = append(probs, graph.Problem{Pos: r.at("by"), Field: path + ".by", Msg: fmt.Sprintf("unknown measure By(%d): want ByCount or ByUsers", r.by)})
	}
	p.sites = true
	return &rateEval{r: r}, probs
}

type rateEval struct{ r *minRate }

// measured returns the services the redundancy rate is about, as
// analyze.RedundancyRate counts them: the nodes with users that are not
// infrastructure, or every node that is not when none has users.
func measured(c *graph.Compiled) []bool {
	out := make([]bool, c.NodeCount())
	found := false
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if !c.Kind(v).Infrastructure() && c.Users(v) > 0 {
			out[v], found = true, true
		}
	}
	if !found {
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			out[v] = !c.Kind(v).Infrastructure()
		}
	}
	return out
}

func (ev *rateEval) eval(e *env) (RuleResult, error) {
	c := e.c
	svc := measured(c)
	type worst struct {
		state analyze.State
		loss  int
	}
	lost := make(map[int32]worst) // services that do not survive some site
	for i, l := range e.sites {
		for _, ef := range l.o.Effects() {
			if ef.Replica || !svc[ef.Vertex] || (ef.State != analyze.Down && ef.State != analyze.Degraded) {
				continue
			}
			if w, ok := lost[ef.Vertex]; !ok || ef.State > w.state {
				lost[ef.Vertex] = worst{ef.State, i}
			}
		}
	}
	var services, survive int
	var users, surviveUsers int64
	for v, s := range svc {
		if !s {
			continue
		}
		services++
		users += c.Users(int32(v))
		if _, ok := lost[int32(v)]; !ok {
			survive++
			surviveUsers += c.Users(int32(v))
		}
	}
	rate, of := ratio(int64(survive), int64(services)), fmt.Sprintf("%d of %d services", survive, services)
	if ev.r.by == ByUsers {
		rate, of = ratio(surviveUsers, users), fmt.Sprintf("%s of %s users", thousands(surviveUsers), thousands(users))
	}
	rr := RuleResult{Passed: rate >= ev.r.rate,
		Summary: fmt.Sprintf("redundancy rate by %s %s (%s survive the loss of any one site), want at least %s", ev.r.by, pct(rate), of, pct(ev.r.rate))}
	if rr.Passed {
		return rr, nil
	}
	rr.Total = len(lost)
	kp := keeper[int32]{k: e.p.limit, cmp: func(a, b int32) int {
		return cmp.Or(cmp.Compare(c.Users(b), c.Users(a)), cmp.Compare(c.VertexName(a), c.VertexName(b)))
	}}
	for v := range lost {
		kp.offer(v)
	}
	for _, v := range kp.sorted() {
		w := lost[v]
		l := e.sites[w.loss]
		id, site := c.VertexName(v), c.VertexName(l.v)
		rr.Violations = append(rr.Violations, Violation{
			Node: id, Removed: site, State: w.state, Chain: l.o.Chain(id),
			Msg: fmt.Sprintf("%s when site %s is lost", w.state, site),
		})
	}
	return rr, nil
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (r *sitesAtLeast) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if r.n < 1 {
		probs = append(probs, graph.Problem{Pos: r.at("sites"), Field: path + ".sites", Msg: fmt.Sprintf("must be at least 1, got %d", r.n)})
	}
	return &sitesEval{r: r, sel: sel}, probs
}

type sitesEval struct {
	r   *sitesAtLeast
	sel []bool
}

func (ev *sitesEval) eval(e *env) (RuleResult, error) {
	c, n := e.c, ev.r.n
	kp := keeper[Violation]{k: e.p.limit, cmp: func(a, b Violation) int {
		va, _ := c.Lookup(a.Node)
		vb, _ := c.Lookup(b.Node)
		return cmp.Or(cmp.Compare(c.Users(vb), c.Users(va)), cmp.Compare(a.Node, b.Node))
	}}
	for v, s := range ev.sel {
		if !s {
			continue
		}
		pl := e.p.placement(int32(v))
		if msg, removed, ok := pl.check(c, n); !ok {
			kp.offer(Violation{Node: c.VertexName(int32(v)), Removed: removed, Msg: msg})
		}
	}
	return RuleResult{Total: kp.total, Passed: kp.total == 0, Violations: kp.sorted(),
		Summary: fmt.Sprintf("the placement of %d selected nodes", count(ev.sel))}, nil
}

// placement is where a node serves from: the capacity each site gives it
// at the moment of failure (active replicas and mirrors), the standby
// capacity that would come later, and its demand.
type placement struct {
	serving, standby []siteCap // by site, largest first
	need             int64
	weighted         bool // replicas give capacities (else each counts 1)
}

type siteCap struct {
	site int32
	cap  int64
	tier graph.Standby // the standby tier, for standby capacity
}

func (p *plan) placement(v int32) *placement {
	if p.place == nil {
		p.place = make([]*placement, p.c.NodeCount())
	}
	if pl := p.place[v]; pl != nil {
		return pl
	}
	c := p.c
	pl := &placement{need: 1}
	add := func(list *[]siteCap, site int32, capacity int64, tier graph.Standby) {
		for i := range *list {
			if (*list)[i].site == site {
				(*list)[i].cap += capacity
				return
			}
		}
		*list = append(*list, siteCap{site: site, cap: capacity, tier: tier})
	}
	if cv := c.CapacityVertex(v); cv >= 0 {
		pl.need = c.Need(cv)
		ins, ws := c.Inputs(cv)
		caps := c.InputCapacity(cv)
		for i, rv := range ins {
			if c.VertexKind(rv) != graph.ReplicaVertex {
				continue
			}
			if caps[i] != 1 {
				pl.weighted = true
			}
			if ws[i] > 0 {
				add(&pl.serving, c.ReplicaSite(rv), ws[i], graph.Active)
			} else {
				add(&pl.standby, c.ReplicaSite(rv), caps[i], c.Standby(rv))
			}
		}
		pl.weighted = pl.weighted || pl.need != 1
	} else {
		ins, _ := c.Inputs(v)
		for _, u := range ins {
			if c.VertexKind(u) == graph.NodeVertex && c.Kind(u) == graph.Site {
				add(&pl.serving, u, 1, graph.Active)
			}
		}
	}
	// Standby capacity at a site that also serves is not a separate site.
	pl.standby = slices.DeleteFunc(pl.standby, func(s siteCap) bool {
		return slices.ContainsFunc(pl.serving, func(t siteCap) bool { return t.site == s.site })
	})
	bySize := func(a, b siteCap) int { return cmp.Compare(b.cap, a.cap) }
	slices.SortStableFunc(pl.serving, bySize)
	slices.SortStableFunc(pl.standby, bySize)
	p.place[v] = pl
	return pl
}

// withoutLargest is the serving capacity left when the largest site is lost.
func (pl *placement) withoutLargest() int64 {
	var total int64
	for _, s := range pl.serving[min(1, len(pl.serving)):] {
		total += s.cap
	}
	return total
}

func (pl *placement) redundant() bool {
	return len(pl.serving) >= 2 && pl.withoutLargest() >= pl.need
}

// check tells whether the node serves from at least n sites (and, for n >=
// 2, carries its demand without the largest); if not, why, and the site
// whose loss it would not carry.
func (pl *placement) check(c *graph.Compiled, n int) (msg, removed string, ok bool) {
	if len(pl.serving) == 0 && len(pl.standby) == 0 {
		return fmt.Sprintf("has no placement of its own (no site, no replicas), needs %d %s", n, plural(n, "site")), "", false
	}
	largest := ""
	if len(pl.serving) > 0 {
		largest = c.VertexName(pl.serving[0].site)
	}
	if len(pl.serving) < n {
		msg = fmt.Sprintf("serves from %d %s", len(pl.serving), plural(len(pl.serving), "site"))
		if len(pl.serving) > 0 {
			msg += " (" + pl.sites(c, pl.serving, false) + ")"
		}
		msg += fmt.Sprintf(", needs %d", n)
		if len(pl.standby) > 0 {
			msg += "; " + pl.sites(c, pl.standby, true) + " would take over later, not at once"
		}
		return msg, largest, false
	}
	if n >= 2 && pl.withoutLargest() < pl.need {
		return fmt.Sprintf("without its largest site %s (%d), the other sites carry %d of its demand %d",
			largest, pl.serving[0].cap, pl.withoutLargest(), pl.need), largest, false
	}
	return "", "", true
}

// sites lists sites with their capacity: "pangyo 100, gasan 20".
func (pl *placement) sites(c *graph.Compiled, list []siteCap, standby bool) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = c.VertexName(s.site)
		switch {
		case standby && pl.weighted:
			parts[i] += fmt.Sprintf(" (%s standby, %d)", s.tier, s.cap)
		case standby:
			parts[i] += fmt.Sprintf(" (%s standby)", s.tier)
		case pl.weighted:
			parts[i] += fmt.Sprintf(" %d", s.cap)
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
