package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// failList collects --fail and --for in order: a --for gives the repair
// time of the --fail before it.
type failList struct {
	ids    []string
	fors   []time.Duration
	forSet []bool
}

func (l *failList) fail(s string) error {
	l.ids = append(l.ids, s)
	l.fors = append(l.fors, 0)
	l.forSet = append(l.forSet, false)
	return nil
}

func (l *failList) repair(s string) error {
	n := len(l.ids)
	switch {
	case n == 0:
		return fmt.Errorf("--for %s comes before any --fail: write --fail ID --for %s", s, s)
	case l.forSet[n-1]:
		return fmt.Errorf("--fail %s has two --for", l.ids[n-1])
	}
	d, err := graph.ParseDuration(s)
	switch {
	case err != nil:
		return fmt.Errorf("invalid duration %q: write 90m, 11h, 1h30m or 3d", s)
	case d <= 0:
		return fmt.Errorf("--for %s: the repair time must be more than 0 (leave --for out for never)", s)
	}
	l.fors[n-1], l.forSet[n-1] = d, true
	return nil
}

func recoverCmd(args []string, stdout, stderr io.Writer) int {
	const name = "blastradius recover"
	fs := newFlagSet("recover", "recover MODEL --fail ID [--for DURATION] [--fail ID [--for DURATION] ...] [flags]", stderr)
	var fails failList
	fs.Func("fail", "remove `ID` (repeatable); ID may be written site:ID, region:ID or node:ID to say what it must be", fails.fail)
	fs.Func("for", "the repair time of the --fail before it, as `DURATION` (90m, 11h, 3d); without it, never repaired", fails.repair)
	whatIf := fs.String("what-if", "", "compare with the variant model in `FILE` on the same failures, side by side")
	horizonFlag := fs.String("horizon", "30d", "how far the timeline looks, as `DURATION`: what is not back by then is reported as never")
	replicas := fs.Bool("replicas", false, "list replicas (node@site) as rows of their own")
	maxRows := fs.Int("max-rows", 0, "svg: draw at most `N` rows, the longest outages first (default 60)")
	out := addOutputFlags(fs, "table", "json", "markdown", "svg") // svg: a Gantt chart it draws itself
	pos, err := parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "%s: want exactly one MODEL file\n", name)
		return exitUsage
	}
	if err := out.check(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	if len(fails.ids) == 0 {
		fmt.Fprintf(stderr, "%s: nothing to remove: give --fail ID --for DURATION (e.g. --fail site:pangyo --for 11h)\n", name)
		return exitUsage
	}
	horizon, err := graph.ParseDuration(*horizonFlag)
	if err != nil || horizon <= 0 {
		fmt.Fprintf(stderr, "%s: --horizon %q: want a duration such as 30d or 72h\n", name, *horizonFlag)
		return exitUsage
	}

	c, ok := load(pos[0], stderr)
	if !ok {
		return exitUsage
	}
	sc, err := recoverScenario(c, fails)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	ctx := context.Background()
	ropts := analyze.RecoverOptions{Horizon: horizon}
	topts := export.TimelineOptions{Replicas: *replicas, MaxRows: *maxRows}

	var r report
	if *whatIf == "" {
		tl, err := analyze.Recover(ctx, c, sc, ropts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
		r = report{
			Table:    func(w io.Writer) error { return export.TimelineTable(w, tl, topts) },
			JSON:     func(w io.Writer) error { return export.TimelineJSON(w, tl) },
			Markdown: func(w io.Writer) error { return export.TimelineMarkdown(w, tl, topts) },
			SVG:      func(w io.Writer) error { return export.TimelineSVG(w, tl, topts) },
		}
	} else {
		cv, ok := load(*whatIf, stderr)
		if !ok {
			return exitUsage
		}
		if _, err := recoverScenario(cv, fails); err != nil {
			fmt.Fprintf(stderr, "%s: --what-if %s: %v\n", name, *whatIf, err)
			return exitUsage
		}
		cmp, err := analyze.WhatIf(ctx, c, cv, sc, ropts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
		r = report{
			Table:    func(w io.Writer) error { return export.ComparisonTable(w, cmp, topts) },
			JSON:     func(w io.Writer) error { return export.ComparisonJSON(w, cmp) },
			Markdown: func(w io.Writer) error { return export.ComparisonMarkdown(w, cmp, topts) },
			SVG:      func(w io.Writer) error { return export.ComparisonSVG(w, cmp, topts) },
		}
	}
	if err := out.write(ctx, stdout, r); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	return exitOK
}

// recoverScenario resolves the --fail ids as simulate does and gives each
// its --for.
func recoverScenario(c *graph.Compiled, fails failList) (analyze.Scenario, error) {
	sc, err := scenario(c, fails.ids)
	if err != nil {
		return sc, err
	}
	for i := range sc.Failures {
		sc.Failures[i].For = fails.fors[i]
	}
	return sc, nil
}
