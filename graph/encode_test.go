package graph_test

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
	"github.com/stretchr/testify/require"
)

var encodeSeed = flag.Uint64("seed", 0, "seed of the random models of the encode and decode property tests (0: from the clock)")

// seed returns the seed of a property test and logs it, so that a failure
// can be rerun with -seed.
func seed(t *testing.T) uint64 {
	s := *encodeSeed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

// bare returns a copy of m without positions or file, the part of a model
// that Encode writes.
func bare(m *graph.Model) *graph.Model {
	out := &graph.Model{Name: m.Name, Description: m.Description, Sources: m.Sources}
	for k, r := range m.Defaults {
		if out.Defaults == nil {
			out.Defaults = map[graph.Kind]graph.Reliability{}
		}
		r.Pos = graph.Pos{}
		out.Defaults[k] = r
	}
	deps := func(ds []graph.Dep) []graph.Dep {
		if ds == nil {
			return nil
		}
		c := make([]graph.Dep, len(ds))
		for i, d := range ds {
			c[i] = graph.Dep{Form: d.Form, Need: d.Need, DegradedAt: d.DegradedAt}
			if d.Members != nil {
				c[i].Members = make([]graph.Member, len(d.Members))
				for j, mb := range d.Members {
					c[i].Members[j] = graph.Member{ID: mb.ID, Weight: mb.Weight}
				}
			}
		}
		return c
	}
	for _, n := range m.Nodes {
		c := graph.Node{ID: n.ID, Kind: n.Kind, Description: n.Description, Users: n.Users, Tier: n.Tier,
			Labels: n.Labels, Region: n.Region, Site: n.Site, Demand: n.Demand, DegradedAt: n.DegradedAt,
			Requires: deps(n.Requires), Uses: deps(n.Uses), Restart: n.Restart,
			Availability: n.Availability, MTBF: n.MTBF, MTTR: n.MTTR}
		if n.Replicas != nil {
			c.Replicas = make([]graph.Replica, len(n.Replicas))
			for i, r := range n.Replicas {
				c.Replicas[i] = graph.Replica{Site: r.Site, Capacity: r.Capacity, Standby: r.Standby, Recovery: r.Recovery, Requires: deps(r.Requires)}
			}
		}
		out.Nodes = append(out.Nodes, c)
	}
	return out
}

func encode(t *testing.T, m *graph.Model, f graph.Format) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, graph.Encode(&b, m, f))
	return b.Bytes()
}

// roundTrip encodes m in both formats, checks that encoding again gives the
// same bytes and that Decode reads back m, and returns the files.
func roundTrip(t *testing.T, m *graph.Model) (yaml, json []byte) {
	t.Helper()
	for _, f := range []graph.Format{graph.YAML, graph.JSON} {
		src := encode(t, m, f)
		require.Equal(t, string(src), string(encode(t, m, f)), "not deterministic")
		got, err := graph.Decode(bytes.NewReader(src), "enc", f)
		require.NoError(t, err, "%s:\n%s", f, src)
		require.Equal(t, bare(m), bare(got), "%s:\n%s", f, src)
		if f == graph.YAML {
			yaml = src
		} else {
			json = src
		}
	}
	return yaml, json
}

func TestEncodeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(seed(t), 1))
	n := 3000
	if testing.Short() || race.Enabled {
		n = 300
	}
	for range n {
		roundTrip(t, synth.Random(r, 1+r.IntN(30)))
	}
}

func TestEncodeTestdata(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.yaml")
	require.NoError(t, err)
	n := 0
	for _, file := range files {
		m, err := graph.Load(file)
		if err != nil {
			continue // not a model (the policy)
		}
		roundTrip(t, m)
		n++
	}
	require.GreaterOrEqual(t, n, 4)
}

func TestEncodeServices(t *testing.T) {
	roundTrip(t, synth.Services(synth.Default(2000, 7)))
}

// Strings that need quoting, and the corners of each field.
func TestEncodeAwkward(t *testing.T) {
	m := &graph.Model{Name: "null", Description: "line\nbreak: \"quoted\" # not a comment", Sources: []string{"https://example.com/a?b=c#d", ""}}
	m.Add(
		graph.Node{ID: "r", Kind: graph.Region},
		graph.Node{ID: "s1", Kind: graph.Site, Region: "r", Tier: graph.TierOf(0), Labels: map[string]string{}},
		graph.Node{ID: "s2", Kind: graph.Site, Region: "r", Labels: map[string]string{"": "", "a b": "~", "x": "null", "yes": "true", "n": "0x10", "é": "ünï"}},
		graph.Node{ID: "2022", Kind: graph.Datastore, Tier: graph.TierOf(3), Users: graph.MaxUsers, Description: "- not a list", Restart: 36 * time.Hour,
			Replicas: []graph.Replica{{Site: "s1", Capacity: 60}, {Site: "s2", Capacity: 40, Standby: graph.Hot, Recovery: 90 * time.Minute, Requires: graph.All("r")}},
			Demand:   60, DegradedAt: 30, Requires: []graph.Dep{}, Uses: []graph.Dep{}},
		graph.Node{ID: "team/api_1.x-y", Kind: graph.Service, Site: "s1",
			Requires: []graph.Dep{graph.AnyOf("2022", "r"), graph.AtLeast(1, "s2", "2022"), graph.Capacity(5, 2, graph.Member{ID: "2022", Weight: 3}, graph.Member{ID: "r", Weight: 4})},
			Uses:     graph.All("2022")},
	)
	y, j := roundTrip(t, m)
	require.True(t, strings.HasPrefix(string(y), "model: \"null\"\n"), "%s", y)
	require.Contains(t, string(j), `"nodes": {`)

	var b bytes.Buffer
	require.ErrorContains(t, graph.Encode(&b, &graph.Model{Name: "\xff"}, graph.YAML), "not valid UTF-8")
	require.ErrorContains(t, graph.Encode(&b, &graph.Model{Nodes: []graph.Node{{ID: "a", Kind: 200}}}, graph.JSON), "kind")
	require.Error(t, graph.Encode(&b, &graph.Model{}, graph.Format(9)))
}
