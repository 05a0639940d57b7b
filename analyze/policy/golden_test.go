package policy

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/internal/golden"
)

// TestDecodeGolden decodes a corpus of policies generated from the policy
// grammar, each field given values of every shape (right, wrong, out of
// range, misspelt, written twice), and compares what Decode makes of each,
// the policy or its problems, with testdata/golden/policy/decode.txt. The
// corpus reaches the decoder's messages far more evenly than byte fuzzing,
// and the golden file holds them word for word: a change of wording shows
// in its diff.
func TestDecodeGolden(t *testing.T) {
	const seed, n = 1, 400
	rng := rand.New(rand.NewPCG(seed, seed))
	var b strings.Builder
	for i := range n {
		src := genPolicy(rng)
		fmt.Fprintf(&b, "=== %d\n%s--- \n%s\n", i, src, describeDecode(src))
	}
	golden.Assert(t, filepath.Join("..", "..", "testdata", "golden", "policy", "decode.txt"), []byte(b.String()))
}

// describeDecode is what Decode makes of src: its problems one a line, or
// the policy with every field of every rule, positions included.
func describeDecode(src string) string {
	p, err := Decode(strings.NewReader(src), "g.yaml")
	if err != nil {
		return "error:\n" + err.Error() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "policy %q %q max_violations=%d max_chain=%d file=%s\n", p.Name, p.Description, p.MaxViolations, p.MaxChain, p.File)
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "rule %s: %s\n  %+v\n", r.Name(), r, reflect.ValueOf(r).Elem().Interface())
	}
	for _, k := range slices.Sorted(maps.Keys(p.at)) {
		fmt.Fprintf(&b, "at %s: %v\n", k, p.at[k])
	}
	return b.String()
}

// genPolicy writes a random policy: mostly well formed, with a wrong,
// misspelt, missing or repeated piece here and there.
func genPolicy(rng *rand.Rand) string {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	var b strings.Builder
	if rng.IntN(4) == 0 {
		fmt.Fprintf(&b, "policy: %s\n", choose(rng, []string{"gate", "2022", "true"}, []string{"~", "[a]", "{a: 1}"}))
	}
	if rng.IntN(5) == 0 {
		fmt.Fprintf(&b, "description: %s\n", choose(rng, []string{"ok", "~", "''"}, []string{"[x]"}))
	}
	for _, k := range []string{"max_violations", "max_chain"} {
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, "%s: %s\n", k, choose(rng, []string{"all", "3", "0x10", "99999999999"}, []string{"All", "0", "-2", "1.5", "~", "none", "9223372036854775808"}))
		}
	}
	if rng.IntN(25) == 0 {
		fmt.Fprintf(&b, "%s: 1\n", pick("polcy", "rule", "max_violation", "x-anchors", "zzzzzz"))
	}
	switch rng.IntN(50) {
	case 0:
		return b.String()
	case 1:
		b.WriteString("rules: " + pick("[]", "~", "{rule: no_spof}", "no_spof") + "\n")
		return b.String()
	}
	b.WriteString("rules:\n")
	for range 1 + rng.IntN(3) {
		genRule(rng, &b)
	}
	return b.String()
}

var ruleParams = map[string][]string{
	"no_spof":             {"select", "ignore"},
	"survive_site_loss":   {"select"},
	"survive_region_loss": {"select"},
	"max_blast_radius":    {"nodes", "users", "ignore"},
	"min_redundancy_rate": {"rate", "by"},
	"sites_at_least":      {"sites", "select"},
	"recover_within":      {"select", "repair", "within", "by"},
}

func genRule(rng *rand.Rand, b *strings.Builder) {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	if rng.IntN(40) == 0 {
		b.WriteString("  - " + pick("no_spof", "3", "[a]", "~") + "\n")
		return
	}
	names := slices.Sorted(maps.Keys(ruleParams))
	name := names[rng.IntN(len(names))]
	var fields [][2]string
	switch rng.IntN(30) {
	case 0:
		fields = append(fields, [2]string{"rule", pick("surive_site_loss", "no-spof", "nospof", "max_radius", "x", "[no_spof]", "~", "7")})
	case 1: // no rule field
	default:
		fields = append(fields, [2]string{"rule", name})
	}
	for _, p := range ruleParams[name] {
		if rng.IntN(12) != 0 {
			fields = append(fields, [2]string{p, genParam(rng, p)})
		}
	}
	if rng.IntN(4) == 0 {
		fields = append(fields, [2]string{"name", choose(rng, []string{"gate", "~", "12"}, []string{"[a]"})})
	}
	if rng.IntN(5) == 0 {
		fields = append(fields, [2]string{"description", choose(rng, []string{"why", "~"}, []string{"{a: b}"})})
	}
	if rng.IntN(15) == 0 { // a parameter of another rule, or a misspelt one
		p := pick("select", "ignore", "nodes", "users", "rate", "by", "sites", "selct", "ignroe", "node", "usres", "zzzzzz")
		fields = append(fields, [2]string{p, genParam(rng, p)})
	}
	if rng.IntN(25) == 0 && len(fields) > 0 { // a key written twice
		fields = append(fields, fields[rng.IntN(len(fields))])
	}
	rng.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	if rng.IntN(2) == 0 {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f[0] + ": " + f[1]
		}
		b.WriteString("  - {" + strings.Join(parts, ", ") + "}\n")
		return
	}
	if len(fields) == 0 {
		b.WriteString("  - {}\n")
		return
	}
	for i, f := range fields {
		lead := "    "
		if i == 0 {
			lead = "  - "
		}
		b.WriteString(lead + f[0] + ": " + f[1] + "\n")
	}
}

