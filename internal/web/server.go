// Package web is the web UI of blastradius: the explorer that
// `blastradius serve` opens in a browser. It is a thin HTTP layer over the
// library, like the CLI: every state, chain and figure on the page comes
// from analyze through export's documents (the same JSON documents, with
// the same schemas, as the CLI's --format json), and the drawing is
// export's DOT, laid out in the browser by Graphviz compiled to
// WebAssembly, so the page and `simulate --format svg` agree. The page
// never computes a state itself.
//
// The handlers serve only GET (and HEAD): the server is read-only. Its
// assets are embedded (go:embed): the page's own HTML, JS and CSS under
// assets/, and the third-party code built by scripts/build-web.sh in the
// package generated, so no network is needed at run time.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/web/generated"
)

//go:embed assets
var embedded embed.FS

// MaxWholeDrawing is the largest model, in compiled vertices, the page
// draws whole; larger ones are drawn as the blast radius and one ring of
// context only (Graphviz lays out a few thousand nodes in seconds, not
// 100,000).
const MaxWholeDrawing = 2000

// MaxDrawnAffected is the most affected vertices (Down, Degraded or with
// redundancy lost) the page draws: a larger blast radius is reported in
// the panels, not laid out. On the 100,000-node synthetic catalog a
// typical service's radius is a few dozen; a datastore's can be 77,000,
// which Graphviz cannot lay out in a browser.
const MaxDrawnAffected = 1500

// MaxContext is how many nodes of the ring of context around a blast
// radius the page draws by default (export.GraphOptions.MaxContext): on
// the 100,000-node synthetic catalog the ring around a service's radius
// of 70 can be 474 nodes, and Graphviz's layout of those takes seconds.
// The page says when the ring was cut and draws it whole on request
// (context=all).
const MaxContext = 50

// Loader reads and compiles the model; the server calls it at start and,
// when watching, whenever the file changes.
type Loader func(ctx context.Context) (*graph.Compiled, error)

// Server serves the explorer over one model.
type Server struct {
	load Loader

	mu    sync.RWMutex
	m     *model // the current model
	err   error  // the last reload's error, nil when the current model is the file's
	gen   int    // counts the models loaded, so the page knows when to refresh
	local bool   // bound to a loopback address: other Host headers are refused
}

// model is one loaded model and the results the page asks for again and
// again, computed once.
type model struct {
	c         *graph.Compiled
	once      sync.Once // the model document
	doc       []byte
	rankOnce  sync.Once
	rank      []analyze.Radius
	rankErr   error
	redOnce   sync.Once
	red       *analyze.Redundancy
	redErr    error
	nodeCount int
}

// New loads the model with load and returns a server over it.
func New(ctx context.Context, load Loader) (*Server, error) {
	c, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return &Server{load: load, m: &model{c: c, nodeCount: c.NodeCount()}, gen: 1}, nil
}

// Compiled returns the model the server currently serves.
func (s *Server) Compiled() *graph.Compiled {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m.c
}

// Reload reads the model again. On failure the server keeps the model it
// had, and the page shows the error until a reload succeeds.
func (s *Server) Reload(ctx context.Context) error {
	c, err := s.load(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if err != nil {
		s.err = err
		return err
	}
	s.m, s.err = &model{c: c, nodeCount: c.NodeCount()}, nil
	return nil
}

// Watch reloads the model whenever the file at path changes (its size or
// modification time), checking every interval, until ctx is done. A change
// is read once the file has stayed the same for one interval, so a save
// caught half-written (truncated, then written) is not read. Each reload,
// good or bad, is reported to report (nil: not reported).
func (s *Server) Watch(ctx context.Context, path string, interval time.Duration, report func(error)) {
	stamp := func() string {
		st, err := os.Stat(path)
		if err != nil {
			return "missing"
		}
		return fmt.Sprint(st.Size(), st.ModTime().UnixNano())
	}
	loaded := stamp()
	seen := loaded
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := stamp()
		settled := now == seen
		seen = now
		if !settled || now == loaded {
			continue
		}
		loaded = now
		err := s.Reload(ctx)
		if report != nil {
			report(err)
		}
	}
}

// Local makes the server refuse requests whose Host header is not a
// loopback name or address: a page on another site cannot then reach the
// explorer through a DNS name that points at 127.0.0.1 (DNS rebinding).
// serve sets it when it binds to a loopback address.
func (s *Server) Local(on bool) { s.local = on }

