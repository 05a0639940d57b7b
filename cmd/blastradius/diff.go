package main

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/blastradius-go/blastradius/graph"

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
	repairFlag := fs.String("repair", "24h", "compare the recovery of every site lost for `DURATION` (90m, 11h, 3d): each tier-0 node's outage and the user-hours lost; 0 compares none")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 2, out)
	if !ok {
		return code
	}
	repair, err := parseDuration(*repairFlag)
	if err == nil && repair < 0 {
		err = fmt.Errorf("must not be negative")
	}
	if err != nil {
		return x.usageError("--repair %s: %v", *repairFlag, err)
	}
	from, to, ok := x.loadBoth(pos[0], pos[1])
	if !ok {
		return exitUsage
	}
	afterLoad()
	opts := diff.Options{Repair: repair}
	if repair == 0 {
		opts.Repair = -1 // 0 on the command line: no comparison of times
	}
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

// loadBoth loads the two models of a diff at once, on two cores (decoding
// is most of a large diff's wait and runs on one), and reports problems as
// two loads one after the other would: the first model's, else the
// second's. A model from standard input is loaded in turn, so that which
// of two "-" reads standard input does not depend on timing.
func (x *command) loadBoth(a, b string) (from, to *graph.Compiled, ok bool) {
	if a == "-" || b == "-" {
		if from, ok = x.load(a); !ok {
			return nil, nil, false
		}
		if to, ok = x.load(b); !ok {
			return nil, nil, false
		}
		return from, to, true
	}
	x.modelCache() // opened once, before the loads share it
	var errB error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		to, errB = x.decode(b)
	}()
	from, errA := x.decode(a)
	wg.Wait()
	if errA != nil {
		x.problems(a, errA)
		return nil, nil, false
	}
	if errB != nil {
		x.problems(b, errB)
		return nil, nil, false
	}
	return from, to, true
}

// afterLoad collects what decoding left behind, once the models are
// compiled. The decoders' trees are most of the heap at their peak (2.8 GB
// of a diff's two 1,000,000-node models loaded at once), and the collector
// lets the heap grow to twice what was live at its last cycle: without a
// cycle here the analysis' allocations pile onto the garbage until then
// (a 4.9 GB heap for 1.7 GB live). One cycle now sets the next goal from
// the compiled models.
func afterLoad() { runtime.GC() }
