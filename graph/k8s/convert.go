package k8s

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// The well-known labels of a Node's place; the beta ones are what older
// clusters still write.
const (
	zoneLabel       = "topology.kubernetes.io/zone"
	regionLabel     = "topology.kubernetes.io/region"
	betaZoneLabel   = "failure-domain.beta.kubernetes.io/zone"
	betaRegionLabel = "failure-domain.beta.kubernetes.io/region"
	hostnameLabel   = "kubernetes.io/hostname"
)

// The labels Read puts on a workload's node.
const (
	NamespaceLabel = "k8s/namespace" // the workload's namespace
	KindLabel      = "k8s/kind"      // Deployment, StatefulSet or DaemonSet
	ServicesLabel  = "k8s/services"  // the Services that select it, comma-separated
)

const annotationPrefix = "blastradius.dev/"

// annotations are what a workload's annotations may say (metadata or
// the pod template's), beyond what Kubernetes says.
var annotations = []string{"kind", "users", "tier", "requires", "uses", "restart", "ignore"}

// prefixed returns names with annotationPrefix before each: a suggestion
// names the whole annotation, as the manifest must write it.
func prefixed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = annotationPrefix + n
	}
	return out
}

// readKinds are the kinds of object the importer reads, sorted: what a
// misspelt kind is compared with.
func readKinds() []string {
	return slices.Sorted(maps.Keys(apiVersions))
}

// workload is a Deployment, StatefulSet or DaemonSet.
type workload struct {
	o        *object
	id       string
	replicas int32 // desired pods; DaemonSets: the nodes they may run on
	template *corev1.PodTemplateSpec
	node     graph.Node
	services []string
	pods     map[string]int // observed pods per zone
	podCount int
}

type service struct {
	o         *object
	svc       *corev1.Service
	workloads []*workload
}

// kubeNode is a Node object: where it is.
type kubeNode struct {
	o            *object
	name         string
	labels       map[string]string
	zone, region string
}

// result converts the objects read into the Result.
func (r *reader) result() (*importer.Result, error) {
	if r.objects != nil && r.objects[len(r.objects)-1] == nil {
		r.objects = r.objects[:len(r.objects)-1]
	}
	c := converter{reader: r, services: map[string]*service{}, configMaps: map[string]*object{}, byName: map[string][]*workload{}}
	c.index()
	c.sites()
	c.ids()
	c.placeAll()
	c.budgets()
	c.selectServices()
	c.dependencies()
	c.nodes()
	kinds := make([]string, 0, len(r.ignored))
	for k := range r.ignored {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		ig := r.ignored[k]
		r.find(ig.pos, "", "objects of kind %s are not read (%d)%s", k, ig.n, yamltree.DidYouMean(k, readKinds()))
	}
	if len(r.probs) > 0 {
		return nil, graph.NewValidationError(r.probs)
	}
	slices.SortStableFunc(r.res.Findings, func(a, b importer.Finding) int {
		if a.Pos.File != b.Pos.File {
			return strings.Compare(a.Pos.File, b.Pos.File)
		}
		return a.Pos.Line - b.Pos.Line
	})
	return &r.res, nil
}

type converter struct {
	*reader
	workloads  []*workload
	byName     map[string][]*workload // name → workloads of that name, any namespace
	services   map[string]*service    // "ns/name"
	svcOrder   []*service
	configMaps map[string]*object // "ns/name"
	pdbs       []*object
	pods       []*object
	kubeNodes  []*kubeNode
	zones      []string          // sorted
	regionOf   map[string]string // zone → region
	nodesIn    map[string]int    // zone → Node objects
	externals  []graph.Node
	byLabel    map[[3]string][]*workload // namespace, label, value
	byNS       map[string][]*workload
}

