package policy

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// Check evaluates every rule of p on c. It returns a *graph.ValidationError
// listing every problem when a rule cannot be evaluated on c (an unknown
// node id in a selector, a selector that picks no node, a share above
// 100%, ...), with the file and line when the policy was read from a file;
// other errors are those of ctx.
//
// However many rules there are, Check runs at most one ranking pass over
// all single failures (an analyze.Ranker: the blast radius of every node
// and which protected nodes each takes Down, for MaxBlastRadius and NoSPOF),
// one pass of the batch engine for the losses of every site
// (SurviveSiteLoss, MinRedundancyRate) and region (SurviveRegionLoss),
// 64 of them at a time (analyze.LoseEach), from whose states the
// redundancy rate is counted, and one analyze.Recover per site (or
// region) per repair time the recovery rules ask for (RecoverWithin, a
// survive rule's within); the losses and the recoveries run beside the
// ranking pass, on all cores. SitesAtLeast reads the compiled placements.
// Each rule keeps only the violations it lists (and counts the others),
// and only those get a chain of causes: for a single failure (NoSPOF,
// MaxBlastRadius) one analyze.Chain, or one Simulate of the failure,
// shared by the rules; for a site's or region's loss one analyze.Chain.
// A nil policy has no rules.
func Check(ctx context.Context, c *graph.Compiled, p *Policy) (*Result, error) {
	k, err := Prepare(c, p)
	if err != nil {
		return nil, err
	}
	return k.Finish(ctx, Shared{})
}

// Checker is a policy prepared for one model: Check is Prepare, then
// Finish. A caller that runs a ranking pass over the model's single
// failures for its own questions (package diff does) shares it with the
// policy instead of running two: it watches Watch too, passes every batch
// of hits to the function Sink returns, and gives the radii to Finish; a
// caller that lost the sites gives their states too (Shared.Losses, with
// the regions when LosesRegions; or outcomes, Shared.Lost, when
// LosesSites).
type Checker struct {
	p   *Policy
	pl  *plan
	evs []evaluator
}

// Shared is what a caller already computed on the model, for Finish to
// reuse rather than compute again.
type Shared struct {
	// Radii is the ranking of every node, or of every node that is not
	// infrastructure (analyze.RankWatchVertices), whose hits, watching at least
	// Checker.Watch, all went to Checker.Sink; nil: Finish ranks.
	Radii []analyze.Radius
	// Redundancy is analyze.RedundancyRate of the model; nil: Finish
	// computes it when a rule needs it.
	Redundancy *analyze.Redundancy
	// Lost, when not nil, returns the outcome of the loss of site or
	// region v alone (analyze.Simulate of analyze.Fail), or nil to have
	// Finish simulate it: a caller that lost the sites for its own
	// questions (package diff, for the redundancy rate) hands them over
	// when LosesSites, so that each site is lost once.
	Lost func(v int32) *analyze.Outcome
	// Losses, when not nil, holds the states after the loss of sites or
	// regions alone (analyze.LoseEach), beside any other losses, in any
	// order: Finish reads the loss of each site or region it holds and
	// Lost did not give, rather than lose it again. A caller that lost
	// the sites for its own questions (package diff, for the redundancy
	// rate: analyze.RedundancyRateLosses) loses LosesSites' sites and
	// LosesRegions' regions with them, sites first in model order and
	// then regions, so that one pass of the batch engine serves both.
	Losses *analyze.Losses
}

// Prepare validates p against c (the errors of Check) and plans its
// passes.
func Prepare(c *graph.Compiled, p *Policy) (*Checker, error) {
	if p == nil {
		p = &Policy{}
	}
	pl := &plan{c: c, limit: p.limit(), chainLimit: p.chainLimit(), at: p.at}
	pl.byID = sync.OnceValue(func() []int32 { return idRanks(c) })
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
	return &Checker{p: p, pl: pl, evs: evs}, nil
}

// Ranks reports whether the policy needs a ranking pass.
func (k *Checker) Ranks() bool { return k.pl.rank }

// LosesSites reports whether the policy needs the loss of each site
// (Shared.Losses, or outcomes in Shared.Lost).
func (k *Checker) LosesSites() bool { return k.pl.sites }

// LosesRegions reports whether the policy needs the states after the
// loss of each region (Shared.Losses).
func (k *Checker) LosesRegions() bool { return k.pl.regions }

// Watch returns the nodes (vertices) whose hits the policy needs from a
// ranking pass, in vertex order.
func (k *Checker) Watch() []int32 {
	var watch []int32
	for v, w := range k.pl.watch {
		if w {
			watch = append(watch, int32(v))
		}
	}
	return watch
}