func genParam(rng *rand.Rand, p string) string {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	switch p {
	case "select":
		return genSelector(rng)
	case "ignore":
		if rng.IntN(3) == 0 {
			return genSelector(rng)
		}
		var ss []string
		for range rng.IntN(3) {
			ss = append(ss, genSelector(rng))
		}
		if rng.IntN(20) == 0 {
			ss = append(ss, pick("3", "~", "x"))
		}
		return "[" + strings.Join(ss, ", ") + "]"
	case "nodes", "sites":
		return choose(rng, []string{"3", "1", "0x7fffffffffffffff", "1_000"}, []string{"0", "-1", "9223372036854775808", "two", "'3'", "1.5", "~", "[3]"})
	case "users", "rate":
		return choose(rng, []string{"10%", "12.5%", "100%", "' 7 %'", "0.1", "1", "0x1", "1e-400%", "0%", "0"}, []string{"150%", "-5%", "1.5", "90", "-0.1", ".nan", ".inf", "1_0%", "ten", "~", "[0.5]", "true"})
	case "by":
		return choose(rng, []string{"count", "users", "services", "~", "site", "region"}, []string{"people", "[users]", "1", "Users"})
	case "repair":
		return choose(rng, []string{"24h", "90m", "never", "3d", "1h30m"}, []string{"0s", "-1h", "soon", "[1h]", "~", "87601h", "Never"})
	case "within":
		return choose(rng, []string{"15m", "1h", "2d"}, []string{"0m", "x", "{}", "-5m", "87601h"})
	}
	return pick("1", "x", "{}", "[a]")
}

// choose picks one of good, or now and then one of bad.
func choose(rng *rand.Rand, good, bad []string) string {
	if rng.IntN(10) == 0 {
		return bad[rng.IntN(len(bad))]
	}
	return good[rng.IntN(len(good))]
}

func genSelector(rng *rand.Rand) string {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	switch rng.IntN(30) {
	case 0:
		return pick("~", "3", "x", "[{tier: 0}]", "''")
	case 1:
		return "{}"
	}
	var fields []string
	for _, f := range []string{"id", "kind", "tier", "label", "user_facing", "redundant"} {
		if rng.IntN(3) != 0 {
			continue
		}
		var v string
		switch f {
		case "id":
			v = choose(rng, []string{"a", "[a, b]", "2022", "[a, a]"}, []string{"[]", "~", "[[a]]", "[a, ~]", "{a: 1}"})
		case "kind":
			v = choose(rng, []string{"service", "[service, identity]", "[external]"}, []string{"servce", "[site, nope]", "Service", "~", "[]", "[{a: 1}]", "x", "externl", "3"})
		case "tier":
			v = choose(rng, []string{"0", "[0, 1]", "0x7fffffffffffffff", "2"}, []string{"-1", "[0, -2]", "x", "~", "9223372036854775808", "[1.5]", "[]", "'0'"})
		case "label":
			v = choose(rng, []string{"{team: talk}", "{team: ~, on-call: ''}", "{}", "{n: 3}"}, []string{"{team: [a]}", "x", "~", "{a: 1, a: 2}", "[team]", "{a: {b: c}}"})
		case "user_facing", "redundant":
			v = choose(rng, []string{"true", "false", "True"}, []string{"yes", "1", "~", "'true'", "[true]"})
		}
		fields = append(fields, f+": "+v)
	}
	if rng.IntN(20) == 0 {
		fields = append(fields, pick("tiers", "kinds", "labels", "userfacing", "ids", "zzzzzz")+": 1")
	}
	if rng.IntN(25) == 0 && len(fields) > 0 {
		fields = append(fields, fields[0])
	}
	return "{" + strings.Join(fields, ", ") + "}"
}
