package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/blastradius-go/blastradius/graph"
)

// limits bound the work Decode does on hostile input.
const (
	maxFileSize = 4 << 20 // bytes
	maxDepth    = 64      // nested mappings and lists
	maxWalk     = 1 << 20 // yaml nodes walked, aliases expanded
)

// Field and rule names, for unknown-name errors and their suggestions.
var (
	policyFields   = []string{"policy", "description", "max_violations", "rules"}
	commonFields   = []string{"rule", "name", "description"}
	selectorFields = []string{"id", "kind", "tier", "label", "user_facing", "redundant"}
	ruleParams     = map[string][]string{
		"survive_site_loss":   {"select"},
		"survive_region_loss": {"select"},
		"no_spof":             {"select", "ignore"},
		"max_blast_radius":    {"nodes", "users", "ignore"},
		"min_redundancy_rate": {"rate", "by"},
		"sites_at_least":      {"sites", "select"},
	}
)

// ruleNames returns the rule names, sorted.
func ruleNames() []string {
	names := make([]string, 0, len(ruleParams))
	for n := range ruleParams {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Load reads the policy file at path (YAML; JSON is YAML too).
func Load(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads a YAML policy from r; file names it in problems and is stored
// as the policy's File.
//
// It collects every problem (syntax, unknown fields and rules, wrong types,
// values out of range) and returns them sorted in a *graph.ValidationError,
// each with the file and line; it returns a policy only when there is none.
// Whether the nodes a selector names exist is a question for the model:
// Check answers it, with the same file and line. Decode refuses input larger
// than 4 MiB, nested deeper than 64 or whose aliases expand beyond a million
// nodes, and does not panic, whatever the input.
func Decode(r io.Reader, file string) (*Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", orPolicy(file), err)
	}
	d := &decoder{file: file}
	if len(data) > maxFileSize {
		d.add(0, "", "file is larger than the limit of %d MiB", maxFileSize>>20)
		return nil, d.err()
	}
	doc, err := parse(data)
	if err != nil {
		d.probs = append(d.probs, yamlProblem(err, file))
		return nil, d.err()
	}
	if doc == nil {
		d.add(0, "", "the file is empty: want a mapping with rules")
		return nil, d.err()
	}
	root, err := d.convert(doc, 0)
	if err != nil {
		return nil, d.err()
	}
	p := d.policy(root)
	if len(d.probs) > 0 {
		return nil, d.err()
	}
	p.File = file
	return p, nil
}

func orPolicy(file string) string {
	if file == "" {
		return "policy"
	}
	return file
}

// parse parses the one YAML document in data; nil for an empty one. A panic
// in the parser is returned as an error.
func parse(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, fmt.Errorf("yaml: cannot parse: %v", v)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, fmt.Errorf("yaml: line %d: a file holds one YAML document, found a second", more.Line)
	} else if err != io.EOF {
		return nil, err
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil
		}
		return n.Content[0], nil
	}
	return &n, nil
}

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner), whose lines count from 0 and leave out the first.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// yamlProblem turns "yaml: line 3: mapping values are not allowed in this
// context" into a problem at that line.
func yamlProblem(err error, file string) graph.Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, rest[i+2:]
			}
		}
	}
	if slices.Contains(yamlParserProblems, msg) {
		line++
	}
	return graph.Problem{Pos: graph.Pos{File: file, Line: line}, Msg: "invalid YAML: " + msg}
}

// val is a YAML value with its line, aliases and merge keys resolved.
type val struct {
	kind  yaml.Kind // ScalarNode, MappingNode or SequenceNode
	tag   string    // scalars: !!str, !!int, !!float, !!bool, !!null
	text  string
	line  int
	items []*val
	keys  []entry
}

type entry struct {
	key  string
	line int
	v    *val
}

func (v *val) null() bool { return v.kind == yaml.ScalarNode && v.tag == "!!null" }