// Sink returns what takes a shared ranking pass's hits (an
// analyze.Ranker's, with workers workers): calls with the same worker
// number one at a time, with different ones at once. It ignores the
// failures of infrastructure and the nodes it does not watch. Each rule
// keeps what it lists per worker and merges at Finish; call Sink once.
func (k *Checker) Sink(workers int) func(worker int, hb *analyze.HitBatch) { return k.pl.sink(workers) }

// Finish runs the passes Shared does not hold and evaluates every rule. A
// Checker is finished once.
func (k *Checker) Finish(ctx context.Context, sh Shared) (*Result, error) {
	c, p := k.pl.c, k.p
	e, err := k.pl.run(ctx, sh)
	if err != nil {
		return nil, err
	}
	res := &Result{Policy: p.Name, Model: c.Name(), Rules: make([]RuleResult, len(p.Rules))}
	for i, r := range p.Rules {
		e.rule = i
		rr, err := k.evs[i].eval(e)
		if err != nil {
			return nil, err
		}
		m := r.info()
		rr.Rule, rr.Name, rr.Description, rr.Definition, rr.Pos = r.Name(), m.label, m.desc, r, m.pos
		if rr.Violations == nil {
			rr.Violations = []Violation{}
		}
		for j := range rr.Violations {
			if v, ok := c.Lookup(rr.Violations[j].Node); ok {
				rr.Violations[j].Pos = c.Pos(v)
			}
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
	c          *graph.Compiled
	limit      int // violations listed per rule
	chainLimit int // links per chain
	at         map[string]graph.Pos

	rank           bool
	watch          []bool // per node: some NoSPOF rule protects it
	onHits         []hitRule
	sites, regions bool
	redundancy     bool
	recovers       map[recoverKey]bool // the timelines of site or region losses the rules read

	place []*placement // per node, computed on first use

	// byID is per node its rank in id order, made once, on first use
	// (from any goroutine): wantByID says a rule will use it, so that run
	// makes it beside the ranking pass's start.
	byID     func() []int32
	wantByID bool
}

// idRank returns each model node's rank in the order of ids, so that hot
// comparisons by id compare integers.
func (p *plan) idRank() []int32 { return p.byID() }

// idRanks returns each model node's rank in the order of ids.
func idRanks(c *graph.Compiled) []int32 {
	order := make([]int32, c.NodeCount())
	for v := range order {
		order[v] = int32(v)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(c.VertexName(a), c.VertexName(b)) })
	byID := make([]int32, len(order))
	for k, v := range order {
		byID[v] = int32(k)
	}
	return byID
}

// env holds the passes' results, shared by the rules.
type env struct {
	ctx context.Context
	c   *graph.Compiled
	p   *plan
	// The radii of the ranking pass: radii when Shared held them (in
	// Rank's order), else ranker's.
	radii  []analyze.Radius
	ranker *analyze.Ranker
	// sites and regions are the losses of each, in model order.
	sites, regions []loss
	// lost holds the states after every site's loss, site i as loss i,
	// when sitesLost.
	lost *analyze.Losses
	// surv is the redundancy rate's counts (MinRedundancyRate) and
	// scenarios the number of sites it lost.
	surv      analyze.Survival
	scenarios int
	users     int64 // all users of the model

	// timelines are the recoveries from the losses of sites and regions,
	// per repair time, in the order of sites and regions.
	timelines map[recoverKey][]*analyze.Timeline

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

// loss is the loss of site or region v alone: its outcome when Shared.Lost
// gave one, else loss i of ls (Shared.Losses, or the losses Finish found).
type loss struct {
	v  int32
	o  *analyze.Outcome
	ls *analyze.Losses
	i  int
}

// state returns the state of vertex v after l.
func (e *env) state(l loss, v int32) analyze.State {
	if l.o != nil {
		return l.o.VertexState(v)
	}
	return l.ls.State(l.i, v)
}

// sitesLost reports whether every site's loss is in e.lost, site i as
// loss i.
func (e *env) sitesLost() bool {
	for i, l := range e.sites {
		if l.o != nil || l.ls != e.lost || l.i != i {
			return false
		}
	}
	return true
}

// lossChain returns the chain of causes of node id after l, cut as
// setChain cuts it: from its outcome, or by analyze.Chain, which
// simulates only id's ancestry (each chain a Simulate of the whole site
// or one outcome per site held would cost more).
func (e *env) lossChain(v *Violation, l loss, id string) error {
	if l.o != nil {
		e.setChain(v, l.o.Chain(id))
		return nil
	}
	chain, err := analyze.Chain(e.c, e.c.VertexName(l.v), id)
	if err != nil {
		return err
	}
	e.setChain(v, chain)
	return nil
}

func (p *plan) run(ctx context.Context, sh Shared) (*env, error) {
	c := p.c
	e := &env{ctx: ctx, c: c, p: p, wanted: make(map[int32][]chainWanted), radii: sh.Radii}
	if red := sh.Redundancy; red != nil {
		e.surv, e.scenarios = survival(red), len(red.Sites)
	}
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		e.users += c.Users(v)
	}
	// The site and region losses and the recoveries need nothing of the
	// ranking pass: they run beside it, on the core that its sequential
	// parts (the batch order) leave idle.
	done := make(chan error, 1)
	go func() {
		if p.wantByID {
			// Made here, beside the ranking pass's start (its layout),
			// rather than before it: the hits wait for it only if they
			// come first.
			p.idRank()
		}
		done <- e.lose(ctx, sh)
	}()
	rankErr := p.rankPass(ctx, e, sh)
	if err := <-done; err != nil {
		return nil, err
	}
	if rankErr != nil {
		return nil, rankErr
	}
	return e, nil
}

// rankPass runs the ranking pass, unless sh holds it.
func (p *plan) rankPass(ctx context.Context, e *env, sh Shared) error {
	if !p.rank || sh.Radii != nil {
		return nil
	}
	var watch []int32
	for v, w := range p.watch {
		if w {
			watch = append(watch, int32(v))
		}
	}
	r, err := analyze.NewRanker(p.c, analyze.RankOptions{Kinds: software()}, watch)
	if err != nil {
		return err
	}
	var hits func(int, *analyze.HitBatch)
	if len(p.onHits) > 0 {
		hits = p.sink(r.Workers())
	}
	if err := r.Run(ctx, r.Candidates(), hits); err != nil {
		return err
	}
	// The radii are read from the Ranker node by node (RadiusOf), not
	// sorted by Radii: the rules keep what they list in their own order,
	// and the sort of a million radii was a second of CPU.
	e.ranker = r
	return nil
}

// lose finds the states after the loss of each site and region the
// rules need that sh does not hold (neither an outcome of Lost nor a loss
// of Losses: analyze.LoseEach, one pass of the batch engine for 64 of
// them, beside the ranking pass), runs the
// recoveries the rules ask for, and counts the redundancy rate from the
// sites' states when a rule needs it and sh did not hold it.
func (e *env) lose(ctx context.Context, sh Shared) error {
	c, p := e.c, e.p
	var held map[int32]int // sh.Losses: node → its first loss
	if sh.Losses != nil {
		held = make(map[int32]int, sh.Losses.Len())
		for i := sh.Losses.Len() - 1; i >= 0; i-- {
			held[sh.Losses.Lost(i)] = i
		}
	}
	var rest []int32 // the losses sh does not hold: sites first, then regions
	for _, kind := range []graph.Kind{graph.Site, graph.Region} {
		if (kind == graph.Site && !p.sites) || (kind == graph.Region && !p.regions) {
			continue
		}
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			if c.Kind(v) != kind {
				continue
			}
			l := loss{v: v, i: -1}
			if sh.Lost != nil {
				l.o = sh.Lost(v)
			}
			if i, ok := held[v]; ok && l.o == nil {
				l.ls, l.i = sh.Losses, i
			}
			if l.o == nil && l.ls == nil {
				l.i = len(rest)
				rest = append(rest, v)
			}
			if kind == graph.Site {
				e.sites = append(e.sites, l)
			} else {
				e.regions = append(e.regions, l)
			}
		}
	}
	own, err := analyze.LoseEach(ctx, c, rest)
	if err != nil {
		return err
	}
	for _, ls := range [][]loss{e.sites, e.regions} {
		for i := range ls {
			if ls[i].o == nil && ls[i].ls == nil {
				ls[i].ls = own
			}
		}
	}
	e.lost = own
	if len(e.sites) > 0 && e.sites[0].o == nil {
		e.lost = e.sites[0].ls
	}
	if err := e.recoverAll(ctx); err != nil {
		return err
	}
	if p.redundancy && sh.Redundancy == nil {
		if e.sitesLost() {
			e.surv, e.scenarios = e.lost.SurvivalOf(0, len(e.sites)), len(e.sites)
			return nil
		}
		// Site i is not loss i of one Losses (some came as outcomes, or
		// Shared.Losses holds them in another order): the rate reads the
		// outcomes and loses the others itself.
		bySite := make(map[int32]*analyze.Outcome, len(e.sites))
		for _, l := range e.sites {
			bySite[l.v] = l.o
		}
		red, err := analyze.RedundancyRateFrom(ctx, c, func(v int32) *analyze.Outcome { return bySite[v] })
		if err != nil {
			return err
		}
		e.surv, e.scenarios = survival(red), len(red.Sites)
	}
	return nil
}

