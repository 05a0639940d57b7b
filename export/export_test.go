package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gdot "gonum.org/v1/gonum/graph/formats/dot"
	"gonum.org/v1/gonum/graph/formats/dot/ast"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// reference returns the outcome of removing Pangyo from a reference model
// (kakao-2022 or naver-2022).
func reference(t testing.TB, model string) *analyze.Outcome {
	t.Helper()
	o, err := analyze.Simulate(context.Background(), compiledFile(t, model), analyze.Fail("pangyo"))
	require.NoError(t, err)
	return o
}

// awkward is a model whose names and text hold what every format must
// escape: quotes, backslashes, pipes, markup, control characters, ids that
// only differ in punctuation, an id that is a number.
func awkward(t testing.TB) *analyze.Outcome {
	t.Helper()
	var m graph.Model
	m.Name = "awk\"ward | <b>*model*</b> \\ `x` #1"
	m.Add(
		graph.Node{ID: "r/1", Kind: graph.Region, Description: "a \"region\"\twith a tab"},
		graph.Node{ID: "dc.1", Kind: graph.Site, Region: "r/1", Description: "line one\nline two \\n not a newline"},
		graph.Node{ID: "dc_1", Kind: graph.Site, Region: "r/1"},
		graph.Node{ID: "end", Kind: graph.Site},
		graph.Node{ID: "a-b", Kind: graph.Service, Users: 1500, Site: "dc.1", Description: "<html> & \"quotes\" | pipes \x07 bell"},
		graph.Node{ID: "a_b", Kind: graph.Service, Users: 2_500_000, Site: "dc_1", Requires: graph.All("a-b")},
		graph.Node{ID: "2022", Kind: graph.Datastore, Replicas: []graph.Replica{{Site: "dc.1"}, {Site: "dc_1"}, {Site: "end", Standby: graph.Cold}}},
		graph.Node{ID: "o", Kind: graph.Queue, Site: "end"},
		graph.Node{ID: "x", Kind: graph.External},
		graph.Node{ID: "graph", Kind: graph.Identity,
			Requires: []graph.Dep{graph.AtLeast(2, "2022", "a_b", "o"), graph.AnyOf("a-b", "x")},
			Uses:     []graph.Dep{graph.AnyOf("a_b", "o")}},
		graph.Node{ID: "subgraph", Kind: graph.Service, Users: 10, Site: "end",
			Requires: []graph.Dep{graph.Capacity(50, 20, graph.Member{ID: "a-b", Weight: 60}, graph.Member{ID: "o", Weight: 40})},
			Uses:     graph.All("graph")},
	)
	c, err := graph.Compile(&m)
	require.NoError(t, err)
	o, err := analyze.Simulate(context.Background(), c, analyze.Scenario{Failures: []analyze.Failure{{ID: "dc.1", For: 11 * time.Hour}}})
	require.NoError(t, err)
	return o
}

// smallSynth is a synthetic model with a failure that reaches a few
// vertices: what --focus is for.
func smallSynth(t testing.TB, n int) *analyze.Outcome {
	t.Helper()
	c, err := graph.Compile(synth.Services(synth.Default(n, 7)))
	require.NoError(t, err)
	// The last service: few things depend on it.
	o, err := analyze.Simulate(context.Background(), c, analyze.Fail(c.VertexName(int32(c.NodeCount()-1))))
	require.NoError(t, err)
	return o
}

type drawing struct {
	name string
	o    func(testing.TB) *analyze.Outcome
	opts export.GraphOptions
}

func drawings() []drawing {
	kakao := func(t testing.TB) *analyze.Outcome { return reference(t, "kakao-2022") }
	naver := func(t testing.TB) *analyze.Outcome { return reference(t, "naver-2022") }
	return []drawing{
		{"kakao-2022-pangyo", kakao, export.GraphOptions{}},
		{"kakao-2022-pangyo-focus", kakao, export.GraphOptions{Focus: true}},
		{"kakao-2022-pangyo-tb", kakao, export.GraphOptions{RankDir: export.TopBottom}},
		{"naver-2022-pangyo", naver, export.GraphOptions{}},
		{"naver-2022-pangyo-focus", naver, export.GraphOptions{Focus: true}},
		{"awkward", awkward, export.GraphOptions{}},
		{"awkward-focus", awkward, export.GraphOptions{Focus: true}},
		{"synth-focus", func(t testing.TB) *analyze.Outcome { return smallSynth(t, 2_000) }, export.GraphOptions{Focus: true}},
	}
}

