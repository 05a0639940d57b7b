package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// Radius is the blast radius of one node's failure, alone.
type Radius struct {
	ID   string     `json:"id"`
	Kind graph.Kind `json:"-"`
	Tier int        `json:"-"`
	// Down and Degraded count the model's nodes (not replicas) in each
	// state; Down includes the failed node itself.
	Down     int `json:"down"`
	Degraded int `json:"degraded"`
	// UsersDown and UsersDegraded sum the users of those nodes
	// (user-services, as in Totals).
	UsersDown     int64 `json:"users_down"`
	UsersDegraded int64 `json:"users_degraded"`
	// Tier0 counts the tier-0 nodes that are not infrastructure (site,
	// region, power, network) and are Down or Degraded.
	Tier0 int `json:"tier0_hit"`
}

// CompareRadii orders two radii as Rank returns them: by users Down, users
// Degraded, nodes Down, nodes Degraded, largest first, then by id. It is
// the rule; Rank sorts by a faster form of it (sortRadii), which
// TestRankMatchesSimulate holds to it.
func CompareRadii(a, b Radius) int {
	return cmp.Or(cmp.Compare(b.UsersDown, a.UsersDown), cmp.Compare(b.UsersDegraded, a.UsersDegraded),
		cmp.Compare(b.Down, a.Down), cmp.Compare(b.Degraded, a.Degraded), cmp.Compare(a.ID, b.ID))
}

// RankOptions select and shape a ranking. The zero value ranks every node.
type RankOptions struct {
	// Kinds keeps only candidates of these kinds; empty keeps all.
	Kinds []graph.Kind
	// IDs keeps only these candidates; empty keeps all. An unknown id is an
	// error.
	IDs []string
	// Top keeps the first Top radii after sorting; 0 keeps all.
	Top int
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each batch of candidates with
	// how many are done out of how many, from one goroutine at a time.
	Progress func(done, total int)
}

// Rank computes the blast radius of every candidate node's single failure
// and returns them sorted by users Down, then users Degraded, then nodes
// Down, then nodes Degraded, largest first (then by id).
//
// It does not simulate one failure at a time: candidates go through the
// engine 64 at a time, one per bit of a word (see batch), over the graph in
// topological order, batched so that a batch's failures reach mostly the
// same vertices (see batchOrder), on all cores. A candidate nothing depends
// on is only itself. The first ranking of a graph also makes what every
// later one reuses (the graph renumbered, the batch order); the graph keeps
// it while it lives. The result equals one Simulate per candidate exactly;
// tests check it on random graphs.
func Rank(ctx context.Context, c *graph.Compiled, opts RankOptions) ([]Radius, error) {
	return RankWatchVertices(ctx, c, opts, nil, nil)
}

// Hit is one single failure that takes a watched node Down, in the
// low-level numbering of RankWatchVertices: both are dense vertex numbers
// of graph.Compiled. IDs names them.
type Hit struct {
	Failed int32 // the candidate that failed alone (a model node's vertex)
	Down   int32 // the watched node it takes Down; never Failed itself
}

// IDs returns the ids of the failed and the watched node.
func (h Hit) IDs(c *graph.Compiled) (failed, down string) {
	return c.VertexName(h.Failed), c.VertexName(h.Down)
}

// RankWatchVertices is Rank with a second answer from the same pass:
// besides every candidate's blast radius, it reports each pair of a
// candidate and a watched node that the candidate's single failure takes
// Down. The radii are those of Rank with the same options, in the same
// order.
//
// It is low-level: watch and the hits are dense vertex numbers of
// graph.Compiled (a model node's, as from Compiled.Lookup; VertexName
// turns one back into its id), the numbering in which the policy and diff
// packages keep their per-node tables. For the single failures that take
// one node Down, SPOFs is the call by id.
//
// hits, when not nil, receives the pairs a batch of candidates found, in
// parts of at most a few thousand, from one goroutine at a time, in no
// particular order; it must not keep the slice. Answering several
// questions about single failures in one pass (the radius of each, which
// protected services each takes Down) is what lets a policy check cost one
// ranking, not one per rule. A Ranker gives the same pairs as masks, to
// consumers that run on every worker at once.
func RankWatchVertices(ctx context.Context, c *graph.Compiled, opts RankOptions, watch []int32, hits func([]Hit)) ([]Radius, error) {
	r, err := NewRanker(c, opts, watch)
	if err != nil {
		return nil, err
	}
	var each func(int, *HitBatch)
	if hits != nil {
		var mu sync.Mutex // serializes hits
		bufs := make([][]Hit, r.Workers())
		each = func(w int, hb *HitBatch) {
			buf := bufs[w][:0]
			for i, x := range hb.Down {
				for m := hb.Lanes[i]; m != 0; m &= m - 1 {
					buf = append(buf, Hit{Failed: hb.Sources[bits.TrailingZeros64(m)], Down: x})
				}
			}
			bufs[w] = buf
			mu.Lock()
			defer mu.Unlock()
			hits(buf)
		}
	}
	if err := r.Run(ctx, r.cands, each); err != nil {
		return nil, err
	}
	return r.Radii()
}

