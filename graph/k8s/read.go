package k8s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Options say what to read beyond the manifests' own word, and bound the
// work. The zero Options reads annotations only, within the default
// limits.
type Options struct {
	// FromEnv also makes a workload require the workloads behind the
	// Services that its containers' environment and ConfigMaps name by
	// DNS name (svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local, in a
	// URL or with a port). Off by default: a value that merely looks like
	// a host name is a guess.
	FromEnv bool
	// Zones are the zones to spread workloads over when the manifests
	// hold no Node object with a zone label (manifests kept in git
	// usually do not).
	Zones []string
	// Packed makes the spread the manifests leave undecided the worst
	// case, every replica in the first zone it may run in, instead of an
	// even spread.
	Packed bool
	// ClusterDomain is the cluster's DNS domain; "" means cluster.local.
	ClusterDomain string
	// MaxFileSize bounds one file; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// MaxObjects bounds the objects of all files; 0 means DefaultMaxObjects.
	MaxObjects int
}

// The default limits.
const (
	DefaultMaxFileSize = 64 << 20
	DefaultMaxObjects  = 1_000_000
)

// The bounds of one YAML document, as the model decoder's: nesting, and
// the yaml nodes walked with aliases expanded (a "billion laughs" file).
const (
	maxDepth    = 100
	aliasBase   = 1_000_000
	aliasFactor = 10
)

// Read reads the manifests in paths: files, or directories whose *.yaml,
// *.yml and *.json files are read, in name order, recursively. A file
// holds one or more YAML (or JSON) documents; a document is an object or
// a list of them (kind: List, as kubectl get -o yaml writes).
func Read(paths []string, opts Options) (*importer.Result, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	r := newReader(opts)
	for _, f := range files {
		data, err := readFile(f, r.maxFile())
		if err != nil {
			r.add(graph.Pos{File: f}, "", "", "%v", err)
			continue
		}
		r.file(f, data)
	}
	return r.result()
}

// Parse reads the manifests in data, as Read reads one file; name is the
// file name its errors and Findings give ("<stdin>", say).
func Parse(name string, data []byte, opts Options) (*importer.Result, error) {
	r := newReader(opts)
	if int64(len(data)) > r.maxFile() {
		r.add(graph.Pos{File: name}, "", "", "the input is %d bytes, more than the limit of %d", len(data), r.maxFile())
	} else {
		r.file(name, data)
	}
	return r.result()
}

func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the file is more than %d bytes (the limit MaxFileSize)", limit)
	}
	return data, nil
}

// object is one Kubernetes object read, with its tree (for lines).
type object struct {
	kind, apiVersion string
	name, namespace  string
	file             string
	tree             *yamltree.Value
	pos              graph.Pos // where metadata.name was written, else the object
	typed            any       // *appsv1.Deployment, *corev1.Service, ...
}

// at returns the position of the field at path under the object, or the
// nearest enclosing one written.
func (o *object) at(path ...any) graph.Pos {
	return graph.Pos{File: o.file, Line: lineAt(o.tree, path...)}
}

func (o *object) ref() string {
	if o.namespace != "" {
		return fmt.Sprintf("%s %s/%s", o.kind, o.namespace, o.name)
	}
	return fmt.Sprintf("%s %s", o.kind, o.name)
}

// reader gathers the objects of every file, then converts them.
type reader struct {
	opts    Options
	objects []*object
	probs   []graph.Problem
	res     importer.Result
	ignored map[string]*ignoredKind
	json    jsonWriter
	// pool holds the trees of every document of every file: ReadFast
	// alone would start fresh chunks for each document.
	pool yamltree.Pool
}

type ignoredKind struct {
	pos graph.Pos
	n   int
}

func newReader(opts Options) *reader {
	return &reader{opts: opts, res: importer.Result{Source: "k8s"}, ignored: make(map[string]*ignoredKind)}
}

func (r *reader) maxFile() int64 {
	if r.opts.MaxFileSize > 0 {
		return r.opts.MaxFileSize
	}
	return DefaultMaxFileSize
}

func (r *reader) maxObjects() int {
	if r.opts.MaxObjects > 0 {
		return r.opts.MaxObjects
	}
	return DefaultMaxObjects
}

