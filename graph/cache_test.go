package graph

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// compiledFields says, for every field of Compiled, how the binary form
// covers it: written by MarshalBinary, or derived again by ReadCompiled.
// TestCompiledFieldsCovered fails when a field is added to Compiled without
// being listed here, so that a new field cannot be forgotten by the cache
// (which would then hand out graphs without it).
var compiledFields = map[string]string{
	"name": "written", "description": "written", "sources": "written", "file": "written",
	"nodes": "written", "names": "written", "vkind": "written", "owner": "written",
	"label": "written", "site": "written", "rec": "written", "stby": "written",
	"info": "written", "gates": "written (Base derived)", "users": "written", "rst": "written",
	"mdesc": "written", "mlab": "written", "capv": "written",
	"inOff": "written", "in": "written", "inW": "written", "inCap": "written",
	"softOff": "written", "soft": "written", "unavail": "written", "rdeps": "written",
	"rto":   "written",
	"index": "derived", "ops": "derived", "kinds": "derived",
	"outOff": "derived", "out": "derived", "outW": "derived",
	"softOutOff": "derived", "softOut": "derived",
}

func TestCompiledFieldsCovered(t *testing.T) {
	typ := reflect.TypeFor[Compiled]()
	seen := map[string]bool{}
	for f := range typ.Fields() {
		seen[f.Name] = true
		if _, ok := compiledFields[f.Name]; !ok {
			t.Errorf("Compiled.%s is not in the binary form: write it in MarshalBinary and ReadCompiled (or derive it in derive), bump CompiledVersion, and list it in compiledFields", f.Name)
		}
	}
	for name := range compiledFields {
		if !seen[name] {
			t.Errorf("compiledFields lists %s, which Compiled no longer has", name)
		}
	}
	// The same for the structs inside: a field added to them changes the layout too.
	for _, s := range []struct {
		typ  reflect.Type
		want int
	}{{reflect.TypeFor[nodeInfo](), 3}, {reflect.TypeFor[Pos](), 2}, {reflect.TypeFor[Gate](), 4}} {
		if s.typ.NumField() != s.want {
			t.Errorf("%s has %d fields, the binary form covers %d", s.typ, s.typ.NumField(), s.want)
		}
	}
}

// cacheModels are compiled models of every shape the tests know: the
// example files, and every valid case of the decoder tests.
func cacheModels(t testing.TB) map[string]*Compiled {
	out := map[string]*Compiled{}
	files, err := filepath.Glob("../testdata/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "policy.yaml") {
			continue
		}
		_, c, err := LoadCompiled(f, Limits{})
		require.NoError(t, err, f)
		out[filepath.Base(f)] = c
	}
	srcs := map[string]string{"full": fullYAML}
	for _, c := range yamlCases {
		if len(c.want) == 0 {
			src := c.src
			if strings.HasPrefix(src, "  ") {
				src = prelude + src
			}
			srcs[c.name] = src
		}
	}
	for name, src := range srcs {
		m, err := Decode(strings.NewReader(src), "t.yaml", YAML)
		if err != nil {
			continue // a case that is valid only with other limits
		}
		c, err := Compile(m)
		require.NoError(t, err, name)
		out[name] = c
	}
	return out
}

// TestReadCompiledEqual holds ReadCompiled equal to Compile, field by field,
// including derive's copy of buildCSR, and MarshalBinary deterministic.
func TestReadCompiledEqual(t *testing.T) {
	for name, c := range cacheModels(t) {
		data, err := c.MarshalBinary()
		require.NoError(t, err, name)
		got, err := ReadCompiled(data)
		require.NoError(t, err, name)
		require.True(t, reflect.DeepEqual(c, got), "%s: read back differs:\nwant %+v\ngot  %+v", name, c, got)
		again, err := got.MarshalBinary()
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, again), "%s: MarshalBinary is not deterministic", name)

		var u Compiled
		require.NoError(t, u.UnmarshalBinary(data))
		require.True(t, reflect.DeepEqual(c, &u), name)
	}
}

// TestReadCompiledDamaged cuts and flips the bytes of a real graph: every
// prefix is an error, and no flipped byte panics.
func TestReadCompiledDamaged(t *testing.T) {
	_, c, err := LoadCompiled("../testdata/kakao-2022.yaml", Limits{})
	require.NoError(t, err)
	data, err := c.MarshalBinary()
	require.NoError(t, err)
	for n := 0; n < len(data); n++ {
		if _, err := ReadCompiled(data[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes read without error", n, len(data))
		}
	}
	_, err = ReadCompiled(append(bytes.Clone(data), 0))
	require.ErrorContains(t, err, "1 bytes after the graph")
	for i := range data {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(data)
			b[i] ^= x
			if g, err := ReadCompiled(b); err == nil {
				touchCompiled(g)
			}
		}
	}
}

func TestReadCompiledVersion(t *testing.T) {
	_, c, err := LoadCompiled("../testdata/naver-2022.yaml", Limits{})
	require.NoError(t, err)
	data, err := c.MarshalBinary()
	require.NoError(t, err)
	data[len(compiledMagic)] = CompiledVersion + 1
	_, err = ReadCompiled(data)
	require.EqualError(t, err, fmt.Sprintf("read compiled graph: layout version %d, want %d", CompiledVersion+1, CompiledVersion))
	_, err = ReadCompiled([]byte("nodes: {}\n"))
	require.EqualError(t, err, "read compiled graph: not a compiled graph")
}

// touchCompiled calls every accessor on every vertex, which must not panic
// on whatever ReadCompiled accepted.
func touchCompiled(c *Compiled) {
	_ = c.String()
	_, _ = c.Name(), c.Description()
	_, _, _ = c.Sources(), c.File(), c.IDs()
	_, _, _ = c.Len(), c.Edges(), c.HardEdges()
	for v := int32(0); v < int32(c.Len()); v++ {
		_, _ = c.Lookup(c.VertexName(v))
		_, _, _, _ = c.VertexKind(v), c.Owner(v), c.GroupLabel(v), c.Kind(v)
		_, _, _, _ = c.Users(v), c.Tier(v), c.Labels(v), c.NodeDescription(v)
		_, _, _, _ = c.Pos(v), c.Restart(v), c.ReplicaSite(v), c.Standby(v)
		_, _, _, _ = c.Recovery(v), c.CapacityVertex(v), c.Op(v), c.Gate(v)
		_, _, _ = c.Need(v), c.Floor(v), c.Base(v)
		_, _ = c.Inputs(v)
		_, _ = c.InputCapacity(v), c.SoftInputs(v)
		_, _ = c.Dependents(v)
		_ = c.SoftDependents(v)
		_, _ = c.From(int64(v)).Len(), c.To(int64(v)).Len()
	}
}

// FuzzReadCompiled gives ReadCompiled hostile bytes: it must return an
// error or a graph whose every accessor works, never panic, and a graph it
// accepts must read back the same.
func FuzzReadCompiled(f *testing.F) {
	for _, c := range cacheModels(f) {
		data, err := c.MarshalBinary()
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(compiledMagic))
	f.Add([]byte(compiledMagic + "\x01\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCompiled(data)
		if err != nil {
			return
		}
		touchCompiled(c)
		again, err := c.MarshalBinary()
		require.NoError(t, err)
		c2, err := ReadCompiled(again)
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(c, c2))
	})
}
