package graph

import (
	"errors"
	"fmt"
	"github.com/blastradius-go/blastradius/internal/race"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prelude starts every node-level case: lines 1 to 5, so that a case's
// nodes start on line 6.
const prelude = `nodes:
  r: {kind: region}
  s1: {kind: site, region: r}
  s2: {kind: site, region: r}
  db: {kind: datastore, site: s1}
`

// problemLines decodes src and returns the error's lines; it fails the test
// unless the error is a *ValidationError and there is no model.
func problemLines(t *testing.T, src, file string, f Format) []string {
	t.Helper()
	m, err := Decode(strings.NewReader(src), file, f)
	require.Error(t, err, "decoded: %+v", m)
	require.Nil(t, m)
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%T is not a *ValidationError: %v", err, err)
	lines := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		lines[i] = p.Error()
	}
	assert.Equal(t, strings.Join(lines, "\n"), err.Error())
	return lines
}

// decodeCase is a file and the exact problems Decode finds in it.
type decodeCase struct {
	name string
	src  string
	want []string
}

// yamlCases has one case per rule of the file format. Cases whose src
// starts with two spaces are nodes appended to the prelude, from line 6 on.
var yamlCases = []decodeCase{
	// The top level.
	{"unknown top-level field", "nodes: {}\ndescripton: x\n",
		[]string{`t.yaml:2: descripton: unknown field (did you mean "description"?)`}},
	{"unknown top-level field, no suggestion", "nodes: {}\nowner: me\n",
		[]string{`t.yaml:2: owner: unknown field`}},
	{"model is a string", "model: [a]\nnodes: {}\n",
		[]string{`t.yaml:1: model: must be a string, got a list`}},
	{"sources are strings", "sources: [a, {b: c}]\nnodes: {}\n",
		[]string{`t.yaml:1: sources[1]: must be a string, got a mapping`}},
	{"sources is a list", "sources: https://example.com\nnodes: {}\n",
		[]string{`t.yaml:1: sources: must be a list, got "https://example.com" (write [https://example.com])`}},
	{"nodes missing", "model: x\n",
		[]string{`t.yaml:1: nodes: missing: a model needs nodes`}},
	{"nodes is a mapping", "nodes: [a, b]\n",
		[]string{`t.yaml:1: nodes: must be a mapping from node id to node, got a list`}},
	{"top level is a mapping", "- a\n- b\n",
		[]string{`t.yaml:1: must be a mapping with nodes, got a list`}},
	{"empty file", "# nothing\n",
		[]string{`t.yaml: the file is empty: want a mapping with nodes`}},
	{"top-level key twice", "nodes: {}\nmodel: a\nmodel: b\n",
		[]string{`t.yaml:3: model: duplicate key (first at line 2)`}},
	{"syntax error", "nodes:\n  a: {kind: service\n  b: {kind: site}\n",
		[]string{`t.yaml:2: invalid YAML: did not find expected ',' or '}'`}},
	{"syntax error in block style", "nodes:\n  a:\n    kind: service\n  - b\n",
		[]string{`t.yaml:2: invalid YAML: did not find expected key`}},
	{"syntax error, scanner", "nodes:\n  a: {kind: @service}\n",
		[]string{`t.yaml:2: invalid YAML: found character that cannot start any token`}},
	{"unknown anchor", "nodes:\n  a: {kind: service}\n  b: *a\n",
		[]string{`t.yaml:3: invalid YAML: unknown anchor 'a' referenced`}},
	{"two documents", "nodes: {}\n---\nnodes: {}\n",
		[]string{`t.yaml:2: invalid YAML: a file holds one YAML document, found a second`}},

	// Node ids.
	{"duplicate id", "  a: {kind: service}\n  a: {kind: queue}\n",
		[]string{`t.yaml:7: node "a": duplicate id (first at line 6)`}},
	{"id with a reserved character", "  a@b: {kind: service}\n",
		[]string{`t.yaml:6: node "a@b": invalid character '@' in id ('@' and ':' are reserved)`}},
	{"id with a colon", "  \"a:b\": {kind: service}\n",
		[]string{`t.yaml:6: node "a:b": invalid character ':' in id ('@' and ':' are reserved)`}},
	{"id with a space", "  \"a b\": {kind: service}\n",
		[]string{`t.yaml:6: node "a b": invalid character ' ' in id: use letters, digits, '.', '_', '-' and '/'`}},
	{"id starting with a dash", "  -a: {kind: service}\n",
		[]string{`t.yaml:6: node "-a": id must start with a letter or digit, not '-'`}},
	{"empty id", "  \"\": {kind: service}\n",
		[]string{`t.yaml:6: empty node id`}},
	{"id too long", "  " + strings.Repeat("x", 257) + ": {kind: service}\n",
		[]string{`t.yaml:6: node "` + strings.Repeat("x", 64) + `...": id is 257 bytes long, more than the limit of 256`}},

	// kind.
	{"kind missing", "  a: {users: 5}\n",
		[]string{`t.yaml:6: node "a": kind: missing: want one of service, identity, datastore, queue, network, power, site, region, external`}},
	{"node without fields", "  a:\n",
		[]string{`t.yaml:6: node "a": kind: missing: want one of service, identity, datastore, queue, network, power, site, region, external`}},
	{"kind misspelled", "  a: {kind: sevrice}\n",
		[]string{`t.yaml:6: node "a": kind: unknown kind "sevrice" (did you mean "service"?)`}},
	{"kind unknown", "  a: {kind: spaceship}\n",
		[]string{`t.yaml:6: node "a": kind: unknown kind "spaceship": want one of service, identity, datastore, queue, network, power, site, region, external`}},
	{"kind is a string", "  a: {kind: [service]}\n",
		[]string{`t.yaml:6: node "a": kind: must be a string, got a list`}},
	{"node is a mapping", "  a: service\n",
		[]string{`t.yaml:6: node "a": must be a mapping of fields such as kind, got "service"`}},

	// Unknown and repeated fields.
	{"unknown node field", "  a:\n    kind: service\n    require: [db]\n",
		[]string{`t.yaml:8: node "a": require: unknown field (did you mean "requires"?)`}},
	{"node field twice", "  a:\n    kind: service\n    kind: queue\n",
		[]string{`t.yaml:8: node "a": kind: duplicate key (first at line 7)`}},

	// users, tier, labels, description.
	{"users not a number", "  a: {kind: service, users: lots}\n",
		[]string{`t.yaml:6: node "a": users: must be an integer, got "lots"`}},
	{"users not an integer", "  a: {kind: service, users: 1.5e6}\n",
		[]string{`t.yaml:6: node "a": users: must be an integer, got 1.5e6`}},
	{"users quoted", "  a: {kind: service, users: \"100\"}\n",
		[]string{`t.yaml:6: node "a": users: must be an integer, got "100"`}},
	{"users negative", "  a: {kind: service, users: -1}\n",
		[]string{`t.yaml:6: node "a": users: must be >= 0, got -1`}},
	{"users out of range", "  a: {kind: service, users: 99999999999999999999}\n",
		[]string{`t.yaml:6: node "a": users: must be an integer, got 99999999999999999999`}},
	{"tier negative", "  a: {kind: service, tier: -1}\n",
		[]string{`t.yaml:6: node "a": tier: must be >= 0, got -1`}},
	{"tier too large", "  a: {kind: service, tier: 2000000000}\n",
		[]string{`t.yaml:6: node "a": tier: must be between 0 and 1073741824, got 1073741825`}},
	{"labels is a mapping", "  a: {kind: service, labels: [x]}\n",
		[]string{`t.yaml:6: node "a": labels: must be a mapping of names to values, got a list`}},
	{"label value is a scalar", "  a: {kind: service, labels: {team: [x]}}\n",
		[]string{`t.yaml:6: node "a": labels.team: a label value must be a scalar, got a list`}},
	{"description is a string", "  a: {kind: service, description: {x: y}}\n",
		[]string{`t.yaml:6: node "a": description: must be a string, got a mapping`}},

	// region.
	{"region only on sites", "  a: {kind: service, region: r}\n",
		[]string{`t.yaml:6: node "a": region: only a site belongs to a region, and this is a service`}},
	{"region names a region", "  s3: {kind: site, region: s1}\n",
		[]string{`t.yaml:6: node "s3": region: "s1" is a site, not a region`}},
	{"region unknown", "  s3: {kind: site, region: rr}\n",
		[]string{`t.yaml:6: node "s3": region: unknown node "rr" (did you mean "r"?)`}},

	// site.
	{"site names a site", "  a: {kind: service, site: db}\n",
		[]string{`t.yaml:6: node "a": site: "db" is a datastore, not a site`}},
	{"site unknown", "  a: {kind: service, site: s3}\n",
		[]string{`t.yaml:6: node "a": site: unknown node "s3" (did you mean "s1"?)`}},
	{"site not on a site", "  s3: {kind: site, site: s1}\n",
		[]string{`t.yaml:6: node "s3": site: a site does not run at a site`}},
	{"site not on a region", "  r2: {kind: region, site: s1}\n",
		[]string{`t.yaml:6: node "r2": site: a region does not run at a site`}},
	{"site and replicas", "  a:\n    kind: service\n    site: s1\n    replicas: [{site: s2}]\n",
		[]string{`t.yaml:8: node "a": site: site and replicas are exclusive: list the site among the replicas`}},

	// replicas.
	{"replicas not on a site", "  s3:\n    kind: site\n    replicas: [{site: s1}]\n",
		[]string{`t.yaml:8: node "s3": replicas: a site has no replicas`}},
	{"replicas not empty", "  a: {kind: service, replicas: []}\n",
		[]string{`t.yaml:6: node "a": replicas: needs at least one replica`}},
	{"replica is a mapping", "  a: {kind: service, replicas: [s1]}\n",
		[]string{`t.yaml:6: node "a": replicas[0]: must be a mapping such as {site: pangyo}, got "s1"`}},
	{"replica site missing", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {standby: hot}\n",
		[]string{`t.yaml:10: node "a": replicas[1].site: missing: a replica runs at a site`}},
	{"replica site is a site", "  a:\n    kind: service\n    replicas:\n      - site: s1\n      - site: db\n",
		[]string{`t.yaml:10: node "a": replicas[1].site: "db" is a datastore, not a site`}},
	{"replica site unknown", "  a:\n    kind: service\n    replicas:\n      - site: s3\n",
		[]string{`t.yaml:9: node "a": replicas[0].site: unknown node "s3" (did you mean "s1"?)`}},
	{"replica unknown field", "  a:\n    kind: service\n    replicas:\n      - site: s1\n        capasity: 5\n",
		[]string{`t.yaml:10: node "a": replicas[0].capasity: unknown field (did you mean "capacity"?)`}},
	{"replica capacity 0", "  a:\n    kind: service\n    replicas:\n      - {site: s1, capacity: 0}\n",
		[]string{`t.yaml:9: node "a": replicas[0].capacity: must be > 0, got 0`}},
	{"replica capacity negative", "  a:\n    kind: service\n    demand: 1\n    replicas:\n      - {site: s1, capacity: 5}\n      - {site: s2, capacity: -5}\n",
		[]string{`t.yaml:11: node "a": replicas[1].capacity: must be > 0, got -5`}},
	{"every replica or none gives a capacity", "  a:\n    kind: service\n    demand: 10\n    replicas:\n      - {site: s1, capacity: 10}\n      - {site: s2}\n",
		[]string{`t.yaml:11: node "a": replicas[1].capacity: missing: replicas[0] gives a capacity, so every replica needs one`}},
	{"capacities need a demand", "  a:\n    kind: service\n    replicas:\n      - {site: s1, capacity: 10}\n",
		[]string{`t.yaml:6: node "a": demand: missing: replicas with capacities need a demand`}},
	{"active capacity below demand", "  a:\n    kind: service\n    demand: 100\n    replicas:\n      - {site: s1, capacity: 80}\n      - {site: s2, capacity: 100, standby: warm}\n",
		[]string{`t.yaml:8: node "a": demand: active capacity 80 is below demand 100: the node is not Up even with nothing failed`}},
	{"mirror capacity counts", "  a:\n    kind: service\n    demand: 100\n    replicas:\n      - {site: s1, capacity: 50}\n      - {site: s2, capacity: 50, standby: mirror}\n    requires: [a]\n",
		[]string{`t.yaml:12: node "a": requires: depends on itself`}},
	{"an active or mirror replica", "  a:\n    kind: service\n    replicas:\n      - {site: s1, standby: hot}\n      - {site: s2, standby: cold}\n",
		[]string{`t.yaml:8: node "a": replicas: no active or mirror replica: the node is not Up even with nothing failed`}},
	{"demand counts replicas without capacities", "  a:\n    kind: service\n    demand: 2\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: hot}\n",
		[]string{`t.yaml:8: node "a": demand: active capacity 1 is below demand 2: the node is not Up even with nothing failed`}},
	{"demand only with replicas", "  a: {kind: service, site: s1, demand: 5}\n",
		[]string{`t.yaml:6: node "a": demand: only a node with replicas has a demand`}},
	{"demand 0", "  a:\n    kind: service\n    demand: 0\n    replicas: [{site: s1, capacity: 1}]\n",
		[]string{`t.yaml:8: node "a": demand: must be > 0, got 0`}},
	{"degraded_at needs capacities", "  a:\n    kind: service\n    degraded_at: 1\n    replicas: [{site: s1}]\n",
		[]string{`t.yaml:8: node "a": degraded_at: only replicas with capacities have degraded_at: give every replica a capacity`}},
	{"degraded_at only with replicas", "  a: {kind: service, degraded_at: 1}\n",
		[]string{`t.yaml:6: node "a": degraded_at: only a node with replicas and a demand has degraded_at`}},
	{"degraded_at at most demand", "  a:\n    kind: service\n    demand: 10\n    degraded_at: 20\n    replicas: [{site: s1, capacity: 10}]\n",
		[]string{`t.yaml:9: node "a": degraded_at: 20 is above demand 10`}},
	{"degraded_at 0", "  a:\n    kind: service\n    demand: 10\n    degraded_at: 0\n    replicas: [{site: s1, capacity: 10}]\n",
		[]string{`t.yaml:9: node "a": degraded_at: must be > 0, got 0`}},
	{"standby misspelled", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: warn}\n",
		[]string{`t.yaml:10: node "a": replicas[1].standby: unknown standby "warn" (did you mean "warm"?)`}},
	{"standby unknown", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: lukewarm}\n",
		[]string{`t.yaml:10: node "a": replicas[1].standby: unknown standby "lukewarm": want one of active, mirror, hot, warm, cold`}},
	{"recovery only on standbys", "  a:\n    kind: service\n    replicas:\n      - {site: s1, recovery: 1h}\n",
		[]string{`t.yaml:9: node "a": replicas[0].recovery: an active replica has no recovery time: set standby to mirror, hot, warm or cold`}},
	{"no recovery on a mirror", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: mirror, recovery: 2h}\n",
		[]string{`t.yaml:10: node "a": replicas[1].recovery: a mirror takes over at once: for a standby that needs time, set standby to hot, warm or cold`}},
	{"recovery not negative", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: hot, recovery: -2h}\n",
		[]string{`t.yaml:10: node "a": replicas[1].recovery: must not be negative, got -2h0m0s`}},
	{"recovery is a duration", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: hot, recovery: 6hours}\n",
		[]string{`t.yaml:10: node "a": replicas[1].recovery: invalid duration "6hours": write 90m, 6h, 1h30m or 3d`}},
	{"recovery not 0", "  a:\n    kind: service\n    replicas:\n      - {site: s1}\n      - {site: s2, standby: hot, recovery: 0s}\n",
		[]string{`t.yaml:10: node "a": replicas[1].recovery: must be more than 0 (a mirror takes over at once)`}},
	// restart.
	{"restart is a duration", "  a: {kind: service, site: s1, restart: soon}\n",
		[]string{`t.yaml:6: node "a": restart: invalid duration "soon": write 90m, 6h, 1h30m or 3d`}},
	{"restart not 0", "  a: {kind: service, site: s1, restart: 0s}\n",
		[]string{`t.yaml:6: node "a": restart: must be more than 0, got 0s (leave it out to come back at once)`}},
	{"restart not negative", "  a:\n    kind: service\n    restart: -30m\n",
		[]string{`t.yaml:8: node "a": restart: must be more than 0, got -30m (leave it out to come back at once)`}},
	{"restart is a string", "  a: {kind: service, restart: [1h]}\n",
		[]string{`t.yaml:6: node "a": restart: must be a string, got a list`}},

	{"replica requires", "  a:\n    kind: service\n    replicas:\n      - site: s1\n        requires: [dbb]\n",
		[]string{`t.yaml:10: node "a": replicas[0].requires: unknown node "dbb" (did you mean "db"?)`}},
	{"replica requires itself", "  a:\n    kind: service\n    replicas:\n      - site: s1\n        requires: [db, {any_of: [a, db]}]\n",
		[]string{`t.yaml:10: node "a": replicas[0].requires[1].any_of[0]: depends on itself`}},

	// Dependencies.
	{"unknown dependency", "  kakao-login: {kind: identity, site: s1}\n  kakaotalk:\n    kind: service\n    requires: [kakao-logn]\n",
		[]string{`t.yaml:9: node "kakaotalk": requires: unknown node "kakao-logn" (did you mean "kakao-login"?)`}},
	{"two letters swapped", "  a: {kind: service, requires: [bd]}\n", // one edit, not two
		[]string{`t.yaml:6: node "a": requires: unknown node "bd" (did you mean "db"?)`}},
	{"unknown soft dependency", "  a: {kind: service, uses: [zzz]}\n",
		[]string{`t.yaml:6: node "a": uses: unknown node "zzz"`}},
	{"requires itself", "  a: {kind: service, requires: [db, a]}\n",
		[]string{`t.yaml:6: node "a": requires: depends on itself`}},
	{"uses itself", "  a: {kind: service, uses: [a]}\n",
		[]string{`t.yaml:6: node "a": uses: depends on itself`}},
	{"required twice", "  a:\n    kind: service\n    requires:\n      - db\n      - s1\n      - db\n",
		[]string{`t.yaml:11: node "a": requires: "db" listed twice (first at line 9)`}},
	{"required and used", "  a:\n    kind: service\n    requires: [db]\n    uses: [s1, db]\n",
		[]string{`t.yaml:9: node "a": uses: "db" is also in requires: a dependency is hard or soft, not both`}},
	{"requires is a list", "  a: {kind: service, requires: db}\n",
		[]string{`t.yaml:6: node "a": requires: must be a list, got "db" (write [db])`}},
	{"dependency is an id or a group", "  a: {kind: service, requires: [db, [s1, s2]]}\n",
		[]string{`t.yaml:6: node "a": requires[1]: must be a node id or a group such as {any_of: [a, b]}, got a list`}},
	{"any_of has members", "  a:\n    kind: service\n    requires:\n      - any_of: []\n",
		[]string{`t.yaml:9: node "a": requires[0]: any_of needs at least one node`}},
	{"any_of member unknown", "  a:\n    kind: service\n    requires:\n      - db\n      - any_of: [s1, s3]\n",
		[]string{`t.yaml:10: node "a": requires[1].any_of[1]: unknown node "s3" (did you mean "s1"?)`}},
	{"any_of member twice", "  a:\n    kind: service\n    requires:\n      - any_of: [s1, s2, s1]\n",
		[]string{`t.yaml:9: node "a": requires[0].any_of[2]: "s1" is listed twice in the group`}},
	{"group member is the node", "  a:\n    kind: service\n    uses:\n      - at_least: 1\n        of: [s1, a]\n",
		[]string{`t.yaml:10: node "a": uses[0].of[1]: depends on itself`}},
	{"at_least above the members", "  a:\n    kind: service\n    requires:\n      - at_least: 3\n        of: [s1, s2]\n",
		[]string{`t.yaml:9: node "a": requires[0]: at_least 3 is more than the 2 nodes in of`}},
	{"at_least 0", "  a:\n    kind: service\n    requires:\n      - {at_least: 0, of: [s1, s2]}\n",
		[]string{`t.yaml:9: node "a": requires[0]: at_least must be >= 1, got 0`}},
	{"at_least with of", "  a:\n    kind: service\n    requires:\n      - {at_least: 1}\n",
		[]string{`t.yaml:9: node "a": requires[0]: at_least and of go together: write {at_least: 2, of: [a, b, c]}`}},
	{"at_least is an integer", "  a:\n    kind: service\n    requires:\n      - {at_least: two, of: [s1, s2]}\n",
		[]string{`t.yaml:9: node "a": requires[0].at_least: must be an integer, got "two"`}},
	{"capacity weights positive", "  a:\n    kind: service\n    requires:\n      - capacity: {s1: 10, s2: 0}\n        demand: 5\n",
		[]string{`t.yaml:9: node "a": requires[0].capacity[1]: capacity of "s2" must be > 0, got 0`}},
	{"capacity demand at most the total", "  a:\n    kind: service\n    requires:\n      - capacity: {s1: 10, s2: 20}\n        demand: 50\n",
		[]string{`t.yaml:9: node "a": requires[0]: demand 50 is above the total capacity 30`}},
	{"capacity demand required", "  a:\n    kind: service\n    requires:\n      - capacity: {s1: 10, s2: 20}\n",
		[]string{`t.yaml:9: node "a": requires[0]: missing demand: a capacity group needs one`}},
	{"capacity demand positive", "  a:\n    kind: service\n    requires:\n      - {capacity: {s1: 10}, demand: -1}\n",
		[]string{`t.yaml:9: node "a": requires[0]: demand must be > 0, got -1`}},
	{"capacity degraded_at at most demand", "  a:\n    kind: service\n    requires:\n      - {capacity: {s1: 10, s2: 10}, demand: 10, degraded_at: 15}\n",
		[]string{`t.yaml:9: node "a": requires[0]: degraded_at 15 is above demand 10`}},
	{"capacity degraded_at positive", "  a:\n    kind: service\n    requires:\n      - {capacity: {s1: 10, s2: 10}, demand: 10, degraded_at: 0}\n",
		[]string{`t.yaml:9: node "a": requires[0].degraded_at: must be > 0, got 0`}},
	{"capacity member twice", "  a:\n    kind: service\n    requires:\n      - capacity:\n          s1: 10\n          s1: 20\n        demand: 10\n",
		[]string{`t.yaml:11: node "a": requires[0].capacity.s1: duplicate key (first at line 10)`}},
	{"capacity is a mapping", "  a:\n    kind: service\n    requires:\n      - {capacity: [s1, s2], demand: 1}\n",
		[]string{`t.yaml:9: node "a": requires[0].capacity: must be a mapping from node id to capacity, got a list`}},
	{"group forms are not mixed", "  a:\n    kind: service\n    requires:\n      - any_of: [s1, s2]\n        at_least: 1\n        of: [s1, s2]\n",
		[]string{`t.yaml:9: node "a": requires[0]: a group is one of any_of, at_least with of, or capacity with demand: found any_of and at_least`}},
	{"group forms, capacity and of", "  a:\n    kind: service\n    requires:\n      - {of: [s1], capacity: {s1: 1}, demand: 1}\n",
		[]string{`t.yaml:9: node "a": requires[0]: a group is one of any_of, at_least with of, or capacity with demand: found of and capacity`}},
	{"group unknown key", "  a:\n    kind: service\n    requires:\n      - {any_off: [s1, s2]}\n",
		[]string{`t.yaml:9: node "a": requires[0].any_off: unknown field (did you mean "any_of"?)`}},
	{"group empty", "  a:\n    kind: service\n    requires:\n      - {}\n",
		[]string{`t.yaml:9: node "a": requires[0]: a group needs any_of, at_least with of, or capacity with demand`}},
	{"demand without capacity", "  a:\n    kind: service\n    requires:\n      - {demand: 5}\n",
		[]string{`t.yaml:9: node "a": requires[0]: demand and degraded_at need capacity: write {capacity: {a: 50, b: 50}, demand: 60}`}},

	// YAML specifics.
	{"recursive alias", "  a: &x {kind: service, labels: *x}\n",
		[]string{`t.yaml:6: alias *x is inside its own anchor`}},
	{"merge key needs a mapping", "  a: {<<: [x], kind: service}\n",
		[]string{`t.yaml:6: merge key << needs a mapping or a list of mappings, got "x"`}},
	{"mapping key is a string", "  a: {kind: service, [x]: 1}\n",
		[]string{`t.yaml:6: a mapping key must be a string, got a list`}},
}

