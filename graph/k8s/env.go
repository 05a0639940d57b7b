package k8s

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/blastradius-go/blastradius/graph"
)

// hostWords are the words of an environment variable's (or ConfigMap
// key's) name that say its value is a host: a bare word ("orders") is read
// as a Service name only in such a variable, or in a URL or before a port.
var hostWords = []string{"HOST", "ADDR", "URL", "URI", "ENDPOINT", "SERVER", "SERVICE", "BROKER", "DSN", "UPSTREAM", "BACKEND"}

// environment makes the workload require the workloads behind the
// Services its containers' environment names: env values, the ConfigMap
// keys env takes values from, and every value of the ConfigMaps it takes
// whole (envFrom) or mounts as a volume.
func (c *converter) environment(w *workload) {
	spec := &w.template.Spec
	base := []any{"spec", "template", "spec"}
	scan := func(name, value string, pos graph.Pos) {
		for _, host := range c.hosts(name, value, w.o.namespace) {
			if d, ok := c.resolve(w, host, pos, false); ok {
				w.node.Requires = addDep(w.node.Requires, d)
			}
		}
	}
	configMap := func(name string) *object { return c.configMaps[w.o.namespace+"/"+name] }
	wholeMap := func(name string) {
		cm := configMap(name)
		if cm == nil {
			return
		}
		data := cm.typed.(*corev1.ConfigMap).Data
		for _, k := range sortedKeys(data) {
			scan(k, data[k], cm.at("data", k))
		}
	}
	for _, list := range []struct {
		field      string
		containers []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i, ct := range list.containers {
			at := append(slices.Clip(base), list.field, i)
			for j, e := range ct.Env {
				switch {
				case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
					ref := e.ValueFrom.ConfigMapKeyRef
					if cm := configMap(ref.Name); cm != nil {
						if v, ok := cm.typed.(*corev1.ConfigMap).Data[ref.Key]; ok {
							scan(e.Name, v, cm.at("data", ref.Key))
						}
					}
				default:
					scan(e.Name, e.Value, w.o.at(append(slices.Clip(at), "env", j, "value")...))
				}
			}
			for _, from := range ct.EnvFrom {
				if from.ConfigMapRef != nil {
					wholeMap(from.ConfigMapRef.Name)
				}
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			wholeMap(v.ConfigMap.Name)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// hosts returns the Service names in a value, as "svc" (in ns) or
// "svc.ns": the DNS names svc.ns.svc.<domain>, svc.ns.svc and svc.ns of a
// Service of the manifests anywhere in the value, and a bare svc where
// it is a host: after "://" or "@", before ":<port>", or as the whole
// value of a variable whose name says it holds a host.
func (c *converter) hosts(varName, value, ns string) []string {
	var out []string
	isService := func(svc, ns string) bool { return c.services[ns+"/"+svc] != nil }
	hostVar := false
	for _, w := range hostWords {
		if strings.Contains(strings.ToUpper(varName), w) {
			hostVar = true
		}
	}
	whole := strings.TrimSpace(value)
	for start := 0; start < len(value); {
		// A token is a run of letters, digits, '-' and '.'.
		i := start
		for i < len(value) && !isHostByte(value[i]) {
			i++
		}
		j := i
		for j < len(value) && isHostByte(value[j]) {
			j++
		}
		if i == j {
			break
		}
		start = j
		tok := strings.Trim(value[i:j], ".-")
		if tok == "" {
			continue
		}
		labels := strings.Split(tok, ".")
		switch {
		case len(labels) >= 3 && labels[2] == "svc" && (len(labels) == 3 || strings.Join(labels[3:], ".") == c.domain()):
			if isService(labels[0], labels[1]) {
				out = append(out, labels[0]+"."+labels[1])
			}
		case len(labels) == 2:
			if isService(labels[0], labels[1]) {
				out = append(out, labels[0]+"."+labels[1])
			}
		case len(labels) == 1:
			before, after := value[:i], value[j:]
			inURL := strings.HasSuffix(before, "://") || strings.HasSuffix(before, "@")
			port := len(after) > 1 && after[0] == ':' && after[1] >= '0' && after[1] <= '9'
			if (inURL || port || hostVar && whole == tok) && isService(tok, ns) {
				out = append(out, tok)
			}
		}
	}
	return out
}

func isHostByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '.'
}
