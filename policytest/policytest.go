package policytest

import (
	"context"
	"fmt"
	"strings"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

type helper interface{ Helper() }

// Check compiles m, checks it against p and reports each violation as one
// error of t (t.Errorf: the test goes on and reports them all), with the
// rule, the node, the scenario that breaks it and the chain of causes. An
// invalid model or a policy that cannot be evaluated on it (an unknown node
// id in a selector, say) stops the test (require.NoError).
//
// The model is a *graph.Model, as graph.Load returns it or a test builds
// it in Go: Check compiles it, which costs far less than the check itself.
// It returns the result, for tests that look further; t is a *testing.T or
// anything testify's require accepts.
func Check(t require.TestingT, m *graph.Model, p *policy.Policy) *policy.Result {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	c, err := graph.Compile(m)
	require.NoError(t, err, "compile the model")
	res, err := policy.Check(context.Background(), c, p)
	require.NoError(t, err, "check the model against the policy")
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
			t.Errorf("%s: %s", title(res, rr), rr.Summary)
		}
	}
	return res
}

// CheckFiles loads the model and the policy files and checks one against
// the other, as Check does; a file that cannot be read stops the test.
func CheckFiles(t require.TestingT, modelPath, policyPath string) *policy.Result {
	if h, ok := t.(helper); ok {
		h.Helper()
	}
	m, err := graph.Load(modelPath)
	require.NoError(t, err, "load the model")
	p, err := policy.Load(policyPath)
	require.NoError(t, err, "load the policy")
	return Check(t, m, p)
}

// Message is how Check reports a violation: the model, the rule (and where
// the policy file wrote it), what breaks it and the chain of causes, e.g.
//
//	kakao-2022: rule no_spof "no single point of failure under a user-facing service" (policy.yaml:23):
//	    kakao-t: down when identity kakao-login fails
//	    chain: kakao-t → kakao-login
func Message(res *policy.Result, rr policy.RuleResult, v policy.Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n    %s: %s", title(res, rr), v.Node, v.Msg)
	if len(v.Chain) > 1 {
		fmt.Fprintf(&b, "\n    chain: %s", strings.Join(v.Chain, " → "))
	}
	return b.String()
}

func title(res *policy.Result, rr policy.RuleResult) string {
	model := res.Model
	if model == "" {
		model = "model"
	}
	s := fmt.Sprintf("%s: rule %s %q", model, rr.Rule, rr.Name)
	if rr.Name == "" {
		s = fmt.Sprintf("%s: rule %s (%s)", model, rr.Rule, rr.Description)
	}
	if pos := rr.Pos.String(); pos != "" {
		s += " (" + pos + ")"
	}
	return s
}