func (c decodeCase) yaml() string {
	if strings.HasPrefix(c.src, "  ") {
		return prelude + c.src
	}
	return c.src
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range yamlCases {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, problemLines(t, tt.yaml(), "t.yaml", YAML))
		})
	}
}

// jsonCases are what is particular to JSON: syntax, duplicate keys,
// numbers. Everything else goes through the walker of the YAML cases.
var jsonCases = []decodeCase{
	{"syntax error", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\",}\n}}\n",
		[]string{`t.json:2: invalid JSON: invalid character '}' looking for beginning of object key string`}},
	{"unexpected end", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\"}\n",
		[]string{`t.json:2: invalid JSON: unexpected end of file`}},
	{"trailing data", "{\"nodes\": {}}\n{}\n",
		[]string{`t.json:2: invalid JSON: unexpected data after the top-level value`}},
	{"empty", " \n",
		[]string{`t.json: the file is empty: want a mapping with nodes`}},
	{"duplicate key", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\",\n        \"kind\": \"queue\"}\n}}\n",
		[]string{`t.json:3: node "a": kind: duplicate key (first at line 2)`}},
	{"duplicate id", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\"},\n  \"a\": {\"kind\": \"service\"}\n}}\n",
		[]string{`t.json:3: node "a": duplicate id (first at line 2)`}},
	{"float users", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\", \"users\": 1.0}\n}}\n",
		[]string{`t.json:2: node "a": users: must be an integer, got 1.0`}},
	{"string users", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\", \"users\": \"5\"}\n}}\n",
		[]string{`t.json:2: node "a": users: must be an integer, got "5"`}},
	{"null kind", "{\"nodes\": {\n  \"a\": {\"kind\": null}\n}}\n",
		[]string{`t.json:2: node "a": kind: missing: want one of service, identity, datastore, queue, network, power, site, region, external`}},
	{"bool id", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\", \"requires\": [true]}\n}}\n",
		[]string{`t.json:2: node "a": requires: unknown node "true"`}},
	{"unknown field", "{\"nodes\": {\n  \"a\": {\"kind\": \"service\",\n        \"userz\": 5}\n}}\n",
		[]string{`t.json:3: node "a": userz: unknown field (did you mean "users"?)`}},
}