// index sorts the objects by kind and refuses duplicates.
func (c *converter) index() {
	seen := map[string]*object{}
	for _, o := range c.objects {
		key := o.kind + " " + o.namespace + "/" + o.name
		if first := seen[key]; first != nil {
			c.add(o.pos, "", "metadata.name", "%s is also written at %s", o.ref(), first.pos)
			continue
		}
		seen[key] = o
		switch t := o.typed.(type) {
		case *appsv1.Deployment:
			n := int32(1)
			if t.Spec.Replicas != nil {
				n = *t.Spec.Replicas
			}
			c.addWorkload(o, n, &t.Spec.Template)
		case *appsv1.StatefulSet:
			n := int32(1)
			if t.Spec.Replicas != nil {
				n = *t.Spec.Replicas
			}
			c.addWorkload(o, n, &t.Spec.Template)
		case *appsv1.DaemonSet:
			c.addWorkload(o, -1, &t.Spec.Template)
		case *corev1.Service:
			s := &service{o: o, svc: t}
			c.services[o.namespace+"/"+o.name] = s
			c.svcOrder = append(c.svcOrder, s)
		case *corev1.ConfigMap:
			c.configMaps[o.namespace+"/"+o.name] = o
		case *policyv1.PodDisruptionBudget:
			c.pdbs = append(c.pdbs, o)
		case *corev1.Pod:
			c.pods = append(c.pods, o)
		case *corev1.Node:
			n := &kubeNode{o: o, name: o.name, labels: t.Labels}
			n.zone = either(t.Labels[zoneLabel], t.Labels[betaZoneLabel])
			n.region = either(t.Labels[regionLabel], t.Labels[betaRegionLabel])
			if !c.validPlace(o, n.zone) || !c.validPlace(o, n.region) {
				continue
			}
			c.kubeNodes = append(c.kubeNodes, n)
		}
	}
}

// validPlace checks a zone or region label's value by the API server's
// rule for label values, which also makes it a valid node id (it must
// start with a letter or digit, and it holds no '@' or ':').
func (c *converter) validPlace(o *object, v string) bool {
	if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
		c.add(o.at("metadata", "labels"), "", "metadata.labels", "%q is not a valid label value: %s", v, errs[0])
		return false
	}
	return true
}

func either(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// addWorkload adds a workload of replicas pods (-1: a DaemonSet's, one
// per Node it may run on).
func (c *converter) addWorkload(o *object, replicas int32, t *corev1.PodTemplateSpec) {
	if replicas < 0 && o.kind != "DaemonSet" {
		c.add(o.at("spec", "replicas"), "", "spec.replicas", "%d is negative", replicas)
		return
	}
	w := &workload{o: o, id: o.name, replicas: replicas, template: t}
	c.workloads = append(c.workloads, w)
	c.byName[o.name] = append(c.byName[o.name], w)
}

// sites finds the zones and regions: from the Node objects' labels, or
// Options.Zones.
func (c *converter) sites() {
	c.regionOf, c.nodesIn = map[string]string{}, map[string]int{}
	unzoned := 0
	for _, n := range c.kubeNodes {
		if n.zone == "" {
			unzoned++
			continue
		}
		c.nodesIn[n.zone]++
		if old, ok := c.regionOf[n.zone]; !ok || old == "" {
			c.regionOf[n.zone] = n.region
		} else if n.region != "" && n.region != old {
			c.find(n.o.pos, n.zone, "Node %s puts zone %s in region %s, another Node in %s: kept %s", n.name, n.zone, n.region, old, old)
		}
	}
	if unzoned > 0 {
		first := c.kubeNodes[slices.IndexFunc(c.kubeNodes, func(n *kubeNode) bool { return n.zone == "" })]
		c.find(first.o.pos, "", "%d Node objects have no %s label: no workload is placed on them", unzoned, zoneLabel)
	}
	if len(c.nodesIn) == 0 {
		for _, z := range c.opts.Zones {
			c.nodesIn[z] = 0
			c.regionOf[z] = ""
		}
	} else if len(c.opts.Zones) > 0 {
		c.find(graph.Pos{}, "", "the manifests hold Node objects with zones: Options.Zones is not used")
	}
	for z := range c.nodesIn {
		c.zones = append(c.zones, z)
	}
	slices.Sort(c.zones)
}

// eligible returns the zones a pod of the template may run in, with the
// Node objects of each that it may run on (0 for every zone when there
// are none), from its nodeSelector and required node affinity.
func (c *converter) eligible(w *workload) (zones []string, nodes map[string]int) {
	spec := &w.template.Spec
	nodes = map[string]int{}
	if len(c.kubeNodes) == 0 {
		for _, z := range c.zones {
			l := map[string]string{zoneLabel: z, betaZoneLabel: z}
			if c.schedulable(spec, l, "", true) {
				zones = append(zones, z)
				nodes[z] = 0
			}
		}
		return zones, nodes
	}
	for _, n := range c.kubeNodes {
		if n.zone != "" && c.schedulable(spec, n.labels, n.name, false) {
			if _, ok := nodes[n.zone]; !ok {
				zones = append(zones, n.zone)
			}
			nodes[n.zone]++
		}
	}
	slices.Sort(zones)
	return zones, nodes
}

// schedulable reports whether the pod spec's nodeSelector and required
// node affinity accept a Node with these labels. With partial (only the
// zone labels known), a requirement on another key is taken as met.
func (c *converter) schedulable(spec *corev1.PodSpec, l map[string]string, name string, partial bool) bool {
	for k, v := range spec.NodeSelector {
		if partial && k != zoneLabel && k != betaZoneLabel {
			continue
		}
		if l[k] != v {
			return false
		}
	}
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return true
	}
	terms := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	for _, t := range terms {
		if matchTerm(t, l, name, partial) {
			return true
		}
	}
	return len(terms) == 0
}