func write(t testing.TB, f func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, f(&b))
	return b.Bytes()
}

// Every format, on both reference models and on the awkward one, against
// golden files under testdata/golden/export (go test -update rewrites them).
func TestGolden(t *testing.T) {
	outcomes := map[string]*analyze.Outcome{
		"kakao-2022-pangyo": reference(t, "kakao-2022"),
		"naver-2022-pangyo": reference(t, "naver-2022"),
		"awkward":           awkward(t),
	}
	for name, o := range outcomes {
		formats := map[string]func(io.Writer) error{
			".txt":       func(w io.Writer) error { return export.Table(w, o, export.TableOptions{Replicas: true}) },
			".json":      func(w io.Writer) error { return export.JSON(w, o) },
			".md":        func(w io.Writer) error { return export.Markdown(w, o) },
			".mmd":       func(w io.Writer) error { return export.Mermaid(w, o, export.GraphOptions{}) },
			"-focus.mmd": func(w io.Writer) error { return export.Mermaid(w, o, export.GraphOptions{Focus: true}) },
			".dot":       func(w io.Writer) error { return export.DOT(w, o, export.GraphOptions{}) },
			"-focus.dot": func(w io.Writer) error { return export.DOT(w, o, export.GraphOptions{Focus: true}) },
		}
		for ext, f := range formats {
			t.Run(name+ext, func(t *testing.T) {
				golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", name+ext), write(t, f))
			})
		}
	}
}

// The same model and scenario give the same bytes, compiled anew.
func TestDeterministic(t *testing.T) {
	for _, d := range drawings() {
		a := write(t, func(w io.Writer) error { return export.DOT(w, d.o(t), d.opts) })
		b := write(t, func(w io.Writer) error { return export.DOT(w, d.o(t), d.opts) })
		assert.Equal(t, string(a), string(b), d.name)
		a = write(t, func(w io.Writer) error { return export.Mermaid(w, d.o(t), d.opts) })
		b = write(t, func(w io.Writer) error { return export.Mermaid(w, d.o(t), d.opts) })
		assert.Equal(t, string(a), string(b), d.name)
	}
}

// dotNode is a node statement of a parsed DOT file with the clusters it
// sits in, outermost first.
type dotNode struct {
	clusters []string
	attrs    map[string]string
}

