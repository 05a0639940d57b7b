package diff

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// Options shape a comparison. The zero value compares without a policy.
type Options struct {
	// Policy, when set, is checked on both models; Diff.Policy says which
	// rules newly fail or pass and which violations are new.
	Policy *policy.Policy
	// MaxChains bounds how many of NewSPOFs and of FixedSPOFs (the first,
	// which take the most down) get a Chain: each costs a simulation, and
	// two unrelated large models differ by tens of thousands. 0 means
	// DefaultMaxChains; a negative number, all.
	MaxChains int
	// MaxSPOFs bounds how many single points of failure NewSPOFs and
	// FixedSPOFs list (the ones that take the most down; NewSPOFCount and
	// FixedSPOFCount count them all), and MaxTakes how many protected nodes
	// each SPOF's Takes lists (TakesCount counts them all), so that the
	// diff of two unrelated catalogs stays the size of what a report
	// shows. 0 means the default; a negative number, all.
	MaxSPOFs, MaxTakes int
	// Repair is how long each site is lost for in the comparison of
	// recovery timelines (Diff.Times): 0 means DefaultRepair, a negative
	// time compares none.
	Repair time.Duration
	// Whole ranks every single failure of both models. Without it, and
	// without a policy (whose checks read each model whole), only the
	// failures that can reach a node the change touched are ranked: the
	// others fail alike in both models (see the package documentation).
	// Likewise, without it only the sites whose loss can reach a node
	// whose gates or recovery the change touched are lost for Repair
	// (with or without a policy). The result is the same either way.
	Whole bool
}

// DefaultMaxChains is Options.MaxChains when it is 0.
const DefaultMaxChains = 100

// DefaultMaxSPOFs and DefaultMaxTakes are Options.MaxSPOFs and
// Options.MaxTakes when 0.
const (
	DefaultMaxSPOFs = 1000
	DefaultMaxTakes = 100
)

// bound reads a "0 is the default, negative is no bound" option.
func bound(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return int(^uint(0) >> 1)
	}
	return n
}

// Diff is what changed between two models, nodes matched by id.
type Diff struct {
	Old string // the models' names
	New string

	// Added and Removed are the node ids only one of the models has.
	Added   []string
	Removed []string

	// NewSPOFs are the nodes (other than infrastructure: sites, regions,
	// power, network) whose single failure takes a protected node Down in
	// the new model and did not in the old one; FixedSPOFs the reverse,
	// for nodes both models have. Protected nodes are the tier-0 nodes
	// that are not infrastructure and the user-facing nodes (with users).
	NewSPOFs   []SPOF
	FixedSPOFs []SPOF
	// NewSPOFCount and FixedSPOFCount count every SPOF of each kind;
	// the lists hold at most Options.MaxSPOFs of them.
	NewSPOFCount, FixedSPOFCount int

	// Grew and Shrank are the nodes, in both models, whose blast radius
	// changed: larger first by users Down, then nodes Down, then users and
	// nodes Degraded. Largest change first.
	Grew   []Change
	Shrank []Change

	Redundancy Redundancy

	// Policy compares the checks of Options.Policy; nil without one.
	Policy *PolicyDiff

	// Times compares the recovery timelines of each site lost for
	// Options.Repair (time.go); nil when Repair is negative.
	Times *Times
}

// SPOF is a node whose single failure takes protected nodes Down in one
// model and not in the other.
type SPOF struct {
	ID   string
	Kind graph.Kind
	// Takes are the protected nodes concerned, most users first (at most
	// Options.MaxTakes of them); TakesCount counts them all.
	Takes      []string
	TakesCount int
	// Chain is the chain of causes from the first of Takes down to ID, in
	// the model where the failure takes it Down (for the first
	// Options.MaxChains SPOFs of a list; nil for the others).
	Chain []string
}

// Change is one node's blast radius in both models.
type Change struct {
	ID  string
	Old analyze.Radius
	New analyze.Radius
}

// Redundancy is the redundancy rate (analyze.RedundancyRate) before and
// after.
type Redundancy struct {
	Old *analyze.Redundancy
	New *analyze.Redundancy
	// Lost are services of both models that survived the loss of any one
	// site before and do not now; Gained the reverse.
	Lost   []string
	Gained []string
}

// PolicyDiff compares a policy's checks of the two models.
type PolicyDiff struct {
	Old   *policy.Result
	New   *policy.Result
	Rules []RuleChange
}

