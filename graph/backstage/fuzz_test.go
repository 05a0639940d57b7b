package backstage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/backstage"
)

// FuzzReadBackstage: whatever the bytes, ReadFile returns a Result or a
// *graph.ValidationError whose problems name the file, never panics, and
// a Result's nodes all have ids.
func FuzzReadBackstage(f *testing.F) {
	// The shop's smaller files: the fuzzer mutates small inputs faster.
	top, _ := filepath.Glob("../../testdata/import/backstage/*.yaml")
	for _, p := range append(top, "../../testdata/import/backstage/systems/platform.yaml") {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(component("web", "  dependsOn: [component:db]\n---\n") + component("db", "")))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("---\n---\n- x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := backstage.ReadFile(data, "f.yaml", backstage.Options{MaxFileSize: 1 << 20, MaxEntities: 1000})
		if err != nil {
			var ve *graph.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%T: %v", err, err)
			}
			for _, p := range ve.Problems {
				if p.Pos.File != "f.yaml" {
					t.Fatalf("problem without the file: %v", p)
				}
			}
			return
		}
		for _, n := range r.Nodes {
			if n.ID == "" {
				t.Fatalf("a node without an id: %+v", n)
			}
		}
	})
}
