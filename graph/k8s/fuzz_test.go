package k8s

import (
	"errors"
	"os"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
)

// FuzzParseManifests checks what Parse promises on any input: no panic; an error
// is a *graph.ValidationError whose problems have lines; what it accepts
// has unique ids and compiles once every node it names exists.
func FuzzParseManifests(f *testing.F) {
	for _, name := range []string{"testdata/shop/web.yaml", "testdata/shop/checkout.yaml", "testdata/shop/backends.yaml", "testdata/running/cluster.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(deployment))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("f.yaml", data, Options{FromEnv: true, MaxObjects: 200})
		if err != nil {
			var ve *graph.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *graph.ValidationError", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, n := range r.Nodes {
			if ids[n.ID] {
				t.Fatalf("node %s twice", n.ID)
			}
			ids[n.ID] = true
		}
		for _, n := range r.Nodes {
			for _, d := range append(append([]graph.Dep{}, n.Requires...), n.Uses...) {
				for _, id := range d.IDs() {
					if !ids[id] {
						return // named for other sources: the merge decides
					}
				}
			}
		}
		if _, err := graph.Compile(&graph.Model{Nodes: r.Nodes}); err != nil {
			t.Fatalf("accepted, but does not compile: %v", err)
		}
	})
}