// current returns the model and the generation.
func (s *Server) current() (*model, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m, s.gen, s.err
}

// Handler returns the explorer's handler: the page at /, its assets, and
// the JSON API under /api/ (see the README's "Explore in a browser").
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(embedded, "assets")
	files := http.FileServerFS(static)
	mux.Handle("/", files)
	mux.Handle("/generated/", http.StripPrefix("/generated/", http.FileServerFS(generated.FS)))
	mux.HandleFunc("/api/model", s.api(s.modelDoc))
	mux.HandleFunc("/api/status", s.api(s.status))
	mux.HandleFunc("/api/simulate", s.api(s.simulate))
	mux.HandleFunc("/api/rank", s.api(s.rank))
	mux.HandleFunc("/api/spof", s.api(s.spof))
	mux.HandleFunc("/api/redundancy", s.api(s.redundancy))
	mux.HandleFunc("/api/recover", s.api(s.recover))
	mux.HandleFunc("/api/cutsets", s.api(s.cutsets))
	mux.HandleFunc("/api/audit", s.api(s.audit))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, errors.New("the explorer is read-only: only GET"))
			return
		}
		if s.local && !loopbackHost(r.Host) {
			writeError(w, http.StatusForbidden, fmt.Errorf("host %q is not this machine: the explorer answers on localhost only", r.Host))
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", contentPolicy)
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// contentPolicy lets the page run only its own scripts (and compile
// Graphviz's WebAssembly), talk only to this server and be framed by no
// one: text from a model can never become code.
const contentPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopback reports whether addr (host:port, as --addr takes it) binds to
// a loopback address only; serve warns when it does not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false // ":8080" is every interface
	}
	return loopbackHost(host)
}

// httpError is an error with its status.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

// badRequest is a 400 error, or a 404 when err is an unknown node (its
// message carries the CLI's did-you-mean).
func badRequest(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	var unknown *analyze.UnknownNodeError
	if errors.As(err, &unknown) {
		return &httpError{http.StatusNotFound, err}
	}
	return &httpError{http.StatusBadRequest, err}
}

// reply is what an API handler returns: a body and its content type.
type reply struct {
	typ  string
	body func(w io.Writer) error
}

func jsonReply(f func(w io.Writer) error) reply { return reply{"application/json", f} }

// doc replies with a CLI document: its Markdown when format is markdown,
// else its JSON.
func doc(format string, markdown, json func(w io.Writer) error) reply {
	if format == "markdown" {
		return reply{"text/markdown; charset=utf-8", markdown}
	}
	return jsonReply(json)
}

// target reads the node parameter name (target, owner) as the CLI's
// --target: required, resolved with the CLI's did-you-mean.
func target(r *http.Request, c *graph.Compiled, name, example string) (analyze.Ref, error) {
	t := r.URL.Query().Get(name)
	if t == "" {
		return analyze.Ref{}, badRequest("give %s=ID (e.g. %s=%s)", name, name, example)
	}
	ref, err := analyze.ParseRef(c, t)
	if err != nil {
		return ref, badRequest("%s=%s: %w", name, t, err)
	}
	return ref, nil
}

// api wraps an API handler: it runs against the current model, answers
// errors as JSON ({"error": "..."}), and writes the reply only once it is
// whole, so an error never leaves half a document.
func (s *Server) api(h func(r *http.Request, m *model) (reply, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, _, _ := s.current()
		rep, err := h(r, m)
		var buf strings.Builder
		if err == nil {
			err = rep.body(&buf)
		}
		if err != nil {
			status := http.StatusInternalServerError
			var he *httpError
			if errors.As(err, &he) {
				status = he.status
			} else if errors.Is(err, context.Canceled) {
				return // the page went away
			}
			writeError(w, status, err)
			return
		}
		w.Header().Set("Content-Type", rep.typ)
		io.WriteString(w, buf.String())
	}
}

// ErrorDoc is the body of every error the API answers.
type ErrorDoc struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(ErrorDoc{Error: err.Error()})
}

// format reads the format parameter: json by default, or one of the
// others the endpoint writes.
func format(r *http.Request, others ...string) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" || f == "json" {
		return "json", nil
	}
	for _, o := range others {
		if f == o {
			return f, nil
		}
	}
	return "", badRequest("format=%s: want json or %s", f, strings.Join(others, ", "))
}