// RuleChange is one rule's verdict before and after.
type RuleChange struct {
	Title     string
	Rule      string
	WasPassed bool
	Passed    bool
	OldTotal  int
	NewTotal  int
	// Introduced are violations of the new model that the old one did not
	// have (the same node and scenario), among those listed; none when the
	// old check listed only some of its violations (Policy.MaxViolations).
	Introduced []policy.Violation
}

// NewlyFailing reports whether the rule passed before and fails now.
func (r RuleChange) NewlyFailing() bool { return r.WasPassed && !r.Passed }

// Worse reports whether the change makes the model less resilient: a new
// single point of failure, a service that no longer survives the loss of
// any one site, a lower redundancy rate (by services or by users), or a
// policy rule that newly fails or has new violations, or a site whose
// loss takes longer to recover from or costs more user-hours (Times).
// Blast radii that grow are not counted: adding a service grows them.
func (d *Diff) Worse() bool {
	if d.NewSPOFCount > 0 || len(d.Redundancy.Lost) > 0 || d.Times.worse() {
		return true
	}
	if o, n := d.Redundancy.Old, d.Redundancy.New; o != nil && n != nil && (n.Rate < o.Rate || n.UsersRate < o.UsersRate) {
		return true
	}
	if d.Policy != nil {
		for _, r := range d.Policy.Rules {
			// Introduced lists only what both cut lists show; a total
			// that grew has new violations whether they are listed or not.
			if r.NewlyFailing() || len(r.Introduced) > 0 || r.NewTotal > r.OldTotal {
				return true
			}
		}
	}
	return false
}

// Better reports whether the change makes the model more resilient in some
// way: a single point of failure removed, a service that now survives the
// loss of any one site, a higher redundancy rate, a policy rule that newly
// passes or has fewer violations, a blast radius that shrank, or a site
// whose loss is recovered from sooner (Times). A change can be both
// Better and Worse.
func (d *Diff) Better() bool {
	if d.FixedSPOFCount > 0 || len(d.Redundancy.Gained) > 0 || len(d.Shrank) > 0 || d.Times.better() {
		return true
	}
	if o, n := d.Redundancy.Old, d.Redundancy.New; o != nil && n != nil && (n.Rate > o.Rate || n.UsersRate > o.UsersRate) {
		return true
	}
	if d.Policy != nil {
		for _, r := range d.Policy.Rules {
			if (!r.WasPassed && r.Passed) || r.NewTotal < r.OldTotal {
				return true
			}
		}
	}
	return false
}

// Empty reports whether nothing the diff looks at changed.
func (d *Diff) Empty() bool {
	if len(d.Added)+len(d.Removed)+d.NewSPOFCount+d.FixedSPOFCount+len(d.Grew)+len(d.Shrank)+
		len(d.Redundancy.Lost)+len(d.Redundancy.Gained) > 0 || !d.Times.empty() {
		return false
	}
	if o, n := d.Redundancy.Old, d.Redundancy.New; o != nil && n != nil && (o.Rate != n.Rate || o.UsersRate != n.UsersRate) {
		return false
	}
	if d.Policy != nil {
		for _, r := range d.Policy.Rules {
			if r.WasPassed != r.Passed || r.OldTotal != r.NewTotal || len(r.Introduced) > 0 {
				return false
			}
		}
	}
	return true
}

