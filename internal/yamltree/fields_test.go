package yamltree

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// read reads the value of key "v" in the one-line YAML document src with
// read, and returns what it got and the problems reported.
func read(t *testing.T, src string, read func(f *Fields, v *Value) any) (any, []string) {
	t.Helper()
	root, ok := ReadFast(src, 100)
	require.True(t, ok, "%q", src)
	var got []string
	f := &Fields{Report: func(line int, field, msg string) { got = append(got, fmt.Sprintf("%d: %s: %s", line, field, msg)) }}
	return read(f, root.Entries[0].Val), got
}

func TestFields(t *testing.T) {
	for _, c := range []struct {
		src   string
		read  func(f *Fields, v *Value) any
		want  any
		probs []string
	}{
		{"v: 2022", func(f *Fields, v *Value) any { s, _ := f.String(v, "v"); return s }, "2022", nil},
		{"v: ~", func(f *Fields, v *Value) any { s, _ := f.String(v, "v"); return s }, "", []string{"1: v: must be a string, got nothing"}},
		{"v: [a]", func(f *Fields, v *Value) any { s, _ := f.ID(v, "v"); return s }, "", []string{"1: v: must be a node id, got a list"}},
		{"v: 0x10", func(f *Fields, v *Value) any { n, _ := f.Integer(v, "v"); return n }, int64(16), nil},
		{"v: '1'", func(f *Fields, v *Value) any { n, _ := f.Integer(v, "v"); return n }, int64(0), []string{`1: v: must be an integer, got "1"`}},
		{"v: 18446744073709551615", func(f *Fields, v *Value) any { n, _ := f.Integer(v, "v"); return n }, int64(0), []string{"1: v: integer 18446744073709551615 is out of range"}},
		{"v: 0", func(f *Fields, v *Value) any { n, _ := f.Positive(v, "v"); return n }, int64(0), []string{"1: v: must be > 0, got 0"}},
		{"v: -3", func(f *Fields, v *Value) any { n, _ := f.Positive(v, "v"); return n }, int64(-3), nil},
		{"v: True", func(f *Fields, v *Value) any { b, _ := f.Bool(v, "v"); return b }, true, nil},
		{"v: yes", func(f *Fields, v *Value) any { b, _ := f.Bool(v, "v"); return b }, false, []string{`1: v: must be true or false, got "yes"`}},
		{"v: 1d2h", func(f *Fields, v *Value) any { d, _ := f.Duration(v, "v"); return d }, 26 * time.Hour, nil},
		{"v: soon", func(f *Fields, v *Value) any { d, _ := f.Duration(v, "v"); return d }, time.Duration(0), []string{`1: v: invalid duration "soon": write 90m, 6h, 1h30m or 3d`}},
		{"v: a", func(f *Fields, v *Value) any { l, _ := f.List(v, "v"); return len(l) }, 0, []string{`1: v: must be a list, got "a" (write [a])`}},
		{"v: {a: 1}", func(f *Fields, v *Value) any { l, _ := f.List(v, "v"); return len(l) }, 0, []string{`1: v: must be a list, got a mapping`}},
		{"v: [a]", func(f *Fields, v *Value) any { return f.Mapping(v, "v", "a mapping of x") }, false, []string{`1: v: must be a mapping of x, got a list`}},
		{"v: a", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 1, nil},
		{"v: [a, 2]", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 2, nil},
		{"v: []", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 0, []string{`1: v: is empty: give one value or a list of them`}},
		{"v: ~", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 0, []string{`1: v: is empty: give one value or a list of them`}},
		{"v: [a, [b], ~]", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 0, []string{`1: v[1]: must be a single value, got a list`}},
		{"v: {a: 1}", func(f *Fields, v *Value) any { l, _ := f.Scalars(v, "v", "an id"); return len(l) }, 0, []string{`1: v: must be an id, got a mapping`}},
		{"v: 12.5%", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.125, nil},
		{"v: ' 7 %'", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.07, nil},
		{"v: 0.25", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.25, nil},
		{"v: 1", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 1.0, nil},
		{"v: 90", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.0, []string{`1: v: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got 90`}},
		{"v: 101%", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.0, []string{`1: v: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got "101%"`}},
		{"v: .nan", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.0, []string{`1: v: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got .nan`}},
		{"v: '0.5'", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.0, []string{`1: v: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got "0.5"`}},
		{"v: [1%]", func(f *Fields, v *Value) any { x, _ := f.Share(v, "v"); return x }, 0.0, []string{`1: v: must be a percentage such as 10% or a share from 0 to 1 such as 0.1, got a list`}},
		{"v: servce", func(f *Fields, v *Value) any {
			f.UnknownName(v.Line, "v", "kind", v.Text, []string{"site", "service"})
			return Index("v", 3)
		}, "v[3]", []string{`1: v: unknown kind "servce" (did you mean "service"?): want one of site, service`}},
		{"v: {a: 1, b: ~, a: 2, c: [x]}", func(f *Fields, v *Value) any { l, _ := f.Labels(v, "v", "labels"); return l },
			map[string]string{"a": "1", "b": ""}, []string{"1: v.a: duplicate key (first at line 1)", "1: v.c: a label value must be a scalar, got a list"}},
		{"v: {kind: x, knid: y}", func(f *Fields, v *Value) any {
			var keys []string
			f.Each(v, "v", func(e Entry) {
				if e.Key != "kind" {
					f.Unknown(e, "v", []string{"kind"})
				}
				keys = append(keys, e.Key)
			})
			return keys
		}, []string{"kind", "knid"}, []string{`1: v.knid: unknown field (did you mean "kind"?)`}},
	} {
		got, probs := read(t, c.src, c.read)
		assert.Equal(t, c.want, got, "%s", c.src)
		assert.Equal(t, c.probs, probs, "%s", c.src)
	}
}
