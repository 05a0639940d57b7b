package analyze

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// progressLog records the calls of a Progress callback and checks, as
// they come, that they are one at a time.
type progressLog struct {
	mu    sync.Mutex
	busy  bool
	calls [][2]int // done, total
	// overlap says two calls ran at once.
	overlap bool
}

func (p *progressLog) f(done, total int) {
	p.mu.Lock()
	if p.busy {
		p.overlap = true
	}
	p.busy = true
	p.mu.Unlock()
	p.mu.Lock()
	p.calls = append(p.calls, [2]int{done, total})
	p.busy = false
	p.mu.Unlock()
}

// check requires the calls to tell the truth: one total throughout, the
// count rising at every call, the total reached once, by the last call.
func (p *progressLog) check(t *testing.T) {
	t.Helper()
	require.False(t, p.overlap, "progress called by two goroutines at once")
	require.NotEmpty(t, p.calls)
	total := p.calls[0][1]
	require.Positive(t, total)
	for i, cl := range p.calls {
		require.Equal(t, total, cl[1], "call %d: the total changed", i)
		if i > 0 {
			require.Greater(t, cl[0], p.calls[i-1][0], "call %d: the count did not rise", i)
		}
		if i < len(p.calls)-1 {
			require.Less(t, cl[0], total, "call %d of %d: the total reached before the end", i, len(p.calls))
		}
	}
	require.Equal(t, total, p.calls[len(p.calls)-1][0], "the last call")
}

// counts are the done counts reported.
func (p *progressLog) counts() []int {
	out := make([]int, len(p.calls))
	for i, cl := range p.calls {
		out[i] = cl[0]
	}
	return out
}

// The audit's progress counts all of its work: the sweep of single
// failures, the pair search (most of an order-2 audit), the claims' sets,
// the site losses and the chains, against one total known from the first call; it reaches
// the total only at its last call, which comes when the audit is done.
// On a catalog of 2,000 nodes with redundancy everywhere the pair search
// and the chains report between the sweep's end and the total.
func TestAuditProgressCountsEveryPhase(t *testing.T) {
	ctx := context.Background()
	p := auditCatalogs[1].p
	p.Nodes = 2000
	c, err := graph.Compile(synth.Services(p))
	require.NoError(t, err)
	var log progressLog
	res, err := Audit(ctx, c, AuditOptions{Progress: log.f})
	require.NoError(t, err)
	log.check(t)
	want, err := Audit(ctx, c, AuditOptions{})
	require.NoError(t, err)
	require.Equal(t, want, res, "progress changes nothing")

	// The steps of each phase, as the audit counts them.
	var targets, pairTargets []int32
	seen := map[int32]bool{}
	want1 := func(v int32) {
		if !seen[v] {
			seen[v] = true
			targets = append(targets, v)
		}
	}
	for _, cl := range res.Claims {
		want1(cl.Vertex)
		if !cl.Soft {
			want1(cl.OwnerVertex)
		}
		if cl.searched(2) == 2 {
			pairTargets = append(pairTargets, cl.Vertex)
		}
	}
	require.NotEmpty(t, pairTargets)
	sw, err := newSingleSweep(ctx, c, targets, pairTargets, nil)
	require.NoError(t, err)
	sweepEnd := sw.steps()
	pairEnd := sweepEnd + pairSteps(sw)*pairWeight
	total := log.calls[0][1]
	steps := auditSteps{sweep: sw.steps(), pairs: pairSteps(sw), claims: len(res.Claims), sites: res.Sites, explained: len(res.Claims)}
	require.Equal(t, steps.total(), total)
	claimsEnd := pairEnd + len(res.Claims)*claimWeight
	sitesEnd := claimsEnd + steps.siteSteps()
	in := func(lo, hi int) int {
		n := 0
		for _, d := range log.counts() {
			if d > lo && d < hi {
				n++
			}
		}
		return n
	}
	require.Positive(t, in(0, sweepEnd), "the sweep reports")
	require.Greater(t, in(sweepEnd, pairEnd), 1, "the pair search reports")
	require.Positive(t, in(pairEnd, claimsEnd), "the claims' sets report")
	require.Positive(t, in(sitesEnd, total), "the chains report")

	// Without chains, the total holds no chains.
	var bare progressLog
	_, err = Audit(ctx, c, AuditOptions{Progress: bare.f, NoChains: true})
	require.NoError(t, err)
	bare.check(t)
	require.Equal(t, sitesEnd, bare.calls[0][1])
}

// The same truth on random models at orders 1 to 3 (above 2 the claims
// are searched by CutSetsVertices, whose count restarts at each order),
// with or without chains, claim by claim or shared; the results are those
// of the audit without progress.
func TestAuditProgressRandom(t *testing.T) {
	ctx := context.Background()
	reported := 0
	defer func() { require.Positive(t, reported) }()
	randomCases(t, 300, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		opts := AuditOptions{MaxOrder: 1 + r.IntN(3), Kinds: randomKinds(c, r), Limit: []int{-1, 0, 2}[r.IntN(3)],
			NoChains: r.IntN(2) == 0, claimByClaim: r.IntN(4) == 0}
		want, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		var log progressLog
		opts.Progress = log.f
		got, err := Audit(ctx, c, opts)
		require.NoError(t, err)
		if len(got.Claims) == 0 {
			require.Empty(t, log.calls, "no claim, no work")
			return
		}
		log.check(t)
		reported += len(log.calls)
		opts.Progress = nil
		require.Equal(t, want, got)
	})
}
