package main

import (
	"io"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
)

// cutsets: blastradius cutsets MODEL --target ID [--order 3]
func cutsets(x *command, args []string) int {
	fs := x.flags("cutsets MODEL --target ID [--order N] [--kind KIND,...] [--limit N] [flags]")
	targetFlag := fs.String("target", "", "the node or replica whose minimal cut sets to find (required), written as --fail takes it: `ID`, site:ID, region:ID, node:ID or node@site")
	order := fs.Int("order", 2, "the largest cut set to look for, `N` failures (1 to 8)")
	kinds := fs.String("kind", "", "let only nodes of these `KINDS` fail (comma-separated, e.g. site,region,power)")
	replicas := fs.Bool("replicas", false, "let replicas (node@site) fail too, one at a time like nodes")
	limit := fs.Int("limit", 0, "stop after `N` cut sets (0: no limit); the report then says up to which order it is complete")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *targetFlag == "" {
		return x.usageError("give --target ID (e.g. --target kakao-games)")
	}
	if *order < 1 || *order > analyze.MaxCutOrder {
		return x.usageError("--order %d: want 1 to %d", *order, analyze.MaxCutOrder)
	}
	if *limit < 0 {
		return x.usageError("--limit %d: want 0 (no limit) or more", *limit)
	}
	opts := analyze.CutSetOptions{MaxOrder: *order, Replicas: *replicas, Limit: *limit, Progress: progressBar(x.stderr, "cutsets")}
	if *kinds != "" {
		var err error
		if opts.Kinds, err = analyze.ParseKinds(*kinds); err != nil {
			return x.usageError("--kind %s: %v", *kinds, err)
		}
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	ref, err := analyze.ParseRef(c, *targetFlag)
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	r, err := analyze.CutSets(x.ctx, c, ref.ID, opts)
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.CutSetTable(w, c, r) },
		JSON:     func(w io.Writer) error { return export.CutSetJSON(w, c, r) },
		Markdown: func(w io.Writer) error { return export.CutSetMarkdown(w, c, r) },
	}, false)
}