func unquote(s string) string {
	if strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// parseDOT parses src with gonum's DOT parser and returns its node
// statements by id and its edges as "from -> to".
func parseDOT(t *testing.T, src []byte) (map[string]dotNode, []string) {
	t.Helper()
	f, err := gdot.ParseBytes(src)
	require.NoError(t, err, "gonum's DOT parser")
	require.Len(t, f.Graphs, 1)
	g := f.Graphs[0]
	require.True(t, g.Directed)
	nodes := make(map[string]dotNode)
	var edges []string
	var walk func(stmts []ast.Stmt, clusters []string)
	walk = func(stmts []ast.Stmt, clusters []string) {
		for _, s := range stmts {
			switch s := s.(type) {
			case *ast.NodeStmt:
				id := unquote(s.Node.ID)
				_, dup := nodes[id]
				require.False(t, dup, "node %q declared twice", id)
				attrs := make(map[string]string)
				for _, a := range s.Attrs {
					attrs[a.Key] = a.Val
				}
				nodes[id] = dotNode{clusters: clusters, attrs: attrs}
			case *ast.EdgeStmt:
				from, ok := s.From.(*ast.Node)
				require.True(t, ok)
				to, ok := s.To.Vertex.(*ast.Node)
				require.True(t, ok)
				edges = append(edges, unquote(from.ID)+" -> "+unquote(to.ID))
			case *ast.Subgraph:
				walk(s.Stmts, append(clusters[:len(clusters):len(clusters)], unquote(s.ID)))
			}
		}
	}
	walk(g.Stmts, nil)
	return nodes, edges
}

// Every DOT drawing parses with gonum's DOT parser, declares each node
// once, in the cluster the drawing rules give it, and declares every node
// an edge ends at.
func TestDOTParses(t *testing.T) {
	for _, d := range drawings() {
		t.Run(d.name, func(t *testing.T) {
			o := d.o(t)
			nodes, edges := parseDOT(t, write(t, func(w io.Writer) error { return export.DOT(w, o, d.opts) }))
			for _, e := range edges {
				from, to, _ := strings.Cut(e, " -> ")
				assert.Contains(t, nodes, from, e)
				assert.Contains(t, nodes, to, e)
			}
			// Every node that is not plainly Up is drawn, in its state's colour.
			for _, e := range o.Effects() {
				if assert.Contains(t, nodes, e.ID) {
					assert.NotEmpty(t, nodes[e.ID].attrs["fillcolor"], e.ID)
					assert.Contains(t, nodes[e.ID].attrs["tooltip"], e.State.String(), e.ID)
				}
			}
			assert.Contains(t, nodes, "~legend")
		})
	}
	o := reference(t, "kakao-2022")
	nodes, _ := parseDOT(t, write(t, func(w io.Writer) error { return export.DOT(w, o, export.GraphOptions{}) }))
	where := func(id string) string { return strings.Join(nodes[id].clusters, " / ") }
	pangyo := "cluster_region capital / cluster_site pangyo"
	assert.Equal(t, pangyo, where("pangyo"), "a site in its own cluster")
	assert.Equal(t, pangyo, where("pangyo-power"), "what only the site needs goes with it")
	assert.Equal(t, pangyo, where("kakaotalk@pangyo"), "a replica at its site")
	assert.Equal(t, pangyo, where("talk-drawer"), "a node at one site")
	assert.Equal(t, "cluster_region capital", where("kakaotalk"), "replicas at several sites of one region")
	assert.Equal(t, "cluster_region capital", where("kakao-login"), "placed nowhere, used across the region")
	assert.Equal(t, "cluster_region capital", where("capital"))
	assert.Equal(t, "", where("~legend"))
	assert.Equal(t, `"2"`, nodes["pangyo"].attrs["peripheries"], "removed: double border")
	assert.Contains(t, nodes["kakao-games"].attrs["tooltip"], "kakao-login → kakaotalk → kakaotalk@pangyo → pangyo")
	assert.Contains(t, nodes["kakaobank"].attrs["tooltip"], "uses kakaobank-group-invite → kakaotalk")
}

// dotOnPath returns the path of Graphviz's dot, skipping the test when it
// is missing, unless CI=true: CI installs Graphviz, so there it must run.
func dotOnPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("dot")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Graphviz's dot is not on PATH, and CI=true requires this test: %v (install: apt-get install graphviz)", err)
		}
		t.Skipf("Graphviz's dot is not on PATH (apt-get install graphviz): %v", err)
	}
	return path
}

// isSVG checks that b is an XML document with an <svg> root.
func isSVG(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	assert.Equal(t, "svg", root)
}

// Graphviz itself lays out and renders every DOT drawing, with no warning.
func TestDOTGraphviz(t *testing.T) {
	dot := dotOnPath(t)
	for _, d := range drawings() {
		t.Run(d.name, func(t *testing.T) {
			src := write(t, func(w io.Writer) error { return export.DOT(w, d.o(t), d.opts) })
			var out, errOut bytes.Buffer
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(src), &out, &errOut
			require.NoError(t, cmd.Run(), errOut.String())
			assert.Empty(t, errOut.String(), "Graphviz warnings")
			isSVG(t, out.Bytes())
		})
	}
}

