package main

import (
	"errors"
	"io"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
)

// availabilityCmd: blastradius availability MODEL --target ID
func availabilityCmd(x *command, args []string) int {
	fs := x.flags("availability MODEL --target ID [flags]")
	targetFlag := fs.String("target", "", "the node whose unavailability to compute (required), written as --fail takes it: `ID`, site:ID, region:ID or node:ID")
	var maxNodes, order positive
	fs.Var(&maxNodes, "max-bdd-nodes", "the memory budget: beyond `N` BDD nodes, give bounds from the cut sets instead (default 4194304, about 160 MB)")
	fs.Var(&order, "bound-order", "the bounds use cut sets of up to `K` nodes (default 2)")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *targetFlag == "" {
		return x.usageError("give --target ID (e.g. --target checkout)")
	}
	if order > analyze.MaxCutOrder {
		return x.usageError("--bound-order %d: at most %d", order, analyze.MaxCutOrder)
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	ref, err := analyze.ParseRef(c, *targetFlag)
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	u, err := analyze.Availability(x.ctx, c, ref.ID, analyze.AvailabilityOptions{MaxBDDNodes: int(maxNodes), BoundOrder: int(order)})
	if errors.Is(err, analyze.ErrNoFailureData) {
		return x.failf("%s: %w: give nodes availability: 99.95%% or mtbf and mttr, or the model defaults: {site: {availability: 99.99%%}}", pos[0], err)
	}
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.AvailabilityTable(w, u) },
		JSON:     func(w io.Writer) error { return export.AvailabilityJSON(w, u) },
		Markdown: func(w io.Writer) error { return export.AvailabilityMarkdown(w, u) },
	}, false)
}
