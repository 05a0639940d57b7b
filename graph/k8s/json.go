package k8s

import (
	"math"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// jsonWriter writes a YAML tree as JSON, the input of the API types'
// decoder (sigs.k8s.io/yaml does the same after parsing the YAML a
// second time; the tree here is the one that keeps the lines). Scalars
// keep their YAML type: an int written 0x1F is the number 31, a string
// "3" stays a string, and what JSON cannot hold (.inf, a timestamp) is a
// string, which the decoder then refuses where a number is wanted.
type jsonWriter struct{ b []byte }

func (j *jsonWriter) value(v *yamltree.Value) {
	switch v.Kind {
	case yamltree.Mapping:
		j.b = append(j.b, '{')
		for i, e := range v.Entries {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.str(e.Key)
			j.b = append(j.b, ':')
			j.value(e.Val)
		}
		j.b = append(j.b, '}')
	case yamltree.List:
		j.b = append(j.b, '[')
		for i, it := range v.Items {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.value(it)
		}
		j.b = append(j.b, ']')
	default:
		j.scalar(v)
	}
}

func (j *jsonWriter) scalar(v *yamltree.Value) {
	switch v.Tag {
	case yamltree.Null:
		j.b = append(j.b, "null"...)
		return
	case yamltree.Bool:
		j.b = strconv.AppendBool(j.b, strings.EqualFold(v.Text, "true"))
		return
	case yamltree.Int:
		if n, err := strconv.ParseInt(v.Text, 0, 64); err == nil {
			j.b = strconv.AppendInt(j.b, n, 10)
			return
		}
	case yamltree.Float:
		if f, err := strconv.ParseFloat(v.Text, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			j.b = strconv.AppendFloat(j.b, f, 'g', -1, 64)
			return
		}
	}
	j.str(v.Text)
}

// str writes s as a JSON string: s is valid UTF-8 (the file is checked).
func (j *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	j.b = append(j.b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			j.b = append(j.b, '\\', c)
		case c < 0x20:
			j.b = append(j.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			j.b = append(j.b, c)
		}
	}
	j.b = append(j.b, '"')
}

// metaOf returns the object's metadata.
func metaOf(typed any) *metav1.ObjectMeta {
	switch t := typed.(type) {
	case *appsv1.Deployment:
		return &t.ObjectMeta
	case *appsv1.StatefulSet:
		return &t.ObjectMeta
	case *appsv1.DaemonSet:
		return &t.ObjectMeta
	case *corev1.Service:
		return &t.ObjectMeta
	case *corev1.Node:
		return &t.ObjectMeta
	case *corev1.ConfigMap:
		return &t.ObjectMeta
	case *corev1.Pod:
		return &t.ObjectMeta
	case *policyv1.PodDisruptionBudget:
		return &t.ObjectMeta
	}
	return nil
}