func TestRender(t *testing.T) {
	o := reference(t, "kakao-2022")
	src := write(t, func(w io.Writer) error { return export.DOT(w, o, export.GraphOptions{Focus: true}) })
	t.Run("svg", func(t *testing.T) {
		dotOnPath(t)
		svg := write(t, func(w io.Writer) error {
			return export.Render(context.Background(), w, bytes.NewReader(src), export.SVG)
		})
		isSVG(t, svg)
		// Graphviz writes - as &#45; in SVG.
		assert.True(t, bytes.Contains(svg, []byte("kakaotalk → kakaotalk@pangyo → pangyo")), "tooltips reach the SVG")
	})
	t.Run("png", func(t *testing.T) {
		dotOnPath(t)
		png := write(t, func(w io.Writer) error {
			return export.Render(context.Background(), w, bytes.NewReader(src), export.PNG)
		})
		assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "PNG signature")
	})
	t.Run("bad dot", func(t *testing.T) {
		dotOnPath(t)
		err := export.Render(context.Background(), io.Discard, strings.NewReader("digraph { a -> }"), export.SVG)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "syntax error")
	})
	t.Run("no graphviz", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := export.Render(context.Background(), io.Discard, bytes.NewReader(src), export.SVG)
		require.ErrorIs(t, err, export.ErrNoGraphviz)
		assert.Contains(t, err.Error(), "apt-get install graphviz")
	})
	t.Run("bad format", func(t *testing.T) {
		err := export.Render(context.Background(), io.Discard, bytes.NewReader(src), "gif")
		require.Error(t, err)
	})
}

func TestBadRankDir(t *testing.T) {
	o := reference(t, "naver-2022")
	require.Error(t, export.DOT(io.Discard, o, export.GraphOptions{RankDir: "RL"}))
	require.Error(t, export.Mermaid(io.Discard, o, export.GraphOptions{RankDir: "sideways"}))
}

var (
	mermaidID   = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	mermaidNode = regexp.MustCompile(`^\s*(n_\w+)(\(|\{\{|\[\(|>|\(\[|\[/|\[\[|\[\\|\{)"(.*)"(\)|\}\}|\)\]|\]|\]\)|\\\]|\]\]|/\]|\})$`)
	mermaidEdge = regexp.MustCompile(`^\s*(n_\w+) (-->|-\.->|--o)(\|"[^"]*"\|)? (n_\w+)$`)
)

// The Mermaid drawings are well formed: ids are plain words, every node is
// declared once, labels hold no raw quote, subgraphs close, and the class
// and linkStyle lines name declared nodes and existing links. (The
// drawings were also checked with Mermaid's own parser, mermaid.parse of
// mermaid 11, when this was written: see the README.)
func TestMermaidWellFormed(t *testing.T) {
	for _, d := range drawings() {
		t.Run(d.name, func(t *testing.T) {
			o := d.o(t)
			src := string(write(t, func(w io.Writer) error { return export.Mermaid(w, o, d.opts) }))
			lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
			require.Equal(t, "---", lines[0])
			require.True(t, strings.HasPrefix(lines[1], `title: "`))
			require.Equal(t, "---", lines[2])
			require.Regexp(t, `^flowchart (LR|TB)$`, lines[3])
			declared := map[string]bool{}
			links, depth := 0, 0
			for _, l := range lines[4:] {
				s := strings.TrimSpace(l)
				switch {
				case strings.HasPrefix(s, "%%"), strings.HasPrefix(s, "classDef "), strings.HasPrefix(s, "style c_"):
				case strings.HasPrefix(s, "subgraph "):
					depth++
					require.Regexp(t, `^subgraph c_\w+\["[^"]*"\]$`, s)
				case s == "end":
					depth--
					require.GreaterOrEqual(t, depth, 0)
				case strings.HasPrefix(s, "class "):
					f := strings.Fields(s)
					require.Len(t, f, 3, s)
					for _, id := range strings.Split(f[1], ",") {
						assert.True(t, declared[id], "class names undeclared %q", id)
					}
				case strings.HasPrefix(s, "linkStyle "):
					f := strings.Fields(s)
					for _, n := range strings.Split(f[1], ",") {
						i, err := strconv.Atoi(n)
						require.NoError(t, err)
						assert.Less(t, i, links)
					}
				case mermaidEdge.MatchString(s):
					m := mermaidEdge.FindStringSubmatch(s)
					assert.True(t, declared[m[1]], s)
					assert.True(t, declared[m[4]], s)
					links++
				default:
					m := mermaidNode.FindStringSubmatch(s)
					require.NotNil(t, m, "unexpected line %q", l)
					assert.Regexp(t, mermaidID, m[1])
					assert.False(t, declared[m[1]], "declared twice: %s", m[1])
					assert.NotContains(t, m[3], `"`, "raw quote in a label")
					declared[m[1]] = true
				}
			}
			assert.Equal(t, 0, depth, "every subgraph ends")
			for _, e := range o.Effects() {
				assert.Contains(t, src, e.ID+"<br/>", "every affected node is drawn: %s", e.ID)
			}
		})
	}
}

