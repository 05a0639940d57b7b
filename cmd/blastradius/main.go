// Command blastradius answers, before an outage does: if this node or this
// whole site goes away, what else fails?
//
// Usage:
//
//	blastradius simulate MODEL --fail site:pangyo [--fail ID ...] [--format table|json|markdown|mermaid|dot|svg|png] [-o FILE] [--focus] [--rankdir LR|TB] [--fail-on down|degraded]
//	blastradius rank MODEL [--top N] [--kind KIND,...] [--order 1|2]
//	blastradius spof MODEL --target ID
//	blastradius cutsets MODEL --target ID [--order 3] [--kind KIND,...] [--limit N]
//	blastradius availability MODEL --target ID [--max-bdd-nodes N] [--bound-order K]
//	blastradius redundancy MODEL [--by site|region]
//	blastradius recover MODEL --fail site:pangyo --for 11h [--what-if OTHER_MODEL] [--format table|json|markdown|svg]
//	blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif] [-o FILE]
//	blastradius diff OLD NEW [--policy POLICY] [--repair 24h] [--format table|json|markdown] [--fail-on-worse]
//	blastradius validate MODEL...
//	blastradius serve MODEL [--addr 127.0.0.1:8080] [--open] [--watch]
//	blastradius import [--backstage DIR] [--k8s DIR] [--traces FILE] [--overlay FILE] -o MODEL
//	blastradius version
//
// MODEL "-" reads the model from standard input: JSON when its first
// character other than white space is "{", YAML otherwise.
//
// Exit status: 0 on success; 1 when --fail-on was given and the analysis
// found such failures, when check finds a policy violation, or when diff
// --fail-on-worse finds the change less resilient; 2 on a usage or input
// error; 130 when interrupted (Ctrl-C). Errors go to stderr.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/cache"
)

const (
	exitOK          = 0
	exitFindings    = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as a shell reports a process killed by Ctrl-C
)

func main() {
	// The first Ctrl-C cancels the context: an analysis returns at its
	// next check, and the command exits 130 with a message. What does not
	// watch the context (reading a model, writing a report, Graphviz) is given a
	// moment and then ended as the default handler would; a second
	// Ctrl-C kills at once. Only a signal closes ctx: stop is not called
	// before os.Exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop()
		time.Sleep(interruptGrace)
		fmt.Fprintln(os.Stderr, "blastradius: interrupted")
		os.Exit(exitInterrupted)
	}()
	os.Exit(runContext(ctx, os.Stdin, os.Args[1:], os.Stdout, os.Stderr))
}

// interruptGrace is how long a command has, after Ctrl-C, to stop by
// itself.
const interruptGrace = time.Second

const usage = `blastradius: if this node or this whole site goes away, what else fails?

Usage:
  blastradius simulate MODEL --fail site:pangyo [--fail ID ...] [flags]
  blastradius rank MODEL [--top N] [--kind KIND,...] [--order 1|2] [flags]
  blastradius spof MODEL --target ID [flags]
  blastradius cutsets MODEL --target ID [--order N] [flags]
  blastradius availability MODEL --target ID [flags]
  blastradius redundancy MODEL [--by site|region] [flags]
  blastradius audit MODEL [--order N] [--owner ID,...] [flags]
  blastradius recover MODEL --fail site:pangyo --for 11h [--fail ID --for DURATION ...] [flags]
  blastradius check MODEL --policy POLICY [--format table|json|markdown|junit|sarif] [flags]
  blastradius diff OLD NEW [--policy POLICY] [--repair 24h] [--fail-on-worse] [flags]
  blastradius validate MODEL...
  blastradius serve MODEL [--addr 127.0.0.1:8080] [--open] [--watch]
  blastradius import [--backstage DIR] [--k8s DIR] [--traces FILE] [--overlay FILE] -o MODEL [flags]
  blastradius version

Commands:
  simulate     remove nodes or sites and show what fails, what degrades and why
  rank         the blast radius of every single failure, largest first
  spof         the single points of failure of one node, with their chains
  cutsets      the minimal sets of failures (pairs, triples, ...) that take one node down
  availability the probability one node is down, its downtime a year, what matters most
  redundancy   the redundancy rate: what survives the loss of any one site
  audit        every redundancy claim and the failures that defeat it: hidden common causes first
  recover      how long each node is down and degraded as failures are repaired
  check        check a model against a resilience policy (exit 1 on violations)
  diff         what a change to a model does to its resilience, for a pull request
  serve        explore the model in a browser: remove nodes by clicking, see what fails and why
  validate     check model files and report every problem with file:line
  import       write a model from a Backstage catalog, Kubernetes manifests and traces
  version      print the version of blastradius

MODEL - reads the model from standard input (JSON if it starts with {, else YAML).
Run 'blastradius COMMAND -h' for a command's flags.
`

