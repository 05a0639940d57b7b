package traces

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
)

// accepted checks what every reader promises: an error is a
// *graph.ValidationError with a line, and what it accepts is a valid
// model whose edges have lines.
func accepted(t *testing.T, r *importer.Result, err error) {
	if err != nil {
		var ve *graph.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error %v is not a *graph.ValidationError", err)
		}
		return
	}
	compiles(t, r)
	for _, e := range r.Observed {
		if e.Pos.Line < 1 {
			t.Fatalf("edge %s->%s has no line", e.From, e.To)
		}
	}
}

func FuzzReadPrometheus(f *testing.F) {
	seed, _ := os.ReadFile("testdata/scrape.prom")
	f.Add(string(seed))
	f.Add("traces_service_graph_request_total{client=\"a\",server=\"b\",connection_type=\"database\"} 3\n")
	f.Add("{\"traces_service_graph_request_failed_total\",client=\"a\",server=\"b\"} 1e3 17\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ReadPrometheus(strings.NewReader(in), "f", Options{MaxEdges: 100, MaxLineBytes: 4096, SoftAbove: 0.5})
		accepted(t, r, err)
	})
}

func FuzzReadJaeger(f *testing.F) {
	seed, _ := os.ReadFile("testdata/dependencies.json")
	f.Add(string(seed))
	f.Add(`[{"parent": "a", "child": "b", "callCount": 1}, {"parent": "b", "child": "a"}]`)
	f.Add(`{"timestamp": 1, "dependencies": [{"parent": "a", "child": "b", "callCount": 9}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ReadJaeger(strings.NewReader(in), "f", Options{MaxEdges: 100, MaxLineBytes: 4096})
		accepted(t, r, err)
	})
}
