package graph

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Numbers beyond the limits are errors naming file, line, node and field,
// so that no sum an analysis makes overflows (users 5e18 twice once passed
// a redundancy gate with "0 of -8,446,744,073,709,551,616 users"; three
// replicas of capacity 2^63-1 once made their node Down).
func TestNumericLimits(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // the problems, formatted
	}{
		{"users twice 5e18", `
nodes:
  a: {kind: service, users: 5000000000000000000}
  b: {kind: service, users: 5000000000000000000}
`, []string{
			`m.yaml:3: node "a": users: must be at most 1000000000000000, got 5000000000000000000`,
			`m.yaml:4: node "b": users: must be at most 1000000000000000, got 5000000000000000000`,
		}},
		{"users at the limit", `
nodes:
  a: {kind: service, users: 1000000000000000}
`, nil},
		{"three replicas of 2^63-1", `
nodes:
  s: {kind: site}
  t: {kind: site}
  u: {kind: site}
  a:
    kind: service
    demand: 9223372036854775807
    replicas:
      - {site: s, capacity: 9223372036854775807}
      - {site: t, capacity: 9223372036854775807}
      - {site: u, capacity: 9223372036854775807}
`, []string{
			`m.yaml:8: node "a": demand: must be at most 1000000000000000, got 9223372036854775807`,
			`m.yaml:10: node "a": replicas[0].capacity: the replicas' capacities add up to more than 1000000000000000 here (the limit for a node)`,
		}},
		{"replicas at the limit", `
nodes:
  s: {kind: site}
  t: {kind: site}
  a:
    kind: service
    demand: 500000000000000
    replicas:
      - {site: s, capacity: 500000000000000}
      - {site: t, capacity: 500000000000000}
`, nil},
		{"a capacity group above the limit", `
nodes:
  x: {kind: service}
  y: {kind: service}
  a:
    kind: service
    requires:
      - capacity: {x: 600000000000000, y: 600000000000000}
        demand: 10
`, []string{
			`m.yaml:8: node "a": requires[0].capacity[1]: the group's capacities add up to more than 1000000000000000 here (the limit for a group)`,
		}},
		{"times above 10 years", `
nodes:
  s: {kind: site}
  t: {kind: site}
  a:
    kind: service
    restart: 87601h
    replicas:
      - {site: s}
      - {site: t, standby: cold, recovery: 3651d}
`, []string{
			`m.yaml:7: node "a": restart: must be at most 87600h0m0s (10 years), got 87601h0m0s`,
			`m.yaml:10: node "a": replicas[1].recovery: must be at most 87600h0m0s (10 years), got 87624h0m0s`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.src), "m.yaml", YAML)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// The users of all nodes together are bounded too: 4,000 nodes at the
// per-node limit reach MaxTotalUsers, and one more user is an error at the
// node that crosses it.
func TestTotalUsersLimit(t *testing.T) {
	var m Model
	for i := range MaxTotalUsers / MaxUsers {
		m.Add(Node{ID: "n" + strconv.Itoa(int(i)), Kind: Service, Users: MaxUsers})
	}
	require.NoError(t, m.Validate())
	m.Add(Node{ID: "last", Kind: Service, Users: 1})
	var ve *ValidationError
	require.ErrorAs(t, m.Validate(), &ve)
	require.Len(t, ve.Problems, 1)
	assert.Equal(t, Problem{Node: "last", Field: "users", Msg: "the users of the model add up to more than 4000000000000000000 here (the limit is 4000000000000000000 in all)"}, ve.Problems[0])
}
