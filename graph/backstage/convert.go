package backstage

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

const annotationPrefix = "blastradius.dev/"

// The annotations this package reads (see the package doc).
const (
	annKind     = annotationPrefix + "kind"
	annUsers    = annotationPrefix + "users"
	annTier     = annotationPrefix + "tier"
	annSite     = annotationPrefix + "site"
	annReplicas = annotationPrefix + "replicas"
	annDemand   = annotationPrefix + "demand"
	annSoft     = annotationPrefix + "soft-dependencies"
	annRestart  = annotationPrefix + "restart"
	annIgnore   = annotationPrefix + "ignore"
	annAliases  = annotationPrefix + "aliases"
	// Backstage's own: the Kubernetes plugin finds a component's
	// workloads by it.
	annKubernetesID = "backstage.io/kubernetes-id"
)

var annotations = []string{annKind, annUsers, annTier, annSite, annReplicas, annDemand, annSoft, annRestart, annIgnore, annAliases}

// nodeKinds are the kinds blastradius.dev/kind takes.
var nodeKinds = []string{"service", "identity", "datastore", "queue", "network", "power", "external"}

// resourceKinds maps a Resource's spec.type to a node kind. Other types
// become services, with a finding, unless blastradius.dev/kind says.
var resourceKinds = map[string]graph.Kind{
	"database": graph.Datastore, "db": graph.Datastore, "cache": graph.Datastore,
	"storage": graph.Datastore, "bucket": graph.Datastore, "s3-bucket": graph.Datastore,
	"object-store": graph.Datastore, "search": graph.Datastore,
	"queue": graph.Queue, "topic": graph.Queue, "message-queue": graph.Queue,
	"kafka-topic": graph.Queue, "stream": graph.Queue, "message-broker": graph.Queue,
	"load-balancer": graph.Network, "dns": graph.Network, "network": graph.Network, "cdn": graph.Network,
}

// edge is one dependency before it is written into a node.
type edge struct {
	to   *entity
	pos  graph.Pos
	via  string // "dependsOn", "consumesApis" or "dependencyOf"
	api  *entity
	soft bool
}

// resolve turns the entities into nodes, resolving every reference.
func (r *reader) resolve() {
	// Providers of each API, in entity order.
	providers := make(map[*entity][]*entity)
	for _, e := range r.entities {
		if e.kind != "component" {
			continue
		}
		for _, ref := range r.scalars(e, "spec.providesApis", e.at) {
			if api := r.lookup(e, ref, "api", "spec.providesApis", "api"); api != nil {
				providers[api] = append(providers[api], e)
			}
		}
	}
	// Nodes, in entity order; library components and ignored entities are not.
	ids := make(map[string]*entity)
	for _, e := range r.entities {
		if e.kind != "component" && e.kind != "resource" {
			continue
		}
		if a, ok := e.annot[annIgnore]; ok && a.text == "true" {
			continue
		}
		if e.kind == "component" && strings.EqualFold(e.str("spec.type"), "library") {
			r.find(e.pos, e.id(), "%s is a library: not a node (it fails with what links it)", e.ref())
			continue
		}
		id := strings.ToLower(e.id())
		if old, ok := ids[id]; ok {
			r.add(e.pos, e.id(), "metadata.name", "%s and %s (%s) would both be node %s: rename one, or give one blastradius.dev/ignore: \"true\"", e.ref(), old.ref(), old.pos, e.id())
			continue
		}
		ids[id] = e
		e.node = len(r.nodes)
		r.nodes = append(r.nodes, r.node(e))
		r.aliases(e)
	}
	edges := make([][]edge, len(r.nodes))
	for _, e := range r.entities {
		if e.node < 0 {
			continue
		}
		for _, ref := range r.scalars(e, "spec.dependsOn", e.at) {
			if t := r.lookup(e, ref, "", "spec.dependsOn", "component or resource"); t != nil {
				edges[e.node] = append(edges[e.node], edge{to: t, pos: ref.pos, via: "dependsOn"})
			}
		}
		for _, ref := range r.scalars(e, "spec.dependencyOf", e.at) {
			if t := r.lookup(e, ref, "", "spec.dependencyOf", "component or resource"); t != nil && t.node >= 0 {
				edges[t.node] = append(edges[t.node], edge{to: e, pos: ref.pos, via: "dependencyOf"})
			}
		}
		if e.kind == "component" {
			for _, ref := range r.scalars(e, "spec.consumesApis", e.at) {
				api := r.lookup(e, ref, "api", "spec.consumesApis", "api")
				if api == nil {
					continue
				}
				if len(providers[api]) == 0 {
					r.find(ref.pos, e.id(), "no component provides %s, which %s consumes", api.ref(), e.ref())
				}
				for _, p := range providers[api] {
					if p != e {
						edges[e.node] = append(edges[e.node], edge{to: p, pos: ref.pos, via: "consumesApis", api: api})
					}
				}
			}
		}
	}
	for _, e := range r.entities {
		if e.node >= 0 {
			r.soft(e, edges[e.node])
		}
	}
	for _, e := range r.entities {
		if e.node < 0 {
			continue
		}
		n := &r.nodes[e.node]
		seen := make(map[*entity]bool)
		for _, ed := range edges[e.node] {
			if ed.to.node < 0 {
				r.find(ed.pos, e.id(), "%s depends on %s, which is not a node", e.ref(), ed.to.ref())
				continue
			}
			if seen[ed.to] || ed.to == e {
				continue
			}
			seen[ed.to] = true
			d := graph.On(ed.to.id())
			d.Pos = ed.pos
			d.Members[0].Pos = ed.pos
			if ed.soft {
				n.Uses = append(n.Uses, d)
			} else {
				n.Requires = append(n.Requires, d)
			}
		}
	}
}

