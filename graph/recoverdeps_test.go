package graph

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recoveryDepsYAML uses every recovery-dependency field.
const recoveryDepsYAML = prelude + `  ops: {kind: service, site: s1}
  remote: {kind: network, requires: [net]}
  net:
    kind: network
    repair_requires: [remote]
    on_site: 5h
  app:
    kind: service
    replicas:
      - {site: s1}
      - {site: s2, standby: warm, failover_requires: [ops, db]}
`

func TestRecoveryDepsDecode(t *testing.T) {
	m, err := Decode(strings.NewReader(recoveryDepsYAML), "t.yaml", YAML)
	require.NoError(t, err)
	byID := map[string]*Node{}
	for i := range m.Nodes {
		byID[m.Nodes[i].ID] = &m.Nodes[i]
	}
	assert.Equal(t, []string{"remote"}, byID["net"].RepairRequires)
	assert.Equal(t, 5*time.Hour, byID["net"].OnSite)
	assert.Equal(t, []string{"ops", "db"}, byID["app"].Replicas[1].FailoverRequires)
	assert.Equal(t, 11, byID["net"].FieldPos("on_site").Line)
	assert.Equal(t, 16, byID["app"].FieldPos("replicas[1].failover_requires").Line)

	c, err := Compile(m)
	require.NoError(t, err)
	v := func(id string) int32 {
		x, ok := c.Lookup(id)
		require.True(t, ok, id)
		return x
	}
	assert.Equal(t, []int32{v("ops"), v("db")}, c.FailoverRequires(v("app@s2")))
	assert.Nil(t, c.FailoverRequires(v("app@s1")))
	assert.Equal(t, []int32{v("remote")}, c.RepairRequires(v("net")))
	assert.Equal(t, 5*time.Hour, c.OnSite(v("net")))
	assert.True(t, c.HasFailoverRequires())
	assert.True(t, c.HasRepairRequires())

	// The binary form keeps them.
	data, err := c.MarshalBinary()
	require.NoError(t, err)
	got, err := ReadCompiled(data)
	require.NoError(t, err)
	require.True(t, reflect.DeepEqual(c, got))
}

func TestRecoveryDepsEncodeRoundTrip(t *testing.T) {
	m, err := Decode(strings.NewReader(recoveryDepsYAML), "t.yaml", YAML)
	require.NoError(t, err)
	for _, f := range []Format{YAML, JSON} {
		var buf bytes.Buffer
		require.NoError(t, Encode(&buf, m, f))
		got, err := Decode(bytes.NewReader(buf.Bytes()), "enc", f)
		require.NoError(t, err, buf.String())
		for i := range m.Nodes {
			a, b := m.Nodes[i], got.Nodes[i]
			assert.Equal(t, a.RepairRequires, b.RepairRequires, a.ID)
			assert.Equal(t, a.OnSite, b.OnSite, a.ID)
			for j := range a.Replicas {
				assert.Equal(t, a.Replicas[j].FailoverRequires, b.Replicas[j].FailoverRequires, a.ID)
			}
		}
	}
}

func TestRecoveryDepsErrors(t *testing.T) {
	for _, tt := range []decodeCase{
		{"unknown failover requirement", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: hot, failover_requires: [dbb]}\n",
			[]string{`t.yaml:10: node "a": replicas[1].failover_requires[0]: unknown node "dbb" (did you mean "db"?)`}},
		{"failover on an active replica", "  a:\n    kind: service\n    replicas:\n      - {site: s1, failover_requires: [db]}\n",
			[]string{`t.yaml:9: node "a": replicas[0].failover_requires: only a standby that takes time to take over (hot, warm or cold) has failover_requires: a active replica serves at once`}},
		{"failover on a mirror", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: mirror, failover_requires: [db]}\n",
			[]string{`t.yaml:10: node "a": replicas[1].failover_requires: only a standby that takes time to take over (hot, warm or cold) has failover_requires: a mirror replica serves at once`}},
		{"unknown repair requirement", "  a:\n    kind: service\n    repair_requires: [dv]\n",
			[]string{`t.yaml:8: node "a": repair_requires[0]: unknown node "dv" (did you mean "db"?)`}},
		{"repair requires itself", "  a:\n    kind: service\n    repair_requires: [a]\n",
			[]string{`t.yaml:8: node "a": repair_requires[0]: the node itself: what it needs to come back cannot be itself`}},
		{"repair requirement twice", "  a:\n    kind: service\n    repair_requires: [db, db]\n",
			[]string{`t.yaml:8: node "a": repair_requires[1]: "db" is listed twice`}},
		{"on_site without requirements", "  a:\n    kind: service\n    on_site: 5h\n",
			[]string{`t.yaml:8: node "a": on_site: is the extra time of a repair that goes ahead without its repair_requires: list them`}},
		{"on_site zero", "  a:\n    kind: service\n    repair_requires: [db]\n    on_site: 0s\n",
			[]string{`t.yaml:9: node "a": on_site: must be more than 0, got 0s (leave it out when the repair cannot go ahead on site)`}},
		{"on_site not a duration", "  a:\n    kind: service\n    repair_requires: [db]\n    on_site: soon\n",
			[]string{`t.yaml:9: node "a": on_site: invalid duration "soon": write 90m, 6h, 1h30m or 3d`}},
		{"misspelt field", "  a:\n    kind: service\n    repair_requires: [db]\n    onsite: 5h\n",
			[]string{`t.yaml:9: node "a": onsite: unknown field (did you mean "on_site"?)`}},
		{"repair_requires not a list", "  a:\n    kind: service\n    repair_requires: db\n",
			[]string{`t.yaml:8: node "a": repair_requires: must be a list, got "db" (write [db])`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, problemLines(t, prelude+tt.src, "t.yaml", YAML))
		})
	}
}

// FuzzDecodeRecoveryDeps starts from the files and errors above: whatever
// the bytes, Decode returns a model or problems, never a panic, and what
// it returns compiles and round-trips (checkDecode).
func FuzzDecodeRecoveryDeps(f *testing.F) {
	f.Add(recoveryDepsYAML)
	f.Add(prelude + "  a:\n    kind: service\n    repair_requires: [db, a, db, '', x]\n    on_site: -5h\n")
	f.Add(prelude + "  a:\n    kind: service\n    replicas:\n      - {site: s1, failover_requires: {x: 1}}\n      - {site: s2, standby: cold, failover_requires: [[a]]}\n")
	f.Fuzz(func(t *testing.T, src string) { checkDecode(t, src, YAML) })
}