// Models compares the resilience of two models, from before a change and
// to after it: one ranking pass over all single failures of each (an
// analyze.Ranker, which also finds the single points of failure), the
// loss of each site of each once (for the redundancy rate and, with a
// policy, its check), and, with a policy, one Check of each, which
// shares the model's ranking pass and site losses; and the recovery from
// each site both have, lost for Options.Repair (two analyze.Recover per
// site: Times).
//
// Each model's ranking runs once, in its own batch order. The old model's
// pairs (failed node, protected node it takes Down) are kept per failed
// node; the new model's are compared with them as the ranking finds them
// and counted, each failure keeping the first protected nodes it would
// list (MaxTakes) while it can still be listed. What does not depend on
// the other runs beside it: the recoveries beside the ranking passes (one
// at a time) and then on every core, beside the radii and the two lists
// of SPOFs; the two models' site losses side by side once the recoveries
// are done (each phase's memory is gone before the next one's is taken),
// and the two checks side by side.
//
// Without a policy, only the failures that can reach a node the change
// touched are ranked, and only the sites whose loss can reach a change are
// lost for Repair (unless opts.Whole): the others fail and recover alike in
// both models, so a small change to a large model ranks a small part of it.
func Models(ctx context.Context, from, to *graph.Compiled, opts Options) (*Diff, error) {
	d := &Diff{Old: from.Name(), New: to.Name()}
	lim := limits{chains: bound(opts.MaxChains, DefaultMaxChains), spofs: bound(opts.MaxSPOFs, DefaultMaxSPOFs), takes: bound(opts.MaxTakes, DefaultMaxTakes)}
	// With a policy, each model's check shares the model's ranking pass,
	// site losses and redundancy rate with the diff: two passes in all,
	// not four, and each site lost once.
	var kFrom, kTo *policy.Checker
	if opts.Policy != nil {
		var err error
		if kFrom, err = policy.Prepare(from, opts.Policy); err != nil {
			return nil, err
		}
		if kTo, err = policy.Prepare(to, opts.Policy); err != nil {
			return nil, err
		}
	}
	m := matchModels(from, to)
	// The recoveries need nothing of the ranking passes: they run beside
	// them, one at a time, on the core that the passes' sequential parts
	// (the batch order, the sort of the radii) leave idle, and on every
	// core once the passes are done (more).
	timesDone, more := make(chan error, 1), make(chan struct{})
	// On an error of the passes or the SPOFs the recoveries are cancelled,
	// not waited for to the end.
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The changes are found once, for both scopes that read them: the
	// failures ranked (without a policy) and the sites lost for Repair;
	// none with Whole (nil: every failure and every site).
	var ch *changes
	if !opts.Whole && (opts.Policy == nil || opts.Repair >= 0) {
		ch = changesOf(m)
	}
	go func() { timesDone <- d.times(tctx, m, opts.Repair, ch, more) }()
	sc := wholeScope
	if opts.Policy == nil && !opts.Whole {
		sc = scopeOf(m, ch)
	}
	sd, err := rankBoth(ctx, m, sc, kFrom, kTo, lim)
	close(more)
	if err != nil {
		cancel()
		<-timesDone
		return nil, err
	}
	d.nodes(m)
	// The radii that changed need nothing of the SPOFs: beside them.
	radiiDone := make(chan struct{})
	go func() {
		defer close(radiiDone)
		d.radii(m, sd)
	}()
	err = d.spofs(ctx, m, sd, lim)
	<-radiiDone
	if err != nil {
		cancel()
	}
	if err := cmp.Or(err, <-timesDone); err != nil {
		return nil, err
	}
	// Of the passes only a policy's sorted radii are read from here on:
	// the rankers' sums and the kept first pairs (0.2 GB at 1,000,000
	// nodes) are garbage before the site losses take theirs.
	oldRanked, newRanked := sd.oldRanked, sd.newRanked
	sd = nil
	// The site losses come last, not beside the passes or the recoveries:
	// the redundancy rate the report carries lists every service each site
	// takes Down, which at 1,000,000 nodes and 16 sites is 0.55 GB live
	// (the lists as vertices, kept per graph, and named for the report),
	// a quarter of the heap at the passes' peak, and the passes leave
	// little of a core idle.
	var lost [2]siteLosses
	lostDone := make(chan error, 1)
	go func() { lostDone <- lost[0].run(ctx, from, kFrom) }()
	err = lost[1].run(ctx, to, kTo)
	if err := cmp.Or(<-lostDone, err); err != nil {
		return nil, err
	}
	d.redundancy(m, &lost)
	if opts.Policy != nil {
		var old, now *policy.Result
		var errOld error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			old, errOld = kFrom.Finish(ctx, lost[0].shared(oldRanked))
		}()
		now, err := kTo.Finish(ctx, lost[1].shared(newRanked))
		wg.Wait()
		if errOld != nil {
			return nil, errOld
		}
		if err != nil {
			return nil, err
		}
		d.Policy = comparePolicy(old, now)
	}
	return d, nil
}

func (d *Diff) nodes(m *match) {
	for v, fo := range m.toOld {
		if fo < 0 {
			d.Added = append(d.Added, m.to.VertexName(int32(v)))
		}
	}
	for v, u := range m.oldToN {
		if u < 0 {
			d.Removed = append(d.Removed, m.from.VertexName(int32(v)))
		}
	}
}