func TestDecodeErrorsJSON(t *testing.T) {
	for _, tt := range jsonCases {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, problemLines(t, tt.src, "t.json", JSON))
		})
	}
}

// TestDecodeCollectsAll checks that every problem of a file is reported,
// sorted by line, from the decoder and Validate alike.
func TestDecodeCollectsAll(t *testing.T) {
	src := prelude + `  b:
    kind: service
    requires: [c, zz]
    users: many
  a:
    kind: servise
    uses: [a]
  c: {kind: queue, site: s9}
  b: {kind: queue}
`
	assert.Equal(t, []string{
		`t.yaml:8: node "b": requires: unknown node "zz"`,
		`t.yaml:9: node "b": users: must be an integer, got "many"`,
		`t.yaml:11: node "a": kind: unknown kind "servise" (did you mean "service"?)`,
		`t.yaml:12: node "a": uses: depends on itself`,
		`t.yaml:13: node "c": site: unknown node "s9" (did you mean "s1"?)`,
		`t.yaml:14: node "b": duplicate id (first at line 6)`,
	}, problemLines(t, src, "t.yaml", YAML))
}

// full is a model using every feature of the format. Its JSON twin below is
// laid out on the same lines, so that the two decode to equal models,
// positions included.
const fullYAML = `model: full
description: every feature
sources: [https://example.com/a, https://example.com/b]
nodes:
  capital: {kind: region}
  pangyo: {kind: site, region: capital, requires: [pangyo-power]}
  pangyo-power: {kind: power, description: a feed}
  ansan: {kind: site, region: capital}
  gasan: {kind: site}
  kakao-login: {kind: identity, site: pangyo, tier: 0, restart: 30m}
  db-a: {kind: datastore, site: pangyo}
  db-b: {kind: datastore, site: ansan}
  kakaotalk: {kind: service, users: 47500000, tier: 1, labels: {team: talk, critical: true}, demand: 100, degraded_at: 30, requires: [kakao-login], uses: [bus]}
  bus: {kind: queue, replicas: [{site: pangyo}, {site: ansan, standby: mirror}, {site: gasan, standby: cold, recovery: 3d}]}
  games: {kind: service, site: gasan, requires: [kakao-login, {any_of: [db-a, db-b]}, {at_least: 2, of: [db-a, db-b, bus]}, {capacity: {db-a: 60, db-b: 40}, demand: 50, degraded_at: 20}], uses: [kakaotalk]}
  edge: {kind: network, replicas: [{site: pangyo, capacity: 70, requires: [db-a]}, {site: ansan, capacity: 30, standby: hot, recovery: 1h30m, requires: [db-b]}], demand: 50, degraded_at: 10}
  cdn: {kind: external}
`

