package policy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// max_unavailability: what Decode makes of each way of writing it, and
// what Check finds on a model with failure data and on one without, against
// testdata/golden/policy/unavailability.txt (go test -update rewrites it).
func TestMaxUnavailabilityGolden(t *testing.T) {
	decodes := []string{
		"{rule: max_unavailability, select: {tier: 0}, max: 0.1%}",
		"{rule: max_unavailability, select: {kind: service}, availability: 99.95%}",
		"{rule: max_unavailability, select: {tier: 0}, max: 0.001}",
		"{rule: max_unavailability, select: {tier: 0}}",
		"{rule: max_unavailability, max: 1%}",
		"{rule: max_unavailability, select: {tier: 0}, max: 1%, availability: 99%}",
		"{rule: max_unavailability, select: {tier: 0}, max: 100%}",
		"{rule: max_unavailability, select: {tier: 0}, availability: 0%}",
		"{rule: max_unavailability, select: {tier: 0}, max: lots}",
		"{rule: max_unavailability, select: {tier: 0}, max: 150%}",
		"{rule: max_unavailability, select: {tier: 0}, mx: 1%}",
	}
	var b strings.Builder
	for _, src := range decodes {
		src = "rules:\n  - " + src + "\n"
		fmt.Fprintf(&b, "=== decode\n%s--- \n%s\n", src, describeDecode(src))
	}
	checks := []struct{ model, rule string }{
		{"sbg-availability", "{rule: max_unavailability, select: {kind: service}, availability: 99.9%}"},
		{"sbg-availability", "{rule: max_unavailability, select: {id: [shop]}, max: 0.5%}"},
		{"sbg-availability", "{rule: max_unavailability, select: {id: [checkout, shop]}, max: 0.2%}"},
		// Fails closed: nothing has failure data.
		{"kakao-2022", "{rule: max_unavailability, select: {tier: 0}, max: 0.1%}"},
	}
	for _, ch := range checks {
		m, err := graph.Load(filepath.Join("..", "..", "testdata", ch.model+".yaml"))
		require.NoError(t, err)
		c, err := graph.Compile(m)
		require.NoError(t, err)
		p, err := Decode(strings.NewReader("rules:\n  - "+ch.rule+"\n"), "u.yaml")
		require.NoError(t, err)
		res, err := Check(context.Background(), c, p)
		require.NoError(t, err)
		fmt.Fprintf(&b, "=== check %s\n%s\n", ch.model, ch.rule)
		for _, rr := range res.Rules {
			fmt.Fprintf(&b, "passed=%v total=%d selected=%d measured=%d: %s\n", rr.Passed, rr.Total, rr.Selected, rr.Scenarios, rr.Demand())
			if w := rr.Unavailable; w != nil {
				fmt.Fprintf(&b, "  worst %+v\n", *w)
			}
			for _, v := range rr.Violations {
				fmt.Fprintf(&b, "  violation %s removed=%s (%v) %+v\n", v.Node, v.Removed, v.RemovedKind, *v.Unavailable)
			}
		}
	}
	golden.Assert(t, filepath.Join("..", "..", "testdata", "golden", "policy", "unavailability.txt"), []byte(b.String()))
}

// The rule as a Go value: the same verdicts as from a file.
func TestMaxUnavailabilityGo(t *testing.T) {
	m, err := graph.Load(filepath.Join("..", "..", "testdata", "sbg-availability.yaml"))
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	for _, tc := range []struct {
		max  float64
		pass bool
	}{{0.01, true}, {0.002, false}, {0.00229, false}, {0.00230, true}} {
		res, err := Check(context.Background(), c, &Policy{Rules: []Rule{MaxUnavailability(tc.max, Selector{IDs: []string{"checkout"}})}})
		require.NoError(t, err)
		require.Equal(t, tc.pass, res.Passed(), "max %v", tc.max)
	}
}