// matchTerm reports whether a node selector term (its requirements
// ANDed) accepts the node.
func matchTerm(t corev1.NodeSelectorTerm, l map[string]string, name string, partial bool) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false // an empty term matches no node
	}
	for _, e := range t.MatchExpressions {
		if partial && e.Key != zoneLabel && e.Key != betaZoneLabel {
			continue
		}
		if !matchRequirement(e, l[e.Key], hasKey(l, e.Key)) {
			return false
		}
	}
	for _, e := range t.MatchFields {
		if partial || e.Key != "metadata.name" {
			continue
		}
		if !matchRequirement(e, name, true) {
			return false
		}
	}
	return true
}

func hasKey(l map[string]string, k string) bool { _, ok := l[k]; return ok }

func matchRequirement(e corev1.NodeSelectorRequirement, v string, has bool) bool {
	switch e.Operator {
	case corev1.NodeSelectorOpIn:
		return has && slices.Contains(e.Values, v)
	case corev1.NodeSelectorOpNotIn:
		return !has || !slices.Contains(e.Values, v)
	case corev1.NodeSelectorOpExists:
		return has
	case corev1.NodeSelectorOpDoesNotExist:
		return !has
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if !has || len(e.Values) != 1 {
			return false
		}
		x, err1 := strconv.ParseInt(v, 10, 64)
		y, err2 := strconv.ParseInt(e.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return e.Operator == corev1.NodeSelectorOpGt && x > y || e.Operator == corev1.NodeSelectorOpLt && x < y
	}
	return false
}

// placeAll places every workload's replicas.
func (c *converter) placeAll() {
	c.observedPods()
	for _, w := range c.workloads {
		c.place(w)
	}
}

// observedPods counts, for each workload, the pods that run (in a
// kubectl get pods -o yaml) and the zone of their Node: where the
// replicas are, not where they may be.
func (c *converter) observedPods() {
	if len(c.pods) == 0 {
		return
	}
	zoneOf := map[string]string{}
	for _, n := range c.kubeNodes {
		zoneOf[n.name] = n.zone
	}
	type key struct{ kind, ns, name string }
	owners := map[key]*workload{}
	for _, w := range c.workloads {
		owners[key{w.o.kind, w.o.namespace, w.o.name}] = w
	}
	for _, o := range c.pods {
		p := o.typed.(*corev1.Pod)
		ref := metav1.GetControllerOf(p)
		if ref == nil || p.Spec.NodeName == "" {
			continue
		}
		if p.Status.Phase != "" && p.Status.Phase != corev1.PodRunning {
			continue
		}
		k := key{ref.Kind, o.namespace, ref.Name}
		if ref.Kind == "ReplicaSet" {
			// A Deployment's ReplicaSet is named after it and the hash of
			// its pod template, which the pod carries as a label.
			h := p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
			k = key{"Deployment", o.namespace, strings.TrimSuffix(ref.Name, "-"+h)}
		}
		w := owners[k]
		if w == nil {
			continue
		}
		z, ok := zoneOf[p.Spec.NodeName]
		if !ok || z == "" {
			c.find(o.pos, w.id, "pod %s runs on Node %s, whose zone the manifests do not say: not counted", o.name, p.Spec.NodeName)
			continue
		}
		if w.pods == nil {
			w.pods = map[string]int{}
		}
		w.pods[z]++
		w.podCount++
	}
}

// place sets the workload's replicas: one per zone, its capacity the
// pods there.
func (c *converter) place(w *workload) {
	kind := w.o.kind
	if w.pods != nil {
		w.setReplicas(w.pods)
		if w.replicas >= 0 && int(w.replicas) != w.podCount {
			c.find(w.o.pos, w.id, "%s wants %d replicas, and the pods running number %d: placed as they run", kind, w.replicas, w.podCount)
		}
		w.replicas = int32(w.podCount)
		return
	}
	zones, nodes := c.eligible(w)
	if len(c.zones) == 0 {
		c.find(w.o.pos, w.id, "no zone is known (no Node object with a %s label, no Options.Zones): not placed", zoneLabel)
		return
	}
	if len(zones) == 0 {
		c.find(w.o.pos, w.id, "its nodeSelector and node affinity accept no Node of the manifests: not placed")
		return
	}
	if kind == "DaemonSet" {
		counts := map[string]int{}
		total := 0
		for _, z := range zones {
			counts[z] = max(nodes[z], 1)
			total += counts[z]
		}
		if len(c.kubeNodes) == 0 {
			c.find(w.o.pos, w.id, "DaemonSet: no Node objects: assumed one pod per zone")
		}
		w.replicas = int32(total)
		w.setReplicas(counts)
		return
	}
	n := int(w.replicas)
	if n == 0 {
		c.find(w.o.pos, w.id, "%s has 0 replicas: not placed", kind)
		return
	}
	counts, note := c.spread(w, n, zones)
	if note != "" {
		c.find(w.o.pos, w.id, "%s", note)
	}
	w.setReplicas(counts)
}

// spread decides how n pods of the workload are spread over zones (the
// zones its pods may run in, sorted), and says what it had to assume.
func (c *converter) spread(w *workload, n int, zones []string) (map[string]int, string) {
	k := len(zones)
	list := strings.Join(zones, ", ")
	if k == 1 {
		return map[string]int{zones[0]: n}, ""
	}
	own := labels.Set(w.template.Labels)
	for _, t := range w.template.Spec.TopologySpreadConstraints {
		if !isZoneKey(t.TopologyKey) || !selects(t.LabelSelector, own) {
			continue
		}
		counts := even(n, zones)
		switch {
		case t.WhenUnsatisfiable == corev1.ScheduleAnyway:
			return c.undecided(n, zones, fmt.Sprintf("its topologySpreadConstraint on %s is ScheduleAnyway, a preference", zoneLabel))
		case t.MaxSkew > 1:
			return counts, fmt.Sprintf("topologySpreadConstraint maxSkew %d allows zones to differ by %d pods: assumed spread evenly over %s", t.MaxSkew, t.MaxSkew, list)
		case n%k != 0:
			return counts, fmt.Sprintf("replicas: %d over %d zones at most one apart (maxSkew 1): which zones hold one more is not decided; assumed the first in name order", n, k)
		}
		return counts, ""
	}
	if a := w.template.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		for _, t := range a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution {
			if !isZoneKey(t.TopologyKey) || !selects(t.LabelSelector, own) {
				continue
			}
			counts := map[string]int{}
			for i := 0; i < min(n, k); i++ {
				counts[zones[i]] = 1
			}
			switch {
			case n > k:
				w.replicas = int32(k)
				return counts, fmt.Sprintf("required pod anti-affinity on %s allows one pod per zone: %d of %d pods can run, the others stay Pending", zoneLabel, k, n)
			case n < k:
				return counts, fmt.Sprintf("required pod anti-affinity puts each of %d pods in its own zone; which %d of %s is not decided: assumed the first in name order", n, n, list)
			}
			return counts, ""
		}
	}
	return c.undecided(n, zones, "no topologySpreadConstraint with DoNotSchedule and no required pod anti-affinity on "+zoneLabel)
}