func (r *reader) add(pos graph.Pos, node, field, format string, args ...any) {
	r.probs = append(r.probs, graph.Problem{Pos: pos, Node: node, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (r *reader) find(pos graph.Pos, node, format string, args ...any) {
	r.res.Findings = append(r.res.Findings, importer.Finding{Pos: pos, Node: node, Message: fmt.Sprintf(format, args...)})
}

// file splits data into YAML documents and reads the objects of each.
func (r *reader) file(name string, data []byte) {
	if !utf8.Valid(data) {
		r.add(graph.Pos{File: name}, "", "", "the file is not valid UTF-8")
		return
	}
	text := string(data)
	for d := range splitDocuments(text) {
		if emptyPart(d.text) {
			continue // an empty document: nothing to read, and yaml.v3 costs microseconds for it
		}
		// Most manifests are in the subset of YAML that the model
		// decoder's fast reader reads (it returns the tree Parse and
		// Convert return, or false); the others go through yaml.v3.
		if root, ok := r.pool.ReadFast(d.text, maxDepth); ok {
			if root != nil && !root.IsNull() {
				shift(root, d.line-1, nil)
				r.document(name, root, "")
			}
			continue
		}
		if !r.slow(name, []byte(d.text), d.line-1) {
			return
		}
	}
}

// slow reads the documents of one part of a file with yaml.v3; offset is
// the lines before the part. It returns false when it refused the part
// (the rest of the file is not read).
func (r *reader) slow(name string, data []byte, offset int) bool {
	at := func(p yamltree.Problem) graph.Pos { return graph.Pos{File: name, Line: p.Line + offset} }
	docs, err := documents(data)
	for _, doc := range docs {
		root, probs, refused := yamltree.Convert(doc, yamltree.Config{
			MaxDepth: maxDepth, WalkBase: aliasBase, WalkPerNode: aliasFactor, StrictKeys: true,
		})
		if refused != nil {
			r.add(at(*refused), "", "", "%s", refused.Msg)
			return false
		}
		for _, p := range probs {
			r.add(at(p), "", "", "%s", p.Msg)
		}
		if root != nil && !root.IsNull() {
			shift(root, offset, map[*yamltree.Value]bool{})
			r.document(name, root, "")
		}
	}
	if err != nil {
		p := yamltree.SyntaxProblem(err, data)
		if p.Line == 0 {
			p.Line = 1 // the part's first line rather than none
		}
		r.add(at(p), "", "", "%s", p.Msg)
		return false
	}
	return true
}

// part is one YAML document of a file and its first line.
type part struct {
	text string
	line int
}

// splitDocuments cuts a file at its "---" lines. YAML forbids a "---" at
// the start of a line inside a document's content (it is the document
// marker wherever it appears), so the cut is the one a YAML parser makes;
// each part keeps its marker line, so that its lines count from it. The
// parts are yielded one by one: a file of millions of empty documents
// needs no slice of them.
func splitDocuments(text string) iter.Seq[part] {
	return func(yield func(part) bool) {
		start, startLine, line := 0, 1, 1
		for i := 0; i < len(text); {
			end := strings.IndexByte(text[i:], '\n')
			next := len(text)
			if end >= 0 {
				next = i + end + 1
			}
			if i > start && strings.HasPrefix(text[i:], "---") && (len(text) == i+3 || strings.ContainsRune(" \t\r\n", rune(text[i+3]))) && hasContent(text[start:i]) {
				if !yield(part{text[start:i], startLine}) {
					return
				}
				start, startLine = i, line
			}
			i = next
			line++
		}
		yield(part{text[start:], startLine})
	}
}

// emptyPart reports whether a part is an empty document for certain:
// nothing but "---" markers in the first column, comments and blank
// lines, all with spaces only (anything else, tabs and carriage returns
// included, is left to the readers).
func emptyPart(part string) bool {
	for line := range strings.Lines(part) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "---"); ok {
			if rest != "" && rest[0] != ' ' {
				return false
			}
			line = rest
		}
		if t := strings.TrimLeft(line, " "); t != "" && t[0] != '#' {
			return false
		}
	}
	return true
}

// hasContent reports whether a part holds more than directives
// (%YAML), comments and blank lines: those belong to the document that
// follows them.
func hasContent(part string) bool {
	for line := range strings.Lines(part) {
		if t := strings.TrimLeft(line, " \t\r\n"); t != "" && t[0] != '#' && t[0] != '%' {
			return true
		}
	}
	return false
}

// shift adds offset to every line of the tree. A tree of Convert shares
// the values of an anchor among its aliases: done holds the values
// shifted, so that each moves once (nil for a tree without aliases).
func shift(v *yamltree.Value, offset int, done map[*yamltree.Value]bool) {
	if offset == 0 || done[v] {
		return
	}
	if done != nil {
		done[v] = true
	}
	v.Line += offset
	for _, it := range v.Items {
		shift(it, offset, done)
	}
	for i := range v.Entries {
		v.Entries[i].Line += offset
		shift(v.Entries[i].Val, offset, done)
	}
}

// documents parses the YAML documents of data; it returns those before
// an error, and the error. A panic in the parser is an error.
func documents(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", v)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err == io.EOF {
			return docs, nil
		} else if err != nil {
			return docs, err
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			docs = append(docs, n.Content[0])
		}
	}
}

