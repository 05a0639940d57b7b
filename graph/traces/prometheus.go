package traces

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/blastradius-go/blastradius/graph/importer"
)

// The servicegraph counters, as the OpenTelemetry collector's
// servicegraph connector and Tempo's metrics generator name them. A
// namespace prefix ("otel_traces_service_graph_request_total") is
// accepted.
const (
	requestTotal = "traces_service_graph_request_total"
	failedTotal  = "traces_service_graph_request_failed_total"
)

// chunkLines is how many kept lines are parsed at a time: the parser
// builds every family of its input in memory, so a file is fed to it in
// chunks, and memory is bounded by a chunk and the pairs summed so far.
const chunkLines = 4096

// ReadPrometheus reads servicegraph metrics in the Prometheus text
// exposition format (a scrape of the collector or of Tempo, or the
// output of promtool) from r; name is the file name its errors and
// Findings give. Every series of traces_service_graph_request_total and
// traces_service_graph_request_failed_total is one client→server pair's
// calls (labels client, server and connection_type); other metrics and
// comments are skipped.
//
// The text is parsed with github.com/prometheus/common/expfmt, the
// parser Prometheus itself uses, in chunks of whole lines: each series
// keeps its line, and a parse error names the line of the file.
func ReadPrometheus(r io.Reader, name string, opts Options) (*importer.Result, error) {
	if err := opts.check(name); err != nil {
		return nil, err
	}
	p := promReader{
		in:     bufio.NewReaderSize(r, opts.maxLine()),
		b:      newBuilder(name, opts),
		parser: expfmt.NewTextParser(model.UTF8Validation),
	}
	if err := p.read(); err != nil {
		return nil, err
	}
	return p.b.result(), nil
}

type promReader struct {
	in     *bufio.Reader
	b      *graphBuilder
	parser expfmt.TextParser
	line   int // lines read

	// The chunk being gathered: the kept lines, the file line of each, and
	// for each sample line the family it names, in order.
	chunk   bytes.Buffer
	lines   []int
	samples []sample
	names   []string // the family names seen
}

type sample struct {
	family string
	line   int
}

func (p *promReader) read() error {
	for {
		text, err := p.in.ReadSlice('\n')
		if len(text) > 0 || err == nil {
			p.line++
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return problem(p.b.file, p.line, "", "", "line longer than %d bytes (raise the limit MaxLineBytes to read it)", cap(text))
		}
		if len(text) > 0 {
			if fam, keep := p.keep(text); keep {
				p.chunk.Write(text)
				if text[len(text)-1] != '\n' {
					p.chunk.WriteByte('\n')
				}
				p.lines = append(p.lines, p.line)
				if fam != "" {
					p.samples = append(p.samples, sample{fam, p.line})
				}
				if len(p.lines) >= chunkLines {
					if err := p.flush(); err != nil {
						return err
					}
				}
			}
		}
		if err == io.EOF {
			return p.flush()
		}
		if err != nil {
			return problem(p.b.file, p.line, "", "", "cannot read: %v", err)
		}
	}
}

// keep reports whether the parser must see a line: a sample of one of
// the two counters (fam is its name) or a HELP or TYPE comment on one.
// It runs on every line of the file, so it works on the bytes and
// allocates only the name of a line it keeps.
func (p *promReader) keep(line []byte) (fam string, keep bool) {
	s := bytes.TrimLeft(line, " \t")
	if rest, ok := bytes.CutPrefix(s, []byte("#")); ok {
		rest = bytes.TrimLeft(rest, " \t")
		if !bytes.HasPrefix(rest, []byte("HELP")) && !bytes.HasPrefix(rest, []byte("TYPE")) {
			return "", false
		}
		f := bytes.Fields(rest[4:])
		return "", len(f) >= 1 && wanted(f[0])
	}
	var name []byte
	if rest, ok := bytes.CutPrefix(s, []byte("{")); ok {
		// A quoted name inside the braces, as the UTF-8 form writes it:
		// {"traces_service_graph_request_total", client="a", ...}.
		rest = bytes.TrimLeft(rest, " \t")
		if q, ok := bytes.CutPrefix(rest, []byte(`"`)); ok {
			if i := bytes.IndexByte(q, '"'); i >= 0 {
				name = q[:i]
			}
		}
	} else {
		end := bytes.IndexAny(s, "{ \t\r\n")
		if end < 0 {
			end = len(s)
		}
		name = s[:end]
	}
	if wanted(name) {
		return p.intern(name), true
	}
	return "", false
}