// undecided is the spread the manifests leave open: even, as the
// scheduler's default topology spreading prefers, or packed in the first
// zone (Options.Packed), the worst case it allows.
func (c *converter) undecided(n int, zones []string, why string) (map[string]int, string) {
	if c.opts.Packed {
		return map[string]int{zones[0]: n}, fmt.Sprintf("spread over zones not decided (%s): assumed all %d pods in %s (Options.Packed)", why, n, zones[0])
	}
	note := fmt.Sprintf("spread over zones not decided (%s): assumed spread evenly over %s", why, strings.Join(zones, ", "))
	if n%len(zones) != 0 {
		note += " (the first in name order take one more)"
	}
	return even(n, zones), note
}

func isZoneKey(k string) bool { return k == zoneLabel || k == betaZoneLabel }

// selects reports whether a label selector selects pods with these
// labels, by apimachinery's own rules (a nil selector selects nothing).
func selects(s *metav1.LabelSelector, l labels.Set) bool {
	if s == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	return err == nil && sel.Matches(l)
}

// even spreads n pods over the zones as evenly as can be, the remainder
// in the first zones.
func even(n int, zones []string) map[string]int {
	counts := map[string]int{}
	for i, z := range zones {
		if c := n/len(zones) + b2i(i < n%len(zones)); c > 0 {
			counts[z] = c
		}
	}
	return counts
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setReplicas writes one replica per zone, in zone order, its capacity
// the pods there, and the demand 1 until a budget says more.
func (w *workload) setReplicas(counts map[string]int) {
	zones := make([]string, 0, len(counts))
	for z, n := range counts {
		if n > 0 {
			zones = append(zones, z)
		}
	}
	slices.Sort(zones)
	w.node.Replicas = nil
	for _, z := range zones {
		w.node.Replicas = append(w.node.Replicas, graph.Replica{Site: z, Capacity: int64(counts[z]), Pos: w.o.pos})
	}
	if len(zones) > 0 {
		w.node.Demand = 1
	}
}

func (w *workload) capacity() int64 {
	var n int64
	for _, r := range w.node.Replicas {
		n += r.Capacity
	}
	return n
}

// budgets sets each placed workload's demand from the PodDisruptionBudget
// that selects its pods: the pods it keeps healthy.
func (c *converter) budgets() {
	budget := map[*workload]*object{}
	for _, o := range c.pdbs {
		p := o.typed.(*policyv1.PodDisruptionBudget)
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil {
			c.add(o.at("spec", "selector"), "", "spec.selector", "%v", err)
			continue
		}
		if !c.validBudget(o, p) {
			continue
		}
		matched := false
		if p.Spec.Selector == nil {
			sel = labels.Nothing()
		}
		for _, w := range c.candidates(o.namespace, sel) {
			if !sel.Matches(labels.Set(w.template.Labels)) {
				continue
			}
			matched = true
			if first := budget[w]; first != nil {
				c.find(o.pos, w.id, "PodDisruptionBudget %s also selects its pods (as %s does): the first is used", o.name, first.name)
				continue
			}
			budget[w] = o
		}
		if !matched {
			c.find(o.pos, "", "PodDisruptionBudget %s selects no workload of the manifests", o.name)
		}
	}
	for _, w := range c.workloads {
		o := budget[w]
		if len(w.node.Replicas) == 0 {
			continue
		}
		n := w.capacity()
		if o == nil {
			c.find(w.o.pos, w.id, "no PodDisruptionBudget selects its pods: demand 1 (any one pod serves)")
			continue
		}
		p := o.typed.(*policyv1.PodDisruptionBudget)
		var demand int64
		switch {
		case p.Spec.MinAvailable != nil:
			// The disruption controller rounds a percentage up, for both.
			v, _ := intstr.GetScaledValueFromIntOrPercent(p.Spec.MinAvailable, int(n), true)
			demand = int64(v)
		case p.Spec.MaxUnavailable != nil:
			v, _ := intstr.GetScaledValueFromIntOrPercent(p.Spec.MaxUnavailable, int(n), true)
			demand = n - int64(v)
		default:
			c.find(o.pos, w.id, "PodDisruptionBudget %s says neither minAvailable nor maxUnavailable: demand 1", o.name)
			continue
		}
		switch {
		case demand > n:
			c.find(o.pos, w.id, "PodDisruptionBudget %s keeps %d pods of %d: demand %d (all of them)", o.name, demand, n, n)
			demand = n
		case demand < 1:
			c.find(o.pos, w.id, "PodDisruptionBudget %s lets every pod go: demand 1 (one pod serves)", o.name)
			demand = 1
		}
		w.node.Demand = demand
		if demand > 1 {
			// Below its budget but with a pod left, it serves with less
			// capacity: Degraded, not Down.
			w.node.DegradedAt = 1
		}
	}
}

// validBudget reports whether the budget says minAvailable or
// maxUnavailable, not both, each an integer or a percentage.
func (c *converter) validBudget(o *object, p *policyv1.PodDisruptionBudget) bool {
	if p.Spec.MinAvailable != nil && p.Spec.MaxUnavailable != nil {
		c.add(o.at("spec", "maxUnavailable"), "", "spec.maxUnavailable", "PodDisruptionBudget %s: minAvailable and maxUnavailable are exclusive", o.name)
		return false
	}
	for _, f := range []struct {
		name string
		v    *intstr.IntOrString
	}{{"minAvailable", p.Spec.MinAvailable}, {"maxUnavailable", p.Spec.MaxUnavailable}} {
		if f.v == nil {
			continue
		}
		if _, err := intstr.GetScaledValueFromIntOrPercent(f.v, 100, true); err != nil {
			c.add(o.at("spec", f.name), "", "spec."+f.name, "%v", err)
			return false
		}
		if v := f.v.IntValue(); f.v.Type == intstr.Int && v < 0 {
			c.add(o.at("spec", f.name), "", "spec."+f.name, "%d is negative", v)
			return false
		}
	}
	return true
}

// candidates returns the workloads of namespace ns that the selector may
// select: those with the label of one of its equality requirements (an
// index, so that matching every Service and budget against every
// workload is not quadratic), else all of the namespace. The caller
// still matches each.
func (c *converter) candidates(ns string, sel labels.Selector) []*workload {
	if c.byLabel == nil {
		c.byLabel, c.byNS = map[[3]string][]*workload{}, map[string][]*workload{}
		for _, w := range c.workloads {
			c.byNS[w.o.namespace] = append(c.byNS[w.o.namespace], w)
			for k, v := range w.template.Labels {
				key := [3]string{w.o.namespace, k, v}
				c.byLabel[key] = append(c.byLabel[key], w)
			}
		}
	}
	if reqs, ok := sel.Requirements(); ok {
		for _, r := range reqs {
			if vs := r.ValuesUnsorted(); len(vs) == 1 && (r.Operator() == selection.Equals || r.Operator() == selection.DoubleEquals || r.Operator() == selection.In) {
				return c.byLabel[[3]string{ns, r.Key(), vs[0]}]
			}
		}
	}
	return c.byNS[ns]
}

// selectServices maps each Service to the workloads whose pods it
// selects, in its namespace.
func (c *converter) selectServices() {
	for _, s := range c.svcOrder {
		if s.svc.Spec.Type == corev1.ServiceTypeExternalName {
			continue
		}
		if len(s.svc.Spec.Selector) == 0 {
			continue
		}
		sel := labels.SelectorFromSet(s.svc.Spec.Selector)
		for _, w := range c.candidates(s.o.namespace, sel) {
			if sel.Matches(labels.Set(w.template.Labels)) {
				s.workloads = append(s.workloads, w)
				w.services = append(w.services, s.o.name)
			}
		}
		if len(s.workloads) == 0 {
			c.find(s.o.pos, "", "Service %s selects no workload of the manifests", s.o.name)
		}
	}
}

// dependencies reads each workload's annotations, and its environment
// when asked.
func (c *converter) dependencies() {
	for _, w := range c.workloads {
		c.annotations(w)
		if c.opts.FromEnv {
			c.environment(w)
		}
	}
}

// ids names each workload: its name, or namespace/name when workloads of
// several namespaces share the name.
func (c *converter) ids() {
	for name, ws := range c.byName {
		byNS := map[string]*workload{}
		for _, w := range ws {
			if x := byNS[w.o.namespace]; x != nil {
				c.add(w.o.pos, "", "metadata.name", "%s and %s (%s) would both be node %s: the name of a workload must be unique in its namespace", w.o.ref(), x.o.ref(), x.o.pos, name)
				continue
			}
			byNS[w.o.namespace] = w
		}
		if len(byNS) > 1 {
			for _, w := range ws {
				w.id = w.o.namespace + "/" + name
				c.find(w.o.pos, w.id, "workloads of several namespaces are named %s: named %s", name, w.id)
			}
		}
	}
	for z, r := range c.regionOf {
		for _, w := range c.byName[z] {
			c.add(w.o.pos, "", "metadata.name", "%s has the name of zone %s: rename one", w.o.ref(), z)
		}
		for _, w := range c.byName[r] {
			c.add(w.o.pos, "", "metadata.name", "%s has the name of region %s: rename one", w.o.ref(), r)
		}
		if _, ok := c.regionOf[r]; ok && r != "" {
			c.add(graph.Pos{}, "", "", "%s is the name of a zone and of a region", r)
		}
	}
}

// annotations reads blastradius.dev/ annotations: the pod template's,
// then the workload's own, which win.
func (c *converter) annotations(w *workload) {
	w.node.ID, w.node.Kind, w.node.Pos = w.id, graph.Service, w.o.pos
	w.node.Labels = map[string]string{NamespaceLabel: w.o.namespace, KindLabel: w.o.kind}
	type ann struct {
		val  string
		path []any
	}
	got := map[string]ann{}
	meta := metaOf(w.o.typed)
	for _, src := range []struct {
		m    map[string]string
		path []any
	}{{w.template.Annotations, []any{"spec", "template", "metadata", "annotations"}}, {meta.Annotations, []any{"metadata", "annotations"}}} {
		for k, v := range src.m {
			name, ok := strings.CutPrefix(k, annotationPrefix)
			if !ok {
				continue
			}
			path := append(slices.Clip(src.path), k)
			if !slices.Contains(annotations, name) {
				c.add(w.o.at(path...), w.id, pathString(path), "unknown annotation%s", yamltree.DidYouMean(k, prefixed(annotations)))
				continue
			}
			got[name] = ann{v, path}
		}
	}
	for _, name := range annotations {
		a, ok := got[name]
		if !ok {
			continue
		}
		pos, field := w.o.at(a.path...), pathString(a.path)
		bad := func(format string, args ...any) { c.add(pos, w.id, field, format, args...) }
		v := strings.TrimSpace(a.val)
		switch name {
		case "kind":
			k, ok := graph.ParseKind(v)
			if !ok || k.Infrastructure() {
				bad("%q is not a kind of workload%s (service, identity, datastore, queue or external)", v, yamltree.DidYouMean(v, []string{"service", "identity", "datastore", "queue", "external"}))
				continue
			}
			w.node.Kind = k
		case "users":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				bad("%q is not a number of people", v)
				continue
			}
			w.node.Users = n
		case "tier":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1<<30 {
				bad("%q is not a tier (0, the most critical, or more)", v)
				continue
			}
			w.node.Tier = graph.TierOf(n)
		case "restart":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				bad("%q is not a duration such as 15m", v)
				continue
			}
			w.node.Restart = d
		case "requires", "uses":
			for _, ref := range strings.Split(v, ",") {
				ref = strings.TrimSpace(ref)
				if ref == "" {
					continue
				}
				dep, ok := c.resolve(w, ref, pos, true)
				if !ok {
					continue
				}
				if name == "requires" {
					w.node.Requires = addDep(w.node.Requires, dep)
				} else {
					w.node.Uses = addDep(w.node.Uses, dep)
				}
			}
		case "ignore":
			if v != "true" && v != "false" {
				bad("%q is not true or false", v)
			}
		}
	}
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

