package analyze

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
)

// requireScram skips a test when SCRAM is missing, except under CI=true,
// where a missing oracle is a failure.
func requireScram(t *testing.T) {
	t.Helper()
	if openpsa.Available() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("scram is not installed (apt-get install scram): CI must run the SCRAM oracle")
	}
	t.Skip("scram is not installed (apt-get install scram)")
}

// cutJob is one model's targets for scramCuts: the events are the
// vertices allow marks, each target's own excepted.
type cutJob struct {
	c       *graph.Compiled
	targets []int32
	allow   []bool
}

// scramCuts runs SCRAM once (MOCUS, orders ≤ k) on the cones of the
// targets of every job (of one model or many: openpsa.RunBatch). It
// returns, per job, each acyclic target's cut sets; cyclic cones are left
// out.
func scramCuts(t *testing.T, jobs []cutJob, k int) []map[int32][]string {
	t.Helper()
	out := make([]map[int32][]string, len(jobs))
	var trees []*openpsa.Tree
	type origin struct {
		job int
		tv  int32
	}
	var run []origin
	for j, job := range jobs {
		out[j] = map[int32][]string{}
		for _, tv := range job.targets {
			tr, err := openpsa.Convert(job.c, tv, openpsa.Options{Event: func(v int32) bool { return job.allow[v] && v != tv }})
			var ce *openpsa.CycleError
			if errors.As(err, &ce) {
				continue
			}
			require.NoError(t, err)
			if constant, value := tr.Const(); constant {
				out[j][tv] = nil
				if value {
					out[j][tv] = []string{""}
				}
				continue
			}
			trees = append(trees, tr)
			run = append(run, origin{j, tv})
		}
	}
	if len(trees) == 0 {
		return out
	}
	reps, err := openpsa.RunBatch(context.Background(), trees, openpsa.RunOptions{Algorithm: openpsa.MOCUS, LimitOrder: k})
	require.NoError(t, err)
	for i, rep := range reps {
		c := jobs[run[i].job].c
		var sets []string
		for _, s := range rep.CutSets {
			sets = append(sets, strings.Join(sortedNames(c, s), "+"))
		}
		slices.Sort(sets)
		out[run[i].job][run[i].tv] = sets
	}
	return out
}

// CutSets equals SCRAM's minimal cut sets up to order 3 on the acyclic
// hard cones of random models (any_of, at_least, capacity groups with
// degraded_at, replicas with standbys, regions, power feeds), replicas
// failing too in half of them. The models are smallModels' (the same
// seeds and -seed to replay one), their targets sent to SCRAM 50 models
// at a time.
func TestCutSetsMatchScram(t *testing.T) {
	requireScram(t)
	ctx := context.Background()
	seeds := testSeeds(300)
	type model struct {
		seed uint64
		opts CutSetOptions
		got  []CutSetResult
	}
	var jobs []cutJob
	var models []model
	trees, nonTrivial := 0, 0
	check := func() {
		for j, want := range scramCuts(t, jobs, 3) {
			job, md := jobs[j], models[j]
			for i, tv := range job.targets {
				w, ok := want[tv]
				if !ok {
					continue
				}
				trees++
				require.Equal(t, w, cutKeys(md.got[i]), "seed %d (replay with -seed %d): target %s, options %+v", md.seed, md.seed, job.c.VertexName(tv), md.opts)
				if n := len(md.got[i].Sets); n > 0 && md.got[i].Sets[n-1].Order() > 1 {
					nonTrivial++
				}
			}
		}
		jobs, models = jobs[:0], models[:0]
	}
	for i, s := range seeds {
		m, r := smallFamily(25).model(s) // smallModels' models, maxN 25
		c, err := graph.Compile(m)
		require.NoError(t, err)
		opts := CutSetOptions{MaxOrder: 3, Replicas: r.IntN(2) == 0}
		allow, err := cutCandidates(c, opts)
		require.NoError(t, err)
		targets := make([]int32, c.NodeCount())
		for v := range targets {
			targets[v] = int32(v)
		}
		got, err := CutSetsVertices(ctx, c, targets, opts)
		require.NoError(t, err)
		jobs = append(jobs, cutJob{c, targets, allow})
		models = append(models, model{s, opts, got})
		if (i+1)%50 == 0 || i == len(seeds)-1 {
			check()
		}
	}
	t.Logf("%d targets checked against SCRAM, %d with a cut set of order 2 or more", trees, nonTrivial)
	require.Greater(t, trees, 1000)
	require.Greater(t, nonTrivial, 100)
}

// The Kakao and Naver models, every node a target whose cone is acyclic:
// the same cut sets as SCRAM's up to order 3.
func TestCutSetsMatchScramKakaoNaver(t *testing.T) {
	requireScram(t)
	ctx := context.Background()
	for _, path := range []string{"../testdata/kakao-2022.yaml", "../testdata/naver-2022.yaml"} {
		m, err := graph.Load(path)
		require.NoError(t, err)
		c, err := graph.Compile(m)
		require.NoError(t, err)
		allow, err := cutCandidates(c, CutSetOptions{})
		require.NoError(t, err)
		var targets []int32
		for tv := int32(0); tv < int32(c.NodeCount()); tv++ {
			targets = append(targets, tv)
		}
		want := scramCuts(t, []cutJob{{c, targets, allow}}, 3)[0]
		got, err := CutSetsVertices(ctx, c, targets, CutSetOptions{MaxOrder: 3})
		require.NoError(t, err)
		for i, tv := range targets {
			if w, ok := want[tv]; ok {
				require.Equal(t, w, cutKeys(got[i]), "%s: target %s", path, c.VertexName(tv))
			}
		}
		require.Greater(t, len(want), c.NodeCount()/2, path)
	}
}