const fullJSON = `{"model": "full",
"description": "every feature",
"sources": ["https://example.com/a", "https://example.com/b"],
"nodes": {
  "capital": {"kind": "region"},
  "pangyo": {"kind": "site", "region": "capital", "requires": ["pangyo-power"]},
  "pangyo-power": {"kind": "power", "description": "a feed"},
  "ansan": {"kind": "site", "region": "capital"},
  "gasan": {"kind": "site"},
  "kakao-login": {"kind": "identity", "site": "pangyo", "tier": 0, "restart": "30m"},
  "db-a": {"kind": "datastore", "site": "pangyo"},
  "db-b": {"kind": "datastore", "site": "ansan"},
  "kakaotalk": {"kind": "service", "users": 47500000, "tier": 1, "labels": {"team": "talk", "critical": true}, "demand": 100, "degraded_at": 30, "requires": ["kakao-login"], "uses": ["bus"]},
  "bus": {"kind": "queue", "replicas": [{"site": "pangyo"}, {"site": "ansan", "standby": "mirror"}, {"site": "gasan", "standby": "cold", "recovery": "3d"}]},
  "games": {"kind": "service", "site": "gasan", "requires": ["kakao-login", {"any_of": ["db-a", "db-b"]}, {"at_least": 2, "of": ["db-a", "db-b", "bus"]}, {"capacity": {"db-a": 60, "db-b": 40}, "demand": 50, "degraded_at": 20}], "uses": ["kakaotalk"]},
  "edge": {"kind": "network", "replicas": [{"site": "pangyo", "capacity": 70, "requires": ["db-a"]}, {"site": "ansan", "capacity": 30, "standby": "hot", "recovery": "1h30m", "requires": ["db-b"]}], "demand": 50, "degraded_at": 10},
  "cdn": {"kind": "external"}
}}
`