// aliases records the names other sources give e's node.
func (r *reader) aliases(e *entity) {
	set := func(k string, pos graph.Pos) {
		if r.aliasOf == nil {
			r.aliasOf = make(map[string]string)
		}
		if old, ok := r.aliasOf[k]; ok && old != e.id() {
			r.add(pos, e.id(), "metadata.annotations", "%s is already the name of %s elsewhere", k, old)
			return
		}
		r.aliasOf[k] = e.id()
	}
	if a, ok := e.annot[annKubernetesID]; ok && strings.TrimSpace(a.text) != "" {
		set("k8s:"+strings.TrimSpace(a.text), a.pos)
	}
	if a, ok := e.annot[annAliases]; ok {
		for _, part := range strings.Split(a.text, ",") {
			if part = strings.TrimSpace(part); part != "" {
				set(part, a.pos)
			}
		}
	}
}

// soft marks the edges that blastradius.dev/soft-dependencies names.
func (r *reader) soft(e *entity, edges []edge) {
	a, ok := e.annot[annSoft]
	if !ok {
		return
	}
	for _, part := range strings.Split(a.text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ref := scalar{part, a.pos}
		t := r.lookup(e, ref, "component", "metadata.annotations."+annSoft, "component, resource or api")
		if t == nil {
			continue
		}
		found := false
		for i := range edges {
			if edges[i].to == t || edges[i].api == t {
				edges[i].soft, found = true, true
			}
		}
		if !found {
			r.add(a.pos, e.id(), "metadata.annotations."+annSoft, "%s is not in spec.dependsOn or spec.consumesApis of %s", t.ref(), e.ref())
		}
	}
}

// lookup resolves a reference written in e: the namespace defaults to e's,
// the kind to defKind ("" means it must be given). want names the kinds
// the field takes, for the message.
func (r *reader) lookup(e *entity, ref scalar, defKind, field, want string) *entity {
	kind, ns, name, bad := parseRef(ref.text, defKind, e.namespace)
	if bad != "" {
		r.add(ref.pos, e.id(), field, "invalid entity reference %q: %s", yamltree.Clip(ref.text), bad)
		return nil
	}
	if kind == "" {
		r.add(ref.pos, e.id(), field, "entity reference %q needs a kind: write component:%s or resource:%s", yamltree.Clip(ref.text), yamltree.Clip(name), yamltree.Clip(name))
		return nil
	}
	t, ok := r.byRef[key(kind, ns, name)]
	if !ok {
		r.add(ref.pos, e.id(), field, "%s refers to nothing: no entity %s%s", yamltree.Clip(ref.text), key(kind, ns, name), r.hint(kind, name))
		return nil
	}
	switch want {
	case "api":
		if t.kind != "api" {
			r.add(ref.pos, e.id(), field, "%s is a %s, not an API", t.ref(), t.kind)
			return nil
		}
	case "component or resource":
		if t.kind != "component" && t.kind != "resource" {
			r.add(ref.pos, e.id(), field, "%s is a %s: only components and resources are dependencies", t.ref(), t.kind)
			return nil
		}
	}
	return t
}

// hint suggests an entity of the same kind with a close name.
func (r *reader) hint(kind, name string) string {
	var names []string
	for _, e := range r.entities {
		if e.kind == strings.ToLower(kind) {
			names = append(names, e.name)
		}
	}
	return yamltree.DidYouMean(name, names)
}

func (e *entity) at(line int) graph.Pos { return graph.Pos{File: e.pos.File, Line: line} }

