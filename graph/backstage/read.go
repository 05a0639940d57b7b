package backstage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Options bound what Read reads.
type Options struct {
	// AllowOutside lets a Location's target leave the directory of the
	// paths given to Read (by "..", or an absolute path). Without it such
	// a target is an error.
	AllowOutside bool
	// MaxFiles bounds the files read, Locations followed included; 0
	// means 10,000.
	MaxFiles int
	// MaxFileSize bounds each file, in bytes; 0 means 16 MiB.
	MaxFileSize int64
	// MaxEntities bounds the entities of all files; 0 means 1,000,000.
	MaxEntities int
}

func (o Options) orDefault() Options {
	if o.MaxFiles <= 0 {
		o.MaxFiles = 10_000
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = 16 << 20
	}
	if o.MaxEntities <= 0 {
		o.MaxEntities = 1_000_000
	}
	return o
}

// The bounds of the YAML of one document: the model decoder's.
const (
	maxDepth    = 100
	aliasBase   = 1_000_000
	aliasFactor = 10
)

// Read reads the entity files at paths (files, or directories walked for
// *.yaml and *.yml in name order), follows their Location entities, and
// returns the model the entities describe as an importer.Result of Source
// "backstage". Every problem is returned, sorted, in a
// *graph.ValidationError naming the file, line and field.
func Read(paths []string, opts Options) (*importer.Result, error) {
	r := reader{opts: opts.orDefault(), seen: make(map[string]bool), byRef: make(map[string]*entity)}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, err
		}
		root := abs
		if !st.IsDir() {
			root = filepath.Dir(abs)
		}
		r.roots = append(r.roots, root)
		if err := r.path(abs, p, st.IsDir()); err != nil {
			return nil, err
		}
	}
	if len(r.probs) == 0 {
		r.resolve()
	}
	if len(r.probs) > 0 {
		return nil, problemsErr(r.probs)
	}
	return r.result(), nil
}

// ReadFile reads entities from one stream (multi-document YAML), named
// file in problems. Locations in it are not followed: a finding says so.
func ReadFile(data []byte, file string, opts Options) (*importer.Result, error) {
	r := reader{opts: opts.orDefault(), seen: make(map[string]bool), byRef: make(map[string]*entity), noFollow: true}
	if int64(len(data)) > r.opts.MaxFileSize {
		r.add(graph.Pos{File: file}, "", "", "file is %d bytes, more than the limit of %d", len(data), r.opts.MaxFileSize)
		return nil, problemsErr(r.probs)
	}
	r.parse(data, file)
	if len(r.probs) == 0 {
		r.resolve()
	}
	if len(r.probs) > 0 {
		return nil, problemsErr(r.probs)
	}
	return r.result(), nil
}

// problemsErr sorts and returns the problems as graph's decoders do.
func problemsErr(ps []graph.Problem) error { return graph.NewValidationError(ps) }

type reader struct {
	opts     Options
	roots    []string
	seen     map[string]bool // files read, by absolute path
	files    int
	noFollow bool
	entities []*entity
	byRef    map[string]*entity // kind:namespace/name, lower case
	probs    []graph.Problem
	findings []importer.Finding
	nodes    []graph.Node
	aliasOf  map[string]string
}

func (r *reader) add(pos graph.Pos, node, field, format string, args ...any) {
	if len(r.probs) >= 1000 {
		return // a hostile catalog cannot make the error as large as itself
	}
	r.probs = append(r.probs, graph.Problem{Pos: pos, Node: node, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (r *reader) find(pos graph.Pos, node, format string, args ...any) {
	r.findings = append(r.findings, importer.Finding{Pos: pos, Node: node, Message: fmt.Sprintf(format, args...)})
}

// path reads a file or walks a directory; name is how problems name it.
func (r *reader) path(abs, name string, dir bool) error {
	if !dir {
		r.file(abs, name, graph.Pos{})
		return nil
	}
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != abs && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		rel, _ := filepath.Rel(abs, p)
		r.file(p, filepath.Join(name, rel), graph.Pos{})
		return nil
	})
}

// file reads one entity file once; from is the Location that named it.
func (r *reader) file(abs, name string, from graph.Pos) {
	if r.seen[abs] {
		return // a cycle of Locations, or a file named twice
	}
	r.seen[abs] = true
	r.files++
	if r.files > r.opts.MaxFiles {
		if r.files == r.opts.MaxFiles+1 {
			r.add(from, "", "", "more than %d files to read (Options.MaxFiles)", r.opts.MaxFiles)
		}
		return
	}
	f, err := os.Open(abs)
	if err != nil {
		// The name as the Location leads to it, not the machine's path.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.add(from, "", "spec.target", "%s: %v", filepath.ToSlash(name), err)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		// Backstage's file targets are files: a directory is the
		// Location's mistake, at its line.
		r.add(from, "", "spec.target", "%s is a directory: name its files, or a glob such as %s", filepath.ToSlash(name), filepath.ToSlash(filepath.Join(name, "*.yaml")))
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, r.opts.MaxFileSize+1))
	if err != nil {
		r.add(graph.Pos{File: name}, "", "", "%v", err)
		return
	}
	if int64(len(data)) > r.opts.MaxFileSize {
		r.add(graph.Pos{File: name}, "", "", "file is larger than the limit of %d bytes", r.opts.MaxFileSize)
		return
	}
	start := len(r.entities)
	r.parse(data, name)
	// Follow the Locations of this file, relative to it.
	for _, e := range slices.Clone(r.entities[start:]) {
		if e.kind == "location" {
			r.follow(e, abs)
		}
	}
}