func TestDecodeYAMLAndJSONAgree(t *testing.T) {
	// kakaotalk has demand without replicas: drop those for a valid model.
	y := strings.Replace(fullYAML, "demand: 100, degraded_at: 30, ", "", 1)
	j := strings.Replace(fullJSON, `"demand": 100, "degraded_at": 30, `, "", 1)
	my, err := Decode(strings.NewReader(y), "full", YAML)
	require.NoError(t, err)
	mj, err := Decode(strings.NewReader(j), "full", JSON)
	require.NoError(t, err)
	assert.Equal(t, my, mj)

	// And the same problems when they are wrong.
	py := problemLines(t, fullYAML, "full", YAML)
	pj := problemLines(t, fullJSON, "full", JSON)
	assert.Equal(t, py, pj)
	assert.Equal(t, []string{
		`full:13: node "kakaotalk": degraded_at: only a node with replicas and a demand has degraded_at`,
		`full:13: node "kakaotalk": demand: only a node with replicas has a demand`,
	}, py)
}

func TestDecodeModel(t *testing.T) {
	src := strings.Replace(fullYAML, "demand: 100, degraded_at: 30, ", "", 1)
	m, err := Decode(strings.NewReader(src), "full.yaml", YAML)
	require.NoError(t, err)
	at := func(line int) Pos { return Pos{File: "full.yaml", Line: line} }

	assert.Equal(t, "full", m.Name)
	assert.Equal(t, "every feature", m.Description)
	assert.Equal(t, []string{"https://example.com/a", "https://example.com/b"}, m.Sources)
	assert.Equal(t, "full.yaml", m.File)
	ids := make([]string, len(m.Nodes))
	for i, n := range m.Nodes {
		ids[i] = n.ID
	}
	assert.Equal(t, []string{"capital", "pangyo", "pangyo-power", "ansan", "gasan", "kakao-login",
		"db-a", "db-b", "kakaotalk", "bus", "games", "edge", "cdn"}, ids, "nodes in the order written")

	byID := make(map[string]*Node)
	for i := range m.Nodes {
		byID[m.Nodes[i].ID] = &m.Nodes[i]
	}
	assert.Equal(t, Tier{}, byID["capital"].Tier, "tier absent")
	assert.Equal(t, TierOf(0), byID["kakao-login"].Tier)
	assert.Equal(t, 30*time.Minute, byID["kakao-login"].Restart)
	assert.Equal(t, time.Duration(0), byID["capital"].Restart, "restart absent")
	assert.Equal(t, Region, byID["capital"].Kind)
	assert.Equal(t, "capital", byID["pangyo"].Region)
	assert.Equal(t, On("pangyo-power").Members[0].ID, byID["pangyo"].Requires[0].Members[0].ID)

	talk := byID["kakaotalk"]
	assert.Equal(t, int64(47500000), talk.Users)
	assert.Equal(t, TierOf(1), talk.Tier)
	assert.Equal(t, map[string]string{"team": "talk", "critical": "true"}, talk.Labels)
	assert.Equal(t, at(13), talk.Pos)
	assert.Equal(t, at(13), talk.FieldPos("users"))

	bus := byID["bus"]
	require.Len(t, bus.Replicas, 3)
	assert.Equal(t, Replica{Site: "gasan", Standby: Cold, Recovery: 72 * time.Hour, Pos: at(14)}, bus.Replicas[2])
	assert.Equal(t, 72*time.Hour, bus.Replicas[2].RecoveryTime())
	assert.Equal(t, Mirror, bus.Replicas[1].Standby)
	assert.Equal(t, time.Duration(0), bus.Replicas[1].RecoveryTime())

	games := byID["games"]
	assert.Equal(t, "gasan", games.Site)
	assert.Equal(t, []Dep{
		{Form: One, Members: []Member{{ID: "kakao-login", Weight: 1, Pos: at(15)}}, Need: 1, Pos: at(15)},
		{Form: AnyOfN, Members: []Member{{ID: "db-a", Weight: 1, Pos: at(15)}, {ID: "db-b", Weight: 1, Pos: at(15)}}, Need: 1, Pos: at(15)},
		{Form: AtLeastK, Members: []Member{{ID: "db-a", Weight: 1, Pos: at(15)}, {ID: "db-b", Weight: 1, Pos: at(15)}, {ID: "bus", Weight: 1, Pos: at(15)}}, Need: 2, Pos: at(15)},
		{Form: Weighted, Members: []Member{{ID: "db-a", Weight: 60, Pos: at(15)}, {ID: "db-b", Weight: 40, Pos: at(15)}}, Need: 50, DegradedAt: 20, Pos: at(15)},
	}, games.Requires)
	assert.Equal(t, "kakaotalk", games.Uses[0].Members[0].ID)

	edge := byID["edge"]
	assert.Equal(t, int64(50), edge.Demand)
	assert.Equal(t, int64(10), edge.DegradedAt)
	assert.Equal(t, Hot, edge.Replicas[1].Standby)
	assert.Equal(t, 90*time.Minute, edge.Replicas[1].Recovery)
	assert.Equal(t, int64(30), edge.Replicas[1].Capacity)
	assert.Equal(t, "db-b", edge.Replicas[1].Requires[0].Members[0].ID)
}

// TestDecodePositions checks the line of every kind of thing in block
// style, where keys and values sit on lines of their own.
func TestDecodePositions(t *testing.T) {
	src := prelude + `  a:
    kind: service
    users: 5
    replicas:
      - site: s1
        capacity: 10
      - site: s2
        standby: hot
        capacity: 10
    demand: 10
    requires:
      - db
      - at_least: 1
        of:
          - s1
          - s2
      - capacity:
          s1: 1
          s2: 2
        demand: 3
`
	m, err := Decode(strings.NewReader(src), "p.yaml", YAML)
	require.NoError(t, err)
	n := m.Nodes[len(m.Nodes)-1]
	at := func(line int) Pos { return Pos{File: "p.yaml", Line: line} }
	assert.Equal(t, at(6), n.Pos)
	assert.Equal(t, at(7), n.FieldPos("kind"))
	assert.Equal(t, at(8), n.FieldPos("users"))
	assert.Equal(t, at(9), n.FieldPos("replicas"))
	assert.Equal(t, at(15), n.FieldPos("demand"))
	assert.Equal(t, at(6), n.FieldPos("uses"), "absent: the node's line")
	assert.Equal(t, at(10), n.Replicas[0].Pos)
	assert.Equal(t, at(12), n.Replicas[1].Pos)
	assert.Equal(t, at(14), n.FieldPos("replicas[1].capacity"))
	assert.Equal(t, at(17), n.Requires[0].Pos)
	assert.Equal(t, at(18), n.Requires[1].Pos)
	assert.Equal(t, at(20), n.Requires[1].Members[0].Pos)
	assert.Equal(t, at(21), n.Requires[1].Members[1].Pos)
	assert.Equal(t, at(22), n.Requires[2].Pos)
	assert.Equal(t, at(24), n.Requires[2].Members[1].Pos)
}

