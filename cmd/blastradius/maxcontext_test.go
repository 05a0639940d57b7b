package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// simulate --focus --max-context N draws export.DOT with MaxContext N, the
// drawing the page asks the server for (context=N); a negative N is a
// usage error.
func TestSimulateMaxContext(t *testing.T) {
	m, err := graph.Load(kakao)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail("kakao-login"))
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, export.DOT(&want, o, export.GraphOptions{Focus: true, MaxContext: 3}))
	code, out, errOut := runCLI("simulate", kakao, "--fail", "kakao-login", "--format", "dot", "--focus", "--max-context", "3")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, want.String(), out)
	assert.Contains(t, out, "blast radius and 3 of the 23 nodes of its ring of context")

	code, _, errOut = runCLI("simulate", kakao, "--fail", "kakao-login", "--format", "dot", "--focus", "--max-context", "-1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--max-context -1: want 0 (the whole ring) or more")
}