// survival is the counts of a redundancy rate.
func survival(red *analyze.Redundancy) analyze.Survival {
	return analyze.Survival{Services: red.Services, Survive: red.Survive, Users: red.Users,
		SurviveUsers: red.SurviveUsers, Rate: red.Rate, UsersRate: red.UsersRate}
}

// onCores runs job(0) to job(n-1) on every core, each job on one
// goroutine, and returns the error of the first job in order that failed
// (as if they had run one after another).
func onCores(n int, job func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				errs[i] = job(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// hitRule is a rule that reads a ranking pass's hits: start is called
// once with the number of workers, then hits with each part of a batch
// and the mask of its failures that count (not infrastructure), one call
// at a time per worker.
type hitRule interface {
	start(workers int)
	hits(worker int, hb *analyze.HitBatch, counted uint64)
}

// sink starts the rules that read hits and returns what hands them each
// part of a batch.
func (p *plan) sink(workers int) func(worker int, hb *analyze.HitBatch) {
	for _, r := range p.onHits {
		r.start(workers)
	}
	c := p.c
	return func(worker int, hb *analyze.HitBatch) {
		var counted uint64
		for i, s := range hb.Sources {
			if !c.Kind(s).Infrastructure() {
				counted |= 1 << i
			}
		}
		if counted == 0 {
			return
		}
		for _, r := range p.onHits {
			r.hits(worker, hb, counted)
		}
	}
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

// cut keeps the first links of a chain, at most the policy's MaxChain, and
// counts the rest: a report stays linear in the violations it lists however
// long the chains of the model.
func (e *env) cut(chain []string) ([]string, int) {
	if len(chain) <= e.p.chainLimit {
		return chain, 0
	}
	return slices.Clip(chain[:e.p.chainLimit]), len(chain) - e.p.chainLimit
}

func (e *env) setChain(v *Violation, chain []string) { v.Chain, v.ChainCut = e.cut(chain) }

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
	if err := e.victims(); err != nil {
		return err
	}
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
				e.setChain(&res.Rules[w.r].Violations[w.i], chain)
			}
			continue
		}
		o, err := analyze.Simulate(e.ctx, e.c, analyze.Fail(e.c.VertexName(f)))
		if err != nil {
			return err
		}
		for _, w := range e.wanted[f] {
			victim := w.victim
			if victim == "" {
				victim = mostUsersDown(o)
			}
			if victim != "" {
				e.setChain(&res.Rules[w.r].Violations[w.i], o.Chain(victim))
			}
		}
	}
	return nil
}