// resolve turns a name a workload gives (a Service, svc.ns, a workload)
// into a dependency. A name the manifests do not know is kept as written
// when named (an annotation: the other sources or the overlay may know
// it), with a Finding; when guessed (the environment), it is no
// dependency.
func (c *converter) resolve(w *workload, ref string, pos graph.Pos, named bool) (graph.Dep, bool) {
	svc, ns := ref, w.o.namespace
	if s, rest, ok := strings.Cut(ref, "."); ok {
		svc, ns = s, strings.TrimSuffix(strings.TrimSuffix(rest, "."+c.domain()), ".svc")
	}
	if s := c.services[ns+"/"+svc]; s != nil {
		return c.serviceDep(w, s, pos)
	}
	if !strings.Contains(ref, ".") {
		var same []*workload
		for _, x := range c.byName[ref] {
			if !x.ignored() && (x.o.namespace == w.o.namespace || len(c.byName[ref]) == 1) {
				same = append(same, x)
			}
		}
		if len(same) == 1 {
			if same[0] == w {
				c.find(pos, w.id, "names itself: no dependency")
				return graph.Dep{}, false
			}
			return dep(pos, same[0].id), true
		}
	}
	if !named {
		return graph.Dep{}, false
	}
	c.find(pos, w.id, "%s names no Service or workload of the manifests: kept as a dependency on %s", ref, ref)
	return dep(pos, ref), true
}

