package graph_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/race"
	"github.com/blastradius-go/blastradius/internal/synth"
	"github.com/blastradius-go/blastradius/internal/yamltree"
	"github.com/stretchr/testify/require"
)

// decodeText decodes src and returns the model and the error's text.
func decodeText(src []byte, f graph.Format) (*graph.Model, string) {
	m, err := graph.Decode(bytes.NewReader(src), "eq", f)
	if err != nil {
		return m, err.Error()
	}
	return m, ""
}

// requireSame requires that the fast and the reference readers give the
// same model, positions included, and the same problems.
func requireSame(t *testing.T, src []byte, f graph.Format) {
	t.Helper()
	fm, fe := decodeText(src, f)
	restore := graph.SetFastRead(false)
	rm, re := decodeText(src, f)
	restore()
	require.Equal(t, re, fe, "%s problems differ on %q", f, src)
	require.Equal(t, rm, fm, "%s models differ on %q", f, src)
}

// mutate returns src with a few random edits: bytes deleted, inserted
// (mostly YAML's indicators), lines duplicated or swapped.
func mutate(r *rand.Rand, src []byte) []byte {
	const alphabet = " :-{}[],#\n'\"&*!|>?%@`~\\.0x\t\r\ufeff"
	b := bytes.Clone(src)
	for range 1 + r.IntN(3) {
		if len(b) == 0 {
			break
		}
		i := r.IntN(len(b))
		switch r.IntN(5) {
		case 0:
			b = append(b[:i], b[i+1:]...)
		case 1, 2:
			c := alphabet[r.IntN(len(alphabet))]
			b = append(b[:i], append([]byte{c}, b[i:]...)...)
		case 3:
			lines := bytes.SplitAfter(b, []byte("\n"))
			j := r.IntN(len(lines))
			lines = append(lines[:j], append([][]byte{lines[j]}, lines[j:]...)...)
			b = bytes.Join(lines, nil)
		case 4:
			lines := bytes.SplitAfter(b, []byte("\n"))
			j, k := r.IntN(len(lines)), r.IntN(len(lines))
			lines[j], lines[k] = lines[k], lines[j]
			b = bytes.Join(lines, nil)
		}
	}
	return b
}

// The fast readers read every Encode'd random model, and decode it and
// thousands of mutations of it as the reference readers do.
func TestFastReadersAgreeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(seed(t), 2))
	n := 500 // 6,000 decodes
	if testing.Short() || race.Enabled {
		n = 100
	}
	for range n {
		m := synth.Random(r, 1+r.IntN(30))
		for _, f := range []graph.Format{graph.YAML, graph.JSON} {
			var b bytes.Buffer
			require.NoError(t, graph.Encode(&b, m, f))
			src := b.Bytes()
			var ok bool
			if f == graph.YAML {
				_, ok = yamltree.ReadFast(string(src), 100)
			} else {
				_, ok = yamltree.ReadJSON(string(src), 100)
			}
			require.True(t, ok, "the fast %s reader gave up on %q", f, src)
			requireSame(t, src, f)
			for range 5 {
				requireSame(t, mutate(r, src), f)
			}
		}
	}
}

// A hand-written file in block style with everything the format has.
func TestFastReadersAgreeBlockStyle(t *testing.T) {
	src := `# a catalog
---
model: block
description: >-
  folded
  text
sources:
  - https://example.com/a#b
  - 'it''s'
nodes:
  r:
    kind: region
  s1:
    kind: site
    region: r   # comment
  s2: {kind: site, region: r}
  db:
    kind: datastore
    replicas:
    - site: s1
      capacity: 60
    - site: s2
      capacity: 40
      standby: hot
      recovery: 1h30m
    demand: 60
    degraded_at: 30
    labels:
      team: "storage \u00e9"
      empty:
  app:
    kind: service
    users: 1_000
    tier: 0x1
    requires:
      - db
      - any_of: [s1, s2]
      - {at_least: 1, of: [db]}
    uses: [r]
    restart: 1d2h
...
`
	_, ok := yamltree.ReadFast(src, 100)
	require.True(t, ok)
	requireSame(t, []byte(src), graph.YAML)
	m, err := graph.Decode(strings.NewReader(src), "b.yaml", graph.YAML)
	require.NoError(t, err)
	require.Equal(t, "folded text", m.Description)
}
