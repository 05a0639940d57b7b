package analyze

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sync"

	"github.com/blastradius-go/blastradius/graph"
)

// Radius is the blast radius of one node's failure, alone.
type Radius struct {
	ID   string
	Kind graph.Kind
	Tier int
	// Down and Degraded count the model's nodes (not replicas) in each
	// state; Down includes the failed node itself.
	Down     int
	Degraded int
	// UsersDown and UsersDegraded sum the users of those nodes
	// (user-services, as in Totals).
	UsersDown     int64
	UsersDegraded int64
	// Tier0 counts the tier-0 nodes that are not infrastructure (site,
	// region, power, network) and are Down or Degraded.
	Tier0 int
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
// hits, when not nil, receives the pairs a batch of candidates found, once
// per batch, from one goroutine at a time, in no particular order; it must
// not keep the slice. Answering several questions about single failures in
// one pass (the radius of each, which protected services each takes Down)
// is what lets a policy check cost one ranking, not one per rule.
func RankWatchVertices(ctx context.Context, c *graph.Compiled, opts RankOptions, watch []int32, hits func([]Hit)) ([]Radius, error) {
	cands, err := candidates(c, opts.Kinds, opts.IDs)
	if err != nil {
		return nil, err
	}
	for _, v := range watch {
		if v < 0 || int(v) >= c.NodeCount() {
			return nil, fmt.Errorf("watch: vertex %d is not a node of the model", v)
		}
	}
	// Workers write each candidate's sums into its slot; Radius values
	// (with their ids) are made only for the ranking returned.
	sums := make([]radiusKey, len(cands))
	index := make([]int32, c.NodeCount()) // candidate vertex → its slot
	for i, v := range cands {
		sums[i].v = v
		index[v] = int32(i)
	}
	var (
		watched []bool // per position, filled once the layout exists
		once    sync.Once
		mu      sync.Mutex // serializes hits
	)
	err = sweep(ctx, c, cands, opts.Workers, opts.Progress, func(l *layout, b *batch, sources []int32) {
		once.Do(func() {
			watched = make([]bool, len(l.vertex))
			for _, v := range watch {
				watched[l.pos[v]] = true
			}
		})
		acc := laneSumsPool.Get().(*laneSums)
		defer laneSumsPool.Put(acc)
		acc.reset()
		var found []Hit
		b.run(sources, func(p int32, down, bad uint64) {
			if hits != nil && watched[p] && down != 0 {
				for m := down; m != 0; m &= m - 1 {
					s := sources[bits.TrailingZeros64(m)]
					if v := l.vertex[p]; s != v {
						found = append(found, Hit{Failed: s, Down: v})
					}
				}
			}
			if f := l.flags[p]; f&isCounted != 0 { // replicas and groups are not
				acc.add(down, bad, l.users[p], f&isTier0 != 0)
			}
		})
		acc.sums()
		for i, s := range sources {
			k := &sums[index[s]]
			k.down, k.degraded, k.tier0 = acc.down.count[i], acc.degraded.count[i], acc.tier0[i]
			k.usersDown, k.usersDegraded = acc.down.users[i], acc.degraded.users[i]
		}
		if len(found) > 0 {
			mu.Lock()
			hits(found)
			mu.Unlock()
		}
	}, func(v int32) {
		// Nothing depends on v: its failure is itself alone.
		k := &sums[index[v]]
		k.down, k.usersDown = 1, c.Users(v)
		if Tier0(c, v) {
			k.tier0 = 1
		}
	})
	if err != nil {
		return nil, err
	}
	sums = sortRadii(c, sums)
	if opts.Top > 0 && opts.Top < len(sums) {
		sums = sums[:opts.Top]
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

// sortRadii orders radii as Rank returns them: by users Down, users
// Degraded, nodes Down, nodes Degraded, largest first, then by id.
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
