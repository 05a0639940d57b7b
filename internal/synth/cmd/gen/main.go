// Command gen writes a synthetic service catalog (internal/synth's Services
// with its default parameters) as a model file, for end-to-end benchmarks of
// the CLI:
//
//	go run ./internal/synth/cmd/gen -nodes 100000 -seed 1 -o m.yaml
//
// The format follows the name of the output: JSON for *.json, YAML
// otherwise. The same flags give the same bytes.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	nodes := fs.Int("nodes", 100_000, "number of nodes, sites and regions included")
	seed := fs.Int64("seed", 1, "seed of the generator")
	out := fs.String("o", "-", "output file: JSON when it ends in .json, YAML otherwise; - for YAML on standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *nodes < 1 {
		return fmt.Errorf("-nodes must be at least 1, got %d", *nodes)
	}
	m := synth.Services(synth.Default(*nodes, *seed))
	format := graph.YAML
	if strings.EqualFold(filepath.Ext(*out), ".json") {
		format = graph.JSON
	}
	if *out == "-" {
		return graph.Encode(stdout, m, format)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := graph.Encode(w, m, format); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
