package main

import (
	"io"

	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/export"
)

// diffCmd: blastradius diff OLD NEW [--policy POLICY] [--fail-on-worse]
//
// Exit status: 0, or 1 with --fail-on-worse when the change makes the model
// less resilient (diff.Diff.Worse); 2 on bad input.
func diffCmd(x *command, args []string) int {
	fs := x.flags("diff OLD NEW [--policy POLICY] [--fail-on-worse] [flags]")
	policyPath := fs.String("policy", "", "also check both models against the policy `FILE` and say which rules newly fail")
	failOnWorse := fs.Bool("fail-on-worse", false, "exit 1 when the change adds a single point of failure, lowers the redundancy rate or breaks a policy rule")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 2, out)
	if !ok {
		return code
	}
	from, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	to, ok := x.load(pos[1])
	if !ok {
		return exitUsage
	}
	var opts diff.Options
	if *policyPath != "" {
		if opts.Policy, ok = x.loadPolicy(*policyPath); !ok {
			return exitUsage
		}
	}
	d, err := diff.Models(x.ctx, from, to, opts)
	if err != nil {
		return x.problems(*policyPath, err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.DiffTable(w, d) },
		JSON:     func(w io.Writer) error { return export.DiffJSON(w, d) },
		Markdown: func(w io.Writer) error { return export.DiffMarkdown(w, d) },
	}, *failOnWorse && d.Worse())
}
