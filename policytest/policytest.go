package policytest

import (
	"context"
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// Check compiles m, checks it against p and reports each violation as one
// error of t (t.Errorf: the test goes on and reports them all), with the
// rule, the node, the scenario that breaks it and the chain of causes. A
// rule that fails with no violation to list (one that fails closed, such as
// survive_site_loss on a model without sites) is one error with what the
// rule found. An invalid model or a policy that cannot be evaluated on it
// (an unknown node id in a selector, a selector that picks no node, say)
// stops the test (t.Fatalf).
//
// The model is a *graph.Model, as graph.Load returns it or a test builds
// it in Go: Check compiles it, which costs far less than the check itself.
// It returns the result, for tests that look further; t is the test's
// *testing.T or *testing.B, or anything that implements testing.TB: no
// assertion library is needed.
func Check(t testing.TB, m *graph.Model, p *policy.Policy) *policy.Result {
	t.Helper()
	c, err := graph.Compile(m)
	if err != nil {
		t.Fatalf("compile the model: %v", err)
		return nil
	}
	res, err := policy.Check(context.Background(), c, p)
	if err != nil {
		t.Fatalf("check the model against the policy: %v", err)
		return nil
	}
	for _, rr := range res.Rules {
		if rr.Passed {
			continue
		}
		for _, v := range rr.Violations {
			t.Errorf("%s", Message(res, rr, v))
		}
		if more := rr.Total - len(rr.Violations); more > 0 {
			t.Errorf("%s: %d more violations not listed (policy MaxViolations)", title(res, rr), more)
		}
		if rr.Total == 0 {
			t.Errorf("%s: %s", title(res, rr), export.CheckSummary(rr))
		}
	}
	return res
}

// CheckFiles loads the model and the policy files and checks one against
// the other, as Check does; a file that cannot be read stops the test.
func CheckFiles(t testing.TB, modelPath, policyPath string) *policy.Result {
	t.Helper()
	m, err := graph.Load(modelPath)
	if err != nil {
		t.Fatalf("load the model: %v", err)
		return nil
	}
	p, err := policy.Load(policyPath)
	if err != nil {
		t.Fatalf("load the policy: %v", err)
		return nil
	}
	return Check(t, m, p)
}

// Message is how Check reports a violation: the model, the rule (and where
// the policy file wrote it), what breaks it and the chain of causes, e.g.
//
//	kakao-2022: rule no_spof "no single point of failure under a user-facing service" (policy.yaml:23):
//	    kakao-t: down when identity kakao-login fails
//	    chain: kakao-t → kakao-login
//
// The words are export.CheckMessage's, as in every report of a check.
func Message(res *policy.Result, rr policy.RuleResult, v policy.Violation) string {
	s := fmt.Sprintf("%s:\n    %s: %s", title(res, rr), v.Node, export.CheckMessage(rr, v))
	if len(v.Chain) > 1 {
		s += "\n    chain: " + export.CheckChain(v)
	}
	return s
}

func title(res *policy.Result, rr policy.RuleResult) string {
	model := res.Model
	if model == "" {
		model = "model"
	}
	s := fmt.Sprintf("%s: rule %s %q", model, rr.Rule, rr.Name)
	if rr.Name == "" {
		s = fmt.Sprintf("%s: rule %s (%s)", model, rr.Rule, rr.Demand())
	}
	if pos := rr.Pos.String(); pos != "" {
		s += " (" + pos + ")"
	}
	return s
}
