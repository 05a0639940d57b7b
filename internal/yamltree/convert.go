package yamltree

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Config bounds the work of Convert on hostile input, and holds the details
// in which the model and policy decoders have always differed, so that each
// keeps its behaviour.
type Config struct {
	// MaxDepth bounds the nested mappings and lists, aliases expanded.
	MaxDepth int
	// Convert refuses a document whose aliases expand to more than
	// WalkBase + WalkPerNode × (yaml nodes written) yaml nodes walked
	// (a "billion laughs" file).
	WalkBase, WalkPerNode int
	// ExpandAliases converts an anchored node again at every alias to it,
	// instead of converting it once and sharing the result. Every alias and
	// every node of its expansion then counts against WalkBase, the nodes
	// written are not counted first (WalkPerNode is not used), and nesting
	// is checked only as nodes are converted. Sharing also reports an alias
	// inside its own anchor; expanding stops it at MaxDepth or WalkBase.
	ExpandAliases bool
	// StrictKeys checks a mapping key before converting its value (the
	// value of a key that is not a string is then skipped), names the kind
	// of such a key in its problem, places a key written as an alias at the
	// alias rather than at its anchor, and counts it as written in the
	// mapping when merge keys are applied.
	StrictKeys bool
	// OtherTags reads a scalar whose tag is none of !!str, !!int, !!float,
	// !!bool and !!null as Other rather than String.
	OtherTags bool
}

// Convert converts a document of Parse into a Value tree, resolving aliases
// and merge keys within the limits of c. It returns the tree and the
// problems found on the way (merge keys that are not mappings, keys that are
// not strings); or, when it refuses the document, nil, the problems found
// before, and the reason.
func Convert(doc *yaml.Node, c Config) (root *Value, probs []Problem, refused *Problem) {
	y := converter{c: c, done: make(map[*yaml.Node]*converted)}
	var err error
	if c.ExpandAliases {
		y.budget = c.WalkBase
		root, _, _, err = y.convert(doc, 0)
	} else {
		var written int
		if written, err = y.count(doc, 0); err == nil {
			y.budget = c.WalkBase + c.WalkPerNode*written
			root, _, _, err = y.convert(doc, 0)
		}
	}
	if r, ok := err.(*refusal); ok {
		return nil, y.probs, &r.p
	}
	return root, y.probs, nil
}

// refusal stops the conversion of a hostile or broken document.
type refusal struct{ p Problem }

func (r *refusal) Error() string { return r.p.Msg }

type converter struct {
	c      Config
	probs  []Problem
	done   map[*yaml.Node]*converted // anchored nodes, when they are shared
	walked int                       // yaml nodes converted, aliases expanded
	budget int
}

// converted is an anchored node already converted: aliases to it share v.
type converted struct {
	v      *Value
	size   int // yaml nodes, aliases expanded
	height int // nested mappings and lists, aliases expanded
	busy   bool
}