func TestDecodeYAMLFeatures(t *testing.T) {
	t.Run("anchors, aliases and merge keys", func(t *testing.T) {
		src := prelude + `  base: &svc {kind: service, tier: 2, labels: {team: core}}
  a: {<<: *svc, users: 10}
  b:
    <<: *svc
    tier: 0
  c: {<<: [*svc, {users: 3}], kind: queue, replicas: &two [{site: s1}, {site: s2, standby: warm}]}
  d: {kind: service, replicas: *two}
`
		m, err := Decode(strings.NewReader(src), "a.yaml", YAML)
		require.NoError(t, err)
		byID := make(map[string]Node)
		for _, n := range m.Nodes {
			byID[n.ID] = n
		}
		assert.Equal(t, Service, byID["a"].Kind)
		assert.Equal(t, TierOf(2), byID["a"].Tier)
		assert.Equal(t, int64(10), byID["a"].Users)
		assert.Equal(t, TierOf(0), byID["b"].Tier, "a key written wins over a merged one")
		assert.Equal(t, Queue, byID["c"].Kind)
		assert.Equal(t, int64(3), byID["c"].Users)
		assert.Equal(t, map[string]string{"team": "core"}, byID["c"].Labels)
		assert.Equal(t, byID["c"].Replicas, byID["d"].Replicas)
	})
	t.Run("ids and numbers as YAML writes them", func(t *testing.T) {
		src := prelude + `  2022: {kind: service, users: 47_500_000, tier: 0x2}
  a: {kind: service, requires: [2022], labels: {year: 2022, ok: yes, none: ~}}
`
		m, err := Decode(strings.NewReader(src), "n.yaml", YAML)
		require.NoError(t, err)
		n := m.Nodes[len(m.Nodes)-2]
		assert.Equal(t, "2022", n.ID)
		assert.Equal(t, int64(47_500_000), n.Users)
		assert.Equal(t, TierOf(2), n.Tier)
		a := m.Nodes[len(m.Nodes)-1]
		assert.Equal(t, "2022", a.Requires[0].Members[0].ID)
		assert.Equal(t, map[string]string{"year": "2022", "ok": "yes", "none": ""}, a.Labels)
	})
	t.Run("empty values are absent", func(t *testing.T) {
		src := prelude + "  a:\n    kind: service\n    requires:\n    labels:\n    tier:\n"
		m, err := Decode(strings.NewReader(src), "e.yaml", YAML)
		require.NoError(t, err)
		n := m.Nodes[len(m.Nodes)-1]
		assert.Nil(t, n.Requires)
		assert.Equal(t, Tier{}, n.Tier)
	})
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90m", 90 * time.Minute, true},
		{"6h", 6 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"3d", 72 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"-2h", -2 * time.Hour, true},
		{"-1d", -24 * time.Hour, true},
		{"0s", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"+1d", 0, false},
		{"1d-2h", 0, false},
		{"1h2d", 0, false},
		{"6hours", 0, false},
		{"99999999999d", 0, false},
		{"106751d23h47m16s", 106751*24*time.Hour + 23*time.Hour + 47*time.Minute + 16*time.Second, true},
		{"106751d23h47m17s", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.ok {
			assert.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, got, tt.in)
		} else {
			assert.Error(t, err, "%s gave %v", tt.in, got)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	y := filepath.Join(dir, "m.yaml")
	j := filepath.Join(dir, "m.JSON")
	require.NoError(t, os.WriteFile(y, []byte("nodes:\n  a: {kind: site}\n"), 0o644))
	require.NoError(t, os.WriteFile(j, []byte(`{"nodes": {"a": {"kind": "site"}}}`), 0o644))
	for _, path := range []string{y, j} {
		m, err := Load(path)
		require.NoError(t, err, path)
		assert.Equal(t, path, m.File)
		assert.Equal(t, Pos{File: path, Line: map[string]int{y: 2, j: 1}[path]}, m.Nodes[0].Pos)
	}
	// A JSON file is read as JSON: YAML flow syntax without quotes fails.
	require.NoError(t, os.WriteFile(j, []byte("nodes:\n  a: {kind: site}\n"), 0o644))
	_, err := Load(j)
	require.ErrorContains(t, err, j+":1: invalid JSON")

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// errReader fails after some data.
type errReader struct{ n int }

func (r *errReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = ' '
	}
	r.n -= k
	return k, nil
}

func TestDecodeReadError(t *testing.T) {
	_, err := Decode(&errReader{n: 10}, "x.yaml", YAML)
	require.EqualError(t, err, "read x.yaml: disk on fire")
	var ve *ValidationError
	assert.False(t, errors.As(err, &ve))
}

func TestValidateGoModel(t *testing.T) {
	var m Model
	m.Add(
		Node{ID: "pangyo", Kind: Site},
		Node{ID: "db", Kind: Datastore, Site: "pangyo"},
		Node{ID: "api", Kind: Service, Requires: []Dep{On("db"), On("dbb"), AtLeast(3, "db", "pangyo")},
			Uses: []Dep{Capacity(10, 0, Member{ID: "db", Weight: 5})}},
		Node{ID: "web", Kind: Kind(42), Users: -1, Replicas: []Replica{{Site: "pangyo", Recovery: time.Hour}}},
	)
	err := m.Validate()
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.Equal(t, `node "api": requires: unknown node "dbb" (did you mean "db"?)
node "api": requires[2]: at_least 3 is more than the 2 nodes in of
node "api": uses[0]: demand 10 is above the total capacity 5
node "web": kind: unknown kind Kind(42)
node "web": replicas[0].recovery: an active replica has no recovery time: set standby to mirror, hot, warm or cold
node "web": users: must be >= 0, got -1`, err.Error())
	for _, p := range ve.Problems {
		assert.Equal(t, Pos{}, p.Pos)
	}

	var ok Model
	ok.Add(Node{ID: "s", Kind: Site}, Node{ID: "a", Kind: Service, Site: "s", Requires: []Dep{AnyOf("s")}})
	assert.NoError(t, ok.Validate())
	assert.NoError(t, new(Model).Validate(), "the zero Model is valid")
}

func TestValidateGoModelOddities(t *testing.T) {
	var m Model
	m.Add(
		Node{ID: "s", Kind: Site},
		Node{ID: "a", Kind: Service, Tier: TierOf(-2), Site: "s", Requires: []Dep{
			{Form: One},
			{Form: Form(9), Members: []Member{{ID: "s"}}},
			{Form: AnyOfN, Members: []Member{{ID: "s", Weight: 2}}, Need: 3, DegradedAt: 1},
		}, Replicas: nil},
		Node{ID: "b", Kind: Service, Replicas: []Replica{{Site: "s", Standby: Standby(7), Recovery: -time.Second}}},
		Node{ID: "c", Kind: Service, Site: "s", Restart: -time.Minute},
		Node{ID: "s", Kind: Site},
	)
	assert.Equal(t, `node "a": requires[0]: a plain dependency names one node, not 0
node "a": requires[1]: unknown dependency form 9
node "a": requires[2]: any_of needs 1 live node, not 3
node "a": requires[2]: degraded_at applies to capacity groups only
node "a": requires[2].any_of[0]: weight must be 1 outside capacity groups, got 2
node "a": tier: must be between 0 and 1073741824, got -2
node "b": replicas[0].recovery: must not be negative, got -1s
node "b": replicas[0].standby: unknown standby Standby(7)
node "c": restart: must not be negative, got -1m0s
node "s": duplicate id (first is node 0)`, m.Validate().Error())
}

// TestSuggester checks that the bounded suggestions of Validate are those
// of Suggest.
func TestSuggester(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = "abcde-"[rng.IntN(6)]
		}
		return string(b)
	}
	var nodes []Node
	var ids []string
	for range 300 {
		id := word()
		nodes = append(nodes, Node{ID: id})
		ids = append(ids, id)
	}
	for range 2000 {
		s := word()
		var sg suggester
		assert.Equal(t, didYouMean(s, ids), sg.didYouMean(s, nodes), "%q", s)
	}
}

func TestValidateLarge(t *testing.T) {
	if testing.Short() || race.Enabled {
		t.Skip("large model: not in -short or -race runs")
	}
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "svc-" + strconv.Itoa(10_000_000 + i)[1:]
	}
	m := Model{Nodes: make([]Node, 0, n+2)}
	m.Add(Node{ID: "s0", Kind: Site}, Node{ID: "s1", Kind: Site})
	replicas := []Replica{{Site: "s0"}, {Site: "s1", Standby: Warm}}
	for i := range n {
		deps := All(ids[(i+1)%n], ids[(i+2)%n])
		if i%10000 == 0 {
			deps = append(deps, On("svx"+ids[i][3:])) // unknown: 100 of them
		}
		m.Add(Node{ID: ids[i], Kind: Service, Replicas: replicas, Requires: deps})
	}
	start := time.Now()
	err := m.Validate()
	elapsed := time.Since(start)
	var ve *ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Len(t, ve.Problems, 100)
	assert.Contains(t, ve.Problems[0].Msg, "did you mean")
	assert.NotContains(t, ve.Problems[99].Msg, "did you mean", "suggestions are capped")
	t.Logf("validated %d nodes in %v", n, elapsed)
}

