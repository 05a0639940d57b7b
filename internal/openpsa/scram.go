package openpsa

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Algorithm is the qualitative analysis SCRAM runs.
type Algorithm string

// SCRAM's algorithms for minimal cut sets.
const (
	MOCUS Algorithm = "mocus"
	BDD   Algorithm = "bdd"
	ZBDD  Algorithm = "zbdd"
)

// RunOptions are the SCRAM flags a run passes.
type RunOptions struct {
	Algorithm   Algorithm // default BDD
	LimitOrder  int       // --limit-order: the largest cut set kept; 0 for SCRAM's default
	Probability bool      // --probability true: needs Options.Probability when converting
	// Args are further flags, passed as they are (--importance true, say).
	Args []string
	// Exact, when set, runs SCRAM with the patched library that writes
	// every number exactly (see NewExact); the run fails if the report
	// holds a number that library did not write.
	Exact *Exact
}

// Report is what a SCRAM run found for the top gate.
type Report struct {
	// CutSets are the minimal cut sets, each a sorted list of the vertices
	// of its basic events; the empty set when the top is always true.
	CutSets [][]int32
	// Probability is the top event's probability (when asked for): to
	// ReportDigits digits, or exactly in a run with RunOptions.Exact.
	Probability float64
	// Warning is SCRAM's note on the result ("The set is NULL/Empty.").
	Warning string
	// Importance holds the importance factors of the events in some cut
	// set, by vertex, when the run asked for them (--importance true).
	Importance map[int32]Factors
	// XML is the whole report, for what Report does not parse.
	XML []byte
}

// Available reports whether the scram command is on PATH.
func Available() bool {
	_, err := exec.LookPath("scram")
	return err == nil
}

// Run writes t to a temporary file, runs scram on it and parses the
// report.
func Run(ctx context.Context, t *Tree, opts RunOptions) (*Report, error) {
	rs, err := RunForest(ctx, []*Tree{t}, opts)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// RunForest runs scram once on trees (see WriteForest) and returns the
// report of each, in order: one process for many targets.
func RunForest(ctx context.Context, trees []*Tree, opts RunOptions) ([]*Report, error) {
	return runTrees(ctx, trees, opts, WriteForest, func(int) string { return "e" })
}

// RunBatch runs scram once on trees of one or more models (see
// WriteBatch) and returns the report of each, in order, its cut sets and
// importance in vertices of the tree's own model.
func RunBatch(ctx context.Context, trees []*Tree, opts RunOptions) ([]*Report, error) {
	ks := batchModels(trees)
	return runTrees(ctx, trees, opts, WriteBatch, func(i int) string { return "m" + strconv.Itoa(ks[i]) + "e" })
}

// runTrees writes trees with write, runs scram on them and parses the
// report of each; prefix(i) is how tree i's event names begin before the
// vertex number.
func runTrees(ctx context.Context, trees []*Tree, opts RunOptions, write func(io.Writer, []*Tree) error, prefix func(i int) string) ([]*Report, error) {
	dir, err := os.MkdirTemp("", "openpsa-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "tree.xml")
	f, err := os.Create(in)
	if err != nil {
		return nil, err
	}
	if err := write(f, trees); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	data, err := RunFile(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	tops := make([]string, len(trees))
	prefixes := make([]string, len(trees))
	for i := range trees {
		tops[i], prefixes[i] = TopName(i, len(trees)), prefix(i)
	}
	return parseReports(data, tops, prefixes)
}

// RunFile runs scram on the MEF file in and returns its XML report.
func RunFile(ctx context.Context, in string, opts RunOptions) ([]byte, error) {
	alg := opts.Algorithm
	if alg == "" {
		alg = BDD
	}
	out := in + ".report.xml"
	args := []string{"--" + string(alg)}
	if opts.LimitOrder > 0 {
		args = append(args, "--limit-order", strconv.Itoa(opts.LimitOrder))
	}
	if opts.Probability {
		args = append(args, "--probability", "true")
	}
	args = append(args, opts.Args...)
	args = append(args, "-o", out, in)
	cmd := exec.CommandContext(ctx, "scram", args...)
	if opts.Exact != nil {
		cmd.Env = opts.Exact.environ()
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("scram %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	os.Remove(out)
	if opts.Exact != nil {
		if err := checkExact(data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// The parts of SCRAM's report (report.rng) that Report holds.
type xmlReport struct {
	Results struct {
		Sums       []xmlSum        `xml:"sum-of-products"`
		Importance []xmlImportance `xml:"importance"`
	} `xml:"results"`
}

type xmlSum struct {
	Name        string `xml:"name,attr"`
	Probability string `xml:"probability,attr"`
	Warning     string `xml:"warning,attr"`
	Products    []struct {
		Events []struct {
			Name string `xml:"name,attr"`
		} `xml:"basic-event"`
	} `xml:"product"`
}

// ParseReport reads the cut sets and probability of the top gate named
// top from a SCRAM report, and its importance factors when the report has
// them.
func ParseReport(data []byte, top string) (*Report, error) {
	rs, err := parseReports(data, []string{top}, []string{"e"})
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// parseReports reads the report of each of the top gates tops from one
// SCRAM report, parsed once; the basic events of tops[i] are named
// prefixes[i] and a vertex number.
func parseReports(data []byte, tops, prefixes []string) ([]*Report, error) {
	var x xmlReport
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("scram report: %w", err)
	}
	sums := map[string]*xmlSum{}
	for i := range x.Results.Sums {
		s := &x.Results.Sums[i]
		if sums[s.Name] == nil {
			sums[s.Name] = s
		}
	}
	imps := map[string]*xmlImportance{}
	for i := range x.Results.Importance {
		m := &x.Results.Importance[i]
		if imps[m.Name] == nil {
			imps[m.Name] = m
		}
	}
	out := make([]*Report, len(tops))
	for i, top := range tops {
		vertex := func(name string) (int32, bool) {
			rest, ok := strings.CutPrefix(name, prefixes[i])
			if !ok {
				return 0, false
			}
			return EventVertex("e" + rest)
		}
		s := sums[top]
		if s == nil {
			return nil, fmt.Errorf("scram report: no results for gate %s", top)
		}
		r := &Report{Warning: s.Warning, XML: data}
		if s.Probability != "" {
			p, err := strconv.ParseFloat(s.Probability, 64)
			if err != nil {
				return nil, fmt.Errorf("scram report: probability %q: %w", s.Probability, err)
			}
			r.Probability = p
		}
		for _, pr := range s.Products {
			set := make([]int32, 0, len(pr.Events))
			for _, e := range pr.Events {
				v, ok := vertex(e.Name)
				if !ok {
					return nil, fmt.Errorf("scram report: basic event %q is not one of ours", e.Name)
				}
				set = append(set, v)
			}
			r.CutSets = append(r.CutSets, set)
		}
		SortSets(r.CutSets)
		if m := imps[top]; m != nil {
			f, err := factorsOf(m, vertex)
			if err != nil {
				return nil, err
			}
			r.Importance = f
		}
		out[i] = r
	}
	return out, nil
}
