package backstage

import (
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// entity is one entity as read: its envelope, with the lines of what the
// conversion needs.
type entity struct {
	kind      string // lower case
	namespace string // as written, "default" when left out
	name      string // as written
	pos       graph.Pos
	root      *yamltree.Value
	spec      *yamltree.Value // nil when the entity has none
	meta      *yamltree.Value
	annot     map[string]scalar // metadata.annotations
	targets   []scalar          // Location: spec.target and spec.targets
	node      int               // index in reader.nodes, -1 when not a node
}

// scalar is a string with where it was written.
type scalar struct {
	text string
	pos  graph.Pos
}

// kinds are Backstage's kinds this package knows; others are reported as
// findings and skipped.
// kindNames are the kinds read, as Backstage spells them, for a
// suggestion.
var kindNames = []string{"API", "Component", "Domain", "Group", "Location", "Resource", "System", "Template", "User"}

var kinds = map[string]bool{
	"component": true, "resource": true, "system": true, "api": true, "domain": true,
	"group": true, "user": true, "location": true, "template": true,
}

// key is the entity's identity by Backstage's rules: kind, namespace and
// name, compared case-insensitively.
func key(kind, namespace, name string) string {
	return strings.ToLower(kind) + ":" + strings.ToLower(namespace) + "/" + strings.ToLower(name)
}

func (e *entity) key() string { return key(e.kind, e.namespace, e.name) }

// ref is how problems and labels name an entity: kind:namespace/name
// without the parts that are the defaults.
func (e *entity) ref() string {
	s := e.kind + ":"
	if !strings.EqualFold(e.namespace, defaultNamespace) {
		s += e.namespace + "/"
	}
	return s + e.name
}

// id is the node id the entity becomes: its name, with its namespace
// before it outside the default namespace.
func (e *entity) id() string {
	if strings.EqualFold(e.namespace, defaultNamespace) {
		return e.name
	}
	return e.namespace + "/" + e.name
}

const defaultNamespace = "default"

// field returns the value at a dotted path under the entity's root.
func (e *entity) field(path string) *yamltree.Value {
	v := e.root
	for _, k := range strings.Split(path, ".") {
		if v == nil || v.Kind != yamltree.Mapping {
			return nil
		}
		var next *yamltree.Value
		for _, en := range v.Entries {
			if en.Key == k {
				next = en.Val
				break
			}
		}
		v = next
	}
	return v
}

// str returns the scalar at path, or "".
func (e *entity) str(path string) string {
	v := e.field(path)
	if v == nil || v.Kind != yamltree.Scalar || v.IsNull() {
		return ""
	}
	return v.Text
}

// entity reads the envelope of one document.
func (r *reader) entity(root *yamltree.Value, file string) {
	at := func(line int) graph.Pos { return graph.Pos{File: file, Line: line} }
	if root.Kind != yamltree.Mapping {
		r.add(at(root.Line), "", "", "an entity must be a mapping with apiVersion, kind and metadata, got %s", yamltree.Describe(root))
		return
	}
	e := &entity{root: root, node: -1, namespace: defaultNamespace, pos: at(root.Line)}
	ok := true
	need := func(path string) *yamltree.Value {
		v := e.field(path)
		if v == nil || v.IsNull() {
			r.add(at(root.Line), "", path, "missing")
			ok = false
			return nil
		}
		if v.Kind != yamltree.Scalar {
			r.add(at(v.Line), "", path, "must be a string, got %s", yamltree.Describe(v))
			ok = false
			return nil
		}
		return v
	}
	need("apiVersion")
	kind := need("kind")
	name := need("metadata.name")
	if !ok {
		return
	}
	e.kind = strings.ToLower(kind.Text)
	e.name = name.Text
	e.pos = at(name.Line)
	if ns := e.field("metadata.namespace"); ns != nil && !ns.IsNull() {
		if ns.Kind != yamltree.Scalar || ns.Text == "" {
			r.add(at(ns.Line), e.name, "metadata.namespace", "must be a name, got %s", yamltree.Describe(ns))
			return
		}
		e.namespace = ns.Text
	}
	e.meta = e.field("metadata")
	if s := e.field("spec"); s != nil && !s.IsNull() {
		if s.Kind != yamltree.Mapping {
			r.add(at(s.Line), e.name, "spec", "must be a mapping, got %s", yamltree.Describe(s))
			return
		}
		e.spec = s
	}
	if a := e.field("metadata.annotations"); a != nil && !a.IsNull() {
		if a.Kind != yamltree.Mapping {
			r.add(at(a.Line), e.name, "metadata.annotations", "must be a mapping of names to strings, got %s", yamltree.Describe(a))
			return
		}
		e.annot = make(map[string]scalar, len(a.Entries))
		for _, en := range a.Entries {
			if en.Val.Kind != yamltree.Scalar {
				if strings.HasPrefix(en.Key, annotationPrefix) {
					r.add(at(en.Val.Line), e.name, "metadata.annotations."+yamltree.Clip(en.Key), "must be a string, got %s", yamltree.Describe(en.Val))
				}
				continue
			}
			e.annot[en.Key] = scalar{en.Val.Text, at(en.Val.Line)}
		}
	}
	if !kinds[e.kind] {
		r.find(e.pos, "", "entity %s: kind %s is not read%s", e.ref(), kind.Text, yamltree.DidYouMean(kind.Text, kindNames))
		return
	}
	if e.kind == "location" {
		e.targets = r.scalars(e, "spec.target", at)
		e.targets = append(e.targets, r.scalars(e, "spec.targets", at)...)
	}
	if old, dup := r.byRef[e.key()]; dup {
		r.add(e.pos, e.name, "metadata.name", "entity %s is written twice (first at %s)", e.ref(), old.pos)
		return
	}
	r.byRef[e.key()] = e
	r.entities = append(r.entities, e)
}

// scalars reads a field that holds one string or a list of them.
func (r *reader) scalars(e *entity, path string, at func(int) graph.Pos) []scalar {
	v := e.field(path)
	if v == nil || v.IsNull() {
		return nil
	}
	items := []*yamltree.Value{v}
	if v.Kind == yamltree.List {
		items = v.Items
	}
	out := make([]scalar, 0, len(items))
	for i, it := range items {
		if it.Kind != yamltree.Scalar || it.IsNull() || it.Text == "" {
			f := path
			if v.Kind == yamltree.List {
				f = yamltree.Index(path, i)
			}
			r.add(at(it.Line), e.name, f, "must be an entity reference such as component:name, got %s", yamltree.Describe(it))
			continue
		}
		out = append(out, scalar{it.Text, at(it.Line)})
	}
	return out
}

// parseRef splits an entity reference by Backstage's rules:
// [kind:][namespace/]name, kind and namespace from the defaults when left
// out (a kind of "" means the reference must give one). It returns "" for
// kind when none is given or defaulted.
func parseRef(s, defKind, defNamespace string) (kind, namespace, name string, bad string) {
	rest := s
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		kind, rest = rest[:i], rest[i+1:]
		if kind == "" {
			return "", "", "", "empty kind before ':'"
		}
	} else {
		kind = defKind
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		namespace, rest = rest[:i], rest[i+1:]
		if namespace == "" {
			return "", "", "", "empty namespace before '/'"
		}
	} else {
		namespace = defNamespace
	}
	if rest == "" {
		return "", "", "", "empty name"
	}
	if strings.ContainsAny(rest, ":/") {
		return "", "", "", "a name holds no ':' or '/'"
	}
	return kind, namespace, rest, ""
}
