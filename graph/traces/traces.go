package traces

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Options say how a service graph becomes dependencies, and bound the work.
// The zero Options keeps every edge, hard, within the default limits.
type Options struct {
	// SoftAbove, when in (0, 1], makes the dependency of a pair whose
	// failed share (failed calls / calls) is at least SoftAbove soft (uses)
	// instead of hard (requires). 0 keeps every dependency hard.
	SoftAbove float64
	// MinCalls leaves out pairs with fewer calls (noise: a health check run
	// by hand, a test request); they are counted in one Finding.
	MinCalls int64
	// MaxEdges bounds the distinct client→server pairs; more is an error.
	// 0 means DefaultMaxEdges.
	MaxEdges int
	// MaxLineBytes bounds one line of a metric file (one record of Jaeger
	// JSON is bounded by it too); a longer one is an error. 0 means
	// DefaultMaxLineBytes.
	MaxLineBytes int
}

// The default limits.
const (
	DefaultMaxEdges     = 1_000_000
	DefaultMaxLineBytes = 1 << 20
)

func (o Options) maxEdges() int {
	if o.MaxEdges > 0 {
		return o.MaxEdges
	}
	return DefaultMaxEdges
}

func (o Options) maxLine() int {
	if o.MaxLineBytes > 0 {
		return o.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (o Options) check(name string) error {
	if math.IsNaN(o.SoftAbove) || o.SoftAbove < 0 || o.SoftAbove > 1 {
		return problem(name, 0, "", "SoftAbove", "share %v is not between 0 and 1", o.SoftAbove)
	}
	if o.MinCalls < 0 || o.MaxEdges < 0 || o.MaxLineBytes < 0 {
		return problem(name, 0, "", "Options", "a limit is negative")
	}
	return nil
}

// Read reads the service graph in the file at path: Jaeger's dependencies
// JSON when its first character other than white space is '{' or '[', the
// Prometheus text format otherwise. (A metric file whose first line is a
// series with a quoted name, {"name", ...}, must be read with
// ReadPrometheus; scrapes start with a comment or a plain name.)
func Read(path string, opts Options) (*importer.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	// Peek, not read: the reader chosen must count lines from the start.
scan:
	for i := 1; i <= 64<<10; i++ {
		b, _ := r.Peek(i)
		if len(b) < i {
			break
		}
		switch b[i-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return ReadJaeger(r, path, opts)
		default:
			break scan
		}
	}
	return ReadPrometheus(r, path, opts)
}

// problem returns a *graph.ValidationError holding one problem.
func problem(file string, line int, node, field, format string, args ...any) error {
	return &graph.ValidationError{Problems: []graph.Problem{{
		Pos: graph.Pos{File: file, Line: line}, Node: node, Field: field, Msg: fmt.Sprintf(format, args...),
	}}}
}

// pair is a client→server pair as the source names it.
type pair struct{ from, to string }

// edge sums what the source says about one pair.
type edge struct {
	calls, failed float64
	ctype         string
	line          int // the first line (or record) of the pair
	callsSeen     bool
}

// graphBuilder collects the pairs of one input in the order first seen and
// turns them into a Result.
type graphBuilder struct {
	file  string
	opts  Options
	edges map[pair]*edge
	order []pair
	res   importer.Result
}

func newBuilder(file string, opts Options) *graphBuilder {
	return &graphBuilder{file: file, opts: opts, edges: make(map[pair]*edge), res: importer.Result{Source: "traces"}}
}

// add records calls and failed calls of from→to seen at line; it returns
// an error when the pair is one more than MaxEdges allows.
func (b *graphBuilder) add(from, to, ctype string, calls, failed float64, callsSeen bool, line int) error {
	k := pair{from, to}
	e := b.edges[k]
	if e == nil {
		if len(b.order) >= b.opts.maxEdges() {
			return problem(b.file, line, "", "", "more than %d client→server pairs (raise the limit MaxEdges to read more)", b.opts.maxEdges())
		}
		e = &edge{line: line}
		b.edges[k] = e
		b.order = append(b.order, k)
	}
	e.calls += calls
	e.failed += failed
	e.callsSeen = e.callsSeen || callsSeen
	if ctype != "" && e.ctype == "" {
		e.ctype = ctype
	} else if ctype != "" && ctype != e.ctype {
		b.finding(line, to, fmt.Sprintf("%s→%s is also called with connection_type %q; kept %q", from, to, ctype, e.ctype))
	}
	return nil
}

func (b *graphBuilder) finding(line int, node, msg string) {
	b.res.Findings = append(b.res.Findings, importer.Finding{Pos: graph.Pos{File: b.file, Line: line}, Node: node, Message: msg})
}

// count turns a summed float count into an int64, saturating.
func count(f float64) int64 {
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Round(f))
}

// result builds the Result: nodes in the order first seen (each client
// before its server), one dependency per kept pair.
func (b *graphBuilder) result() *importer.Result {
	index := make(map[string]int) // id → index in res.Nodes
	renamed := make(map[string]string)
	node := func(name string, line int) int {
		if i, ok := index[name]; ok {
			return i
		}
		id := nodeID(name)
		if id != name {
			if _, done := renamed[name]; !done {
				renamed[name] = id
				b.finding(line, id, fmt.Sprintf("service name %q is not a valid node id: named %q", name, id))
			}
			if i, ok := index[id]; ok {
				index[name] = i
				return i
			}
		}
		index[name], index[id] = len(b.res.Nodes), len(b.res.Nodes)
		b.res.Nodes = append(b.res.Nodes, graph.Node{ID: id, Kind: graph.Service, Pos: graph.Pos{File: b.file, Line: line}})
		return len(b.res.Nodes) - 1
	}
	fewer := 0
	for _, k := range b.order {
		e := b.edges[k]
		calls, failed := count(e.calls), count(e.failed)
		if !e.callsSeen {
			calls = max(calls, failed)
		}
		if calls < b.opts.MinCalls {
			fewer++
			continue
		}
		if !e.callsSeen {
			b.finding(e.line, nodeID(k.from), fmt.Sprintf("%s→%s: failed calls but no request count; the calls are taken to be the failed ones", k.from, k.to))
		}
		from, to := node(k.from, e.line), node(k.to, e.line)
		fromID, toID := b.res.Nodes[from].ID, b.res.Nodes[to].ID
		switch e.ctype {
		case "database":
			b.setKind(to, graph.Datastore, e)
		case "messaging_system":
			b.setKind(to, graph.Queue, e)
		case "", "virtual_node":
		default:
			// Said, so that a misspelt type does not silently leave a
			// database a service.
			b.finding(e.line, toID, fmt.Sprintf("%s→%s: connection_type %q is none the servicegraph connector writes (%s): read as a plain call%s",
				k.from, k.to, e.ctype, strings.Join(connectionTypes, ", "), yamltree.DidYouMean(e.ctype, connectionTypes)))
		}
		pos := graph.Pos{File: b.file, Line: e.line}
		b.res.Observed = append(b.res.Observed, importer.Edge{From: fromID, To: toID, Calls: calls, Failed: failed, ConnectionType: e.ctype, Pos: pos})
		if from == to {
			b.finding(e.line, fromID, fmt.Sprintf("%s calls itself: no dependency (a node cannot require itself)", fromID))
			continue
		}
		dep := graph.On(toID)
		dep.Pos, dep.Members[0].Pos = pos, pos
		n := &b.res.Nodes[from]
		if b.soft(calls, failed) {
			n.Uses = appendDep(n.Uses, dep)
		} else {
			n.Requires = appendDep(n.Requires, dep)
		}
	}
	if fewer > 0 {
		b.finding(0, "", fmt.Sprintf("client→server pairs with fewer than %d calls left out: %d", b.opts.MinCalls, fewer))
	}
	slices.SortStableFunc(b.res.Findings, func(x, y importer.Finding) int { return cmp.Compare(x.Pos.Line, y.Pos.Line) })
	return &b.res
}

// connectionTypes are the values of connection_type the servicegraph
// connector writes besides "" (a plain call).
var connectionTypes = []string{"database", "messaging_system", "virtual_node"}

// appendDep appends a plain dependency unless one on the same node is
// there already (two source names mapped to one id).
func appendDep(deps []graph.Dep, d graph.Dep) []graph.Dep {
	for _, x := range deps {
		if x.Members[0].ID == d.Members[0].ID {
			return deps
		}
	}
	return append(deps, d)
}

func (b *graphBuilder) soft(calls, failed int64) bool {
	return b.opts.SoftAbove > 0 && calls > 0 && float64(failed)/float64(calls) >= b.opts.SoftAbove
}

// setKind makes node i a datastore or queue: the first connection type
// that says wins, and a later one that says otherwise is a Finding.
func (b *graphBuilder) setKind(i int, k graph.Kind, e *edge) {
	n := &b.res.Nodes[i]
	switch n.Kind {
	case k:
	case graph.Service:
		n.Kind = k
	default:
		b.finding(e.line, n.ID, fmt.Sprintf("called as a %s and as a %s (connection_type %q): kept %s", n.Kind, k, e.ctype, n.Kind))
	}
}

// nodeID maps a service name to a node id by importer.MapName, the one
// mapping Merge applies to every source's names, so that a finding names
// the id the model has; a name with nothing an id can hold is "unnamed".
func nodeID(name string) string {
	if id := importer.MapName(name); id != "" {
		return id
	}
	return "unnamed"
}
