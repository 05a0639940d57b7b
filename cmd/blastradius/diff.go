package main

import (
	"context"
	"fmt"
	"io"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/export"
)

// diffCmd: blastradius diff OLD NEW [--policy POLICY] [--fail-on-worse]
//
// Exit status: 0, or 1 with --fail-on-worse when the change makes the model
// less resilient (diff.Diff.Worse); 2 on bad input.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", "diff OLD NEW [--policy POLICY] [--fail-on-worse] [flags]", stderr)
	policyPath := fs.String("policy", "", "also check both models against the policy `FILE` and say which rules newly fail")
	failOnWorse := fs.Bool("fail-on-worse", false, "exit 1 when the change adds a single point of failure, lowers the redundancy rate or breaks a policy rule")
	out := addOutputFlags(fs, textFormats...)
	pos, err := parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "blastradius diff: want two MODEL files, OLD and NEW")
		return exitUsage
	}
	if err := out.check(); err != nil {
		fmt.Fprintf(stderr, "blastradius diff: %v\n", err)
		return exitUsage
	}
	from, ok := load(pos[0], stderr)
	if !ok {
		return exitUsage
	}
	to, ok := load(pos[1], stderr)
	if !ok {
		return exitUsage
	}
	var opts diff.Options
	if *policyPath != "" {
		if opts.Policy, ok = loadPolicy(*policyPath, stderr); !ok {
			return exitUsage
		}
	}
	d, err := diff.Compare(context.Background(), from, to, opts)
	if err != nil {
		printProblems(stderr, *policyPath, err)
		return exitUsage
	}
	code := finish("diff", out, stdout, stderr, report{
		Table:    func(w io.Writer) error { return export.DiffTable(w, d) },
		JSON:     func(w io.Writer) error { return export.DiffJSON(w, d) },
		Markdown: func(w io.Writer) error { return export.DiffMarkdown(w, d) },
	})
	if code == exitOK && *failOnWorse && d.Worse() {
		return exitFindings
	}
	return code
}
