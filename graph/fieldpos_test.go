package graph

import (
	"strings"
	"testing"
)

// TestFieldPos holds that the compact field positions the decoder records
// (fieldAt) answer FieldPos for every field of a node and of its replicas,
// and nothing else.
func TestFieldPos(t *testing.T) {
	src := `nodes:
  s1: {kind: site}
  s2: {kind: site}
  a:
    kind: service
    tier: 1
    users: 5
    replicas:
      - site: s1
        capacity: 2
      - {site: s2,
         capacity: 1}
    demand: 2
    requires: [s1]
`
	m, err := Decode(strings.NewReader(src), "t.yaml", YAML)
	if err != nil {
		t.Fatal(err)
	}
	a := &m.Nodes[2]
	for _, c := range []struct {
		field string
		line  int // 0: not found
	}{
		{"kind", 5}, {"tier", 6}, {"users", 7}, {"replicas", 8}, {"demand", 13}, {"requires", 14},
		{"replicas[0].site", 9}, {"replicas[0].capacity", 10},
		{"replicas[1].site", 11}, {"replicas[1].capacity", 12},
		{"uses", 0}, {"replicas[2].site", 0}, {"replicas[01].site", 0}, {"replicas[0]", 0},
		{"replicas[0].", 0}, {"replicas[].site", 0}, {"replicas[0].kind", 0}, {"bogus", 0},
		{"replicas[99999999999].site", 0},
	} {
		p, ok := a.lookupField(c.field)
		if ok != (c.line > 0) || ok && (p.Line != c.line || p.File != "t.yaml") {
			t.Errorf("lookupField(%q) = %v, %v; want line %d", c.field, p, ok, c.line)
		}
		want := c.line
		if want == 0 {
			want = 4
		}
		if p := a.FieldPos(c.field); p.Line != want {
			t.Errorf("FieldPos(%q) = %v, want line %d", c.field, p, want)
		}
	}
}
