package main

import (
	"fmt"
	"io"
	"math"
	"regexp"
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
	forArg []string // each --for as written, "" when not given
}

func (l *failList) fail(s string) error {
	l.ids = append(l.ids, s)
	l.fors = append(l.fors, 0)
	l.forArg = append(l.forArg, "")
	return nil
}

func (l *failList) repair(s string) error {
	n := len(l.ids)
	switch {
	case n == 0:
		return fmt.Errorf("comes before any --fail: write --fail ID --for %s", s)
	case l.forArg[n-1] != "":
		return fmt.Errorf("--fail %s has two --for", l.ids[n-1])
	}
	d, err := parseDuration(s)
	switch {
	case err != nil:
		return err
	case d <= 0:
		return fmt.Errorf("the repair time must be more than 0 (leave --for out for never)")
	}
	l.fors[n-1], l.forArg[n-1] = d, s
	return nil
}

// durationSyntax is what graph.ParseDuration reads: days, then a Go
// duration. A string of this form that does not parse is too large.
var durationSyntax = regexp.MustCompile(`^(\d+d)?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$`)

// parseDuration parses a duration flag as model files write durations, and
// tells a value too large for the program (over about 292 years) from one
// that is not a duration.
func parseDuration(s string) (time.Duration, error) {
	d, err := graph.ParseDuration(s)
	if err == nil {
		return d, nil
	}
	if s != "" && durationSyntax.MatchString(s) {
		return 0, fmt.Errorf("too large: the longest duration is %dd", int64(math.MaxInt64)/int64(24*time.Hour))
	}
	return 0, fmt.Errorf("not a duration: write 90m, 11h, 1h30m or 3d")
}

// recoverCmd: blastradius recover MODEL --fail ID [--for DURATION] ...
func recoverCmd(x *command, args []string) int {
	fs := x.flags("recover MODEL --fail ID [--for DURATION] [--fail ID [--for DURATION] ...] [flags]")
	var fails failList
	fs.Func("fail", "remove `ID` (repeatable), written as simulate's --fail takes it", fails.fail)
	fs.Func("for", "the repair time of the --fail before it, as `DURATION` (90m, 11h, 3d), at most the --horizon; without it, never repaired", fails.repair)
	whatIf := fs.String("what-if", "", "compare with the variant model in `FILE` on the same failures, side by side")
	horizonFlag := fs.String("horizon", "30d", "how far the timeline looks, as `DURATION`: what is not back by then is reported as never")
	replicas := fs.Bool("replicas", false, "list replicas (node@site) as rows of their own")
	maxRows := fs.Int("max-rows", 60, "svg: draw at most `N` rows, the longest outages first")
	out := addOutputFlags(fs, "table", "json", "markdown", "svg") // svg: a Gantt chart it draws itself
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if len(fails.ids) == 0 {
		return x.usageError("nothing to remove: give --fail ID --for DURATION (e.g. --fail site:pangyo --for 11h)")
	}
	horizon, err := parseDuration(*horizonFlag)
	if err == nil && horizon <= 0 {
		err = fmt.Errorf("want more than 0")
	}
	if err != nil {
		return x.usageError("--horizon %s: %v", *horizonFlag, err)
	}
	// A repair after the horizon would be reported as never: say so
	// rather than print a timeline that ignores the --for given.
	for i, d := range fails.fors {
		if d > horizon {
			return x.usageError("--fail %s --for %s: longer than the --horizon %s, so it would be reported as never repaired; raise --horizon, or leave --for out for never",
				fails.ids[i], fails.forArg[i], *horizonFlag)
		}
	}
	if *maxRows < 1 {
		return x.usageError("--max-rows %d: want 1 or more", *maxRows)
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	sc, err := recoverScenario(c, fails)
	if err != nil {
		return x.fail(err)
	}
	ropts := analyze.RecoverOptions{Horizon: horizon}
	topts := export.TimelineOptions{Replicas: *replicas, MaxRows: *maxRows}

	var r report
	if *whatIf == "" {
		tl, err := analyze.Recover(x.ctx, c, sc, ropts)
		if err != nil {
			return x.fail(err)
		}
		r = report{
			Table:    func(w io.Writer) error { return export.TimelineTable(w, tl, topts) },
			JSON:     func(w io.Writer) error { return export.TimelineJSON(w, tl) },
			Markdown: func(w io.Writer) error { return export.TimelineMarkdown(w, tl, topts) },
			SVG:      func(w io.Writer) error { return export.TimelineSVG(w, tl, topts) },
		}
	} else {
		cv, ok := x.load(*whatIf)
		if !ok {
			return exitUsage
		}
		if _, err := recoverScenario(cv, fails); err != nil {
			return x.failf("--what-if %s: %w", *whatIf, err)
		}
		cmp, err := analyze.WhatIf(x.ctx, c, cv, sc, ropts)
		if err != nil {
			return x.fail(err)
		}
		r = report{
			Table:    func(w io.Writer) error { return export.ComparisonTable(w, cmp, topts) },
			JSON:     func(w io.Writer) error { return export.ComparisonJSON(w, cmp) },
			Markdown: func(w io.Writer) error { return export.ComparisonMarkdown(w, cmp, topts) },
			SVG:      func(w io.Writer) error { return export.ComparisonSVG(w, cmp, topts) },
		}
	}
	return x.finish(out, r, false)
}

// recoverScenario resolves the --fail references as simulate does and
// gives each its --for.
func recoverScenario(c *graph.Compiled, fails failList) (analyze.Scenario, error) {
	sc, err := analyze.ParseScenario(c, fails.ids)
	if err != nil {
		return sc, fmt.Errorf("--fail %w", err)
	}
	for i := range sc.Failures {
		sc.Failures[i].For = fails.fors[i]
	}
	return sc, nil
}