// node converts a component or resource, without its dependencies.
func (r *reader) node(e *entity) graph.Node {
	n := graph.Node{ID: e.id(), Pos: e.pos, Description: e.str("metadata.description")}
	if n.Description == "" {
		n.Description = e.str("metadata.title")
	}
	if e.kind == "resource" {
		typ := strings.ToLower(e.str("spec.type"))
		if k, ok := resourceKinds[typ]; ok {
			n.Kind = k
		} else if _, given := e.annot[annKind]; !given {
			r.find(e.pos, e.id(), "%s: resource type %q read as a service (blastradius.dev/kind says otherwise)", e.ref(), typ)
		}
	}
	labels := map[string]string{}
	if owner := e.str("spec.owner"); owner != "" {
		// Owners often live in another catalog (an org sync): one that is
		// not among the files read is a finding, not an error.
		pos := e.at(e.field("spec.owner").Line)
		kind, ns, name, bad := parseRef(owner, "group", e.namespace)
		switch o, ok := r.byRef[key(kind, ns, name)]; {
		case bad != "":
			r.add(pos, e.id(), "spec.owner", "invalid entity reference %q: %s", yamltree.Clip(owner), bad)
		case ok:
			labels["owner"] = o.labelName("group")
		default:
			r.find(pos, e.id(), "owner %s of %s is not among the entities read", yamltree.Clip(owner), e.ref())
			labels["owner"] = (&entity{kind: strings.ToLower(kind), namespace: ns, name: name}).labelName("group")
		}
	}
	if sys := e.str("spec.system"); sys != "" {
		if s := r.lookup(e, scalar{sys, e.at(e.field("spec.system").Line)}, "system", "spec.system", "system"); s != nil {
			labels["system"] = s.labelName("system")
			if dom := s.str("spec.domain"); dom != "" {
				if d := r.lookup(s, scalar{dom, s.at(s.field("spec.domain").Line)}, "domain", "spec.domain", "domain"); d != nil {
					labels["domain"] = d.labelName("domain")
				}
			}
		}
	}
	if t := e.str("spec.type"); t != "" {
		labels["backstage-type"] = strings.ToLower(t)
	}
	if lc := e.str("spec.lifecycle"); lc != "" {
		labels["lifecycle"] = lc
	}
	n.Labels = labels
	field := func(name string) string { return "metadata.annotations." + name }
	for _, name := range annotations {
		a, ok := e.annot[name]
		if !ok {
			continue
		}
		switch name {
		case annKind:
			k, ok := graph.ParseKind(strings.TrimSpace(a.text))
			if !ok || k == graph.Site || k == graph.Region {
				r.add(a.pos, e.id(), field(name), "unknown kind %q%s: want service, identity, datastore, queue, network, power or external", yamltree.Clip(a.text), yamltree.DidYouMean(strings.TrimSpace(a.text), nodeKinds))
				continue
			}
			n.Kind = k
		case annUsers, annTier, annDemand:
			v, err := strconv.ParseInt(strings.TrimSpace(a.text), 10, 64)
			if err != nil || v < 0 || name == annTier && v > 1<<30 {
				r.add(a.pos, e.id(), field(name), "must be a whole number of at least 0, got %q", yamltree.Clip(a.text))
				continue
			}
			switch name {
			case annUsers:
				n.Users = v
			case annTier:
				n.Tier = graph.TierOf(int(v))
			case annDemand:
				n.Demand = v
			}
		case annSite:
			n.Site = strings.TrimSpace(a.text)
		case annReplicas:
			for _, s := range strings.Split(a.text, ",") {
				if s = strings.TrimSpace(s); s != "" {
					n.Replicas = append(n.Replicas, graph.Replica{Site: s, Pos: a.pos})
				}
			}
			if n.Replicas == nil {
				r.add(a.pos, e.id(), field(name), "must list sites, such as \"zone-a, zone-b\"")
			}
		case annIgnore:
			// "true" never gets here (the entity is no node); anything but
			// "false" is a mistake that would keep the node unsaid.
			if strings.TrimSpace(a.text) != "false" {
				r.add(a.pos, e.id(), field(name), "must be \"true\" or \"false\", got %q", yamltree.Clip(a.text))
			}
		case annRestart:
			d, err := graph.ParseDuration(strings.TrimSpace(a.text))
			if err != nil || d < 0 {
				r.add(a.pos, e.id(), field(name), "must be a duration such as 15m, got %q", yamltree.Clip(a.text))
				continue
			}
			n.Restart = d
		}
	}
	if n.Site != "" && n.Replicas != nil {
		r.add(e.annot[annSite].pos, e.id(), field(annSite), "give %s or %s, not both", annSite, annReplicas)
	}
	for k := range e.annot {
		if strings.HasPrefix(k, annotationPrefix) && !slices.Contains(annotations, k) {
			r.add(e.annot[k].pos, e.id(), field(k), "unknown annotation%s", yamltree.DidYouMean(k, annotations))
		}
	}
	return n
}

// labelName is how a label names an owner, system or domain: its name,
// with its kind when it is not the field's default, and its namespace
// outside the default one.
func (e *entity) labelName(defKind string) string {
	s := e.id()
	if e.kind != defKind {
		s = e.kind + ":" + s
	}
	return s
}

func (r *reader) result() *importer.Result {
	// In the order of the files, as the problems are: the reading finds
	// some, resolving the references the others.
	slices.SortStableFunc(r.findings, func(a, b importer.Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	return &importer.Result{Source: "backstage", Nodes: r.nodes, Findings: r.findings, Aliases: r.aliasOf}
}