// commands maps each subcommand to its implementation; each lives in a file
// of its own (simulate.go, ...) and is listed here. Every one starts with
// command.setup and ends with command.finish (or command.fail).
var commands = map[string]func(x *command, args []string) int{
	"simulate":     simulate,
	"rank":         rank,
	"spof":         spof,
	"cutsets":      cutsets,
	"redundancy":   redundancy,
	"validate":     validate,
	"check":        checkCmd,
	"diff":         diffCmd,
	"recover":      recoverCmd,
	"version":      versionCmd,
	"import":       importCmd,
	"availability": availabilityCmd,
	"audit":        auditCmd,
	"serve":        serve,
}

// run is the whole program, with its streams, so tests can drive it;
// standard input is the process's.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), os.Stdin, args, stdout, stderr)
}

// runContext is run with a context, whose cancellation stops a long
// analysis, and a standard input.
func runContext(ctx context.Context, stdin io.Reader, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "-version", "--version":
		name = "version"
	case "help":
		// "help simulate" is "simulate -h".
		if len(args) == 1 {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		name, args = args[1], []string{args[1], "-h"}
	}
	f, ok := commands[name]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		hint := ""
		if s, ok := graph.Suggest(name, names); ok {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		fmt.Fprintf(stderr, "blastradius: unknown command %q%s (see 'blastradius -h')\n", name, hint)
		return exitUsage
	}
	x := &command{name: name, ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	return f(x, args[1:])
}

// command is one run of a subcommand: its name, context, streams and flags.
// Every subcommand goes through its setup, which parses and checks the
// flags, and its finish, which writes the report and picks the exit code,
// so every command treats flags, errors, files and stdin alike.
type command struct {
	name           string // "simulate"
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	synopsis       string
	fs             *flag.FlagSet
	stdinRead      bool // a "-" (MODEL or --policy) was read: there is only one stdin
	limits         graph.Limits
	noCache        bool // --no-cache
	cache          *cache.Cache
	cacheOpened    bool
}

// flags returns the command's flag set; synopsis follows "blastradius" in
// the usage -h prints.
func (x *command) flags(synopsis string) *flag.FlagSet {
	x.synopsis = synopsis
	x.fs = flag.NewFlagSet(x.name, flag.ContinueOnError)
	// The flag package would print the error and the whole usage; setup
	// prints one line instead, and the usage only when asked (-h).
	x.fs.SetOutput(io.Discard)
	x.fs.Usage = func() {}
	if x.name != "version" {
		// The defaults bound what hostile input can cost; a real catalog
		// larger than them is read when asked.
		x.fs.Var((*byteSize)(&x.limits.FileSize), "max-file-size", "read model files up to `SIZE` (e.g. 512MiB, 2GiB; default 64MiB)")
		x.fs.Var((*positive)(&x.limits.Nodes), "max-nodes", "read models of up to `N` nodes (default 5000000)")
		x.fs.BoolVar(&x.noCache, "no-cache", false, "neither read nor write the cache of compiled models ("+cache.Env+"=off does the same)")
	}
	return x.fs
}

// positive is a flag value that must be a whole number above zero.
type positive int

func (p *positive) String() string {
	if p == nil || *p == 0 {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func (p *positive) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a whole number above 0, got %q", s)
	}
	*p = positive(n)
	return nil
}

// byteSize is a flag value of bytes: a number with an optional unit, B,
// KiB, MiB, GiB or TiB (KB, MB, GB and TB are the same powers of 1024).
type byteSize int64

func (b *byteSize) String() string {
	if b == nil || *b == 0 {
		return ""
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	num := strings.TrimRightFunc(s, unicode.IsLetter)
	shift := 0
	switch unit := strings.ToUpper(strings.TrimSpace(s[len(num):])); unit {
	case "", "B":
	case "K", "KB", "KIB":
		shift = 10
	case "M", "MB", "MIB":
		shift = 20
	case "G", "GB", "GIB":
		shift = 30
	case "T", "TB", "TIB":
		shift = 40
	default:
		return fmt.Errorf("unknown unit %q (want B, KiB, MiB, GiB or TiB)", unit)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a positive size such as 512MiB, got %q", s)
	}
	if n > math.MaxInt64>>shift {
		return fmt.Errorf("size %q is too large", s)
	}
	*b = byteSize(n << shift)
	return nil
}

// printUsage writes the usage -h asks for.
func (x *command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: blastradius %s\n\nFlags:\n", x.synopsis)
	x.fs.SetOutput(w)
	x.fs.PrintDefaults()
	x.fs.SetOutput(io.Discard)
}

// oneOrMore is setup's nargs for a command taking any number of files but
// at least one.
const oneOrMore = -1

// setup parses args (flags may come before or after the positional
// arguments), checks that there are nargs positional arguments (oneOrMore:
// at least one) and checks the output flags, if the command has them. On
// failure it has printed why and returns ok false with the exit code.
func (x *command) setup(args []string, nargs int, out *outputFlags) (pos []string, code int, ok bool) {
	pos, err := parse(x.fs, args)
	if errors.Is(err, flag.ErrHelp) {
		x.printUsage(x.stdout)
		return nil, exitOK, false
	}
	if err != nil {
		return nil, x.usageError("%v", err), false
	}
	want := map[int]string{0: "no arguments", 1: "exactly one MODEL file", 2: "two MODEL files, OLD and NEW", oneOrMore: "one or more MODEL files"}[nargs]
	if (nargs == oneOrMore && len(pos) == 0) || (nargs != oneOrMore && len(pos) != nargs) {
		return nil, x.usageError("want %s, got %d", want, len(pos)), false
	}
	if out != nil {
		if err := out.check(); err != nil {
			return nil, x.usageError("%v", err), false
		}
	}
	return pos, exitOK, true
}

// usageError prints a usage error in one line with a hint and returns the
// exit code.
func (x *command) usageError(format string, args ...any) int {
	fmt.Fprintf(x.stderr, "blastradius %s: %s (see 'blastradius %s -h')\n", x.name, fmt.Sprintf(format, args...), x.name)
	return exitUsage
}

// fail prints an error that stops the command and returns the exit code:
// 130 when the context was cancelled (Ctrl-C), else 2.
func (x *command) fail(err error) int {
	if errors.Is(err, context.Canceled) && x.ctx.Err() != nil {
		fmt.Fprintf(x.stderr, "blastradius %s: interrupted\n", x.name)
		return exitInterrupted
	}
	fmt.Fprintf(x.stderr, "blastradius %s: %v\n", x.name, err)
	return exitUsage
}

// failf is fail with a message.
func (x *command) failf(format string, args ...any) int {
	return x.fail(fmt.Errorf(format, args...))
}

// finish writes the report in the chosen format and returns the exit code:
// exitFindings when findings is set (a --fail-on, a violated policy, a worse
// diff), so that the report is written whatever the verdict.
func (x *command) finish(out *outputFlags, r report, findings bool) int {
	if err := out.write(x.ctx, x.stdout, r); err != nil {
		return x.fail(err)
	}
	if findings {
		return exitFindings
	}
	return exitOK
}

// parse parses flags that may come before or after the positional
// arguments ("simulate MODEL --fail x" as well as "simulate --fail x MODEL").
// A lone "-" is a positional argument (standard input).
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

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// stdinName is the file name problems in a model read from standard input
// carry; graph.NameOf makes it the model's name "stdin" when the model has
// no model: line.
const stdinName = "<stdin>"

// load reads and compiles a model, "-" from standard input, printing every
// problem on failure; the caller then exits 2. A model without a model:
// line is named by its file (graph.LoadCompiled: "kakao-2022.yaml" is
// "kakao-2022"), so that every report says which model it is about.
func (x *command) load(path string) (*graph.Compiled, bool) {
	return x.loadThen(path, true)
}

// loadThen is load, collecting the garbage of loading only when release
// is set: a command that does nothing more with the graph than print its
// size (validate's last file) would pay for a collection whose memory no
// one uses (0.1 to 0.3 s of CPU at 1,000,000 nodes).
func (x *command) loadThen(path string, release bool) (*graph.Compiled, bool) {
	c, err := x.decode(path)
	if err != nil {
		x.problems(path, err)
		return nil, false
	}
	if release {
		releaseModel(c)
	}
	return c, true
}

// releaseModel collects the garbage of loading a large model before the
// analysis starts. The model, several times the size of its compiled
// graph, is garbage once compiled, but the collector's next cycle is due
// only when the heap has doubled from its size at the last one, during
// loading, when the model was live: everything the analysis allocates
// was added on top of the dead model instead of reusing its memory. Peak
// resident memory of rank (measured, whole process): 100,000 nodes 175 MB
// before, 151 MB after (validate alone: 150 MB); 5,000,000 nodes 8.65 GB
// before, 7.31 GB after, with the smaller loading of the same change
// (the peak is now loading's). One cycle marks only the compiled graph,
// whose large arrays hold no pointers.
func releaseModel(c *graph.Compiled) {
	if c.Len() >= bigGraph {
		runtime.GC()
	}
}

// bigGraph is the size from which releaseModel collects: below it, the
// dead model is small whatever the collector does.
const bigGraph = 50_000

// decode reads and compiles the model at path, or from standard input for
// "-", within the limits of --max-file-size and --max-nodes.
func (x *command) decode(path string) (*graph.Compiled, error) {
	if path != "-" {
		defer collectAfterLoad(path)()
		if cc := x.modelCache(); cc != nil {
			return cc.Load(path, x.limits)
		}
		return graph.LoadGraph(path, x.limits)
	}
	in, err := x.takeStdin()
	if err != nil {
		return nil, err
	}
	// A JSON model is an object, so it starts with "{"; a YAML model is
	// written as a block mapping ("model: ...", "nodes:"), and one written
	// as a flow mapping is read by the JSON decoder only if it is JSON.
	r := bufio.NewReader(in)
	format := graph.YAML
	for {
		b, err := r.Peek(1)
		if err != nil {
			break // empty or unreadable: Decode reports it
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			r.ReadByte()
			continue
		}
		if b[0] == '{' {
			format = graph.JSON
		}
		break
	}
	return graph.DecodeGraph(r, stdinName, format, x.limits)
}

// takeStdin returns standard input, which one run can read only once: for
// one MODEL or a --policy, given as "-".
func (x *command) takeStdin() (io.Reader, error) {
	if x.stdinRead {
		return nil, errors.New("standard input (-) can be read only once")
	}
	x.stdinRead = true
	return x.stdin, nil
}

// problems prints a *graph.ValidationError one problem per line and a
// count, or any other error as fail does, and returns the exit code.
func (x *command) problems(path string, err error) int {
	var verr *graph.ValidationError
	if !errors.As(err, &verr) {
		return x.fail(err)
	}
	for _, p := range verr.Problems {
		fmt.Fprintln(x.stderr, p.Error())
	}
	if path == "-" {
		path = stdinName
	}
	n := len(verr.Problems)
	fmt.Fprintf(x.stderr, "blastradius %s: %s: %d %s\n", x.name, path, n, plural(n, "problem", "problems"))
	return exitUsage
}

// plural returns one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// validate: blastradius validate MODEL...
func validate(x *command, args []string) int {
	x.flags("validate MODEL...")
	pos, code, ok := x.setup(args, oneOrMore, nil)
	if !ok {
		return code
	}
	// Every file is checked, so one run lists every problem of a change.
	code = exitOK
	for i, path := range pos {
		if err := x.ctx.Err(); err != nil {
			return x.fail(err)
		}
		// The garbage of a file's load is collected before the next
		// file's, not after the last.
		c, ok := x.loadThen(path, i < len(pos)-1)
		if !ok {
			code = exitUsage
			continue
		}
		name := path
		if path == "-" {
			name = stdinName
		}
		fmt.Fprintf(x.stdout, "%s: ok: model %q, %d nodes, %d compiled vertices, %d edges\n",
			name, c.Name(), c.NodeCount(), c.Len(), c.Edges())
	}
	return code
}

// versionCmd: blastradius version (or --version)
func versionCmd(x *command, args []string) int {
	x.flags("version")
	if _, code, ok := x.setup(args, 0, nil); !ok {
		return code
	}
	fmt.Fprintf(x.stdout, "blastradius %s\n", version())
	return exitOK
}

// version is the module version the binary was built from: a release
// ("v1.2.0") when installed with go install ...@version, a pseudo-version
// when built by go build in a git clone, "(devel)" when nothing is known
// (go run, or a build without version control information).
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}