func (y *converter) add(line int, format string, args ...any) {
	y.probs = append(y.probs, Problem{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (y *converter) refuse(line int, format string, args ...any) error {
	return &refusal{Problem{Line: line, Msg: fmt.Sprintf(format, args...)}}
}

// count returns the number of yaml nodes as written (an alias counts one)
// and refuses nesting deeper than the limit.
func (y *converter) count(n *yaml.Node, depth int) (int, error) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		depth++
		if depth > y.c.MaxDepth {
			return 0, y.refuse(n.Line, "nesting is deeper than the limit of %d", y.c.MaxDepth)
		}
	}
	total := 1
	for _, c := range n.Content {
		k, err := y.count(c, depth)
		if err != nil {
			return 0, err
		}
		total += k
	}
	return total, nil
}

// convert converts n, found inside depth mappings and lists, and returns its
// value with its size and height (aliases expanded).
func (y *converter) convert(n *yaml.Node, depth int) (v *Value, size, height int, err error) {
	if n.Kind == yaml.AliasNode {
		if y.c.ExpandAliases {
			if err := y.walk(n, 1); err != nil {
				return nil, 0, 0, err
			}
		}
		if n.Alias == nil {
			// yaml.v3 fails on an unknown anchor instead: this is a guard.
			return nil, 0, 0, y.refuse(n.Line, "invalid YAML: alias to nothing")
		}
		c := y.done[n.Alias]
		if c == nil {
			// Expanding, or the anchor was not converted where it was
			// written (a mapping key): convert it here.
			return y.convert(n.Alias, depth)
		}
		if c.busy {
			return nil, 0, 0, y.refuse(n.Line, "alias *%s is inside its own anchor", Clip(n.Value))
		}
		if depth+c.height > y.c.MaxDepth {
			return nil, 0, 0, y.refuse(n.Line, "nesting is deeper than the limit of %d (through alias *%s)", y.c.MaxDepth, Clip(n.Value))
		}
		if err := y.walk(n, c.size); err != nil {
			return nil, 0, 0, err
		}
		return c.v, c.size, c.height, nil
	}
	var c *converted
	if n.Anchor != "" && !y.c.ExpandAliases {
		c = &converted{busy: true}
		y.done[n] = c
	}
	if err := y.walk(n, 1); err != nil {
		return nil, 0, 0, err
	}
	// count checked the nesting as written; this catches what an alias to
	// an anchor that was not converted in place (inside a mapping key)
	// nests deeper, and so bounds the recursion. Expanding aliases, it is
	// the only check.
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && depth+1 > y.c.MaxDepth {
		return nil, 0, 0, y.refuse(n.Line, "nesting is deeper than the limit of %d", y.c.MaxDepth)
	}
	v = &Value{Line: n.Line}
	size = 1
	switch n.Kind {
	case yaml.ScalarNode:
		v.Text = n.Value
		v.Tag = y.tag(n)
	case yaml.SequenceNode:
		v.Kind = List
		v.Items = make([]*Value, 0, len(n.Content))
		for _, item := range n.Content {
			iv, s, h, err := y.convert(item, depth+1)
			if err != nil {
				return nil, 0, 0, err
			}
			v.Items = append(v.Items, iv)
			size += s
			height = max(height, h)
		}
		height++
	case yaml.MappingNode:
		v.Kind = Mapping
		size, height, err = y.mapping(n, v, depth)
		if err != nil {
			return nil, 0, 0, err
		}
	default:
		v.Tag = Null
	}
	if c != nil {
		*c = converted{v: v, size: size, height: height}
	}
	return v, size, height, nil
}

// walk counts k more yaml nodes walked and refuses the document when the
// aliases in it expand beyond the budget.
func (y *converter) walk(n *yaml.Node, k int) error {
	y.walked += k
	if y.walked > y.budget {
		return y.refuse(n.Line, "aliases expand to more than %d nodes: refusing the file", y.budget)
	}
	return nil
}

// mapping converts the pairs of mapping n into v, applying merge keys
// ("<<: *defaults"): keys written in the mapping win over merged ones, and
// earlier merged mappings over later ones.
func (y *converter) mapping(n *yaml.Node, v *Value, depth int) (size, height int, err error) {
	size = 1
	var explicit, merged map[string]bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			if explicit == nil {
				explicit, merged = make(map[string]bool), make(map[string]bool)
				for j := 0; j+1 < len(n.Content); j += 2 {
					if key, ok := y.explicitKey(n.Content[j]); ok {
						explicit[key] = true
					}
				}
			}
			mv, s, h, err := y.convert(val, depth+1)
			if err != nil {
				return 0, 0, err
			}
			size += 1 + s
			height = max(height, h)
			sources := []*Value{mv}
			if mv.Kind == List {
				sources = mv.Items
			}
			for _, src := range sources {
				if src.Kind != Mapping {
					y.add(k.Line, "merge key << needs a mapping or a list of mappings, got %s", Describe(src))
					continue
				}
				for _, e := range src.Entries {
					if !explicit[e.Key] && !merged[e.Key] {
						merged[e.Key] = true
						v.Entries = append(v.Entries, e)
					}
				}
			}
			continue
		}
		var cv *Value
		var s, h int
		if !y.c.StrictKeys {
			if cv, s, h, err = y.convert(val, depth+1); err != nil {
				return 0, 0, err
			}
		}
		kn := k
		if kn.Kind == yaml.AliasNode && kn.Alias != nil {
			kn = kn.Alias
		}
		line := k.Line
		if !y.c.StrictKeys {
			line = kn.Line
		}
		if kn.Kind != yaml.ScalarNode {
			if y.c.StrictKeys {
				y.add(line, "a mapping key must be a string, got a %s", kindName(k))
			} else {
				y.add(line, "a mapping key must be a string")
			}
			continue
		}
		if y.c.StrictKeys {
			if cv, s, h, err = y.convert(val, depth+1); err != nil {
				return 0, 0, err
			}
		}
		size += 1 + s
		height = max(height, h)
		v.Entries = append(v.Entries, Entry{Key: kn.Value, Line: line, Val: cv})
	}
	return size, height + 1, nil
}

// explicitKey returns the key of a pair written in a mapping, as opposed to
// merged into it.
func (y *converter) explicitKey(k *yaml.Node) (string, bool) {
	if isMergeKey(k) {
		return "", false
	}
	if y.c.StrictKeys && k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return k.Value, k.Kind == yaml.ScalarNode
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

func (y *converter) tag(n *yaml.Node) Tag {
	switch n.ShortTag() {
	case "!!str":
		return String
	case "!!int":
		return Int
	case "!!float":
		return Float
	case "!!bool":
		return Bool
	case "!!null":
		return Null
	}
	if y.c.OtherTags {
		return Other
	}
	return String
}