// describe names a value in a message.
func describe(v *val) string {
	switch {
	case v.kind == yaml.MappingNode:
		return "a mapping"
	case v.kind == yaml.SequenceNode:
		return "a list"
	case v.null():
		return "nothing"
	case v.tag == "!!str":
		return strconv.Quote(clip(v.text))
	}
	return clip(v.text)
}

// clip shortens text for messages.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

type decoder struct {
	file   string
	probs  []graph.Problem
	walked int
}

var errRefused = errors.New("refused")

func (d *decoder) pos(line int) graph.Pos { return graph.Pos{File: d.file, Line: line} }

func (d *decoder) add(line int, field, format string, args ...any) {
	d.probs = append(d.probs, graph.Problem{Pos: d.pos(line), Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) err() error { return validationError(d.probs) }

// convert converts n, found inside depth mappings and lists, expanding
// aliases within the limits.
func (d *decoder) convert(n *yaml.Node, depth int) (*val, error) {
	if d.walked++; d.walked > maxWalk {
		d.add(n.Line, "", "aliases expand to more than %d nodes: refusing the file", maxWalk)
		return nil, errRefused
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.add(n.Line, "", "invalid YAML: alias to nothing")
			return nil, errRefused
		}
		return d.convert(n.Alias, depth)
	}
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && depth+1 > maxDepth {
		d.add(n.Line, "", "nesting is deeper than the limit of %d", maxDepth)
		return nil, errRefused
	}
	v := &val{kind: n.Kind, line: n.Line}
	switch n.Kind {
	case yaml.ScalarNode:
		v.text, v.tag = n.Value, n.ShortTag()
	case yaml.SequenceNode:
		for _, c := range n.Content {
			item, err := d.convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, item)
		}
	case yaml.MappingNode:
		if err := d.mapping(n, v, depth); err != nil {
			return nil, err
		}
	default:
		v.kind, v.tag = yaml.ScalarNode, "!!null"
	}
	return v, nil
}

// mapping converts the pairs of n into v; merge keys ("<<: *defaults") add
// the keys the mapping does not write itself.
func (d *decoder) mapping(n *yaml.Node, v *val, depth int) error {
	explicit := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && !isMerge(k) {
			explicit[k.Value] = true
		}
	}
	merged := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		cv, err := d.convert(n.Content[i+1], depth+1)
		if err != nil {
			return err
		}
		if isMerge(k) {
			sources := []*val{cv}
			if cv.kind == yaml.SequenceNode {
				sources = cv.items
			}
			for _, src := range sources {
				if src.kind != yaml.MappingNode {
					d.add(k.Line, "", "merge key << needs a mapping or a list of mappings, got %s", describe(src))
					continue
				}
				for _, e := range src.keys {
					if !explicit[e.key] && !merged[e.key] {
						merged[e.key] = true
						v.keys = append(v.keys, e)
					}
				}
			}
			continue
		}
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, "", "a mapping key must be a string")
			continue
		}
		v.keys = append(v.keys, entry{key: k.Value, line: k.Line, v: cv})
	}
	return nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// join appends a key to a field path.
func join(path, key string) string {
	if path == "" {
		return clip(key)
	}
	return path + "." + clip(key)
}

// each calls f on every entry of mapping v in order, except a key written
// twice, which it reports.
func (d *decoder) each(v *val, path string, f func(e entry)) {
	for i, e := range v.keys {
		dup := false
		for j := range i {
			if v.keys[j].key == e.key {
				d.add(e.line, join(path, e.key), "duplicate key (first at line %d)", v.keys[j].line)
				dup = true
				break
			}
		}
		if !dup {
			f(e)
		}
	}
}

func (d *decoder) unknown(e entry, path string, known []string) {
	hint := ""
	if s, ok := graph.Suggest(e.key, known); ok {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	d.add(e.line, join(path, e.key), "unknown field%s", hint)
}

func (d *decoder) mappingOf(v *val, field, want string) bool {
	if v.kind != yaml.MappingNode {
		d.add(v.line, field, "must be %s, got %s", want, describe(v))
		return false
	}
	return true
}

func (d *decoder) str(v *val, field string) (string, bool) {
	if v.kind != yaml.ScalarNode || v.null() {
		d.add(v.line, field, "must be a string, got %s", describe(v))
		return "", false
	}
	return v.text, true
}

func (d *decoder) integer(v *val, field string) (int64, bool) {
	if v.kind != yaml.ScalarNode || v.tag != "!!int" {
		d.add(v.line, field, "must be an integer, got %s", describe(v))
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v.text, "_", ""), 0, 64)
	if err != nil {
		d.add(v.line, field, "integer %s is out of range", clip(v.text))
		return 0, false
	}
	return n, true
}

