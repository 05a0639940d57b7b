package openpsa

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
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
	if err := WriteForest(f, trees); err != nil {
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
	out := make([]*Report, len(trees))
	for i := range trees {
		if out[i], err = ParseReport(data, TopName(i, len(trees))); err != nil {
			return nil, err
		}
	}
	return out, nil
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
		Sums []struct {
			Name        string `xml:"name,attr"`
			Probability string `xml:"probability,attr"`
			Warning     string `xml:"warning,attr"`
			Products    []struct {
				Events []struct {
					Name string `xml:"name,attr"`
				} `xml:"basic-event"`
			} `xml:"product"`
		} `xml:"sum-of-products"`
	} `xml:"results"`
}

// ParseReport reads the cut sets and probability of the top gate named
// top from a SCRAM report.
func ParseReport(data []byte, top string) (*Report, error) {
	var x xmlReport
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("scram report: %w", err)
	}
	for _, s := range x.Results.Sums {
		if s.Name != top {
			continue
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
				v, ok := EventVertex(e.Name)
				if !ok {
					return nil, fmt.Errorf("scram report: basic event %q is not one of ours", e.Name)
				}
				set = append(set, v)
			}
			r.CutSets = append(r.CutSets, set)
		}
		SortSets(r.CutSets)
		return r, nil
	}
	return nil, fmt.Errorf("scram report: no results for gate %s", top)
}
