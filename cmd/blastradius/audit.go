package main

import (
	"io"
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
)

// audit: blastradius audit MODEL [--order N] [--owner ID,...] [--kind KIND,...] [--limit N] [--all-chains]
//
// The chains are built for the claims the report prints (or, with
// --all-chains, for every claim of the JSON report): on a large catalog
// they were most of the audit's time.
func auditCmd(x *command, args []string) int {
	fs := x.flags("audit MODEL [--order N] [--owner ID,...] [--kind KIND,...] [--limit N] [--all-chains] [flags]")
	order := fs.Int("order", 2, "look for defeats of up to `N` failures together (1 to 8)")
	owners := fs.String("owner", "", "audit only the claims of these `IDS` (comma-separated)")
	kinds := fs.String("kind", "", "let only nodes of these `KINDS` fail (comma-separated, e.g. site,power,region)")
	limit := fs.Int("limit", 0, "find at most `N` defeats per claim and single points of failure per owner (0: 100; -1: no limit)")
	allChains := fs.Bool("all-chains", false, "JSON: give the chains of every claim, not only of those the text report prints (slow on a large model)")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *order < 1 || *order > analyze.MaxCutOrder {
		return x.usageError("--order %d: want 1 to %d", *order, analyze.MaxCutOrder)
	}
	if *limit < -1 {
		return x.usageError("--limit %d: want -1 (no limit), 0 (the default) or more", *limit)
	}
	opts := analyze.AuditOptions{MaxOrder: *order, Limit: *limit, Progress: progressBar(x.stderr, "audit"), NoChains: !*allChains}
	if *kinds != "" {
		var err error
		if opts.Kinds, err = analyze.ParseKinds(*kinds); err != nil {
			return x.usageError("--kind %s: %v", *kinds, err)
		}
	}
	for _, id := range strings.Split(*owners, ",") {
		if id = strings.TrimSpace(id); id != "" {
			opts.Owners = append(opts.Owners, id)
		}
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	r, err := analyze.Audit(x.ctx, c, opts)
	if err != nil {
		return x.fail(err)
	}
	if err := r.Explain(x.ctx, c, export.AuditShown(r)...); err != nil {
		return x.fail(err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.AuditTable(w, c, r) },
		JSON:     func(w io.Writer) error { return export.AuditJSON(w, c, r) },
		Markdown: func(w io.Writer) error { return export.AuditMarkdown(w, c, r) },
	}, false)
}
