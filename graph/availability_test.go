package graph

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const reliabilityYAML = `model: rel
defaults:
  site: {availability: 99.99%}
  power: {mtbf: 8760h, mttr: 4h}
nodes:
  dc: {kind: site}
  feed: {kind: power}
  db: {kind: datastore, availability: 0.9995, site: dc}
  app: {kind: service, availability: 99.9%, requires: [db]}
  lb: {kind: network, mtbf: 1000h, mttr: 1h}
  own: {kind: site, availability: 100%}
  none: {kind: service}
`

func TestReliabilityDecode(t *testing.T) {
	for _, fast := range []bool{true, false} {
		m, errText := decodeWith(fast, reliabilityYAML, YAML)
		require.Empty(t, errText, "fast %v", fast)
		require.Equal(t, 0.9999, m.Defaults[Site].Availability)
		require.Equal(t, 8760*time.Hour, m.Defaults[Power].MTBF)
		require.Equal(t, 4*time.Hour, m.Defaults[Power].MTTR)
		c, err := Compile(m)
		require.NoError(t, err)
		want := map[string]float64{
			"dc":   1 - 0.9999,
			"feed": 4.0 / 8764,
			"db":   1 - 0.9995,
			"app":  1 - 0.999,
			"lb":   1.0 / 1001,
			"own":  0, // its own 100% overrides the site default
			"none": 0,
		}
		for id, p := range want {
			v, _ := c.Lookup(id)
			require.InDelta(t, p, c.Unavailability(v), 1e-15, "%s fast %v", id, fast)
		}
		require.True(t, c.HasFailureData())
	}
}

func TestReliabilityNoneCostsNothing(t *testing.T) {
	c := mustCompile(t, &Model{Nodes: []Node{{ID: "a", Kind: Service}}})
	require.False(t, c.HasFailureData())
	require.Zero(t, c.Unavailability(0))
	require.Zero(t, c.Unavailability(99)) // out of range: a vertex that is no node
}

func mustCompile(t *testing.T, m *Model) *Compiled {
	t.Helper()
	c, err := Compile(m)
	require.NoError(t, err)
	return c
}

func TestReliabilityErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"zero", "nodes:\n  a: {kind: site, availability: 0%}\n", `eq:2: node "a": availability: must be more than 0%`},
		{"over 100", "nodes:\n  a: {kind: site, availability: 100.5%}\n", `eq:2: node "a": availability: must be a percentage such as 99.95%`},
		{"fraction over 1", "nodes:\n  a: {kind: site, availability: 1.5}\n", `eq:2: node "a": availability: must be a percentage such as 99.95%`},
		{"fraction percent", "nodes:\n  a: {kind: site, availability: 1/2%}\n", `eq:2: node "a": availability: must be a percentage such as 99.95%`},
		{"text", "nodes:\n  a: {kind: site, availability: high}\n", `eq:2: node "a": availability: must be a percentage such as 99.95%`},
		{"both", "nodes:\n  a: {kind: site, availability: 99%, mtbf: 10h, mttr: 1h}\n", `node "a": mtbf: availability and mtbf/mttr are exclusive`},
		{"mtbf alone", "nodes:\n  a: {kind: site, mtbf: 10h}\n", `eq:2: node "a": mttr: missing: mtbf needs mttr`},
		{"mttr alone", "nodes:\n  a: {kind: site, mttr: 1h}\n", `eq:2: node "a": mtbf: missing: mttr needs mtbf`},
		{"mttr zero", "nodes:\n  a: {kind: site, mtbf: 10h, mttr: 0s}\n", `eq:2: node "a": mttr: must be more than 0`},
		{"mtbf bad", "nodes:\n  a: {kind: site, mtbf: often, mttr: 1h}\n", `eq:2: node "a": mtbf:`},
		{"default kind", "defaults:\n  sight: {availability: 99%}\nnodes:\n  a: {kind: site}\n", `eq:2: defaults: unknown kind "sight": want one of service`},
		{"default field", "defaults:\n  site: {availabilty: 99%}\nnodes:\n  a: {kind: site}\n", `eq:2: defaults.site.availabilty: unknown field (did you mean "availability"?)`},
		{"default value", "defaults:\n  site: {availability: 0}\nnodes:\n  a: {kind: site}\n", `eq:2: defaults.site.availability: must be more than 0%`},
		{"default both", "defaults:\n  site: {availability: 99%, mttr: 1h}\nnodes:\n  a: {kind: site}\n", `eq:2: defaults.site.mttr: availability and mtbf/mttr are exclusive`},
		{"default shape", "defaults: [site]\nnodes:\n  a: {kind: site}\n", `eq:1: defaults: must be a mapping from kind to failure data`},
	} {
		for _, fast := range []bool{true, false} {
			_, errText := decodeWith(fast, tc.src, YAML)
			require.Contains(t, errText, tc.want, "%s (fast %v)", tc.name, fast)
		}
	}
}