// document reads one object, or the items of a list of them.
func (r *reader) document(file string, v *yamltree.Value, field string) {
	pos := graph.Pos{File: file, Line: v.Line}
	if v.Kind != yamltree.Mapping {
		r.add(pos, "", field, "want a Kubernetes object (a mapping with apiVersion and kind), not %s", yamltree.Describe(v))
		return
	}
	kind, apiVersion := scalar(v, "kind"), scalar(v, "apiVersion")
	if kind == "" {
		r.add(pos, "", yamltree.Join(field, "kind"), "missing: want the kind of the object (Deployment, Service, ...)")
		return
	}
	if items := entry(v, "items"); strings.HasSuffix(kind, "List") && items != nil {
		if items.Kind == yamltree.Scalar && items.IsNull() {
			return
		}
		if items.Kind != yamltree.List {
			r.add(graph.Pos{File: file, Line: items.Line}, "", yamltree.Join(field, "items"), "want a list of objects, not %s", yamltree.Describe(items))
			return
		}
		for i, it := range items.Items {
			r.document(file, it, yamltree.Index(yamltree.Join(field, "items"), i))
		}
		return
	}
	if len(r.objects) >= r.maxObjects() {
		if len(r.objects) == r.maxObjects() {
			r.add(pos, "", field, "more than %d objects (the limit MaxObjects)", r.maxObjects())
			r.objects = append(r.objects, nil) // report once
		}
		return
	}
	o := &object{kind: kind, apiVersion: apiVersion, file: file, tree: v, pos: pos}
	typed := newTyped(kind)
	if typed == nil {
		if ig := r.ignored[kind]; ig != nil {
			ig.n++
		} else {
			r.ignored[kind] = &ignoredKind{pos: pos, n: 1}
		}
		return
	}
	if want := apiVersions[kind]; !slices.Contains(want, apiVersion) {
		r.add(o.at("apiVersion"), "", yamltree.Join(field, "apiVersion"), "%q is not an API version of %s (want %s)", apiVersion, kind, strings.Join(want, " or "))
		return
	}
	if !r.decode(o, field, typed) {
		return
	}
	o.typed = typed
	if meta := metaOf(typed); meta != nil {
		o.name, o.namespace = meta.Name, meta.Namespace
		if o.namespace == "" && kind != "Node" {
			o.namespace = "default"
		}
		if o.name == "" {
			r.add(o.at("metadata"), "", yamltree.Join(field, "metadata.name"), "missing: every object has a name")
			return
		}
		if p := o.at("metadata", "name"); p.Line > 0 {
			o.pos = p
		}
		// The API server's own rule for names (Services' are stricter,
		// DNS labels, but a subdomain is what every kind here accepts).
		if errs := validation.IsDNS1123Subdomain(o.name); len(errs) > 0 {
			r.add(o.pos, "", yamltree.Join(field, "metadata.name"), "%q is not a valid name: %s", o.name, errs[0])
			return
		}
		if errs := validation.IsDNS1123Label(o.namespace); o.namespace != "" && len(errs) > 0 {
			r.add(o.at("metadata", "namespace"), "", yamltree.Join(field, "metadata.namespace"), "%q is not a valid namespace: %s", o.namespace, errs[0])
			return
		}
	}
	r.objects = append(r.objects, o)
}

// kindsRead are the kinds of object Read reads.
var kindsRead = []string{"Deployment", "StatefulSet", "DaemonSet", "Service", "Node", "ConfigMap", "Pod", "PodDisruptionBudget"}