// intern returns name as a string, the same one for every line of a
// family.
func (p *promReader) intern(name []byte) string {
	for _, n := range p.names {
		if n == string(name) {
			return n
		}
	}
	n := string(name)
	if len(p.names) < 4 { // a hostile file may prefix every line differently
		p.names = append(p.names, n)
	}
	return n
}

func wanted(name []byte) bool {
	for _, w := range [...]string{requestTotal, failedTotal} {
		if rest, ok := bytes.CutSuffix(name, []byte(w)); ok && (len(rest) == 0 || rest[len(rest)-1] == '_') {
			return true
		}
	}
	return false
}

// flush parses the chunk and adds its series to the pairs.
func (p *promReader) flush() error {
	if len(p.lines) == 0 {
		return nil
	}
	families, err := p.parser.TextToMetricFamilies(bytes.NewReader(p.chunk.Bytes()))
	if err != nil {
		var pe expfmt.ParseError
		if errors.As(err, &pe) {
			line := p.line
			if pe.Line >= 1 && pe.Line <= len(p.lines) {
				line = p.lines[pe.Line-1]
			}
			return problem(p.b.file, line, "", "", "invalid metric line: %s", pe.Msg)
		}
		return problem(p.b.file, p.line, "", "", "invalid metrics: %v", err)
	}
	next := make(map[string]int, 2)
	for _, s := range p.samples {
		mf := families[s.family]
		i := next[s.family]
		next[s.family]++
		if mf == nil || i >= len(mf.GetMetric()) {
			// The parser grouped the line into another family or into a
			// histogram or summary of that name.
			return problem(p.b.file, s.line, "", s.family, "not a counter series")
		}
		if err := p.series(s, mf, mf.GetMetric()[i]); err != nil {
			return err
		}
	}
	p.chunk.Reset()
	p.lines, p.samples = p.lines[:0], p.samples[:0]
	return nil
}

// series adds one series: a count of calls, or of failed calls, of one pair.
func (p *promReader) series(s sample, mf *dto.MetricFamily, m *dto.Metric) error {
	var v float64
	switch mf.GetType() {
	case dto.MetricType_COUNTER:
		v = m.GetCounter().GetValue()
	case dto.MetricType_UNTYPED:
		v = m.GetUntyped().GetValue()
	case dto.MetricType_GAUGE:
		v = m.GetGauge().GetValue()
	default:
		return problem(p.b.file, s.line, "", s.family, "is a %s, want a counter", strings.ToLower(mf.GetType().String()))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return problem(p.b.file, s.line, "", s.family, "value %v is not a count of calls", v)
	}
	var client, server, ctype string
	var hasClient, hasServer bool
	for _, l := range m.GetLabel() {
		switch l.GetName() {
		case "client":
			client, hasClient = l.GetValue(), true
		case "server":
			server, hasServer = l.GetValue(), true
		case "connection_type":
			ctype = l.GetValue()
		}
	}
	switch {
	case !hasClient:
		return problem(p.b.file, s.line, "", s.family, "label client is missing")
	case !hasServer:
		return problem(p.b.file, s.line, "", s.family, "label server is missing")
	case client == "":
		return problem(p.b.file, s.line, "", s.family+"{client}", "empty client")
	case server == "":
		return problem(p.b.file, s.line, "", s.family+"{server}", "empty server")
	}
	if strings.HasSuffix(s.family, failedTotal) {
		return p.b.add(client, server, ctype, 0, v, false, s.line)
	}
	return p.b.add(client, server, ctype, v, 0, true, s.line)
}
