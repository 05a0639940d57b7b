package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/export"
)

// drawingFormats are the formats of simulate, the command that draws:
// svg and png are rendered from dot by Graphviz.
var drawingFormats = []string{"table", "json", "markdown", "mermaid", "dot", "svg", "png"}

// textFormats are the formats of the commands that only report.
var textFormats = []string{"table", "json", "markdown"}

// formatHelp says what a format is when its name does not, for --format's
// help.
var formatHelp = map[string]string{
	"junit": "junit (JUnit XML)",
	"sarif": "sarif (SARIF 2.1.0)",
}

// report is a result ready to be written: one writer per format. A nil
// writer means the result has no such format. A command builds one from
// its result and hands it to outputFlags.write (or writeReport).
type report struct {
	Table, JSON, Markdown, Mermaid, DOT func(io.Writer) error
	// SVG, when set, draws the picture itself; otherwise svg is DOT
	// rendered by Graphviz.
	SVG   func(io.Writer) error
	JUnit func(io.Writer) error
	SARIF func(io.Writer) error
	// HTML is a self-contained HTML report (simulate --format html).
	HTML func(io.Writer) error
}

// writeReport writes r in the named format to w: the dispatcher every
// command shares. svg (unless the report draws its own) and png run the DOT
// writer through Graphviz.
func writeReport(ctx context.Context, format string, w io.Writer, r report) error {
	var f func(io.Writer) error
	switch format {
	case "table":
		f = r.Table
	case "json":
		f = r.JSON
	case "markdown":
		f = r.Markdown
	case "mermaid":
		f = r.Mermaid
	case "junit":
		f = r.JUnit
	case "sarif":
		f = r.SARIF
	case "html":
		f = r.HTML
	case "svg":
		if r.SVG != nil {
			return r.SVG(w)
		}
		f = r.DOT
	case "dot", "png":
		f = r.DOT
	}
	if f == nil {
		return fmt.Errorf("this command has no %s output", format)
	}
	if format != "svg" && format != "png" {
		return f(w)
	}
	var src bytes.Buffer
	if err := f(&src); err != nil {
		return err
	}
	return export.Render(ctx, w, &src, export.ImageFormat(format))
}

// outputFlags are the flags of every command that writes a report:
// --format, -o, --json (an alias of --format json), and, for commands that
// draw with Graphviz or Mermaid, --focus and --rankdir.
type outputFlags struct {
	formats []string // what this command writes
	format  string
	path    string
	json    bool
	focus   bool
	rankdir string
	fs      *flag.FlagSet
}

// addOutputFlags registers the output flags of a command that writes the
// given formats; the first is the default.
func addOutputFlags(fs *flag.FlagSet, formats ...string) *outputFlags {
	f := &outputFlags{fs: fs, formats: formats, rankdir: "LR"}
	names := make([]string, len(formats))
	for i, name := range formats {
		names[i] = name
		if h, ok := formatHelp[name]; ok {
			names[i] = h
		}
	}
	usage := "write the report as `FORMAT`: " + strings.Join(names, ", ")
	if slices.Contains(formats, "png") {
		usage += " (svg and png need Graphviz's dot)"
	}
	fs.StringVar(&f.format, "format", formats[0], usage)
	fs.StringVar(&f.path, "o", "", "write the report to `FILE` instead of stdout")
	fs.StringVar(&f.path, "output", "", "the same as -o `FILE`")
	fs.BoolVar(&f.json, "json", false, "the same as --format json")
	if slices.Contains(formats, "dot") {
		fs.BoolVar(&f.focus, "focus", false, "drawings (dot, svg, png, mermaid): only what is not up, and one ring of context")
		fs.StringVar(&f.rankdir, "rankdir", "LR", "drawings: `LR` (left to right) or TB (top to bottom)")
	}
	return f
}

// fullChainsFlag registers --full-chains, for the commands that print
// chains of causes: by default each chain is cut after a few links with a
// count of the rest ("… 12 more"), so that a report stays linear in what it
// lists; --full-chains prints every chain whole.
func fullChainsFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("full-chains", false, "print every chain of causes whole (by default a long chain is cut after a few links, with a count of the rest)")
}

// check validates the flags after parsing, before any work is done; its
// error is a usage error.
func (f *outputFlags) check() error {
	if f.json {
		set := false
		f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "format" })
		if set && f.format != "json" {
			return fmt.Errorf("--json and --format %s disagree", f.format)
		}
		f.format = "json"
	}
	if !slices.Contains(f.formats, f.format) {
		return fmt.Errorf("--format %q: want one of %s", f.format, strings.Join(f.formats, ", "))
	}
	if _, err := f.graphOptions(); err != nil {
		return err
	}
	return nil
}

// graphOptions are the options of the drawings.
func (f *outputFlags) graphOptions() (export.GraphOptions, error) {
	opts := export.GraphOptions{Focus: f.focus}
	switch strings.ToUpper(f.rankdir) {
	case "LR":
		opts.RankDir = export.LeftRight
	case "TB":
		opts.RankDir = export.TopBottom
	default:
		return opts, fmt.Errorf("--rankdir %q: want LR or TB", f.rankdir)
	}
	return opts, nil
}

// write writes r in the chosen format to stdout or to the -o file. The
// report is made in memory first, so a failure leaves no partial file.
func (f *outputFlags) write(ctx context.Context, stdout io.Writer, r report) error {
	var buf bytes.Buffer
	if err := writeReport(ctx, f.format, &buf, r); err != nil {
		return err
	}
	if f.path == "" || f.path == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(f.path, buf.Bytes(), 0o644)
}
