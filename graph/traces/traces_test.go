package traces

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// render writes a Result as the golden files hold it: the nodes as a
// model file, then the observed edges and the findings, one a line.
func render(t *testing.T, r *importer.Result) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# source: %s\n", r.Source)
	require.NoError(t, graph.Encode(&b, &graph.Model{Nodes: r.Nodes}, graph.YAML))
	b.WriteString("# observed\n")
	for _, e := range r.Observed {
		fmt.Fprintf(&b, "%s: %s -> %s calls=%d failed=%d type=%q\n", e.Pos, e.From, e.To, e.Calls, e.Failed, e.ConnectionType)
	}
	b.WriteString("# findings\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: [%s] %s\n", f.Pos, f.Node, f.Message)
	}
	return b.Bytes()
}

// compiles checks that the nodes of r are a valid model: every accepted
// input gives one.
func compiles(t testing.TB, r *importer.Result) {
	t.Helper()
	if _, err := graph.Compile(&graph.Model{Nodes: r.Nodes}); err != nil {
		t.Fatalf("the nodes read do not compile: %v", err)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range []struct {
		file, golden string
		opts         Options
	}{
		{"testdata/scrape.prom", "testdata/scrape.golden", Options{}},
		{"testdata/scrape.prom", "testdata/scrape-soft.golden", Options{SoftAbove: 0.5, MinCalls: 10}},
		{"testdata/dependencies.json", "testdata/dependencies.golden", Options{}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			r, err := Read(c.file, c.opts)
			require.NoError(t, err)
			compiles(t, r)
			golden.Assert(t, c.golden, render(t, r))
		})
	}
}

// TestSoftAbove checks the threshold at its edge: a share equal to it is
// soft, just below is hard.
func TestSoftAbove(t *testing.T) {
	in := "traces_service_graph_request_total{client=\"a\",server=\"b\"} 100\n" +
		"traces_service_graph_request_failed_total{client=\"a\",server=\"b\"} 25\n"
	for _, c := range []struct {
		share      float64
		hard, soft int
	}{{0, 1, 0}, {0.25, 0, 1}, {0.26, 1, 0}, {1, 1, 0}} {
		r, err := ReadPrometheus(strings.NewReader(in), "m", Options{SoftAbove: c.share})
		require.NoError(t, err)
		require.Len(t, r.Nodes[0].Requires, c.hard, "share %v", c.share)
		require.Len(t, r.Nodes[0].Uses, c.soft, "share %v", c.share)
	}
}