func (d *decoder) boolean(v *val, field string) (bool, bool) {
	if v.kind == yaml.ScalarNode && v.tag == "!!bool" {
		if b, err := strconv.ParseBool(strings.ToLower(v.text)); err == nil {
			return b, true
		}
	}
	d.add(v.line, field, "must be true or false, got %s", describe(v))
	return false, false
}

// share reads a share: a percentage ("10%", "37.5%") or a number from 0 to 1.
func (d *decoder) share(v *val, field string) (float64, bool) {
	bad := func() (float64, bool) {
		d.add(v.line, field, "must be a percentage such as 10%% or a share from 0 to 1 such as 0.1, got %s", describe(v))
		return 0, false
	}
	if v.kind != yaml.ScalarNode || v.null() {
		return bad()
	}
	if num, ok := strings.CutSuffix(strings.TrimSpace(v.text), "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(f >= 0 && f <= 100) {
			return bad()
		}
		return f / 100, true
	}
	if v.tag != "!!int" && v.tag != "!!float" {
		return bad()
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v.text, "_", ""), 64)
	if err != nil || !(f >= 0 && f <= 1) {
		return bad()
	}
	return f, true
}

// scalars reads a scalar or a list of scalars ("id: a" or "id: [a, b]").
func (d *decoder) scalars(v *val, field string) []*val {
	switch {
	case v.kind == yaml.SequenceNode:
		for i, it := range v.items {
			if it.kind != yaml.ScalarNode || it.null() {
				d.add(it.line, fmt.Sprintf("%s[%d]", field, i), "must be a single value, got %s", describe(it))
				return nil
			}
		}
		if len(v.items) == 0 {
			d.add(v.line, field, "is empty: give one value or a list of them")
		}
		return v.items
	case v.null():
		d.add(v.line, field, "is empty: give one value or a list of them")
		return nil
	}
	return []*val{v}
}

// policy walks the document.
func (d *decoder) policy(root *val) *Policy {
	p := &Policy{}
	if !d.mappingOf(root, "", "a mapping with rules") {
		return p
	}
	var rules *entry
	d.each(root, "", func(e entry) {
		switch e.key {
		case "policy":
			p.Name, _ = d.str(e.v, e.key)
		case "description":
			if !e.v.null() {
				p.Description, _ = d.str(e.v, e.key)
			}
		case "max_violations":
			if e.v.kind == yaml.ScalarNode && e.v.tag == "!!str" && e.v.text == "all" {
				p.MaxViolations = -1
			} else if n, ok := d.integer(e.v, e.key); ok {
				if n <= 0 {
					d.add(e.v.line, e.key, "must be > 0 or all, got %d", n)
				} else {
					p.MaxViolations = int(min(n, 1<<31-1))
				}
			}
		case "rules":
			rules = &e
		default:
			d.unknown(e, "", policyFields)
		}
	})
	if rules == nil {
		d.add(root.line, "rules", "missing: a policy needs rules")
		return p
	}
	if rules.v.kind != yaml.SequenceNode {
		d.add(rules.v.line, "rules", "must be a list of rules such as - {rule: no_spof, select: {tier: 0}}, got %s", describe(rules.v))
		return p
	}
	if len(rules.v.items) == 0 {
		d.add(rules.v.line, "rules", "is empty: a policy needs at least one rule")
	}
	for i, it := range rules.v.items {
		if r := d.rule(it, fmt.Sprintf("rules[%d]", i)); r != nil {
			p.Rules = append(p.Rules, r)
		}
	}
	return p
}