// follow reads the targets of a Location entity.
func (r *reader) follow(e *entity, abs string) {
	if r.noFollow {
		r.find(e.pos, "", "Location %s not followed: read from a stream", e.name)
		return
	}
	for _, t := range e.targets {
		target := t.text
		if typ := e.str("spec.type"); typ != "" && typ != "file" {
			r.find(t.pos, "", "Location target %q of type %s not followed: only files are read", yamltree.Clip(target), typ)
			continue
		}
		if strings.Contains(target, "://") {
			r.find(t.pos, "", "Location target %q not followed: only files are read", yamltree.Clip(target))
			continue
		}
		p := target
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(abs), p)
		}
		p = filepath.Clean(p)
		if !r.opts.AllowOutside && !r.inside(p) {
			r.add(t.pos, "", "spec.target", "%q is outside the directories read (Options.AllowOutside)", yamltree.Clip(target))
			continue
		}
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil {
				r.add(t.pos, "", "spec.target", "%v", err)
				continue
			}
			if len(matches) == 0 {
				r.find(t.pos, "", "Location target %q matches no file", yamltree.Clip(target))
			}
		}
		for _, m := range matches {
			name := m
			if rel, err := filepath.Rel(filepath.Dir(abs), m); err == nil {
				name = filepath.Join(filepath.Dir(e.pos.File), rel)
			}
			r.file(m, name, t.pos)
		}
	}
}

func (r *reader) inside(p string) bool {
	for _, root := range r.roots {
		if rel, err := filepath.Rel(root, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// parse reads the documents of one file.
func (r *reader) parse(data []byte, file string) {
	defer func() {
		// yaml.v3 panics on some hostile input: a problem, never a crash.
		if v := recover(); v != nil {
			r.add(graph.Pos{File: file}, "", "", "invalid YAML: %v", v)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// Every document takes at least its "---": a stream cannot hold more
	// documents than lines, which bounds the loop whatever the decoder does.
	maxDocs := bytes.Count(data, []byte{'\n'}) + 1
	for docs := 0; ; docs++ {
		if docs > maxDocs {
			r.add(graph.Pos{File: file}, "", "", "invalid YAML: more documents than lines")
			return
		}
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			p := yamltree.SyntaxProblem(err, data)
			r.add(graph.Pos{File: file, Line: p.Line}, "", "", "%s", p.Msg)
			return
		}
		top := &doc
		if doc.Kind == yaml.DocumentNode {
			if len(doc.Content) == 0 {
				continue
			}
			top = doc.Content[0]
		}
		root, found, refused := yamltree.Convert(top, yamltree.Config{
			MaxDepth: maxDepth, WalkBase: aliasBase, WalkPerNode: aliasFactor, StrictKeys: true,
		})
		for _, p := range found {
			r.add(graph.Pos{File: file, Line: p.Line}, "", "", "%s", p.Msg)
		}
		if refused != nil {
			r.add(graph.Pos{File: file, Line: refused.Line}, "", "", "%s", refused.Msg)
			return
		}
		if root == nil || root.IsNull() {
			continue
		}
		if len(r.entities) >= r.opts.MaxEntities {
			r.add(graph.Pos{File: file, Line: root.Line}, "", "", "more than %d entities (Options.MaxEntities)", r.opts.MaxEntities)
			return
		}
		r.entity(root, file)
	}
}