// HitBatch is what part of one batch of a ranking pass found about the
// watched nodes: the batch's failed candidates, Sources (at most 64), and
// for each watched node Down[i] that some of them take Down, the mask of
// those that do: bit j of Lanes[i] for Sources[j], never for the node's own
// failure. A failure that takes a popular service Down shares it with most
// of its batch (the batch order groups failures that reach the same
// vertices), so one mask stands for many pairs, and a consumer that only
// counts them counts bits. Pos[i] is Down[i]'s place in the engine's
// layout (Ranker.Positions), ascending within a part, as the batch sweeps
// it: a consumer that keeps its per-node state by place reads it in order.
type HitBatch struct {
	Sources []int32
	Down    []int32
	Lanes   []uint64
	Pos     []int32
}

// hitPart is how many watched nodes a HitBatch holds at most: a worker's
// buffer stays a few tens of kilobytes however much a batch reaches.
const hitPart = 4096

// Ranker ranks a model's single failures in parts: NewRanker selects the
// candidates (as Rank's options do), each Run runs some of them through
// the batch engine, and Radii, once every candidate has run, returns the
// ranking Rank would. Running the candidates in parts lets a caller keep
// only one part's pairs at a time (package diff compares two models part by
// part), with the radii and their order unchanged.
type Ranker struct {
	c       *graph.Compiled
	opts    RankOptions
	cands   []int32
	watch   []int32
	workers int
	sums    []radiusKey
	index   []int32 // candidate vertex → its slot, or -1
	ran     []bool  // per slot
	done    int     // candidates run

	once    sync.Once
	watched []bool   // per position
	lanes   [][]int8 // per worker, per position: 1 + the lane of that source in the batch, or 0
	parts   []HitBatch
}

// NewRanker selects the candidates of opts (an unknown id is an error, as
// for Rank) and the nodes to watch (vertices of model nodes).
func NewRanker(c *graph.Compiled, opts RankOptions, watch []int32) (*Ranker, error) {
	cands, err := candidates(c, opts.Kinds, opts.IDs)
	if err != nil {
		return nil, err
	}
	for _, v := range watch {
		if v < 0 || int(v) >= c.NodeCount() {
			return nil, fmt.Errorf("watch: vertex %d is not a node of the model", v)
		}
	}
	w := opts.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	r := &Ranker{c: c, opts: opts, cands: cands, watch: watch, workers: w,
		sums: make([]radiusKey, len(cands)), index: make([]int32, c.NodeCount()), ran: make([]bool, len(cands))}
	for v := range r.index {
		r.index[v] = -1
	}
	for i, v := range cands {
		r.sums[i].v = v
		r.index[v] = int32(i)
	}
	return r, nil
}

// Workers is the number of workers a Run uses: the worker numbers it
// passes to hits are below it.
func (r *Ranker) Workers() int { return r.workers }

