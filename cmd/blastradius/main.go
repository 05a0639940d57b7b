// Command blastradius answers, before an outage does: if this node or this
// whole site goes away, what else fails?
//
// Usage:
//
//	blastradius simulate MODEL --fail site:pangyo [--fail ID ...] [--format table|json|markdown|mermaid|dot|svg|png] [-o FILE] [--focus] [--rankdir LR|TB] [--fail-on down|degraded]
//	blastradius recover MODEL --fail site:pangyo --for 11h [--what-if OTHER_MODEL] [--format table|json|markdown|svg]
//	blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif] [-o FILE]
//	blastradius diff OLD NEW [--policy POLICY] [--format table|json|markdown] [--fail-on-worse]
//	blastradius validate MODEL
//
// Exit status: 0 on success; 1 when --fail-on was given and the analysis
// found such failures, when check finds a policy violation, or when diff
// --fail-on-worse finds the change less resilient; 2 on a usage or input
// error. Errors go to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
)

const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `blastradius: if this node or this whole site goes away, what else fails?

Usage:
  blastradius simulate MODEL --fail site:pangyo [--fail ID ...] [flags]
  blastradius rank MODEL [--top N] [--kind KIND,...] [flags]
  blastradius spof MODEL --target ID [flags]
  blastradius redundancy MODEL [flags]
  blastradius recover MODEL --fail site:pangyo --for 11h [--fail ID --for DURATION ...] [flags]
  blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif] [flags]
  blastradius diff OLD NEW [--policy POLICY] [--fail-on-worse] [flags]
  blastradius validate MODEL

Commands:
  simulate     remove nodes or sites and show what fails, what degrades and why
  rank         the blast radius of every single failure, largest first
  spof         the single points of failure of one node, with their chains
  redundancy   the redundancy rate: what survives the loss of any one site
  recover      how long each node is down and degraded as failures are repaired
  check        check a model against a resilience policy (exit 1 on violations)
  diff         what a change to a model does to its resilience, for a pull request
  validate     check a model file and report every problem with file:line

Run 'blastradius COMMAND -h' for a command's flags.
`

// commands maps each subcommand to its implementation; each lives in a file
// of its own (simulate.go, ...) and is listed here.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"simulate":   simulate,
	"rank":       rank,
	"spof":       spof,
	"redundancy": redundancy,
	"validate":   validate,
	"check":      checkCmd,
	"diff":       diffCmd,
	"recover":    recoverCmd,
}

// run is the whole program, with its streams, so tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "blastradius: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parse parses flags that may come before or after the positional
// arguments ("simulate MODEL --fail x" as well as "simulate --fail x MODEL").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseExit is the exit code for a flag parsing error: 0 when the user asked
// for -h (the usage is printed), 2 otherwise.
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: blastradius %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// load reads and compiles a model, printing every problem on failure.
func load(path string, stderr io.Writer) (*graph.Compiled, bool) {
	m, err := graph.Load(path)
	if err == nil {
		var c *graph.Compiled
		if c, err = graph.Compile(m); err == nil {
			return c, true
		}
	}
	var verr *graph.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Fprintln(stderr, p.Error())
		}
		fmt.Fprintf(stderr, "blastradius: %s: %d problem(s)\n", path, len(verr.Problems))
	} else {
		fmt.Fprintf(stderr, "blastradius: %v\n", err)
	}
	return nil, false
}

func validate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", "validate MODEL", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "blastradius validate: want exactly one MODEL file")
		return exitUsage
	}
	c, ok := load(pos[0], stderr)
	if !ok {
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: ok: model %q, %d nodes, %d compiled vertices, %d edges\n",
		pos[0], c.Name(), c.NodeCount(), c.Len(), c.Edges())
	return exitOK
}