// newTyped returns a new object of the API type of kind, or nil for a kind
// not read.
func newTyped(kind string) any {
	switch kind {
	case "Deployment":
		return new(appsv1.Deployment)
	case "StatefulSet":
		return new(appsv1.StatefulSet)
	case "DaemonSet":
		return new(appsv1.DaemonSet)
	case "Service":
		return new(corev1.Service)
	case "Node":
		return new(corev1.Node)
	case "ConfigMap":
		return new(corev1.ConfigMap)
	case "Pod":
		return new(corev1.Pod)
	case "PodDisruptionBudget":
		return new(policyv1.PodDisruptionBudget)
	}
	return nil
}

// apiVersions are the API versions read for each kind: the typed decoder
// is the newest version's, and the older versions named here have the
// fields read under the same names.
var apiVersions = map[string][]string{
	"Deployment":          {"apps/v1"},
	"StatefulSet":         {"apps/v1"},
	"DaemonSet":           {"apps/v1"},
	"Service":             {"v1"},
	"Node":                {"v1"},
	"ConfigMap":           {"v1"},
	"Pod":                 {"v1"},
	"PodDisruptionBudget": {"policy/v1", "policy/v1beta1"},
}

// decode decodes the object's tree into the API type, as the API server
// does: case-sensitive field names, unknown and duplicate fields refused.
// The tree is written as JSON for it; errors are placed at the line of
// the field they name.
func (r *reader) decode(o *object, field string, typed any) bool {
	j := &r.json // one buffer for every object: the decoder copies what it keeps
	j.b = j.b[:0]
	j.value(o.tree)
	strict, err := kjson.UnmarshalStrict(j.b, typed)
	if err != nil {
		path, msg := "", err.Error()
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			path = te.Field
			msg = fmt.Sprintf("%s is not %s", describeJSON(te.Value), goType(te.Type.String()))
		} else {
			msg = strings.TrimPrefix(msg, "json: ")
		}
		r.add(o.at(splitPath(path)...), "", yamltree.Join(field, path), "%s: %s", o.kind, msg)
		return false
	}
	for _, e := range strict {
		path := ""
		if fe, ok := e.(kjson.FieldError); ok {
			path = fe.FieldPath()
		}
		msg := strings.TrimPrefix(e.Error(), "json: ")
		if strings.HasPrefix(msg, "unknown field") {
			msg = "unknown field of " + o.kind
		} else if strings.HasPrefix(msg, "duplicate field") {
			msg = "written twice"
		}
		r.add(o.at(splitPath(path)...), "", yamltree.Join(field, path), "%s", msg)
	}
	return len(strict) == 0
}

func describeJSON(v string) string {
	switch v {
	case "string", "number", "bool", "array", "object":
		return "a " + v
	}
	return v
}

// goType names a Go type of the API as a manifest's author knows it.
func goType(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	}
	return "a " + t[strings.LastIndexByte(t, '.')+1:]
}

// splitPath splits a field path of the JSON decoder ("spec.template.
// spec.containers[0].image") into keys and indices.
func splitPath(path string) []any {
	var out []any
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part[i:], ']')
			if j < 0 {
				break
			}
			if n, err := strconv.Atoi(part[i+1 : i+j]); err == nil {
				out = append(out, n)
			}
			part = part[i+j+1:]
		}
	}
	return out
}

// lineAt returns the line of the value at path (keys and indices) under
// v, or of the deepest part of the path that is there.
func lineAt(v *yamltree.Value, path ...any) int {
	line := v.Line
	for _, p := range path {
		var next *yamltree.Value
		switch p := p.(type) {
		case string:
			if v.Kind == yamltree.Mapping {
				// The last entry of the key: a key written twice is an
				// error at its second line.
				for _, e := range v.Entries {
					if e.Key == p {
						next, line = e.Val, e.Line
					}
				}
			}
		case int:
			if v.Kind == yamltree.List && p >= 0 && p < len(v.Items) {
				next = v.Items[p]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		v = next
	}
	if v.Kind == yamltree.Scalar {
		return v.Line
	}
	return line
}

func entry(v *yamltree.Value, key string) *yamltree.Value {
	for _, e := range v.Entries {
		if e.Key == key {
			return e.Val
		}
	}
	return nil
}

func scalar(v *yamltree.Value, key string) string {
	if e := entry(v, key); e != nil && e.Kind == yamltree.Scalar && !e.IsNull() {
		return e.Text
	}
	return ""
}