// Candidates returns the candidates, in the order the engine batches them
// (failures that reach the same vertices together, those nothing depends
// on last): parts cut from it in that order run as fast as all at once.
func (r *Ranker) Candidates() []int32 {
	out := make([]int32, 0, len(r.cands))
	if r.c.Len() < maxPositions {
		seen := make([]bool, r.c.NodeCount())
		for _, v := range layoutFor(r.c).order {
			if int(v) < len(r.index) && r.index[v] >= 0 && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		for _, v := range r.cands {
			if !seen[v] {
				out = append(out, v)
			}
		}
		return out
	}
	return append(out, r.cands...)
}

// Run runs the single failures of part, candidates that have not run yet.
// hits, when not nil, receives what each batch found about the watched
// nodes, in parts (see HitBatch); calls with the same worker number come
// one at a time, calls with different ones at once; it must not keep the
// batch. opts.Progress counts over all Runs. After an error (ctx's, or a
// vertex that is not a candidate or has run) the Ranker is spent.
func (r *Ranker) Run(ctx context.Context, part []int32, hits func(worker int, b *HitBatch)) error {
	for _, v := range part {
		if v < 0 || int(v) >= len(r.index) || r.index[v] < 0 {
			return fmt.Errorf("rank: vertex %d is not a candidate", v)
		}
		if r.ran[r.index[v]] {
			return fmt.Errorf("rank: candidate %s runs twice", r.c.VertexName(v))
		}
		r.ran[r.index[v]] = true
	}
	c := r.c
	var progress func(done, total int)
	if p := r.opts.Progress; p != nil {
		before := r.done
		progress = func(done, _ int) { p(before+done, len(r.cands)) }
	}
	r.done += len(part)
	return sweepWorkers(ctx, c, part, r.workers, progress, func(worker int, l *layout, b *batch, sources []int32) {
		r.once.Do(func() {
			r.watched = make([]bool, len(l.vertex))
			for _, v := range r.watch {
				r.watched[l.pos[v]] = true
			}
			r.lanes = make([][]int8, r.workers)
			r.parts = make([]HitBatch, r.workers)
		})
		acc := laneSumsPool.Get().(*laneSums)
		defer laneSumsPool.Put(acc)
		acc.reset()
		var (
			hb   *HitBatch
			lane []int8
		)
		if hits != nil {
			if r.lanes[worker] == nil {
				r.lanes[worker] = make([]int8, len(l.vertex))
			}
			lane = r.lanes[worker]
			for i, s := range sources {
				lane[l.pos[s]] = int8(i + 1)
			}
			hb = &r.parts[worker]
			hb.Sources, hb.Down, hb.Lanes, hb.Pos = sources, hb.Down[:0], hb.Lanes[:0], hb.Pos[:0]
		}
		b.run(sources, func(p int32, down, bad uint64) {
			if hb != nil && down != 0 && r.watched[p] {
				m := down
				if k := lane[p]; k > 0 {
					m &^= 1 << (k - 1) // not the node's own failure
				}
				if m != 0 {
					hb.Down = append(hb.Down, l.vertex[p])
					hb.Lanes = append(hb.Lanes, m)
					hb.Pos = append(hb.Pos, p)
					if len(hb.Down) == hitPart {
						hits(worker, hb)
						hb.Down, hb.Lanes, hb.Pos = hb.Down[:0], hb.Lanes[:0], hb.Pos[:0]
					}
				}
			}
			if f := l.flags[p]; f&isCounted != 0 { // replicas and groups are not
				acc.add(down, bad, l.users[p], f&isTier0 != 0)
			}
		})
		acc.sums()
		for i, s := range sources {
			k := &r.sums[r.index[s]]
			k.down, k.degraded, k.tier0 = acc.down.count[i], acc.degraded.count[i], acc.tier0[i]
			k.usersDown, k.usersDegraded = acc.down.users[i], acc.degraded.users[i]
		}
		if hb != nil {
			for _, s := range sources {
				lane[l.pos[s]] = 0
			}
			if len(hb.Down) > 0 {
				hits(worker, hb)
			}
		}
	}, func(v int32) {
		// Nothing depends on v: its failure is itself alone.
		k := &r.sums[r.index[v]]
		k.down, k.usersDown = 1, c.Users(v)
		if c.Tier(v) == 0 && !c.Kind(v).Infrastructure() {
			k.tier0 = 1
		}
	})
}

// Radii returns the blast radii, sorted and cut as Rank returns them; it
// is an error while some candidate has not run.
func (r *Ranker) Radii() ([]Radius, error) {
	if r.done < len(r.cands) {
		return nil, fmt.Errorf("rank: %d of %d candidates have not run", len(r.cands)-r.done, len(r.cands))
	}
	c := r.c
	sums := sortRadii(c, r.sums)
	if r.opts.Top > 0 && r.opts.Top < len(sums) {
		sums = sums[:r.opts.Top]
	}
	out := make([]Radius, len(sums))
	parallel(len(sums), func(lo, hi int) {
		for i, k := range sums[lo:hi] {
			out[lo+i] = Radius{ID: c.VertexName(k.v), Kind: c.Kind(k.v), Tier: c.Tier(k.v),
				Down: int(k.down), Degraded: int(k.degraded),
				UsersDown: k.usersDown, UsersDegraded: k.usersDegraded, Tier0: int(k.tier0)}
		}
	})
	return out, nil
}

// radiusKey is a candidate's radius while ranking: its sums and its vertex,
// 40 bytes to sort rather than an 80-byte Radius.
type radiusKey struct {
	usersDown, usersDegraded int64
	down, degraded, tier0, v int32
}

// sortRadii orders radii as Rank returns them (CompareRadii) by their keys.
func sortRadii(c *graph.Compiled, keys []radiusKey) []radiusKey {
	// Users Down decides most comparisons: order by it with a radix sort of
	// 16-byte (users Down, slot) pairs, then sort each run of equal values
	// (many small services tie) on the rest.
	type slot struct {
		usersDown int64
		i         int32
	}
	order := make([]slot, len(keys))
	for i, k := range keys {
		order[i] = slot{k.usersDown, int32(i)}
	}
	order = radixDesc(order, func(s slot) int64 { return s.usersDown })
	byKey := func(x, y slot) int {
		a, b := &keys[x.i], &keys[y.i]
		switch {
		case a.usersDegraded != b.usersDegraded:
			return cmp.Compare(b.usersDegraded, a.usersDegraded)
		case a.down != b.down:
			return cmp.Compare(b.down, a.down)
		case a.degraded != b.degraded:
			return cmp.Compare(b.degraded, a.degraded)
		}
		return cmp.Compare(c.VertexName(a.v), c.VertexName(b.v))
	}
	// Runs of equal users Down are sorted on all cores: each worker takes
	// a part of the order that starts and ends between runs.
	parts := partsFor(len(order))
	var wg sync.WaitGroup
	for lo, k := 0, 1; lo < len(order); k++ {
		hi := max(len(order)*k/parts, lo+1)
		for hi < len(order) && order[hi].usersDown == order[hi-1].usersDown {
			hi++
		}
		wg.Add(1)
		go func(part []slot) {
			defer wg.Done()
			for lo := 0; lo < len(part); {
				hi := lo + 1
				for hi < len(part) && part[hi].usersDown == part[lo].usersDown {
					hi++
				}
				if hi-lo > 1 {
					slices.SortFunc(part[lo:hi], byKey)
				}
				lo = hi
			}
		}(order[lo:hi])
		lo = hi
	}
	wg.Wait()
	sorted := make([]radiusKey, len(keys))
	for k, s := range order {
		sorted[k] = keys[s.i]
	}
	return sorted
}

// radixDesc orders xs by by(x) descending (by must not be negative),
// stably, with an LSD radix sort of 11-bit digits, leaving out the high
// digits that no key has.
func radixDesc[T any](xs []T, by func(T) int64) []T {
	const digit = 11
	var all uint64
	for _, x := range xs {
		all |= uint64(by(x))
	}
	tmp := make([]T, len(xs))
	var count [1 << digit]int
	for shift := 0; shift < 64 && all>>shift != 0; shift += digit {
		clear(count[:])
		for _, x := range xs {
			count[(^uint64(by(x))>>shift)&(1<<digit-1)]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, x := range xs {
			d := (^uint64(by(x)) >> shift) & (1<<digit - 1)
			tmp[count[d]] = x
			count[d]++
		}
		xs, tmp = tmp, xs
	}
	return xs
}

// candidates returns the model nodes selected by kinds and ids.
func candidates(c *graph.Compiled, kinds []graph.Kind, ids []string) ([]int32, error) {
	var set map[int32]bool
	if len(ids) > 0 {
		set = make(map[int32]bool, len(ids))
		for _, id := range ids {
			v, ok := c.Lookup(id)
			if !ok || c.VertexKind(v) != graph.NodeVertex {
				e := UnknownNode(c, id)
				return nil, e
			}
			set[v] = true
		}
	}
	var out []int32
	for v := int32(0); v < int32(c.NodeCount()); v++ {
		if set != nil && !set[v] {
			continue
		}
		if len(kinds) > 0 && !slices.Contains(kinds, c.Kind(v)) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}