func BenchmarkValidate(b *testing.B) {
	const n = 100_000
	m := Model{Nodes: make([]Node, 0, n+1)}
	m.Add(Node{ID: "s0", Kind: Site})
	for i := range n {
		m.Add(Node{ID: fmt.Sprintf("svc-%07d", i), Kind: Service, Site: "s0",
			Requires: All(fmt.Sprintf("svc-%07d", (i+1)%n)), Uses: All(fmt.Sprintf("svc-%07d", (i+2)%n))})
	}
	b.ResetTimer()
	for b.Loop() {
		if err := m.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// withLimits runs f with lowered limits on hostile input.
func withLimits(t *testing.T, set func(), f func()) {
	t.Helper()
	saved := limits
	defer func() { limits = saved }()
	set()
	f()
}

// quickly fails the test unless f returns within d.
func quickly(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	if race.Enabled {
		d *= 3 // the detector is ten times slower, and CI shares its cores
	}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		// Report it, then wait: f uses t, and a run left going would
		// race with the next test. A real hang ends at go test -timeout.
		t.Errorf("did not finish within %v", d)
		<-done
		t.Logf("finished after %v", time.Since(start).Round(time.Millisecond))
	}
}

// endless is a reader of endless YAML.
type endless struct{ off int }

var endlessNodes = "nodes:\n" + strings.Repeat("  x: {kind: service}\n", 1<<12)

func (r *endless) Read(p []byte) (int, error) {
	n := copy(p, endlessNodes[r.off:])
	r.off += n
	if r.off == len(endlessNodes) {
		r.off = len("nodes:\n")
	}
	return n, nil
}

func TestDecodeHostile(t *testing.T) {
	const bound = 20 * time.Second // generous: the race detector is slow
	t.Run("billion laughs", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i <= 9; i++ {
			fmt.Fprintf(&b, "a%d: &a%d [", i, i)
			for j := range 10 {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "*a%d", i-1)
			}
			b.WriteString("]\n")
		}
		b.WriteString("nodes: {}\n")
		quickly(t, bound, func() {
			lines := problemLines(t, b.String(), "bomb.yaml", YAML)
			require.Len(t, lines, 1)
			assert.Regexp(t, `^bomb\.yaml:\d+: aliases expand to more than \d+ nodes: refusing the file$`, lines[0])
		})
	})
	t.Run("billion laughs in node labels", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("nodes:\n  a: {kind: site, labels: &l0 {a: b}}\n")
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&b, "  n%d: &l%d {kind: site, x: *l%d, y: *l%d}\n", i, i, i-1, i-1)
		}
		quickly(t, bound, func() {
			lines := problemLines(t, b.String(), "bomb.yaml", YAML)
			assert.Contains(t, lines[0], "aliases expand to more than")
		})
	})
	t.Run("deep nesting", func(t *testing.T) {
		for _, depth := range []int{101, 5000, 20000} {
			y := "nodes: {a: {kind: site, labels: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}}\n"
			j := `{"nodes": {"a": {"kind": "site", "labels": ` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}}}\n"
			quickly(t, bound, func() {
				want := `^d\.(yaml|json)(:1)?: .*(nesting is deeper than the limit of 100|exceeded max depth of 10000)$`
				assert.Regexp(t, want, strings.Join(problemLines(t, y, "d.yaml", YAML), "\n"))
				assert.Regexp(t, want, strings.Join(problemLines(t, j, "d.json", JSON), "\n"))
			})
		}
		// Exactly at the limit: a label value that is too deep is an
		// ordinary problem, not a refusal.
		y := "nodes: {a: {kind: site, labels: {x: " + strings.Repeat("[", 96) + strings.Repeat("]", 96) + "}}}\n"
		assert.Equal(t, []string{`d.yaml:1: node "a": labels.x: a label value must be a scalar, got a list`}, problemLines(t, y, "d.yaml", YAML))
		y = "nodes: {a: {kind: site, labels: {x: " + strings.Repeat("[", 97) + strings.Repeat("]", 97) + "}}}\n"
		assert.Equal(t, []string{`d.yaml:1: nesting is deeper than the limit of 100`}, problemLines(t, y, "d.yaml", YAML))
	})
	t.Run("deep nesting through an alias", func(t *testing.T) {
		y := "deep: &d " + strings.Repeat("[", 60) + strings.Repeat("]", 60) + "\nnodes: {a: {kind: site, labels: {x: " + strings.Repeat("[", 50) + "*d" + strings.Repeat("]", 50) + "}}}\n"
		assert.Equal(t, []string{`d.yaml:2: nesting is deeper than the limit of 100 (through alias *d)`}, problemLines(t, y, "d.yaml", YAML))
	})
	t.Run("chain of anchors in mapping keys", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("keys:\n  ? &k0 [x]\n  : 0\n")
		const n = 100_000
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "  ? &k%d [*k%d]\n  : 0\n", i, i-1)
		}
		fmt.Fprintf(&b, "nodes: {a: {kind: site, labels: {x: *k%d}}}\n", n)
		quickly(t, bound, func() {
			lines := problemLines(t, b.String(), "k.yaml", YAML)
			assert.Contains(t, strings.Join(lines, "\n"), "nesting is deeper than the limit of 100")
		})
	})
	t.Run("huge file", func(t *testing.T) {
		quickly(t, bound, func() {
			_, err := Decode(&endless{}, "big.yaml", YAML)
			require.EqualError(t, err, "big.yaml: file is larger than the limit of 64 MiB")
			_, err = Decode(&endless{}, "big.json", JSON)
			require.EqualError(t, err, "big.json: file is larger than the limit of 64 MiB")
		})
	})
	t.Run("too many nodes", func(t *testing.T) {
		withLimits(t, func() { limits.nodes = 10 }, func() {
			var b strings.Builder
			b.WriteString("nodes:\n  s: {kind: site}\n")
			for i := range 10 {
				fmt.Fprintf(&b, "  n%d: {kind: service, site: s}\n", i)
			}
			assert.Equal(t, []string{"many.yaml:1: nodes: 11 nodes is more than the limit of 10"}, problemLines(t, b.String(), "many.yaml", YAML))
			j := `{"nodes": {"a": {}, "b": {}, "c": {}, "d": {}, "e": {}, "f": {}, "g": {}, "h": {}, "i": {}, "j": {}, "k": {}}}`
			assert.Equal(t, []string{"many.json:1: nodes: 11 nodes is more than the limit of 10"}, problemLines(t, j, "many.json", JSON))
		})
	})
	t.Run("many aliases within the budget", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("nodes:\n  s: &site {kind: site}\n")
		for i := range 2000 {
			fmt.Fprintf(&b, "  s%d: *site\n", i)
		}
		m, err := Decode(strings.NewReader(b.String()), "ok.yaml", YAML)
		require.NoError(t, err)
		assert.Len(t, m.Nodes, 2001)
	})
	t.Run("no panic in the YAML parser", func(t *testing.T) {
		for _, src := range []string{"#\n- #\n#\n", "a:\n#\n- b\n#\n", "\t", "[a: b: c]", "? - ? - \n", "{", "&a *a", "!!binary x: 1"} {
			assert.NotPanics(t, func() { _, _ = Decode(strings.NewReader(src), "p.yaml", YAML) }, "%q", src)
		}
	})
}