// rule reads one rule; nil when it cannot be built.
func (d *decoder) rule(v *val, path string) Rule {
	if !d.mappingOf(v, path, "a mapping such as {rule: no_spof, select: {tier: 0}}") {
		return nil
	}
	var name string
	for _, e := range v.keys {
		if e.key == "rule" {
			s, ok := d.str(e.v, join(path, "rule"))
			if !ok {
				return nil
			}
			name = s
			if _, ok := ruleParams[s]; !ok {
				hint := ""
				if h, ok := graph.Suggest(s, ruleNames()); ok {
					hint = fmt.Sprintf(" (did you mean %q?)", h)
				}
				d.add(e.v.line, join(path, "rule"), "unknown rule %q%s: want one of %s", clip(s), hint, strings.Join(ruleNames(), ", "))
				return nil
			}
			break
		}
	}
	if name == "" {
		d.add(v.line, join(path, "rule"), "missing: want one of %s", strings.Join(ruleNames(), ", "))
		return nil
	}
	params := ruleParams[name]
	var all []string
	for _, n := range ruleNames() {
		all = append(all, ruleParams[n]...)
	}
	all = append(all, commonFields...)
	m := meta{pos: d.pos(v.line), fields: make(map[string]graph.Pos)}
	vals := make(map[string]*val)
	before := len(d.probs)
	d.each(v, path, func(e entry) {
		switch {
		case slices.Contains(commonFields, e.key), slices.Contains(params, e.key):
		case slices.Contains(all, e.key):
			d.add(e.line, join(path, e.key), "does not apply to rule %s (it takes %s)", name, strings.Join(params, ", "))
			return
		default:
			d.unknown(e, path, all)
			return
		}
		m.fields[e.key] = d.pos(e.line)
		vals[e.key] = e.v
	})
	if x := vals["name"]; x != nil && !x.null() {
		m.label, _ = d.str(x, join(path, "name"))
	}
	if x := vals["description"]; x != nil && !x.null() {
		m.desc, _ = d.str(x, join(path, "description"))
	}
	need := func(key, want string) *val {
		x := vals[key]
		if x == nil {
			d.add(v.line, join(path, key), "missing: %s", want)
		}
		return x
	}
	var r Rule
	switch name {
	case "survive_site_loss", "survive_region_loss":
		rr := &survive{kind: graph.Site}
		if name == "survive_region_loss" {
			rr.kind = graph.Region
		}
		if x := need("select", "which nodes must survive, e.g. {tier: 0}"); x != nil {
			rr.sel = d.selector(x, join(path, "select"))
		}
		r = rr
	case "no_spof":
		rr := &noSPOF{}
		if x := need("select", "which nodes to protect, e.g. {user_facing: true}"); x != nil {
			rr.sel = d.selector(x, join(path, "select"))
		}
		if x := vals["ignore"]; x != nil {
			rr.ignore = d.selectors(x, join(path, "ignore"))
		}
		r = rr
	case "max_blast_radius":
		rr := &maxRadius{}
		if x := vals["nodes"]; x != nil {
			if n, ok := d.integer(x, join(path, "nodes")); ok {
				if n <= 0 {
					d.add(x.line, join(path, "nodes"), "must be > 0, got %d (leave it out for no limit on nodes)", n)
				} else {
					rr.lim.Nodes = int(min(n, 1<<31-1))
				}
			}
		}
		if x := vals["users"]; x != nil {
			if f, ok := d.share(x, join(path, "users")); ok {
				if f == 0 {
					d.add(x.line, join(path, "users"), "must be more than 0%% (leave it out for no limit on users)")
				}
				rr.lim.Users = f
			}
		}
		if vals["nodes"] == nil && vals["users"] == nil {
			d.add(v.line, path, "give a limit: nodes (other nodes down), users (a share such as 10%%), or both")
		}
		if x := vals["ignore"]; x != nil {
			rr.ignore = d.selectors(x, join(path, "ignore"))
		}
		r = rr
	case "min_redundancy_rate":
		rr := &minRate{}
		if x := need("rate", "the least share that must survive, e.g. 90%"); x != nil {
			rr.rate, _ = d.share(x, join(path, "rate"))
		}
		if x := vals["by"]; x != nil {
			switch s, _ := d.str(x, join(path, "by")); s {
			case "count", "services":
				rr.by = ByCount
			case "users":
				rr.by = ByUsers
			case "":
			default:
				d.add(x.line, join(path, "by"), "unknown measure %q: want count or users", clip(s))
			}
		}
		r = rr
	case "sites_at_least":
		rr := &sitesAtLeast{}
		if x := need("sites", "how many sites, e.g. 2"); x != nil {
			if n, ok := d.integer(x, join(path, "sites")); ok {
				if n < 1 {
					d.add(x.line, join(path, "sites"), "must be at least 1, got %d", n)
				}
				rr.n = int(min(max(n, 0), 1<<31-1))
			}
		}
		if x := need("select", "which nodes, e.g. {tier: 0}"); x != nil {
			rr.sel = d.selector(x, join(path, "select"))
		}
		r = rr
	}
	if len(d.probs) > before {
		return nil
	}
	*r.info() = m
	return r
}

