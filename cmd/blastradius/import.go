package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/backstage"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/graph/traces"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// readK8s reads Kubernetes manifests; import_k8s.go sets it.
var readK8s func(paths []string, fromEnv bool) (*importer.Result, error)

// importCmd: blastradius import [--backstage DIR] [--k8s DIR] [--traces FILE] [--overlay FILE] -o MODEL
func importCmd(x *command, args []string) int {
	fs := x.flags("import [--backstage DIR] [--k8s DIR] [--traces FILE] [--overlay FILE] -o MODEL [flags]")
	var catalogs, manifests, traceFiles, maps listFlag
	fs.Var(&catalogs, "backstage", "read Backstage entity files from `PATH` (a file or a directory; repeatable)")
	fs.Var(&manifests, "k8s", "read Kubernetes manifests from `PATH` (a file or a directory; repeatable)")
	fs.Var(&traceFiles, "traces", "read a service graph from `FILE`: servicegraph metrics (Prometheus text) or Jaeger dependencies JSON (repeatable)")
	overlay := fs.String("overlay", "", "lay the model `FILE` over what the sources say: its nodes and fields win")
	fs.Var(&maps, "map", "map a source's name to a model id: `NAME=ID` or SOURCE:NAME=ID, e.g. k8s:checkout-v2=checkout (repeatable)")
	modelPath := fs.String("o", "", "write the model to `FILE` (JSON when it ends in .json, YAML otherwise; - for stdout); required")
	fs.StringVar(modelPath, "output", "", "the same as -o `FILE`")
	name := fs.String("name", "", "the model's `NAME` (default: the base name of -o)")
	format := fs.String("format", "table", "write the report of where the sources disagree as `FORMAT`: table, json, markdown")
	reportPath := fs.String("report", "", "write that report to `FILE` instead of stdout (stderr when -o is -)")
	outside := fs.Bool("allow-outside", false, "let Backstage Locations name files outside the --backstage paths")
	fromEnv := fs.Bool("k8s-from-env", false, "also take dependencies from environment variables and ConfigMaps that name another Service")
	softAbove := fs.String("soft-above", "", "a traced dependency whose failed share reaches `SHARE` (e.g. 5%) is soft")
	_, code, ok := x.setup(args, 0, nil)
	if !ok {
		return code
	}
	switch {
	case *modelPath == "":
		return x.usageError("give -o FILE for the model")
	case len(catalogs)+len(manifests)+len(traceFiles) == 0:
		return x.usageError("give at least one source: --backstage, --k8s or --traces")
	case *format != "table" && *format != "json" && *format != "markdown":
		return x.usageError("--format %q: want one of table, json, markdown", *format)
	}
	opts := importer.MergeOptions{Name: *name, Names: map[string]string{}}
	for _, m := range maps {
		from, to, ok := strings.Cut(m, "=")
		if !ok || from == "" || to == "" {
			return x.usageError("--map %q: want NAME=ID or SOURCE:NAME=ID", m)
		}
		opts.Names[from] = to
	}
	if opts.Name == "" {
		opts.Name = "imported"
		if *modelPath != "-" {
			opts.Name = graph.NameOf(*modelPath)
		}
	}
	var topts traces.Options
	if *softAbove != "" {
		share, err := parseShare(*softAbove)
		if err != nil {
			return x.usageError("--soft-above %s: %v", *softAbove, err)
		}
		topts.SoftAbove = share
	}

	// The order of the sources is the order of precedence (see
	// importer.Merge): Kubernetes places, the catalog describes, traces add.
	var results []importer.Result
	if len(manifests) > 0 {
		if readK8s == nil {
			return x.failf("--k8s: this build has no Kubernetes reader")
		}
		r, err := readK8s(manifests, *fromEnv)
		if err != nil {
			return x.problems(strings.Join(manifests, ", "), err)
		}
		results = append(results, *r)
	}
	if len(catalogs) > 0 {
		r, err := backstage.Read(catalogs, backstage.Options{AllowOutside: *outside})
		if err != nil {
			return x.problems(strings.Join(catalogs, ", "), err)
		}
		results = append(results, *r)
	}
	for _, f := range traceFiles {
		r, err := traces.Read(f, topts)
		if err != nil {
			return x.problems(f, err)
		}
		results = append(results, *r)
	}
	var over *graph.Model
	if *overlay != "" {
		m, err := graph.LoadLimits(*overlay, x.limits)
		if err != nil {
			return x.problems(*overlay, err)
		}
		over = m
	}
	m, rep, err := importer.Merge(results, over, opts)
	if err != nil {
		fmt.Fprintln(x.stderr, "blastradius import: the merged model is not valid:")
		return x.problems("the merged model", err)
	}

	var model bytes.Buffer
	f := graph.YAML
	if strings.HasSuffix(*modelPath, ".json") {
		f = graph.JSON
	}
	if err := graph.EncodeWith(&model, m, f, importEncodeOptions(rep, results, *overlay)); err != nil {
		return x.fail(err)
	}
	reportOut := x.stdout
	if *modelPath == "-" {
		if _, err := x.stdout.Write(model.Bytes()); err != nil {
			return x.fail(err)
		}
		reportOut = x.stderr
	} else if err := os.WriteFile(*modelPath, model.Bytes(), 0o644); err != nil {
		return x.fail(err)
	}
	write := map[string]func(io.Writer, *importer.Report) error{
		"table": export.ImportTable, "json": export.ImportJSON, "markdown": export.ImportMarkdown,
	}[*format]
	if *reportPath != "" {
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			return x.fail(err)
		}
		if err := os.WriteFile(*reportPath, b.Bytes(), 0o644); err != nil {
			return x.fail(err)
		}
		return exitOK
	}
	if err := write(reportOut, rep); err != nil {
		return x.fail(err)
	}
	return exitOK
}

// importEncodeOptions comment the written model: a header saying how it
// was made, and above each node where each source wrote it.
func importEncodeOptions(rep *importer.Report, results []importer.Result, overlay string) graph.EncodeOptions {
	var from []string
	for _, r := range results {
		from = append(from, r.Source)
	}
	if overlay != "" {
		from = append(from, "the overlay "+filepath.ToSlash(overlay))
	}
	header := []string{
		"Written by blastradius import from " + strings.Join(from, ", ") + ".",
		"Each node's comment says where each source wrote it; the overlay's nodes and fields win.",
	}
	return graph.EncodeOptions{Header: header, Comment: func(n *graph.Node) []string {
		var lines []string
		for _, o := range rep.Origins[n.ID] {
			s := o.Source
			if p := filepath.ToSlash(o.Pos.String()); p != "" {
				s += ": " + p
			}
			if o.Name != n.ID {
				s += " (as " + o.Name + ")"
			}
			lines = append(lines, s)
		}
		return lines
	}}
}

// parseShare reads a share (5%, 0.05) by the rule policy files' shares
// are read with; 0 is refused, as it would turn the threshold off.
func parseShare(s string) (float64, error) {
	if v, ok := yamltree.ParseShare(s); ok && v > 0 {
		return v, nil
	}
	return 0, fmt.Errorf("want a share above 0%% and at most 100%%, such as 5%% or 0.05")
}
