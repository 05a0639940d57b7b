package policy

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// limits bound the work Decode does on hostile input.
const (
	maxFileSize = 4 << 20 // bytes
	maxDepth    = 64      // nested mappings and lists
	maxWalk     = 1 << 20 // yaml nodes walked, aliases expanded
)

// Field names, for unknown-name errors and their suggestions; the rules'
// names and parameters are in registry.
var (
	policyFields   = []string{"policy", "description", "max_violations", "max_chain", "rules"}
	commonFields   = []string{"rule", "name", "description"}
	selectorFields = []string{"id", "kind", "tier", "label", "user_facing", "redundant"}
)

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
	d := newDecoder(file)
	if len(data) > maxFileSize {
		d.Add(0, "", "file is larger than the limit of %d MiB", maxFileSize>>20)
		return nil, d.err()
	}
	doc, err := yamltree.Parse(data)
	if err != nil {
		// No data: an unknown anchor keeps the line yaml.v3 gives, none.
		d.addProblem(yamltree.SyntaxProblem(err, nil))
		return nil, d.err()
	}
	if doc == nil {
		d.Add(0, "", "the file is empty: want a mapping with rules")
		return nil, d.err()
	}
	// Expanding aliases with a fixed budget, and the other settings, are
	// how this decoder has always read YAML; see yamltree.Config.
	root, found, refused := yamltree.Convert(doc, yamltree.Config{
		MaxDepth:      maxDepth,
		WalkBase:      maxWalk,
		ExpandAliases: true,
		OtherTags:     true,
	})
	for _, p := range found {
		d.addProblem(p)
	}
	if refused != nil {
		d.addProblem(*refused)
		return nil, d.err()
	}
	p := d.policy(root)
	if len(d.probs) > 0 {
		return nil, d.err()
	}
	p.File, p.at = file, d.at
	return p, nil
}

func orPolicy(file string) string {
	if file == "" {
		return "policy"
	}
	return file
}

// val is a YAML value with its line, aliases and merge keys resolved;
// entry is one key: value pair of a mapping.
type (
	val   = yamltree.Value
	entry = yamltree.Entry
)

// decoder builds a Policy from a value tree, collecting problems. It reads
// fields with the typed readers the model decoder uses too, so that both
// word their problems alike.
type decoder struct {
	yamltree.Fields
	file  string
	probs []graph.Problem
	at    map[string]graph.Pos // where each selector field was written, by path
}

// newDecoder returns a decoder for the file named file, its readers
// reporting into its problems.
func newDecoder(file string) *decoder {
	d := &decoder{file: file, at: make(map[string]graph.Pos)}
	d.Report = func(line int, field, msg string) {
		d.probs = append(d.probs, graph.Problem{Pos: d.pos(line), Field: field, Msg: msg})
	}
	return d
}

func (d *decoder) pos(line int) graph.Pos { return graph.Pos{File: d.file, Line: line} }

// addProblem adds a problem of the YAML layer, which names no field.
func (d *decoder) addProblem(p yamltree.Problem) { d.Add(p.Line, "", "%s", p.Msg) }

func (d *decoder) err() error { return validationError(d.probs) }

// countOrAll reads a bound such as max_violations: a count above 0, or
// all (-1, as the Policy fields take it); 0 when it cannot.
func (d *decoder) countOrAll(e entry) int {
	if e.Val.Kind == yamltree.Scalar && e.Val.Tag == yamltree.String && e.Val.Text == "all" {
		return -1
	}
	n, ok := d.Integer(e.Val, e.Key)
	if !ok {
		return 0
	}
	if n <= 0 {
		d.Add(e.Val.Line, e.Key, "must be > 0 or all, got %d", n)
		return 0
	}
	return int(min(n, 1<<31-1))
}

// policy walks the document.
func (d *decoder) policy(root *val) *Policy {
	p := &Policy{}
	if !d.Mapping(root, "", "a mapping with rules") {
		return p
	}
	var rules *entry
	d.Each(root, "", func(e entry) {
		switch e.Key {
		case "policy":
			p.Name, _ = d.String(e.Val, e.Key)
		case "description":
			if !e.Val.IsNull() {
				p.Description, _ = d.String(e.Val, e.Key)
			}
		case "max_violations":
			p.MaxViolations = d.countOrAll(e)
		case "max_chain":
			p.MaxChain = d.countOrAll(e)
		case "rules":
			rules = &e
		default:
			d.Unknown(e, "", policyFields)
		}
	})
	if rules == nil {
		d.Add(root.Line, "rules", "missing: a policy needs rules")
		return p
	}
	if rules.Val.Kind != yamltree.List {
		d.Add(rules.Val.Line, "rules", "must be a list of rules such as - {rule: no_spof, select: {tier: 0}}, got %s", yamltree.Describe(rules.Val))
		return p
	}
	if len(rules.Val.Items) == 0 {
		d.Add(rules.Val.Line, "rules", "is empty: a policy needs at least one rule")
	}
	for i, it := range rules.Val.Items {
		if r := d.rule(it, yamltree.Index("rules", i)); r != nil {
			p.Rules = append(p.Rules, r)
		}
	}
	return p
}

// ruleFields are the fields of one rule as written, for the rule's decode
// function (registered with register).
type ruleFields struct {
	d    *decoder
	path string // "rules[2]"
	line int    // where the rule starts
	vals map[string]*val
}

