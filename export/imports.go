package export

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
)

// ImportSchema is the JSON layout of an import's report, versioned like
// OutcomeSchema.
const ImportSchema = "blastradius/import/v1"

// importRows is how many rows a section of the text and Markdown reports
// lists; the rest are counted. The JSON document lists them all.
const importRows = 50

// ImportDoc is the document ImportJSON writes: where the sources of an
// import disagree. Lists are [] when empty.
type ImportDoc struct {
	Schema       string                `json:"schema"`
	Model        string                `json:"model"`
	Nodes        int                   `json:"nodes"`
	Sources      []ImportSourceRecord  `json:"sources"`
	Hidden       []ImportDepRecord     `json:"hidden"`
	Unobserved   []ImportDepRecord     `json:"unobserved"`
	NotInCatalog []ImportNodeRecord    `json:"not_in_catalog"`
	Unplaced     []ImportNodeRecord    `json:"unplaced"`
	Findings     []ImportFindingRecord `json:"findings"`
}

// ImportSourceRecord is what one source gave.
type ImportSourceRecord struct {
	Source   string `json:"source"`
	Nodes    int    `json:"nodes"`
	Observed int    `json:"observed"`
	Findings int    `json:"findings"`
}

// ImportDepRecord is a dependency of the report: seen and not declared,
// or declared and not seen.
type ImportDepRecord struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Source string `json:"source"`
	Calls  int64  `json:"calls"`
	Failed int64  `json:"failed"`
	At     string `json:"at"`
}

// ImportNodeRecord is a node of the report with the sources that know it.
type ImportNodeRecord struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Sources []string `json:"sources"`
	At      string   `json:"at"`
}

// ImportFindingRecord is one finding of a source or of the merge.
type ImportFindingRecord struct {
	Source  string `json:"source"`
	Node    string `json:"node"`
	At      string `json:"at"`
	Message string `json:"message"`
}

// NewImportDoc returns the JSON document of an import's report.
func NewImportDoc(r *importer.Report) ImportDoc {
	doc := ImportDoc{Schema: ImportSchema, Model: r.Model, Nodes: r.Nodes,
		Sources: make([]ImportSourceRecord, len(r.Sources)),
		Hidden:  importDeps(r.Hidden), Unobserved: importDeps(r.Unobserved),
		NotInCatalog: importNodes(r.NotInCatalog), Unplaced: importNodes(r.Unplaced),
		Findings: make([]ImportFindingRecord, len(r.Findings))}
	for i, s := range r.Sources {
		doc.Sources[i] = ImportSourceRecord{Source: s.Source, Nodes: s.Nodes, Observed: s.Observed, Findings: s.Findings}
	}
	for i, f := range r.Findings {
		doc.Findings[i] = ImportFindingRecord{Source: f.Source, Node: f.Node, At: posText(f.Pos), Message: f.Message}
	}
	return doc
}

func importDeps(ds []importer.Dependency) []ImportDepRecord {
	out := make([]ImportDepRecord, len(ds))
	for i, d := range ds {
		out[i] = ImportDepRecord{From: d.From, To: d.To, Source: d.Source, Calls: d.Calls, Failed: d.Failed, At: posText(d.Pos)}
	}
	return out
}

func importNodes(ms []importer.Mention) []ImportNodeRecord {
	out := make([]ImportNodeRecord, len(ms))
	for i, m := range ms {
		out[i] = ImportNodeRecord{ID: m.ID, Kind: m.Kind.String(), Sources: nonNil(m.Sources), At: posText(m.Pos)}
	}
	return out
}

// posText is a position as reports print it, with forward slashes.
func posText(p graph.Pos) string { return filepath.ToSlash(p.String()) }

// ImportJSON writes an import's report as an ImportDoc document.
func ImportJSON(w io.Writer, r *importer.Report) error { return writeJSON(w, NewImportDoc(r)) }

// importHeadline is what was merged, in one sentence without the model's
// name.
func importHeadline(r *importer.Report) string {
	var src []string
	for _, s := range r.Sources {
		var what []string
		if s.Nodes > 0 || s.Observed == 0 {
			what = append(what, plural(s.Nodes, "node"))
		}
		if s.Observed > 0 {
			what = append(what, plural(s.Observed, "dependency")+" seen")
		}
		src = append(src, s.Source+" ("+strings.Join(what, ", ")+")")
	}
	from := ""
	if len(src) > 0 {
		from = " from " + strings.Join(src, ", ")
	}
	return plural(r.Nodes, "node") + from
}

