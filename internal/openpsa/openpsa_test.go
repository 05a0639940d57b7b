package openpsa_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/openpsa"
	"github.com/blastradius-go/blastradius/internal/synth"
)

var seed = flag.Uint64("seed", 0, "seed of the random models (0: a fixed set)")

// requireScram returns whether scram can run: when it is missing the test
// is skipped, except under CI=true, where a missing oracle is a failure.
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

// TestConvertEqualsSimulate holds the tree's structure function equal to
// the engine's: on random models, for each target whose hard cone is
// acyclic, every combination of up to 12 of its events (or random ones
// beyond) gives Eval the state Simulate gives the target.
func TestConvertEqualsSimulate(t *testing.T) {
	ctx := context.Background()
	s := *seed
	if s == 0 {
		s = 1
	}
	models, trees := 0, 0
	for i := uint64(0); i < 300; i++ {
		sd := s + i
		r := rand.New(rand.NewPCG(sd, 13))
		m := synth.Random(r, 3+r.IntN(14))
		c, err := graph.Compile(m)
		require.NoError(t, err, "seed %d", sd)
		models++
		for tv := int32(0); tv < int32(c.NodeCount()); tv++ {
			tr, err := openpsa.Convert(c, tv, openpsa.Options{})
			var ce *openpsa.CycleError
			if errors.As(err, &ce) {
				continue
			}
			require.NoError(t, err)
			trees++
			ev := tr.Events()
			tries := 1 << len(ev)
			exhaustive := len(ev) <= 12
			if !exhaustive {
				tries = 2000
			}
			for k := 0; k < tries; k++ {
				set := uint64(k)
				if !exhaustive {
					set = r.Uint64()
				}
				failed := map[int32]bool{}
				var ids []string
				for j, v := range ev {
					if set&(1<<j) != 0 {
						failed[v] = true
						ids = append(ids, c.VertexName(v))
					}
				}
				o, err := analyze.Simulate(ctx, c, analyze.Fail(ids...))
				require.NoError(t, err)
				want := o.VertexState(tv) == analyze.Down && !failed[tv]
				got := tr.Eval(func(v int32) bool { return failed[v] })
				if got != want {
					t.Fatalf("seed %d (replay with -seed %d): target %s, failed %v: tree says Down=%v, Simulate %v",
						sd, sd, c.VertexName(tv), ids, got, want)
				}
			}
		}
	}
	t.Logf("%d models, %d acyclic targets", models, trees)
	require.Greater(t, trees, 500)
}

// TestScramKakao runs SCRAM on the Kakao model's kakao-games: its order-2
// cut sets are the three pairs of its game databases, and pangyo is among
// its single ones.
func TestScramKakao(t *testing.T) {
	requireScram(t)
	m, err := graph.Load("../../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	tv, _ := c.Lookup("kakao-games")
	tr, err := openpsa.Convert(c, tv, openpsa.Options{Probability: func(int32) float64 { return 0.01 }})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, tr.WriteXML(&buf))
	require.Contains(t, buf.String(), "<define-gate name=\"top\">")
	rep, err := openpsa.Run(context.Background(), tr, openpsa.RunOptions{Algorithm: openpsa.MOCUS, LimitOrder: 2, Probability: true})
	require.NoError(t, err)
	var ones, twos []string
	for _, s := range rep.CutSets {
		var ids []string
		for _, v := range s {
			ids = append(ids, c.VertexName(v))
		}
		switch len(s) {
		case 1:
			ones = append(ones, ids[0])
		case 2:
			twos = append(twos, strings.Join(ids, "+"))
		}
	}
	require.Contains(t, ones, "pangyo")
	require.Len(t, twos, 3, "pairs: %v", twos)
	for _, p := range twos {
		require.Regexp(t, `^kakao-games-db-\d\+kakao-games-db-\d$`, p)
	}
	require.Greater(t, rep.Probability, 0.0)
}