// compareRadius orders radii: users Down, nodes Down, users Degraded, nodes
// Degraded.
func compareRadius(a, b analyze.Radius) int {
	return cmp.Or(
		cmp.Compare(a.UsersDown, b.UsersDown),
		cmp.Compare(a.Down, b.Down),
		cmp.Compare(a.UsersDegraded, b.UsersDegraded),
		cmp.Compare(a.Degraded, b.Degraded),
	)
}

// radii fills in Grew and Shrank: the nodes of both models whose radius
// changed, ordered by size (sizeOrdered). Two unrelated catalogs of 1,000,000
// nodes change almost every radius: the changes are found and sorted as
// 32-byte keys, and each list is made once, at its length, in its order
// (appending 180-byte changes and sorting a copy of them held three times
// the lists, 0.5 GB, at the diff's peak of memory). It runs beside the
// lists of SPOFs, which take a core for a tenth of its time: the two
// halves of the nodes are compared on two cores, and the two lists sorted
// and made on two (on one, 1.4 s of a 1,000,000-node diff left the other
// core idle).
func (d *Diff) radii(m *match, sd *sides) {
	var half [2][2][]sizeKey // per half of the nodes: grew, shrank
	n := len(m.toOld)
	var wg sync.WaitGroup
	for h := range half {
		wg.Go(func() { half[h][0], half[h][1] = changedRadii(m, sd, int32(h*n/2), int32((h+1)*n/2)) })
	}
	wg.Wait()
	wg.Go(func() { d.Grew = sizeOrdered(m, sd, append(half[0][0], half[1][0]...)) })
	d.Shrank = sizeOrdered(m, sd, append(half[0][1], half[1][1]...))
	wg.Wait()
}

// changedRadii returns the keys of the new model's nodes lo..hi-1 whose
// radius grew and of those whose radius shrank, in vertex order.
func changedRadii(m *match, sd *sides, lo, hi int32) (grew, shrank []sizeKey) {
	for v := lo; v < hi; v++ {
		fo := m.toOld[v]
		if fo < 0 {
			continue
		}
		o, ok := radius(sd.rOld, fo)
		if !ok {
			continue
		}
		n, _ := radius(sd.rNew, v)
		k := sizeKey{abs(n.UsersDown - o.UsersDown), abs(int64(n.Down - o.Down)), abs(n.UsersDegraded - o.UsersDegraded), v, fo}
		switch compareRadius(n, o) {
		case 1:
			grew = append(grew, k)
		case -1:
			shrank = append(shrank, k)
		}
	}
	return grew, shrank
}

// sizeKey is what bySize orders a change by: the absolute change of users
// Down, nodes Down and users Degraded, and the new model's vertex (for its
// id, and to make the change) and the old one's (in what would be the
// struct's padding: one random read less per change).
type sizeKey struct {
	users, nodes, degraded int64
	v, fo                  int32
}

