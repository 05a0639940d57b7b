package traces

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/blastradius-go/blastradius/internal/race"
)

// scrape writes a servicegraph scrape of edges pairs among services
// services, each with a request and a failed count and a histogram of
// three buckets the reader skips, as the collector writes them.
func scrape(edges, services int) []byte {
	var b bytes.Buffer
	b.WriteString("# TYPE traces_service_graph_request_total counter\n")
	for i := range edges {
		fmt.Fprintf(&b, "traces_service_graph_request_total{client=\"svc-%d\",connection_type=\"\",server=\"svc-%d\"} %d\n", i%services, (i%services+1+i/services)%services, 1000+i)
	}
	b.WriteString("# TYPE traces_service_graph_request_failed_total counter\n")
	for i := range edges {
		fmt.Fprintf(&b, "traces_service_graph_request_failed_total{client=\"svc-%d\",connection_type=\"\",server=\"svc-%d\"} %d\n", i%services, (i%services+1+i/services)%services, i%10)
	}
	b.WriteString("# TYPE traces_service_graph_request_server_seconds histogram\n")
	for i := range edges {
		for _, le := range []string{"0.1", "1", "+Inf"} {
			fmt.Fprintf(&b, "traces_service_graph_request_server_seconds_bucket{client=\"svc-%d\",server=\"svc-%d\",le=\"%s\"} 1\n", i%services, (i%services+1+i/services)%services, le)
		}
	}
	return b.Bytes()
}

func jaegerLinks(edges, services int) []byte {
	var b bytes.Buffer
	b.WriteString("{\"data\": [\n")
	for i := range edges {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "{\"parent\": \"svc-%d\", \"child\": \"svc-%d\", \"callCount\": %d}", i%services, (i%services+1+i/services)%services, 1000+i)
	}
	b.WriteString("\n]}\n")
	return b.Bytes()
}

// BenchmarkReadPrometheus reads 50,000 pairs among 10,000 services (the
// size the import of a large system must take in under 2 s, together with
// the workloads and the merge).
func BenchmarkReadPrometheus(b *testing.B) {
	data := scrape(50_000, 10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ReadPrometheus(bytes.NewReader(data), "b", Options{})
		if err != nil || len(r.Observed) != 50_000 {
			b.Fatal(err, len(r.Observed))
		}
	}
}

func BenchmarkReadJaeger(b *testing.B) {
	data := jaegerLinks(50_000, 10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ReadJaeger(bytes.NewReader(data), "b", Options{})
		if err != nil || len(r.Observed) != 50_000 {
			b.Fatal(err, len(r.Observed))
		}
	}
}

// TestMillionsOfSeries reads 2,000,000 series (200,000 with -race) of a few pairs (a scrape of
// many collectors) streamed from a generator, never held whole: memory is
// the pairs'. MaxEdges refuses the same number of distinct pairs.
func TestMillionsOfSeries(t *testing.T) {
	n := 2_000_000
	if race.Enabled {
		n = 200_000
	}
	gen := func(distinct bool) *genReader {
		return &genReader{n: n, line: func(i int) string {
			srv := i % 10
			if distinct {
				srv = i
			}
			return fmt.Sprintf("traces_service_graph_request_total{client=\"a\",server=\"s%d\",instance=\"i%d\"} 1\n", srv, i)
		}}
	}
	r, err := ReadPrometheus(gen(false), "big", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Observed) != 10 || r.Observed[0].Calls != int64(n/10) {
		t.Fatalf("got %d pairs, %d calls", len(r.Observed), r.Observed[0].Calls)
	}
	_, err = ReadPrometheus(gen(true), "big", Options{MaxEdges: 100_000})
	if err == nil || !strings.Contains(err.Error(), "big:100001: more than 100000 client→server pairs") {
		t.Fatalf("got %v", err)
	}
}

// genReader produces n lines without holding them.
type genReader struct {
	n, i int
	line func(int) string
	buf  []byte
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		g.buf = append(g.buf, g.line(g.i)...)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[k:])]
	return k, nil
}
