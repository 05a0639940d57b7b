package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

func simulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("simulate", "simulate MODEL --fail ID [--fail ID ...] [flags]", stderr)
	var fails listFlag
	fs.Var(&fails, "fail", "remove `ID` (repeatable); ID may be written site:ID, region:ID or node:ID to say what it must be")
	out := addOutputFlags(fs, drawingFormats...)
	replicas := fs.Bool("replicas", false, "list replicas (node@site) as rows of their own")
	failOn := fs.String("fail-on", "", "exit 1 when a node that was not removed is `down`, or `degraded` (or down)")
	pos, err := parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "blastradius simulate: want exactly one MODEL file")
		return exitUsage
	}
	if err := out.check(); err != nil {
		fmt.Fprintf(stderr, "blastradius simulate: %v\n", err)
		return exitUsage
	}
	if len(fails) == 0 {
		fmt.Fprintln(stderr, "blastradius simulate: nothing to remove: give --fail ID (e.g. --fail site:pangyo)")
		return exitUsage
	}
	threshold := analyze.State(0)
	switch *failOn {
	case "":
	case "down":
		threshold = analyze.Down
	case "degraded":
		threshold = analyze.Degraded
	default:
		fmt.Fprintf(stderr, "blastradius simulate: --fail-on %q: want down or degraded\n", *failOn)
		return exitUsage
	}
	c, ok := load(pos[0], stderr)
	if !ok {
		return exitUsage
	}
	sc, err := scenario(c, fails)
	if err != nil {
		fmt.Fprintf(stderr, "blastradius simulate: %v\n", err)
		return exitUsage
	}
	o, err := analyze.Simulate(c, sc)
	if err != nil {
		fmt.Fprintf(stderr, "blastradius simulate: %v\n", err)
		return exitUsage
	}
	gopts, _ := out.graphOptions() // checked above
	r := report{
		Table:    func(w io.Writer) error { return export.Table(w, o, export.TableOptions{Replicas: *replicas}) },
		JSON:     func(w io.Writer) error { return export.JSON(w, o) },
		Markdown: func(w io.Writer) error { return export.Markdown(w, o) },
		Mermaid:  func(w io.Writer) error { return export.Mermaid(w, o, gopts) },
		DOT:      func(w io.Writer) error { return export.DOT(w, o, gopts) },
	}
	if err := out.write(context.Background(), stdout, r); err != nil {
		fmt.Fprintf(stderr, "blastradius simulate: %v\n", err)
		return exitUsage
	}
	if threshold != 0 {
		for _, e := range o.Effects() {
			if !e.Removed && e.State >= threshold && e.State != analyze.RedundancyLost {
				return exitFindings
			}
		}
	}
	return exitOK
}

// scenario turns --fail values into a scenario, checking the kind a
// "site:", "region:" or "node:" prefix asks for.
func scenario(c *graph.Compiled, fails []string) (analyze.Scenario, error) {
	var sc analyze.Scenario
	for _, f := range fails {
		id, want := f, ""
		if prefix, rest, ok := strings.Cut(f, ":"); ok {
			switch prefix {
			case "site", "region", "node":
				id, want = rest, prefix
			default:
				return sc, fmt.Errorf("--fail %q: unknown prefix %q (want site:, region: or node:)", f, prefix)
			}
		}
		v, ok := c.Lookup(id)
		if !ok {
			e := analyze.UnknownNode(c, id)
			return sc, fmt.Errorf("--fail %s: %w", f, e)
		}
		if want == "site" || want == "region" {
			if got := c.Kind(v); got.String() != want || c.VertexKind(v) != graph.NodeVertex {
				return sc, fmt.Errorf("--fail %s: %q is a %s, not a %s", f, id, got, want)
			}
		}
		sc.Failures = append(sc.Failures, analyze.Failure{ID: id})
	}
	return sc, nil
}