// sizeOrdered returns the changes of keys, ordered by size: users Down, nodes
// Down, users Degraded (each the absolute change), largest first, then by
// id; nil for none.
func sizeOrdered(m *match, sd *sides, keys []sizeKey) []Change {
	if len(keys) == 0 {
		return nil
	}
	c := m.to
	slices.SortFunc(keys, func(a, b sizeKey) int {
		// The ids only on a tie: cmp.Or would compare them every time,
		// most of the sort's time.
		if k := cmp.Or(cmp.Compare(b.users, a.users), cmp.Compare(b.nodes, a.nodes), cmp.Compare(b.degraded, a.degraded)); k != 0 {
			return k
		}
		return cmp.Compare(c.VertexName(a.v), c.VertexName(b.v))
	})
	out := make([]Change, len(keys))
	for i, k := range keys {
		o, _ := radius(sd.rOld, k.fo)
		n, _ := radius(sd.rNew, k.v)
		out[i] = Change{ID: o.ID, Old: o, New: n}
	}
	return out
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// siteLosses is what losing each site of one model once gives: its
// redundancy rate, the services that some site's loss takes Down or
// Degraded (lost; measured marks the services the rate measures), and,
// for a policy check that loses the sites or regions too, the states
// after those losses.
type siteLosses struct {
	red      *analyze.Redundancy
	lost     []bool // per node
	measured []bool // per node
	losses   *analyze.Losses
}

// run loses each site of c once, and each region when k loses them, in
// one pass of the batch engine (analyze.LoseEach), from whose states both
// the redundancy rate (analyze.RedundancyRateLosses) and k's rules read
// (without a check that loses them, the rate loses the sites itself,
// unless it is kept for c already), and marks the services some loss
// takes Down or Degraded from the rate's lists, by vertex (the rate reads
// every service's state from each loss already: reading them again here
// was a tenth of the site losses of 1,000,000 nodes, and looking up the
// names it lists a twentieth of the diff).
func (s *siteLosses) run(ctx context.Context, c *graph.Compiled, k *policy.Checker) error {
	s.lost, s.measured = make([]bool, c.NodeCount()), make([]bool, c.NodeCount())
	for _, v := range analyze.Measured(c) {
		s.measured[v] = true
	}
	if k != nil && (k.LosesSites() || k.LosesRegions()) {
		// Sites first, then regions, each in model order: as
		// Shared.Losses asks.
		var sites, regions []int32
		for v := range int32(c.NodeCount()) {
			switch c.Kind(v) {
			case graph.Site:
				sites = append(sites, v)
			case graph.Region:
				if k.LosesRegions() {
					regions = append(regions, v)
				}
			}
		}
		var err error
		if s.losses, err = analyze.LoseEach(ctx, c, append(sites, regions...)); err != nil {
			return err
		}
	}
	// The report carries the rate with its lists named (the JSON document
	// prints them), from the same call as the lists as vertices.
	red, lists, err := analyze.RedundancyRateLosses(ctx, c, s.losses)
	if err != nil {
		return err
	}
	for _, l := range lists {
		for _, vs := range [][]int32{l.Down, l.Degraded} {
			for _, v := range vs {
				s.lost[v] = true
			}
		}
	}
	s.red = red
	return nil
}

// shared is what a policy check of the model reuses of the diff's passes.
func (s *siteLosses) shared(radii []analyze.Radius) policy.Shared {
	return policy.Shared{Radii: radii, Redundancy: s.red, Losses: s.losses}
}

// redundancy fills in the redundancy rates and the services lost and
// gained. Services are measured in each model; one that was not measured
// (no users) or did not exist before is neither lost nor gained.
func (d *Diff) redundancy(m *match, lost *[2]siteLosses) {
	o, n := &lost[0], &lost[1]
	d.Redundancy.Old, d.Redundancy.New = o.red, n.red
	for v, fo := range m.toOld {
		lostOld := fo >= 0 && o.lost[fo]
		if n.lost[v] && !lostOld && fo >= 0 && o.measured[fo] {
			d.Redundancy.Lost = append(d.Redundancy.Lost, m.to.VertexName(int32(v)))
		}
		if lostOld && !n.lost[v] && n.measured[v] {
			d.Redundancy.Gained = append(d.Redundancy.Gained, m.to.VertexName(int32(v)))
		}
	}
}

// violationKey is what makes two violations of a rule the same: the node
// and the scenario for the rules that try scenarios one by one, the node
// alone for the others (the redundancy rate names the worst site for each
// service, which may change while the service still fails).
func violationKey(rule string, v policy.Violation) [2]string {
	switch rule {
	case "survive_site_loss", "survive_region_loss", "no_spof", "recover_within":
		return [2]string{v.Node, v.Removed}
	}
	return [2]string{v.Node, ""}
}

func comparePolicy(before, after *policy.Result) *PolicyDiff {
	pd := &PolicyDiff{Old: before, New: after}
	for i, n := range after.Rules {
		o := before.Rules[i]
		rc := RuleChange{Title: n.Title(), Rule: n.Rule, WasPassed: o.Passed, Passed: n.Passed, OldTotal: o.Total, NewTotal: n.Total}
		// With the old list cut at the policy's MaxViolations, what it
		// left out is unknown: nothing is said to be introduced.
		if o.Total == len(o.Violations) {
			had := make(map[[2]string]bool, len(o.Violations))
			for _, v := range o.Violations {
				had[violationKey(n.Rule, v)] = true
			}
			for _, v := range n.Violations {
				if !had[violationKey(n.Rule, v)] {
					rc.Introduced = append(rc.Introduced, v)
				}
			}
		}
		pd.Rules = append(pd.Rules, rc)
	}
	return pd
}
