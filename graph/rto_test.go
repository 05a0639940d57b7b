package graph_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
)

const rtoModel = `model: rto
nodes:
  dc: {kind: site}
  talk:
    kind: service
    site: dc
    rto: 1h30m
  pay: {kind: service, site: dc, requires: [talk]}
`

// TestRTO reads an rto, writes it back, compiles it and keeps it through
// the compiled-model cache; a node without one has 0.
func TestRTO(t *testing.T) {
	m, err := graph.Decode(strings.NewReader(rtoModel), "m.yaml", graph.YAML)
	require.NoError(t, err)
	assert.Equal(t, 90*time.Minute, m.Nodes[1].RTO)
	assert.Equal(t, graph.Pos{File: "m.yaml", Line: 7}, m.Nodes[1].FieldPos("rto"))

	for _, f := range []graph.Format{graph.YAML, graph.JSON} {
		var buf bytes.Buffer
		require.NoError(t, graph.Encode(&buf, m, f))
		back, err := graph.Decode(&buf, "back", f)
		require.NoError(t, err, buf.String())
		assert.Equal(t, 90*time.Minute, back.Nodes[1].RTO, "round trip in %v", f)
		assert.Zero(t, back.Nodes[2].RTO)
	}

	c, err := graph.Compile(m)
	require.NoError(t, err)
	talk, _ := c.Lookup("talk")
	pay, _ := c.Lookup("pay")
	at, _ := c.Lookup("talk@dc")
	assert.Equal(t, 90*time.Minute, c.RTO(talk))
	assert.Zero(t, c.RTO(pay))
	assert.Zero(t, c.RTO(at), "a replica has no objective of its own")

	data, err := c.MarshalBinary()
	require.NoError(t, err)
	r, err := graph.ReadCompiled(data)
	require.NoError(t, err)
	assert.Equal(t, 90*time.Minute, r.RTO(talk))
	assert.Zero(t, r.RTO(pay))
}

// TestRTONone: a model without objectives compiles and caches none.
func TestRTONone(t *testing.T) {
	m, err := graph.Decode(strings.NewReader("nodes:\n  dc: {kind: site}\n  a: {kind: service, site: dc}\n"), "m.yaml", graph.YAML)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	data, err := c.MarshalBinary()
	require.NoError(t, err)
	r, err := graph.ReadCompiled(data)
	require.NoError(t, err)
	a, _ := r.Lookup("a")
	assert.Zero(t, r.RTO(a))
}

func TestRTOErrors(t *testing.T) {
	for _, tc := range []struct{ name, node, want string }{
		{"a duration", "  a: {kind: service, site: dc, rto: soon}\n", `m.yaml:3: node "a": rto: invalid duration "soon": write 90m, 6h, 1h30m or 3d`},
		{"not 0", "  a: {kind: service, site: dc, rto: 0s}\n", `m.yaml:3: node "a": rto: must be more than 0, got 0s (leave it out for no objective)`},
		{"not negative", "  a:\n    kind: service\n    rto: -1h\n", `m.yaml:5: node "a": rto: must be more than 0, got -1h (leave it out for no objective)`},
		{"at most 10 years", "  a:\n    kind: service\n    rto: 87601h\n", `m.yaml:5: node "a": rto: must be at most 87600h0m0s (10 years), got 87601h0m0s`},
		{"misspelt", "  a: {kind: service, site: dc, rtoo: 1h}\n", `did you mean "rto"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := graph.Decode(strings.NewReader("nodes:\n  dc: {kind: site}\n"+tc.node), "m.yaml", graph.YAML)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	var m graph.Model
	m.Add(graph.Node{ID: "a", Kind: graph.Service, RTO: -time.Minute})
	require.Error(t, m.Validate())
	assert.Contains(t, m.Validate().Error(), `node "a": rto: must not be negative, got -1m0s`)
}