// failures reads the fail parameter: comma-separated references, as
// simulate's --fail takes them (fail=site:pangyo,kakao-login), also
// repeated (fail=a&fail=b).
func failures(r *http.Request) []string {
	var refs []string
	for _, v := range r.URL.Query()["fail"] {
		for _, ref := range strings.Split(v, ",") {
			if ref = strings.TrimSpace(ref); ref != "" {
				refs = append(refs, ref)
			}
		}
	}
	return refs
}

// scenario parses the fail parameter as the CLI's --fail.
func scenario(r *http.Request, c *graph.Compiled, need bool) (analyze.Scenario, error) {
	refs := failures(r)
	if need && len(refs) == 0 {
		return analyze.Scenario{}, badRequest("nothing to remove: give fail=ID (e.g. fail=site:pangyo)")
	}
	sc, err := analyze.ParseScenario(c, refs)
	if err != nil {
		return sc, badRequest("fail=%w", err)
	}
	return sc, nil
}

// NodeRecord is one node of the model, for the page's search.
type NodeRecord struct {
	ID          string            `json:"id"`
	Kind        string            `json:"kind"`
	Users       int64             `json:"users,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Description string            `json:"description,omitempty"`
}

// ModelDoc is /api/model: the model's nodes, for the page's search and
// its node panel. It is the explorer's own document (the CLI has no
// command that lists a model); its schema field is blastradius/web-model/v1.
type ModelDoc struct {
	Schema      string `json:"schema"`
	Model       string `json:"model"`
	Description string `json:"description,omitempty"`
	Vertices    int    `json:"vertices"`
	// Whole is whether the page may draw the whole model (at most
	// MaxWholeDrawing vertices).
	Whole bool `json:"whole"`
	// MaxDrawn is MaxDrawnAffected: a larger blast radius is not drawn.
	MaxDrawn int          `json:"max_drawn"`
	Nodes    []NodeRecord `json:"nodes"`
}

func (s *Server) modelDoc(r *http.Request, m *model) (reply, error) {
	m.once.Do(func() {
		c := m.c
		doc := ModelDoc{Schema: "blastradius/web-model/v1", Model: c.Name(), Description: c.Description(),
			Vertices: c.Len(), Whole: c.Len() <= MaxWholeDrawing, MaxDrawn: MaxDrawnAffected, Nodes: make([]NodeRecord, 0, c.NodeCount())}
		for v := int32(0); v < int32(c.NodeCount()); v++ {
			doc.Nodes = append(doc.Nodes, NodeRecord{ID: c.VertexName(v), Kind: c.Kind(v).String(),
				Users: c.Users(v), Labels: c.Labels(v), Description: c.NodeDescription(v)})
		}
		m.doc, _ = json.Marshal(doc)
	})
	return jsonReply(func(w io.Writer) error { _, err := w.Write(m.doc); return err }), nil
}

// StatusDoc is /api/status: which model is loaded, and the last reload's
// error; the page polls it to redraw when the file changes (--watch).
type StatusDoc struct {
	Generation int    `json:"generation"`
	Model      string `json:"model"`
	Error      string `json:"error,omitempty"`
}

func (s *Server) status(r *http.Request, _ *model) (reply, error) {
	m, gen, err := s.current()
	doc := StatusDoc{Generation: gen, Model: m.c.Name()}
	if err != nil {
		doc.Error = err.Error()
	}
	return jsonReply(func(w io.Writer) error { return json.NewEncoder(w).Encode(doc) }), nil
}

// simulate is /api/simulate?fail=...: the outcome as simulate --format
// json (format=markdown, table), or its drawing (format=dot, with
// focus=1 for the blast radius and one ring of context, of at most
// context=N nodes: MaxContext by default, context=all for the whole ring).
func (s *Server) simulate(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown", "table", "dot")
	if err != nil {
		return reply{}, err
	}
	sc, err := scenario(r, m.c, false)
	if err != nil {
		return reply{}, err
	}
	focus := r.URL.Query().Get("focus") != "0"
	maxContext := MaxContext
	switch v := r.URL.Query().Get("context"); v {
	case "":
	case "all":
		maxContext = 0
	default:
		if maxContext, err = strconv.Atoi(v); err != nil || maxContext < 1 {
			return reply{}, badRequest("context=%s: want a number of nodes (1 or more) or all", v)
		}
	}
	if f == "dot" && !focus && m.c.Len() > MaxWholeDrawing {
		return reply{}, badRequest("focus=0: the model has %d vertices, too many to draw whole (at most %d): draw its blast radius (focus=1)", m.c.Len(), MaxWholeDrawing)
	}
	o, err := analyze.Simulate(r.Context(), m.c, sc)
	if err != nil {
		return reply{}, err
	}
	if f == "dot" && o.Len() > MaxDrawnAffected && m.c.Len() > MaxWholeDrawing {
		return reply{}, &httpError{http.StatusUnprocessableEntity, fmt.Errorf("%d vertices affected, too many to draw (at most %d): the panels list them", o.Len(), MaxDrawnAffected)}
	}
	switch f {
	case "markdown":
		return reply{"text/markdown; charset=utf-8", func(w io.Writer) error { return export.Markdown(w, o) }}, nil
	case "table":
		return reply{"text/plain; charset=utf-8", func(w io.Writer) error { return export.Table(w, o, export.TableOptions{}) }}, nil
	case "dot":
		return reply{"text/vnd.graphviz; charset=utf-8", func(w io.Writer) error {
			return export.DOT(w, o, export.GraphOptions{Focus: focus, MaxContext: maxContext})
		}}, nil
	}
	return jsonReply(func(w io.Writer) error { return export.JSON(w, o) }), nil
}

// rank is /api/rank?top=N: rank's document, computed once per model.
func (s *Server) rank(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown")
	if err != nil {
		return reply{}, err
	}
	top := 0
	if t := r.URL.Query().Get("top"); t != "" {
		if top, err = strconv.Atoi(t); err != nil || top < 0 {
			return reply{}, badRequest("top=%s: want 0 (all) or more", t)
		}
	}
	m.rankOnce.Do(func() {
		// Computed for the model, not for one request: a page that goes
		// away must not leave the next one with a cancelled ranking.
		m.rank, m.rankErr = analyze.Rank(context.WithoutCancel(r.Context()), m.c, analyze.RankOptions{})
	})
	if m.rankErr != nil {
		return reply{}, m.rankErr
	}
	radii := m.rank
	if top > 0 && top < len(radii) {
		radii = radii[:top]
	}
	return doc(f, func(w io.Writer) error { return export.RankMarkdown(w, m.c, radii) }, func(w io.Writer) error { return export.RankJSON(w, m.c, radii) }), nil
}

// spof is /api/spof?target=ID: spof's document.
func (s *Server) spof(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown")
	if err != nil {
		return reply{}, err
	}
	ref, err := target(r, m.c, "target", "kakao-games")
	if err != nil {
		return reply{}, err
	}
	t := r.URL.Query().Get("target")
	if ref.Replica {
		node, _, _ := strings.Cut(ref.ID, "@")
		return reply{}, badRequest("target=%s: %q is a replica: single points of failure are found for nodes; give target=%s", t, ref.ID, node)
	}
	spofs, err := analyze.SPOFs(r.Context(), m.c, ref.ID)
	if err != nil {
		return reply{}, badRequest("target=%s: %w", t, err)
	}
	return doc(f, func(w io.Writer) error { return export.SPOFMarkdown(w, m.c, ref.ID, spofs) }, func(w io.Writer) error { return export.SPOFJSON(w, m.c, ref.ID, spofs) }), nil
}

// redundancy is /api/redundancy: redundancy's document, computed once per
// model.
func (s *Server) redundancy(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown")
	if err != nil {
		return reply{}, err
	}
	m.redOnce.Do(func() {
		m.red, m.redErr = analyze.RedundancyRate(context.WithoutCancel(r.Context()), m.c)
	})
	if m.redErr != nil {
		return reply{}, m.redErr
	}
	return doc(f, func(w io.Writer) error { return export.RedundancyMarkdown(w, m.c, m.red) }, func(w io.Writer) error { return export.RedundancyJSON(w, m.c, m.red) }), nil
}

// recover is /api/recover?fail=...&for=11h: recover's timeline, every
// failure repaired after the same time (format=svg: its Gantt chart, as
// recover --format svg).
func (s *Server) recover(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown", "svg")
	if err != nil {
		return reply{}, err
	}
	sc, err := scenario(r, m.c, true)
	if err != nil {
		return reply{}, err
	}
	q := r.URL.Query().Get("for")
	if q == "" {
		return reply{}, badRequest("give for=DURATION, the repair time (e.g. for=11h)")
	}
	d, err := graph.ParseDuration(q)
	if err != nil || d <= 0 {
		return reply{}, badRequest("for=%s: not a repair time: write 90m, 11h, 1h30m or 3d", q)
	}
	if d > analyze.DefaultHorizon {
		return reply{}, badRequest("for=%s: longer than the horizon of %s", q, export.Hours(analyze.DefaultHorizon))
	}
	for i := range sc.Failures {
		sc.Failures[i].For = d
	}
	tl, err := analyze.Recover(r.Context(), m.c, sc, analyze.RecoverOptions{})
	if err != nil {
		return reply{}, err
	}
	topts := export.TimelineOptions{MaxRows: 60}
	switch f {
	case "svg":
		return reply{"image/svg+xml", func(w io.Writer) error { return export.TimelineSVG(w, tl, topts) }}, nil
	case "markdown":
		return reply{"text/markdown; charset=utf-8", func(w io.Writer) error { return export.TimelineMarkdown(w, tl, topts) }}, nil
	}
	return jsonReply(func(w io.Writer) error { return export.TimelineJSON(w, tl) }), nil
}

// order reads the order parameter, 2 by default, as cutsets' and audit's
// --order.
func order(r *http.Request) (int, error) {
	q := r.URL.Query().Get("order")
	if q == "" {
		return 2, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > analyze.MaxCutOrder {
		return 0, badRequest("order=%s: want 1 to %d", q, analyze.MaxCutOrder)
	}
	return n, nil
}

// pageLimit bounds what one request of the page finds: the cut sets of
// a node, the defeats of each claim (the documents say when they stop).
const pageLimit = 100

// cutsets is /api/cutsets?target=ID&order=2: cutsets' document, at most
// 100 cut sets (the document says up to which order it is complete).
func (s *Server) cutsets(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown")
	if err != nil {
		return reply{}, err
	}
	n, err := order(r)
	if err != nil {
		return reply{}, err
	}
	ref, err := target(r, m.c, "target", "kakao-games")
	if err != nil {
		return reply{}, err
	}
	t := r.URL.Query().Get("target")
	res, err := analyze.CutSets(r.Context(), m.c, ref.ID, analyze.CutSetOptions{MaxOrder: n, Limit: pageLimit})
	if err != nil {
		return reply{}, badRequest("target=%s: %w", t, err)
	}
	return doc(f, func(w io.Writer) error { return export.CutSetMarkdown(w, m.c, res) }, func(w io.Writer) error { return export.CutSetJSON(w, m.c, res) }), nil
}

// explainedHook, set by a test only, sees each audit the page serves
// (its format, and the result with the chains it built).
var explainedHook func(format string, res *analyze.AuditResult)

// audit is /api/audit?owner=ID&order=2: audit's document for the claims
// of one node (the selected one), as audit --owner ID.
func (s *Server) audit(r *http.Request, m *model) (reply, error) {
	f, err := format(r, "markdown")
	if err != nil {
		return reply{}, err
	}
	n, err := order(r)
	if err != nil {
		return reply{}, err
	}
	if _, err := target(r, m.c, "owner", "kakaotalk"); err != nil {
		return reply{}, err
	}
	owner := r.URL.Query().Get("owner")
	res, err := analyze.Audit(r.Context(), m.c, analyze.AuditOptions{MaxOrder: n, Owners: []string{owner}, Limit: pageLimit, NoChains: true})
	if err != nil {
		return reply{}, badRequest("owner=%s: %w", owner, err)
	}
	// The chains of what the document shows, as the CLI builds them:
	// the Markdown's claims (export.AuditShown), or every claim of the
	// JSON, which gives them all.
	shown := export.AuditShown(res)
	if f != "markdown" {
		shown = make([]int, len(res.Claims))
		for i := range shown {
			shown[i] = i
		}
	}
	if err := res.Explain(r.Context(), m.c, shown...); err != nil {
		return reply{}, err
	}
	if explainedHook != nil {
		explainedHook(f, res)
	}
	return doc(f, func(w io.Writer) error { return export.AuditMarkdown(w, m.c, res) }, func(w io.Writer) error { return export.AuditJSON(w, m.c, res) }), nil
}