func TestErrors(t *testing.T) {
	const total = "traces_service_graph_request_total"
	for _, c := range []struct {
		name, in string
		opts     Options
		want     string
	}{
		{"no server", "# c\n" + total + `{client="a"} 1` + "\n", Options{}, `m.prom:2: traces_service_graph_request_total: label server is missing`},
		{"no client", total + `{server="a"} 1`, Options{}, `m.prom:1: traces_service_graph_request_total: label client is missing`},
		{"empty client", total + `{client="",server="a"} 1`, Options{}, `m.prom:1: traces_service_graph_request_total{client}: empty client`},
		{"negative", "x 1\n" + total + `{client="a",server="b"} -3`, Options{}, `m.prom:2: traces_service_graph_request_total: value -3 is not a count of calls`},
		{"NaN", total + `{client="a",server="b"} NaN`, Options{}, `m.prom:1: traces_service_graph_request_total: value NaN is not a count of calls`},
		{"syntax", "\n\n" + total + `{client="a",server="b" 1`, Options{}, `m.prom:3: invalid metric line: unexpected end of label value "b"`},
		{"histogram", "# TYPE " + total + " histogram\n" + total + `{client="a",server="b"} 1`, Options{}, `m.prom:2: traces_service_graph_request_total: is a histogram, want a counter`},
		{"long line", total + `{client="` + strings.Repeat("a", 100) + `",server="b"} 1`, Options{MaxLineBytes: 64}, `m.prom:1: line longer than 64 bytes (raise the limit MaxLineBytes to read it)`},
		{"too many pairs", total + `{client="a",server="b"} 1` + "\n" + total + `{client="a",server="c"} 1` + "\n", Options{MaxEdges: 1}, `m.prom:2: more than 1 client→server pairs (raise the limit MaxEdges to read more)`},
		{"bad share", "", Options{SoftAbove: 2}, `m.prom: SoftAbove: share 2 is not between 0 and 1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadPrometheus(strings.NewReader(c.in), "m.prom", c.opts)
			var ve *graph.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Equal(t, c.want, err.Error())
		})
	}
}

func TestJaegerErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"no child", "[\n {\"parent\": \"a\", \"callCount\": 1}\n]", `d.json:2: [0].child: missing or empty`},
		{"unknown field", "{\"data\": [\n {\"parent\": \"a\", \"child\": \"b\"},\n {\"parent\": \"a\", \"child\": \"b\", \"callCont\": 3}]}", `d.json:3: data[1].callCont: unknown field (did you mean "callCount"?)`},
		{"negative", "[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": -1}]", `d.json:1: [0].callCount: -1 is not a count of calls`},
		{"fraction", "[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": 1.5}]", `d.json:1: [0].callCount: 1.5 is not a count of calls`},
		{"string count", "[{\"parent\": \"a\", \"child\": \"b\", \"callCount\": \"3\"}]", `d.json:1: [0].callCount: "3" is not a count of calls`},
		{"number parent", "[{\"parent\": 1, \"child\": \"b\"}]", `d.json:1: [0].parent: number is not a string`},
		{"not an object", "[\n\n 3]", `d.json:3: [0]: a link is an object with parent, child and callCount`},
		{"no list", "{\"total\": 0}", `d.json:1: no list of links: want {"data": [...]}, {"dependencies": [...]} or [...]`},
		{"truncated", "{\"data\": [\n{\"parent\": \"a\",", `d.json:2: invalid JSON: unexpected end of input`},
		{"syntax", "[\n{\"parent\" \"a\"}]", `d.json:2: invalid JSON: invalid character '"' after object key`},
		{"trailing", "[]\n[]", `d.json:2: more after the list of links`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadJaeger(strings.NewReader(c.in), "d.json", Options{})
			var ve *graph.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.Equal(t, c.want, err.Error())
		})
	}
}

// TestChunks checks that a file longer than a chunk reads as the same
// pairs, with the same lines, as the sum computed here.
func TestChunks(t *testing.T) {
	var in strings.Builder
	in.WriteString("# TYPE traces_service_graph_request_total counter\n")
	const n = 3*chunkLines + 17
	for i := range n {
		fmt.Fprintf(&in, "traces_service_graph_request_total{client=\"c%d\",server=\"s%d\"} %d\n", i%101, i%7, i)
		if i%3 == 0 {
			in.WriteString("other_metric 1\n")
		}
	}
	r, err := ReadPrometheus(strings.NewReader(in.String()), "m", Options{})
	require.NoError(t, err)
	want := map[[2]string]int64{}
	for i := range n {
		want[[2]string{fmt.Sprintf("c%d", i%101), fmt.Sprintf("s%d", i%7)}] += int64(i)
	}
	require.Len(t, r.Observed, len(want))
	lines := strings.Split(in.String(), "\n")
	for _, e := range r.Observed {
		require.Equal(t, want[[2]string{e.From, e.To}], e.Calls, "%s->%s", e.From, e.To)
		require.Contains(t, lines[e.Pos.Line-1], fmt.Sprintf(`client="%s",server="%s"`, e.From, e.To))
	}
	compiles(t, r)
}

func TestNodeID(t *testing.T) {
	for in, want := range map[string]string{
		"checkout": "checkout", "carrier-api:443": "carrier-api-443", "a b@c": "a-b-c",
		"-x": "x", "": "unnamed", "서비스": "서비스", ".svc": "svc", "@@@": "unnamed",
		// Merge's mapping, so that a finding names the model's id.
		"Carrier API": "carrier-api", "a::b": "a-b",
	} {
		require.Equal(t, want, nodeID(in), "%q", in)
	}
}

func TestReadDetectsFormat(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.json": "\n\n  [{\"parent\": \"a\", \"child\": \"b\", \"callCount\": 1}]",
		"a.prom": "\n\ntraces_service_graph_request_total{client=\"a\",server=\"b\"} 1\n",
	} {
		path := dir + "/" + name
		require.NoError(t, writeFile(path, body))
		r, err := Read(path, Options{})
		require.NoError(t, err, name)
		require.Equal(t, 3, r.Observed[0].Pos.Line, name)
	}
}

func writeFile(path, body string) error { return os.WriteFile(path, []byte(body), 0o644) }

// TestRenamedAsTheModel: a service name that is no id is named in the
// finding and the Result as the merged model names it, not in a spelling
// of the traces' own ("Carrier-API" for a node the model calls
// carrier-api).
func TestRenamedAsTheModel(t *testing.T) {
	in := "traces_service_graph_request_total{client=\"Carrier API\",server=\"db\"} 5\n"
	r, err := ReadPrometheus(strings.NewReader(in), "m.prom", Options{})
	require.NoError(t, err)
	require.Equal(t, "carrier-api", r.Nodes[0].ID)
	require.Len(t, r.Findings, 1)
	require.Equal(t, `service name "Carrier API" is not a valid node id: named "carrier-api"`, r.Findings[0].Message)
}

// TestUnknownConnectionType: a connection_type the connector does not
// write is a finding with the closest one, not a silent plain call.
func TestUnknownConnectionType(t *testing.T) {
	in := "traces_service_graph_request_total{client=\"a\",server=\"db\",connection_type=\"databse\"} 5\n" +
		"traces_service_graph_request_total{client=\"a\",server=\"v\",connection_type=\"virtual_node\"} 5\n"
	r, err := ReadPrometheus(strings.NewReader(in), "m.prom", Options{})
	require.NoError(t, err)
	require.Equal(t, graph.Service, r.Nodes[1].Kind)
	require.Len(t, r.Findings, 1)
	f := r.Findings[0]
	require.Equal(t, graph.Pos{File: "m.prom", Line: 1}, f.Pos)
	require.Equal(t, "db", f.Node)
	require.Equal(t, `a→db: connection_type "databse" is none the servicegraph connector writes (database, messaging_system, virtual_node): read as a plain call (did you mean "database"?)`, f.Message)
}