// field returns the path of one of the rule's fields: "rules[2].select".
func (f *ruleFields) field(key string) string { return yamltree.Join(f.path, key) }

// need returns the field key, reporting it missing (want says what to
// give) when it is not there.
func (f *ruleFields) need(key, want string) *val {
	x := f.vals[key]
	if x == nil {
		f.d.Add(f.line, f.field(key), "missing: %s", want)
	}
	return x
}

// rule reads one rule; nil when it cannot be built.
func (d *decoder) rule(v *val, path string) Rule {
	if !d.Mapping(v, path, "a mapping such as {rule: no_spof, select: {tier: 0}}") {
		return nil
	}
	var name string
	for _, e := range v.Entries {
		if e.Key == "rule" {
			s, ok := d.String(e.Val, yamltree.Join(path, "rule"))
			if !ok {
				return nil
			}
			name = s
			if _, ok := registry[s]; !ok {
				d.UnknownName(e.Val.Line, yamltree.Join(path, "rule"), "rule", s, ruleNames())
				return nil
			}
			break
		}
	}
	if name == "" {
		d.Add(v.Line, yamltree.Join(path, "rule"), "missing: want one of %s", strings.Join(ruleNames(), ", "))
		return nil
	}
	spec := registry[name]
	var all []string
	for _, n := range ruleNames() {
		all = append(all, registry[n].params...)
	}
	all = append(all, commonFields...)
	m := meta{pos: d.pos(v.Line), fields: make(map[string]graph.Pos)}
	f := &ruleFields{d: d, path: path, line: v.Line, vals: make(map[string]*val)}
	before := len(d.probs)
	d.Each(v, path, func(e entry) {
		switch {
		case slices.Contains(commonFields, e.Key), slices.Contains(spec.params, e.Key):
		case slices.Contains(all, e.Key):
			d.Add(e.Line, yamltree.Join(path, e.Key), "does not apply to rule %s (it takes %s)", name, strings.Join(spec.params, ", "))
			return
		default:
			d.Unknown(e, path, all)
			return
		}
		m.fields[e.Key] = d.pos(e.Line)
		f.vals[e.Key] = e.Val
	})
	if x := f.vals["name"]; x != nil && !x.IsNull() {
		m.label, _ = d.String(x, f.field("name"))
	}
	if x := f.vals["description"]; x != nil && !x.IsNull() {
		m.desc, _ = d.String(x, f.field("description"))
	}
	r := spec.decode(f)
	if len(d.probs) > before {
		return nil
	}
	*r.info() = m
	return r
}

// selectors reads one selector or a list of them.
func (d *decoder) selectors(v *val, path string) []Selector {
	if v.Kind != yamltree.List {
		return []Selector{d.selector(v, path)}
	}
	out := make([]Selector, len(v.Items))
	for i, it := range v.Items {
		out[i] = d.selector(it, yamltree.Index(path, i))
	}
	return out
}

func (d *decoder) selector(v *val, path string) Selector {
	var s Selector
	if !d.Mapping(v, path, "a selector such as {tier: 0} or {kind: service, label: {team: talk}} ({} for every node)") {
		return s
	}
	d.Each(v, path, func(e entry) {
		field := yamltree.Join(path, e.Key)
		d.at[field] = d.pos(e.Line)
		switch e.Key {
		case "id":
			items, _ := d.Scalars(e.Val, field, "a node id")
			for _, it := range items {
				s.IDs = append(s.IDs, it.Text)
				s.idPos = append(s.idPos, d.pos(it.Line))
			}
		case "kind":
			items, _ := d.Scalars(e.Val, field, "a kind")
			for i, it := range items {
				if k, ok := graph.ParseKind(it.Text); ok {
					s.Kinds = append(s.Kinds, k)
				} else {
					d.UnknownName(it.Line, item(e.Val, field, i), "kind", it.Text, kindNames())
				}
			}
		case "tier":
			items, _ := d.Scalars(e.Val, field, "an integer")
			for i, it := range items {
				f := item(e.Val, field, i)
				if n, ok := d.Integer(it, f); ok {
					if n < 0 {
						d.Add(it.Line, f, "must be >= 0, got %d", n)
						continue
					}
					s.Tiers = append(s.Tiers, int(min(n, 1<<31-1)))
				}
			}
		case "label":
			var ok bool
			if s.Labels, ok = d.Labels(e.Val, field, "a mapping of label names to values, e.g. {team: talk}"); !ok {
				return
			}
			for _, l := range e.Val.Entries {
				d.at[yamltree.Join(field, l.Key)] = d.pos(l.Line)
			}
		case "user_facing":
			s.UserFacing, _ = d.Bool(e.Val, field)
		case "redundant":
			s.Redundant, _ = d.Bool(e.Val, field)
		default:
			d.Unknown(e, path, selectorFields)
		}
	})
	return s
}

// item is the path of the i-th value of a field that holds one value or a
// list of them: the field itself for one value, field[i] in a list.
func item(v *val, field string, i int) string {
	if v.Kind == yamltree.List {
		return yamltree.Index(field, i)
	}
	return field
}

// kindNames are the names of the kinds, in declaration order.
func kindNames() []string {
	var names []string
	for _, k := range graph.Kinds() {
		names = append(names, k.String())
	}
	return names
}