// Each Markdown table row has as many cells as its header: no pipe from a
// model breaks a table.
func TestMarkdownTables(t *testing.T) {
	for _, o := range []*analyze.Outcome{reference(t, "kakao-2022"), reference(t, "naver-2022"), awkward(t)} {
		md := string(write(t, func(w io.Writer) error { return export.Markdown(w, o) }))
		cols := 0
		for _, l := range strings.Split(md, "\n") {
			if !strings.HasPrefix(l, "|") {
				cols = 0
				continue
			}
			n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1))
			if cols == 0 {
				cols = n
			}
			assert.Equal(t, cols, n, "cells in %q", l)
		}
		assert.Contains(t, md, "## Cause chains")
	}
}

// The JSON Schema under export/ validates every real output, and rejects
// documents that break it. The validator, santhosh-tekuri/jsonschema/v6,
// implements drafts 4 to 2020-12 and passes the JSON-Schema-Test-Suite
// (all but its optional tests), with golang.org/x/text as its only
// dependency: the schema is checked by the rules other languages' tools
// apply too. The schema is strict (additionalProperties: false) so that a
// field added to OutcomeDoc without a description here fails this test.
func TestJSONSchema(t *testing.T) {
	schema := compileSchema(t, "outcome")

	outcomes := map[string]*analyze.Outcome{
		"kakao-2022": reference(t, "kakao-2022"),
		"naver-2022": reference(t, "naver-2022"),
		"awkward":    awkward(t),
		"synth":      smallSynth(t, 2_000),
	}
	for name, o := range outcomes {
		out := write(t, func(w io.Writer) error { return export.JSON(w, o) })
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		require.NoError(t, err)
		assert.NoError(t, schema.Validate(inst), name)
	}

	valid := write(t, func(w io.Writer) error { return export.JSON(w, outcomes["kakao-2022"]) })
	broken := map[string]func(doc map[string]any){
		"wrong schema":    func(d map[string]any) { d["schema"] = "blastradius/outcome/v1" },
		"no totals":       func(d map[string]any) { delete(d, "totals") },
		"unknown field":   func(d map[string]any) { d["extra"] = 1 },
		"up is no effect": func(d map[string]any) { effect(d, 0)["state"] = "up" },
		"bad kind":        func(d map[string]any) { effect(d, 0)["kind"] = "server" },
		"negative users":  func(d map[string]any) { effect(d, 0)["users"] = -1 },
		"string tier":     func(d map[string]any) { effect(d, 0)["tier"] = "0" },
		"removed false":   func(d map[string]any) { effect(d, 0)["removed"] = false },
	}
	for name, breakIt := range broken {
		var d map[string]any
		require.NoError(t, json.Unmarshal(valid, &d))
		breakIt(d)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		var verr *jsonschema.ValidationError
		assert.True(t, errors.As(schema.Validate(inst), &verr), "%s: want a validation error", name)
	}
}

func effect(d map[string]any, i int) map[string]any {
	return d["effects"].([]any)[i].(map[string]any)
}