// victims names the victim of each chain asked for without one: the node
// with users that the failure takes Down with the most users (then the
// first by id). One ranking pass over the listed failures alone, watching
// every node with users, finds them all: the batch engine simulates 64
// failures at once, where one Simulate per failure and a scan of all it
// reaches was half of a Check on a 100,000-node catalog. A failure that
// takes no node with users Down keeps "" and is simulated in chains.
func (e *env) victims() error {
	c := e.c
	var ids []string
	for _, f := range e.failedAt {
		if !e.victimsKnown(f) {
			ids = append(ids, c.VertexName(f))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var watch []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if c.Users(v) > 0 {
			watch = append(watch, v)
		}
	}
	best := make([]int32, c.NodeCount()) // per failed node: 1 + its victim, or 0
	_, err := analyze.RankWatchVertices(e.ctx, c, analyze.RankOptions{IDs: ids}, watch, func(hs []analyze.Hit) {
		for _, h := range hs {
			b, u := best[h.Failed]-1, c.Users(h.Down)
			if b < 0 || u > c.Users(b) || (u == c.Users(b) && c.VertexName(h.Down) < c.VertexName(b)) {
				best[h.Failed] = h.Down + 1
			}
		}
	})
	if err != nil {
		return err
	}
	for _, f := range e.failedAt {
		b := best[f] - 1
		if b < 0 {
			continue
		}
		for i := range e.wanted[f] {
			if e.wanted[f][i].victim == "" {
				e.wanted[f][i].victim = c.VertexName(b)
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
