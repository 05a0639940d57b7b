package main

import (
	"io"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
)

// simulate: blastradius simulate MODEL --fail ID [--fail ID ...]
func simulate(x *command, args []string) int {
	fs := x.flags("simulate MODEL --fail ID [--fail ID ...] [flags]")
	var fails listFlag
	fs.Var(&fails, "fail", "remove `ID` (repeatable): a node id, node@site for one replica, or site:ID, region:ID, node:ID to say what it must be")
	out := addOutputFlags(fs, append(drawingFormats, "html")...)
	replicas := fs.Bool("replicas", false, "list replicas (node@site) as rows of their own")
	full := fullChainsFlag(fs)
	maxContext := fs.Int("max-context", 0, "drawings with --focus: draw at most `N` nodes of the ring of context, those with the most users (0: the whole ring)")
	var failOn analyze.FailOn
	fs.Var(&failOn, "fail-on", "exit 1 when a node that was not removed is in `STATE`: down, or degraded (degraded or down)")
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *maxContext < 0 {
		return x.usageError("--max-context %d: want 0 (the whole ring) or more", *maxContext)
	}
	if len(fails) == 0 {
		return x.usageError("nothing to remove: give --fail ID (e.g. --fail site:pangyo)")
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	sc, err := analyze.ParseScenario(c, fails)
	if err != nil {
		return x.failf("--fail %w", err)
	}
	o, err := analyze.Simulate(x.ctx, c, sc)
	if err != nil {
		return x.fail(err)
	}
	gopts, _ := out.graphOptions() // checked by setup
	gopts.FullChains = *full
	gopts.MaxContext = *maxContext
	r := report{
		Table: func(w io.Writer) error {
			return export.Table(w, o, export.TableOptions{Replicas: *replicas, FullChains: *full})
		},
		JSON:     func(w io.Writer) error { return export.JSON(w, o, export.JSONOptions{FullChains: *full}) },
		Markdown: func(w io.Writer) error { return export.Markdown(w, o, export.MarkdownOptions{FullChains: *full}) },
		Mermaid:  func(w io.Writer) error { return export.Mermaid(w, o, gopts) },
		DOT:      func(w io.Writer) error { return export.DOT(w, o, gopts) },
		HTML: func(w io.Writer) error {
			return export.OutcomeHTML(w, o, export.HTMLOptions{Graph: gopts, FullChains: *full})
		},
	}
	return x.finish(out, r, failOn.Violated(o))
}