// synthetic returns a valid model file of about n nodes in YAML or JSON:
// sites, and services with replicas and dependencies on earlier services.
func synthetic(n int, f Format) string {
	var b strings.Builder
	const sites = 10
	if f == JSON {
		b.WriteString(`{"model": "synthetic", "nodes": {` + "\n")
		for i := range sites {
			fmt.Fprintf(&b, "%q: {\"kind\": \"site\"},\n", fmt.Sprintf("site-%d", i))
		}
		for i := range n {
			fmt.Fprintf(&b, `"svc-%d": {"kind": "service", "users": %d, "replicas": [{"site": "site-%d"}, {"site": "site-%d", "standby": "warm"}]`, i, i*10, i%sites, (i+1)%sites)
			if i > 2 {
				fmt.Fprintf(&b, `, "requires": ["svc-%d", {"any_of": ["svc-%d", "svc-%d"]}]`, i-1, i-2, i-3)
			}
			b.WriteString("}")
			if i < n-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("}}\n")
		return b.String()
	}
	b.WriteString("model: synthetic\nnodes:\n")
	for i := range sites {
		fmt.Fprintf(&b, "  site-%d: {kind: site}\n", i)
	}
	for i := range n {
		fmt.Fprintf(&b, "  svc-%d:\n    kind: service\n    users: %d\n    replicas:\n      - {site: site-%d}\n      - {site: site-%d, standby: warm}\n", i, i*10, i%sites, (i+1)%sites)
		if i > 2 {
			fmt.Fprintf(&b, "    requires: [svc-%d, {any_of: [svc-%d, svc-%d]}]\n", i-1, i-2, i-3)
		}
	}
	return b.String()
}

func TestSynthetic(t *testing.T) {
	my, err := Decode(strings.NewReader(synthetic(100, YAML)), "", YAML)
	require.NoError(t, err)
	mj, err := Decode(strings.NewReader(synthetic(100, JSON)), "", JSON)
	require.NoError(t, err)
	require.Len(t, my.Nodes, 110)
	require.Len(t, mj.Nodes, 110)
	for i := range my.Nodes {
		assert.Equal(t, my.Nodes[i].Requires != nil, mj.Nodes[i].Requires != nil)
	}
}

func benchmarkDecode(b *testing.B, f Format) {
	src := synthetic(10_000, f)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(strings.NewReader(src), "bench", f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeYAML(b *testing.B) { benchmarkDecode(b, YAML) }
func BenchmarkDecodeJSON(b *testing.B) { benchmarkDecode(b, JSON) }

// Top-level keys starting with x- are ignored: a place for YAML anchors
// that nodes merge.
func TestDecodeXKeys(t *testing.T) {
	src := "x-defaults: &svc {kind: service, site: s1, tier: 2}\nx-note: [anything, {at: all}]\n" +
		strings.TrimPrefix(prelude, "") + "  a: {<<: *svc, users: 5}\n  b:\n    <<: *svc\n    tier: 0\n"
	m, err := Decode(strings.NewReader(src), "x.yaml", YAML)
	require.NoError(t, err)
	require.Len(t, m.Nodes, 6)
	assert.Equal(t, Node{ID: "a", Kind: Service, Site: "s1", Tier: TierOf(2), Users: 5}, bareNode(m.Nodes[4]))
	assert.Equal(t, Node{ID: "b", Kind: Service, Site: "s1", Tier: TierOf(0)}, bareNode(m.Nodes[5]))
	// Only x-: other unknown keys are still reported.
	assert.Equal(t, []string{`t.yaml:1: y-defaults: unknown field (did you mean "defaults"?)`}, problemLines(t, "y-defaults: 1\nnodes: {}\n", "t.yaml", YAML))
	_, err = Decode(strings.NewReader(`{"x-anything": {"a": 1}, "nodes": {}}`), "x.json", JSON)
	require.NoError(t, err)
}

// bareNode is n without positions.
func bareNode(n Node) Node {
	n.Pos, n.fields = Pos{}, nil
	return n
}

// A JSON file that starts with a byte-order mark is read as without one,
// like a YAML file.
func TestDecodeJSONByteOrderMark(t *testing.T) {
	src := `{"nodes": {"s": {"kind": "site"}}}`
	want, err := Decode(strings.NewReader(src), "eq", JSON)
	require.NoError(t, err)
	for _, fast := range []bool{true, false} {
		m, msg := decodeWith(fast, "\ufeff"+src, JSON)
		require.Empty(t, msg)
		assert.Equal(t, want, m)
	}
	m, err := Decode(strings.NewReader("\ufeffnodes: {s: {kind: site}}"), "b.yaml", YAML)
	require.NoError(t, err)
	assert.Len(t, m.Nodes, 1)
}

// An id over 1,024 bytes written as a plain YAML key gets the id-length
// error (yaml.v3 alone refuses such a key as a syntax error).
func TestDecodeVeryLongPlainKey(t *testing.T) {
	id := strings.Repeat("x", 1100)
	for _, src := range []string{
		"nodes:\n  " + id + ": {kind: site}\n",
		"nodes: {" + id + ": {kind: site}}\n",
	} {
		assert.Equal(t, []string{`t.yaml:` + map[bool]string{true: "2", false: "1"}[strings.HasPrefix(src, "nodes:\n")] +
			`: node "` + strings.Repeat("x", 64) + `...": id is 1100 bytes long, more than the limit of 256`},
			problemLines(t, src, "t.yaml", YAML))
	}
}

func TestDecodeLimits(t *testing.T) {
	assert.Equal(t, Limits{FileSize: 64 << 20, Nodes: 5_000_000}, DefaultLimits())
	var b strings.Builder
	b.WriteString("nodes:\n  s: {kind: site}\n")
	for i := range 10 {
		fmt.Fprintf(&b, "  n%d: {kind: service, site: s}\n", i)
	}
	src := b.String()
	// Lowered.
	_, err := DecodeLimits(strings.NewReader(src), "m.yaml", YAML, Limits{Nodes: 10})
	require.EqualError(t, err, "m.yaml:1: nodes: 11 nodes is more than the limit of 10")
	_, err = DecodeLimits(strings.NewReader(src), "m.yaml", YAML, Limits{FileSize: 100})
	require.EqualError(t, err, "m.yaml: file is larger than the limit of 100 bytes")
	// Raised above the defaults (lowered here, as the hostile tests do).
	withLimits(t, func() { limits.nodes, limits.fileSize = 5, 100 }, func() {
		_, err := Decode(strings.NewReader(src), "m.yaml", YAML)
		require.Error(t, err)
		m, err := DecodeLimits(strings.NewReader(src), "m.yaml", YAML, Limits{FileSize: 1 << 30, Nodes: 11})
		require.NoError(t, err)
		assert.Len(t, m.Nodes, 11)
	})
	assert.Equal(t, "2 GiB", byteSize(2<<30))
	assert.Equal(t, "64 MiB", byteSize(64<<20))
	assert.Equal(t, "1025 bytes", byteSize(1025))
	// LoadLimits reads a file of known size into one buffer.
	path := filepath.Join(t.TempDir(), "m.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	m, err := LoadLimits(path, Limits{Nodes: 11})
	require.NoError(t, err)
	assert.Len(t, m.Nodes, 11)
	_, err = LoadLimits(path, Limits{FileSize: int64(len(src)) - 1})
	require.ErrorContains(t, err, "file is larger than the limit of")
	m, err = LoadLimits(path, Limits{FileSize: int64(len(src))})
	require.NoError(t, err)
	assert.Equal(t, path, m.File)
}

func TestLoadCompiled(t *testing.T) {
	m, c, err := LoadCompiled("../testdata/kakao-2022.yaml", Limits{})
	require.NoError(t, err)
	want, err := Compile(m)
	require.NoError(t, err)
	assert.Equal(t, want.Len(), c.Len())
	assert.Equal(t, want.Edges(), c.Edges())
	_, _, err = DecodeCompiled(strings.NewReader("nodes: {a: {kind: service, requires: [b]}}"), "bad.yaml", YAML, Limits{})
	require.EqualError(t, err, `bad.yaml:1: node "a": requires: unknown node "b" (did you mean "a"?)`)
	_, _, err = LoadCompiled("../testdata/missing.yaml", Limits{})
	require.Error(t, err)
}
