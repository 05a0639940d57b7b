package main

import (
	"io"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
)

// checkCmd: blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif]
//
// Exit status: 0 when every rule passes, 1 when one fails, 2 on bad input.
func checkCmd(x *command, args []string) int {
	fs := x.flags("check MODEL --policy POLICY [flags]")
	policyPath := fs.String("policy", "", "the policy `FILE` (YAML) to check the model against (required)")
	out := addOutputFlags(fs, "table", "json", "markdown", "junit", "sarif")
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *policyPath == "" {
		return x.usageError("give --policy FILE (e.g. --policy testdata/policy.yaml)")
	}
	// load collects what decoding left behind (releaseModel, from 50,000
	// vertices; below, the dead model is small): a second
	// collection here (afterLoad) marked the whole graph again for
	// nothing, a tenth of a second at 1,000,000 nodes.
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	p, ok := x.loadPolicy(*policyPath)
	if !ok {
		return exitUsage
	}
	res, err := policy.Check(x.ctx, c, p)
	if err != nil {
		return x.problems(*policyPath, err)
	}
	r := report{
		Table:    func(w io.Writer) error { return export.CheckTable(w, res) },
		JSON:     func(w io.Writer) error { return export.CheckJSON(w, res) },
		Markdown: func(w io.Writer) error { return export.CheckMarkdown(w, res) },
		JUnit:    func(w io.Writer) error { return export.CheckJUnit(w, res) },
		SARIF:    func(w io.Writer) error { return export.CheckSARIF(w, res) },
	}
	return x.finish(out, r, !res.Passed())
}

// loadPolicy reads a policy file, "-" from standard input, printing every
// problem on failure.
func (x *command) loadPolicy(path string) (*policy.Policy, bool) {
	var p *policy.Policy
	var err error
	if path != "-" {
		p, err = policy.Load(path)
	} else {
		var in io.Reader
		if in, err = x.takeStdin(); err == nil {
			p, err = policy.Decode(in, stdinName)
		}
	}
	if err != nil {
		x.problems(path, err)
		return nil, false
	}
	return p, true
}
