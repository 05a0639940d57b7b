package analyze

import (
	"context"
	"errors"
	"math/rand/v2"
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

// scramCuts runs SCRAM once (MOCUS, orders ≤ k) on the cones of targets,
// the events being the vertices allow marks, the target's own excepted.
// It returns each acyclic target's cut sets; cyclic cones are left out.
func scramCuts(t *testing.T, c *graph.Compiled, targets []int32, allow []bool, k int) map[int32][]string {
	t.Helper()
	out := map[int32][]string{}
	var trees []*openpsa.Tree
	var run []int32
	for _, tv := range targets {
		tr, err := openpsa.Convert(c, tv, openpsa.Options{Event: func(v int32) bool { return allow[v] && v != tv }})
		var ce *openpsa.CycleError
		if errors.As(err, &ce) {
			continue
		}
		require.NoError(t, err)
		if constant, value := tr.Const(); constant {
			out[tv] = nil
			if value {
				out[tv] = []string{""}
			}
			continue
		}
		trees = append(trees, tr)
		run = append(run, tv)
	}
	if len(trees) == 0 {
		return out
	}
	reps, err := openpsa.RunForest(context.Background(), trees, openpsa.RunOptions{Algorithm: openpsa.MOCUS, LimitOrder: k})
	require.NoError(t, err)
	for i, rep := range reps {
		var sets []string
		for _, s := range rep.CutSets {
			sets = append(sets, strings.Join(sortedNames(c, s), "+"))
		}
		slices.Sort(sets)
		out[run[i]] = sets
	}
	return out
}

// CutSets equals SCRAM's minimal cut sets up to order 3 on the acyclic
// hard cones of random models (any_of, at_least, capacity groups with
// degraded_at, replicas with standbys, regions, power feeds), replicas
// failing too in half of them.
func TestCutSetsMatchScram(t *testing.T) {
	requireScram(t)
	ctx := context.Background()
	trees, nonTrivial := 0, 0
	smallModels(t, 200, 25, func(t *testing.T, c *graph.Compiled, r *rand.Rand) {
		opts := CutSetOptions{MaxOrder: 3, Replicas: r.IntN(2) == 0}
		allow, err := cutCandidates(c, opts)
		require.NoError(t, err)
		var targets []int32
		for tv := int32(0); tv < int32(c.NodeCount()); tv++ {
			targets = append(targets, tv)
		}
		want := scramCuts(t, c, targets, allow, 3)
		got, err := CutSetsVertices(ctx, c, targets, opts)
		require.NoError(t, err)
		for i, tv := range targets {
			w, ok := want[tv]
			if !ok {
				continue
			}
			trees++
			require.Equal(t, w, cutKeys(got[i]), "target %s, options %+v", c.VertexName(tv), opts)
			if n := len(got[i].Sets); n > 0 && got[i].Sets[n-1].Order() > 1 {
				nonTrivial++
			}
		}
	})
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
		want := scramCuts(t, c, targets, allow, 3)
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