func (c *converter) domain() string {
	if c.opts.ClusterDomain != "" {
		return c.opts.ClusterDomain
	}
	return "cluster.local"
}

// serviceDep is a dependency on what a Service serves: its one workload,
// any one of several, or the external name it points to.
func (c *converter) serviceDep(w *workload, s *service, pos graph.Pos) (graph.Dep, bool) {
	if s.svc.Spec.Type == corev1.ServiceTypeExternalName {
		return dep(pos, c.external(s)), true
	}
	var ids []string
	for _, x := range s.workloads {
		if x != w && !x.ignored() {
			ids = append(ids, x.id)
		}
	}
	switch {
	case len(ids) == 0 && len(s.workloads) > 0:
		c.find(pos, w.id, "names its own Service %s: no dependency", s.o.name)
		return graph.Dep{}, false
	case len(ids) == 0:
		c.find(pos, w.id, "Service %s selects no workload: kept as a dependency on %s", s.o.name, s.o.name)
		return dep(pos, s.o.name), true
	case len(ids) == 1:
		return dep(pos, ids[0]), true
	}
	d := graph.AnyOf(ids...)
	d.Pos = pos
	return d, true
}

// external is the node of an ExternalName Service: something outside the
// cluster, named by the Service.
func (c *converter) external(s *service) string {
	for _, n := range c.externals {
		if n.Pos == s.o.pos {
			return n.ID
		}
	}
	id := s.o.name
	if _, ok := c.byName[id]; ok || c.regionOf[id] != "" || slices.Contains(c.zones, id) {
		id = s.o.namespace + "/" + id // a workload of that name in another namespace
		c.find(s.o.pos, id, "ExternalName Service %s shares its name with a workload, zone or region: named %s", s.o.name, id)
	}
	c.externals = append(c.externals, graph.Node{
		ID: id, Kind: graph.External, Pos: s.o.pos, Description: s.svc.Spec.ExternalName,
		Labels: map[string]string{NamespaceLabel: s.o.namespace, KindLabel: "Service"},
	})
	return id
}

