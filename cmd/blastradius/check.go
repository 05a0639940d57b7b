package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// checkCmd: blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif]
//
// Exit status: 0 when every rule passes, 1 when one fails, 2 on bad input.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check MODEL --policy POLICY [flags]", stderr)
	policyPath := fs.String("policy", "", "the policy `FILE` (YAML) to check the model against (required)")
	out := addOutputFlags(fs, "table", "json", "markdown", "junit", "sarif")
	pos, err := parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "blastradius check: want exactly one MODEL file")
		return exitUsage
	}
	if *policyPath == "" {
		fmt.Fprintln(stderr, "blastradius check: give --policy FILE (e.g. --policy testdata/policy.yaml)")
		return exitUsage
	}
	if err := out.check(); err != nil {
		fmt.Fprintf(stderr, "blastradius check: %v\n", err)
		return exitUsage
	}
	c, ok := load(pos[0], stderr)
	if !ok {
		return exitUsage
	}
	p, ok := loadPolicy(*policyPath, stderr)
	if !ok {
		return exitUsage
	}
	res, err := policy.Check(context.Background(), c, p)
	if err != nil {
		printProblems(stderr, *policyPath, err)
		return exitUsage
	}
	r := report{
		Table:    func(w io.Writer) error { return export.CheckTable(w, res) },
		JSON:     func(w io.Writer) error { return export.CheckJSON(w, res) },
		Markdown: func(w io.Writer) error { return export.CheckMarkdown(w, res) },
		JUnit:    func(w io.Writer) error { return export.CheckJUnit(w, res) },
		SARIF:    func(w io.Writer) error { return export.CheckSARIF(w, res) },
	}
	if code := finish("check", out, stdout, stderr, r); code != exitOK {
		return code
	}
	if !res.Passed() {
		return exitFindings
	}
	return exitOK
}

// loadPolicy reads a policy file, printing every problem on failure.
func loadPolicy(path string, stderr io.Writer) (*policy.Policy, bool) {
	p, err := policy.Load(path)
	if err != nil {
		printProblems(stderr, path, err)
		return nil, false
	}
	return p, true
}

// printProblems prints a *graph.ValidationError one problem per line, or
// any other error on its own.
func printProblems(stderr io.Writer, path string, err error) {
	var verr *graph.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Fprintln(stderr, p.Error())
		}
		fmt.Fprintf(stderr, "blastradius: %s: %d problem(s)\n", path, len(verr.Problems))
		return
	}
	fmt.Fprintf(stderr, "blastradius: %v\n", err)
}
