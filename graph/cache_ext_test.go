package graph_test

import (
	"flag"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
	"github.com/stretchr/testify/require"
	gonum "gonum.org/v1/gonum/graph"
)

var cacheSeed = flag.Uint64("cache-seed", 0, "seed of TestReadCompiledAccessors (0: a new one)")

// TestReadCompiledAccessors compares every accessor of a graph read back
// from its binary form with the compiled one, on random models. Methods are
// found by reflection, so an accessor added to Compiled is compared too, or
// this test names it.
func TestReadCompiledAccessors(t *testing.T) {
	seed := *cacheSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -cache-seed %d)", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < 200; i++ {
		m := synth.Random(r, r.IntN(60))
		if i == 0 {
			m = synth.Services(synth.Default(3000, int64(seed)))
		}
		want, err := graph.Compile(m)
		require.NoError(t, err)
		data, err := want.MarshalBinary()
		require.NoError(t, err)
		got, err := graph.ReadCompiled(data)
		require.NoError(t, err, "model %d", i)
		sameAccessors(t, want, got)
	}
}

// sameAccessors calls every method of *graph.Compiled on a and b, on every
// vertex where it takes one, and fails on the first difference.
func sameAccessors(t *testing.T, a, b *graph.Compiled) {
	t.Helper()
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	typ := va.Type()
	vertex := reflect.TypeFor[int32]()
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		ma, mb := va.Method(i), vb.Method(i)
		switch ft := ma.Type(); {
		case m.Name == "UnmarshalBinary":
			// Sets a graph; not an accessor.
		case m.Name == "Node" || m.Name == "Nodes" || m.Name == "From" || m.Name == "To" ||
			m.Name == "Edge" || m.Name == "HasEdgeFromTo" || m.Name == "HasEdgeBetween":
			// gonum.Directed: compared as lists below.
		case ft.NumIn() == 0:
			same(t, m.Name, ma.Call(nil), mb.Call(nil))
		case ft.NumIn() == 1 && ft.In(0) == vertex:
			for v := int32(0); v < int32(a.Len()); v++ {
				arg := []reflect.Value{reflect.ValueOf(v)}
				same(t, m.Name, ma.Call(arg), mb.Call(arg))
			}
		case m.Name == "Lookup":
			for v := int32(0); v < int32(a.Len()); v++ {
				arg := []reflect.Value{reflect.ValueOf(a.VertexName(v))}
				same(t, m.Name, ma.Call(arg), mb.Call(arg))
			}
			arg := []reflect.Value{reflect.ValueOf("no such vertex")}
			same(t, m.Name, ma.Call(arg), mb.Call(arg))
		default:
			t.Fatalf("no comparison for (*Compiled).%s %s: add one", m.Name, ft)
		}
	}
	for v := int64(0); v < int64(a.Len()); v++ {
		require.Equal(t, ids(a.From(v)), ids(b.From(v)), "From(%d)", v)
		require.Equal(t, ids(a.To(v)), ids(b.To(v)), "To(%d)", v)
		for _, u := range ids(a.From(v)) {
			require.True(t, b.HasEdgeFromTo(v, u))
			require.Equal(t, a.Edge(v, u), b.Edge(v, u))
		}
	}
	require.Equal(t, ids(a.Nodes()), ids(b.Nodes()))
}

func same(t *testing.T, name string, a, b []reflect.Value) {
	t.Helper()
	for i := range a {
		if empty(a[i]) && empty(b[i]) {
			continue // nil and empty are the same to a caller
		}
		if !reflect.DeepEqual(a[i].Interface(), b[i].Interface()) {
			t.Fatalf("%s: %v, read back %v", name, a[i], b[i])
		}
	}
}

func empty(v reflect.Value) bool {
	k := v.Kind()
	return (k == reflect.Slice || k == reflect.Map) && v.Len() == 0
}

// ids lists the ids of nodes in order.
func ids(it gonum.Nodes) []int64 {
	var out []int64
	for it.Next() {
		out = append(out, it.Node().ID())
	}
	return out
}
