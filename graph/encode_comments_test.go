package graph_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
	"github.com/stretchr/testify/require"
)

// hostileComments are comment lines that could break the YAML around them
// if written as they are.
var hostileComments = []string{
	"from backstage: catalog-info.yaml:12",
	"two\nlines", "carriage\rreturn", "trailing space  ", "", "#", "- not a list", "key: value",
	"nodes: {}", "\"quoted", "тест ✓", "ends with a break\n",
}

// TestEncodeWithComments holds EncodeWith to Encode: with comments the
// model read back is the same, every comment is in the file, and without
// them the bytes are Encode's.
func TestEncodeWithComments(t *testing.T) {
	r := rand.New(rand.NewPCG(seed(t), 2))
	n := 1000
	if testing.Short() || race.Enabled {
		n = 100
	}
	for range n {
		m := synth.Random(r, 1+r.IntN(20))
		var plain, zero bytes.Buffer
		require.NoError(t, graph.Encode(&plain, m, graph.YAML))
		require.NoError(t, graph.EncodeWith(&zero, m, graph.YAML, graph.EncodeOptions{}))
		require.Equal(t, plain.String(), zero.String())

		opts := graph.EncodeOptions{
			Header: []string{hostileComments[r.IntN(len(hostileComments))], "written by a test"},
			Comment: func(n *graph.Node) []string {
				return []string{"node " + n.ID, hostileComments[r.IntN(len(hostileComments))]}
			},
		}
		for _, f := range []graph.Format{graph.YAML, graph.JSON} {
			var b bytes.Buffer
			require.NoError(t, graph.EncodeWith(&b, m, f, opts))
			got, err := graph.Decode(bytes.NewReader(b.Bytes()), "enc", f)
			require.NoError(t, err, "%s:\n%s", f, b.String())
			require.Equal(t, bare(m), bare(got), "%s:\n%s", f, b.String())
			if f == graph.JSON {
				require.Equal(t, encode(t, m, graph.JSON), b.Bytes(), "JSON has no comments")
				continue
			}
			for _, node := range m.Nodes {
				require.Contains(t, b.String(), "  # node "+node.ID+"\n")
			}
		}
	}
}

func TestEncodeWithCommentsGolden(t *testing.T) {
	m := &graph.Model{Name: "shop"}
	m.Add(graph.Node{ID: "zone-a", Kind: graph.Site},
		graph.Node{ID: "checkout", Requires: graph.All("payments"), Site: "zone-a"},
		graph.Node{ID: "payments", Site: "zone-a"})
	var b bytes.Buffer
	require.NoError(t, graph.EncodeWith(&b, m, graph.YAML, graph.EncodeOptions{
		Header: []string{"written by blastradius import"},
		Comment: func(n *graph.Node) []string {
			if n.Kind == graph.Site {
				return nil
			}
			return []string{"backstage: catalog/" + n.ID + ".yaml:3", "k8s: k8s/" + n.ID + ".yaml:1"}
		},
	}))
	want := strings.Join([]string{
		"# written by blastradius import",
		"model: shop",
		"nodes:",
		"  zone-a:",
		"    kind: site",
		"  # backstage: catalog/checkout.yaml:3",
		"  # k8s: k8s/checkout.yaml:1",
		"  checkout:",
		"    kind: service",
		"    site: zone-a",
		"    requires: [payments]",
		"  # backstage: catalog/payments.yaml:3",
		"  # k8s: k8s/payments.yaml:1",
		"  payments:",
		"    kind: service",
		"    site: zone-a",
		"",
	}, "\n")
	require.Equal(t, want, b.String())
}
