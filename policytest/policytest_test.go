package policytest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/policytest"
)

// recorder is a testing.TB that records instead of failing.
type recorder struct {
	testing.TB
	errors  []string
	stopped bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.stopped = true
	panic(r)
}
func (r *recorder) Helper() {}

// run calls f, recovering the panic FailNow uses to stop it.
func (r *recorder) run(f func()) {
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
	}()
	f()
}

// The reference models: Naver passes testdata/policy.yaml, Kakao fails it
// with one error per violation.
func TestCheckFiles(t *testing.T) {
	res := policytest.CheckFiles(t, "../testdata/naver-2022.yaml", "../testdata/policy.yaml")
	assert.True(t, res.Passed())

	var r recorder
	r.run(func() { res = policytest.CheckFiles(&r, "../testdata/kakao-2022.yaml", "../testdata/policy.yaml") })
	require.False(t, r.stopped)
	total := 0
	for _, rr := range res.Rules {
		total += rr.Total
	}
	assert.Len(t, r.errors, total, "one error per violation")
	assert.Contains(t, r.errors, `kakao-2022: rule no_spof "no single point of failure under a user-facing service" (../testdata/policy.yaml:23):
    kakao-games: down when service kakaotalk fails
    chain: kakao-games → kakao-login → kakaotalk`)
}

func TestCheckStops(t *testing.T) {
	var r recorder
	r.run(func() { policytest.CheckFiles(&r, "../testdata/kakao-2022.yaml", "no-such-policy.yaml") })
	assert.True(t, r.stopped)

	r = recorder{}
	bad := new(graph.Model).Add(graph.Node{ID: "a", Kind: graph.Service, Requires: graph.All("b")})
	r.run(func() { policytest.Check(&r, bad, &policy.Policy{}) })
	assert.True(t, r.stopped, "an invalid model")
	assert.Contains(t, strings.Join(r.errors, "\n"), `unknown node "b"`)

	r = recorder{}
	ok := new(graph.Model).Add(graph.Node{ID: "a", Kind: graph.Service})
	r.run(func() {
		policytest.Check(&r, ok, &policy.Policy{Rules: []policy.Rule{policy.NoSPOF(policy.ID("nope"))}})
	})
	assert.True(t, r.stopped, "a policy that names a node the model lacks")
}

// Violations beyond the policy's MaxViolations are reported as one more
// error, so the test says how many there are.
func TestCheckMore(t *testing.T) {
	m := new(graph.Model).Add(graph.Node{ID: "s", Kind: graph.Site})
	for i := range 5 {
		m.Add(graph.Node{ID: fmt.Sprint("x", i), Kind: graph.Service, Users: 1, Site: "s"})
	}
	var r recorder
	r.run(func() {
		policytest.Check(&r, m, &policy.Policy{Rules: []policy.Rule{policy.SurviveSiteLoss(policy.UserFacing())}, MaxViolations: 2})
	})
	require.Len(t, r.errors, 3)
	assert.Contains(t, r.errors[2], "3 more violations not listed")
}