// selectors reads one selector or a list of them.
func (d *decoder) selectors(v *val, path string) []Selector {
	if v.kind != yaml.SequenceNode {
		return []Selector{d.selector(v, path)}
	}
	out := make([]Selector, len(v.items))
	for i, it := range v.items {
		out[i] = d.selector(it, fmt.Sprintf("%s[%d]", path, i))
	}
	return out
}

func (d *decoder) selector(v *val, path string) Selector {
	var s Selector
	if !d.mappingOf(v, path, "a selector such as {tier: 0} or {kind: service, label: {team: talk}} ({} for every node)") {
		return s
	}
	d.each(v, path, func(e entry) {
		field := join(path, e.key)
		switch e.key {
		case "id":
			for _, it := range d.scalars(e.v, field) {
				s.IDs = append(s.IDs, it.text)
				s.idPos = append(s.idPos, d.pos(it.line))
			}
		case "kind":
			var names []string
			for _, k := range graph.Kinds() {
				names = append(names, k.String())
			}
			items := d.scalars(e.v, field)
			for i, it := range items {
				f := field
				if e.v.kind == yaml.SequenceNode {
					f = fmt.Sprintf("%s[%d]", field, i)
				}
				k, ok := graph.ParseKind(it.text)
				if !ok {
					hint := ""
					if h, ok := graph.Suggest(it.text, names); ok {
						hint = fmt.Sprintf(" (did you mean %q?)", h)
					}
					d.add(it.line, f, "unknown kind %q%s: want one of %s", clip(it.text), hint, strings.Join(names, ", "))
					continue
				}
				s.Kinds = append(s.Kinds, k)
			}
		case "tier":
			items := d.scalars(e.v, field)
			for i, it := range items {
				f := field
				if e.v.kind == yaml.SequenceNode {
					f = fmt.Sprintf("%s[%d]", field, i)
				}
				if n, ok := d.integer(it, f); ok {
					if n < 0 {
						d.add(it.line, f, "must be >= 0, got %d", n)
						continue
					}
					s.Tiers = append(s.Tiers, int(min(n, 1<<31-1)))
				}
			}
		case "label":
			if !d.mappingOf(e.v, field, "a mapping of label names to values, e.g. {team: talk}") {
				return
			}
			s.Labels = make(map[string]string)
			d.each(e.v, field, func(l entry) {
				if l.v.kind != yaml.ScalarNode {
					d.add(l.v.line, join(field, l.key), "a label value must be a scalar, got %s", describe(l.v))
					return
				}
				text := l.v.text
				if l.v.null() {
					text = ""
				}
				s.Labels[l.key] = text
			})
		case "user_facing":
			s.UserFacing, _ = d.boolean(e.v, field)
		case "redundant":
			s.Redundant, _ = d.boolean(e.v, field)
		default:
			d.unknown(e, path, selectorFields)
		}
	})
	return s
}