func dep(pos graph.Pos, id string) graph.Dep {
	d := graph.On(id)
	d.Pos, d.Members[0].Pos = pos, pos
	return d
}

// addDep appends d unless a dependency on the same members is there.
func addDep(deps []graph.Dep, d graph.Dep) []graph.Dep {
	for _, x := range deps {
		if slices.Equal(x.IDs(), d.IDs()) {
			return deps
		}
	}
	return append(deps, d)
}

// nodes writes the Result's nodes: regions, sites, then the workloads and
// external names in the order read.
func (c *converter) nodes() {
	var regions []string
	for _, z := range c.zones {
		if r := c.regionOf[z]; r != "" && !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	slices.Sort(regions)
	firstPos := func(match func(*kubeNode) bool) graph.Pos {
		for _, n := range c.kubeNodes {
			if match(n) {
				return n.o.pos
			}
		}
		return graph.Pos{}
	}
	for _, r := range regions {
		c.res.Nodes = append(c.res.Nodes, graph.Node{ID: r, Kind: graph.Region, Pos: firstPos(func(n *kubeNode) bool { return n.region == r })})
	}
	for _, z := range c.zones {
		c.res.Nodes = append(c.res.Nodes, graph.Node{ID: z, Kind: graph.Site, Region: c.regionOf[z], Pos: firstPos(func(n *kubeNode) bool { return n.zone == z })})
	}
	for _, w := range c.workloads {
		if w.ignored() {
			continue
		}
		if len(w.services) > 0 {
			w.node.Labels[ServicesLabel] = strings.Join(w.services, ",")
		}
		c.res.Nodes = append(c.res.Nodes, w.node)
	}
	c.res.Nodes = append(c.res.Nodes, c.externals...)
	// Traces name a callee by the Service it called: a Service of another
	// name than its one workload is an alias of it for the traces.
	for _, s := range c.svcOrder {
		if len(s.workloads) == 1 && s.workloads[0].id != s.o.name && !s.workloads[0].ignored() {
			if c.res.Aliases == nil {
				c.res.Aliases = map[string]string{}
			}
			c.res.Aliases["traces:"+s.o.name] = s.workloads[0].id
		}
	}
}

// ignored reports whether blastradius.dev/ignore leaves the workload out:
// it is no node, and a name that means it names nothing.
func (w *workload) ignored() bool { return annotation(w, "ignore") == "true" }

func annotation(w *workload, name string) string {
	if v, ok := metaOf(w.o.typed).Annotations[annotationPrefix+name]; ok {
		return v
	}
	return w.template.Annotations[annotationPrefix+name]
}