// importSection is one list of the report, with its words.
type importSection struct {
	title string // "hidden dependencies"
	why   string // what the list means, one sentence
	n     int
	head  []string
	row   func(i int, md bool) []string
}

func importSections(r *importer.Report) []importSection {
	dep := func(ds []importer.Dependency, seen bool) func(int, bool) []string {
		return func(i int, md bool) []string {
			d := ds[i]
			id := func(s string) string {
				if md {
					return code(s)
				}
				return s
			}
			row := []string{id(d.From), id(d.To)}
			if seen {
				failed := "-"
				if d.Calls > 0 {
					failed = percent(float64(d.Failed) / float64(d.Calls))
				}
				row = append(row, count(d.Calls), failed)
			}
			return append(row, d.Source, cell(posText(d.Pos), md))
		}
	}
	node := func(ms []importer.Mention) func(int, bool) []string {
		return func(i int, md bool) []string {
			m := ms[i]
			id := m.ID
			if md {
				id = code(id)
			}
			return []string{id, m.Kind.String(), strings.Join(m.Sources, ", "), cell(posText(m.Pos), md)}
		}
	}
	return []importSection{
		{"hidden dependencies", "seen in traffic, declared by no source and not by the overlay: the model has them as hard dependencies",
			len(r.Hidden), []string{"FROM", "TO", "CALLS", "FAILED", "SOURCE", "SEEN AT"}, dep(r.Hidden, true)},
		{"declared, never seen", "declared dependencies of callers that traffic shows, never seen in it",
			len(r.Unobserved), []string{"FROM", "TO", "SOURCE", "DECLARED AT"}, dep(r.Unobserved, false)},
		{"not in the catalog", "nodes another source knows and the catalog does not",
			len(r.NotInCatalog), []string{"NODE", "KIND", "SOURCES", "AT"}, node(r.NotInCatalog)},
		{"not placed at any site", "no source and not the overlay places them: a site's loss never reaches them",
			len(r.Unplaced), []string{"NODE", "KIND", "SOURCES", "AT"}, node(r.Unplaced)},
		{"findings", "what the importers assumed or could not decide",
			len(r.Findings), []string{"SOURCE", "AT", "NODE", "FINDING"}, func(i int, md bool) []string {
				f := r.Findings[i]
				node := f.Node
				switch {
				case node == "":
					node = "-"
				case md:
					node = code(node)
				}
				msg := oneLine(f.Message)
				if md {
					msg = mdText(f.Message)
				}
				return []string{f.Source, cell(posText(f.Pos), md), node, msg}
			}},
	}
}

func cell(s string, md bool) string {
	switch {
	case s == "":
		return "-"
	case md:
		return mdText(s)
	}
	return oneLine(s)
}

// ImportTable writes an import's report as text: a headline, then each
// list that is not empty.
func ImportTable(w io.Writer, r *importer.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: %s\n", orModel(r.Model), importHeadline(r))
	for _, s := range importSections(r) {
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n%s: %s (%s)\n", strings.ToUpper(s.title), count(s.n), s.why)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(s.head, "\t"))
		for i := range min(s.n, importRows) {
			fmt.Fprintln(tw, strings.Join(s.row(i, false), "\t"))
		}
		tw.Flush()
		if s.n > importRows {
			fmt.Fprintf(ew, "... and %s more (--format json lists them all)\n", count(s.n-importRows))
		}
	}
	return ew.err
}

// ImportMarkdown writes an import's report as Markdown, for a pull
// request or a wiki page.
func ImportMarkdown(w io.Writer, r *importer.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Import of %s\n\n%s.\n", mdText(orModel(r.Model)), mdText(capital(importHeadline(r))))
	for _, s := range importSections(r) {
		fmt.Fprintf(ew, "\n### %s: %s\n\n", capital(s.title), count(s.n))
		if s.n == 0 {
			fmt.Fprintln(ew, "None.")
			continue
		}
		fmt.Fprintf(ew, "%s.\n\n", capital(s.why))
		fmt.Fprintf(ew, "| %s |\n|%s\n", strings.Join(s.head, " | "), strings.Repeat(" --- |", len(s.head)))
		for i := range min(s.n, importRows) {
			fmt.Fprintf(ew, "| %s |\n", strings.Join(s.row(i, true), " | "))
		}
		if s.n > importRows {
			fmt.Fprintf(ew, "\n… and %s more.\n", count(s.n-importRows))
		}
	}
	return ew.err
}