func TestReliabilityValidateGo(t *testing.T) {
	for _, tc := range []struct {
		n    Node
		want string
	}{
		{Node{ID: "a", Kind: Site, Availability: math.NaN()}, `node "a": availability: must be more than 0% and at most 100%`},
		{Node{ID: "a", Kind: Site, Availability: -0.5}, `node "a": availability: must be more than 0%`},
		{Node{ID: "a", Kind: Site, MTBF: -time.Hour, MTTR: time.Hour}, `node "a": mtbf: must be more than 0`},
		{Node{ID: "a", Kind: Site, MTBF: 200 * 365 * 24 * time.Hour, MTTR: time.Hour}, `node "a": mtbf: must be at most`},
	} {
		err := (&Model{Nodes: []Node{tc.n}}).Validate()
		require.Error(t, err)
		require.Contains(t, err.Error(), tc.want)
	}
	err := (&Model{Defaults: map[Kind]Reliability{Kind(77): {Availability: 0.9}}, Nodes: []Node{{ID: "a", Kind: Site}}}).Validate()
	require.ErrorContains(t, err, "defaults: unknown kind")
}

func TestReliabilityRoundTrip(t *testing.T) {
	m, errText := decodeWith(true, reliabilityYAML, YAML)
	require.Empty(t, errText)
	for _, f := range []Format{YAML, JSON} {
		var b bytes.Buffer
		require.NoError(t, Encode(&b, m, f))
		back, err := Decode(strings.NewReader(b.String()), "enc", f)
		require.NoError(t, err, "%s:\n%s", f, b.String())
		require.Equal(t, len(m.Defaults), len(back.Defaults))
		for k, r := range m.Defaults {
			r.Pos, back.Defaults[k] = Pos{}, Reliability{Availability: back.Defaults[k].Availability, MTBF: back.Defaults[k].MTBF, MTTR: back.Defaults[k].MTTR}
			require.Equal(t, r, back.Defaults[k], "%s %v", f, k)
		}
		for i := range m.Nodes {
			a, b := m.Nodes[i].Reliability(), back.Nodes[i].Reliability()
			a.Pos, b.Pos = Pos{}, Pos{}
			require.Equal(t, a, b, "%s %s", f, m.Nodes[i].ID)
		}
	}
}

func TestReliabilityCacheRoundTrip(t *testing.T) {
	m, errText := decodeWith(true, reliabilityYAML, YAML)
	require.Empty(t, errText)
	c := mustCompile(t, m)
	data, err := c.MarshalBinary()
	require.NoError(t, err)
	back, err := ReadCompiled(data)
	require.NoError(t, err)
	require.Equal(t, c.unavail, back.unavail)
	// A graph without failure data stays without.
	c0 := mustCompile(t, &Model{Nodes: []Node{{ID: "a", Kind: Service}}})
	data, err = c0.MarshalBinary()
	require.NoError(t, err)
	back, err = ReadCompiled(data)
	require.NoError(t, err)
	require.Nil(t, back.unavail)
}

// The fuzz targets start from failure data too, right and wrong.
func init() {
	fuzzSeedsYAML = append(fuzzSeedsYAML, reliabilityYAML,
		"defaults: {site: {availability: 0}, sight: {mtbf: 1h}}\nnodes:\n  a: {kind: site, availability: '99.9 %', mtbf: 1h}\n",
		"nodes:\n  a: {kind: power, mtbf: 3d, mttr: 90m}\n  b: {kind: site, availability: 1/2%, requires: [a]}\n")
	fuzzSeedsJSON = append(fuzzSeedsJSON,
		`{"defaults": {"site": {"availability": 0.9999}}, "nodes": {"a": {"kind": "site", "mtbf": "10h", "mttr": "1h"}}}`)
}
