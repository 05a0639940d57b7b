package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// rank: blastradius rank MODEL [--top N] [--kind identity,datastore] [--order 2]
func rank(x *command, args []string) int {
	fs := x.flags("rank MODEL [--top N] [--kind KIND,...] [--order 1|2] [flags]")
	top := fs.Int("top", 0, "show only the first `N` (0: all)")
	kinds := fs.String("kind", "", "rank only nodes of these `KINDS` (comma-separated, e.g. identity,datastore; with --order 2 the default is site,region)")
	order := fs.Int("order", 1, "rank single failures (`N` = 1) or pairs of failures (2), by what each pair takes beyond its two failures alone")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *top < 0 {
		return x.usageError("--top %d: want 0 (all) or more", *top)
	}
	if *order != 1 && *order != 2 {
		return x.usageError("--order %d: want 1 (single failures) or 2 (pairs)", *order)
	}
	opts := analyze.RankOptions{Top: *top, Progress: progressBar(x.stderr, "rank")}
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
	if *order == 2 {
		return rankPairs(x, c, out, analyze.PairOptions{Kinds: opts.Kinds, Top: *top, Progress: progressBar(x.stderr, "rank")})
	}
	radii, err := analyze.Rank(x.ctx, c, opts)
	if err != nil {
		return x.fail(err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.RankTable(w, c, radii) },
		JSON:     func(w io.Writer) error { return export.RankJSON(w, c, radii) },
		Markdown: func(w io.Writer) error { return export.RankMarkdown(w, c, radii) },
	}, false)
}

// rankPairs is rank --order 2: pairs of failures.
func rankPairs(x *command, c *graph.Compiled, out *outputFlags, opts analyze.PairOptions) int {
	r, err := analyze.RankPairs(x.ctx, c, opts)
	if err != nil {
		return x.fail(err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.RankPairTable(w, c, r) },
		JSON:     func(w io.Writer) error { return export.RankPairJSON(w, c, r) },
		Markdown: func(w io.Writer) error { return export.RankPairMarkdown(w, c, r) },
	}, false)
}

// spof: blastradius spof MODEL --target ID
func spof(x *command, args []string) int {
	fs := x.flags("spof MODEL --target ID [flags]")
	targetFlag := fs.String("target", "", "the node whose single points of failure to find (required), written as --fail takes it: `ID`, site:ID, region:ID or node:ID")
	full := fullChainsFlag(fs)
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	if *targetFlag == "" {
		return x.usageError("give --target ID (e.g. --target kakao-games)")
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	ref, err := analyze.ParseRef(c, *targetFlag)
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	if ref.Replica {
		node, _, _ := strings.Cut(ref.ID, "@")
		return x.failf("--target %s: %q is a replica: single points of failure are found for nodes; give --target %s", *targetFlag, ref.ID, node)
	}
	target := ref.ID
	spofs, err := analyze.SPOFs(x.ctx, c, target)
	if err != nil {
		return x.failf("--target %s: %w", *targetFlag, err)
	}
	sopts := export.SPOFOptions{FullChains: *full}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.SPOFTable(w, c, target, spofs, sopts) },
		JSON:     func(w io.Writer) error { return export.SPOFJSON(w, c, target, spofs, sopts) },
		Markdown: func(w io.Writer) error { return export.SPOFMarkdown(w, c, target, spofs, sopts) },
	}, false)
}

// redundancy: blastradius redundancy MODEL
func redundancy(x *command, args []string) int {
	fs := x.flags("redundancy MODEL [--by site|region] [flags]")
	byFlag := fs.String("by", "site", "lose each `site` in turn, or each region with all its sites")
	out := addOutputFlags(fs, textFormats...)
	pos, code, ok := x.setup(args, 1, out)
	if !ok {
		return code
	}
	by, known := map[string]graph.Kind{"site": graph.Site, "region": graph.Region}[*byFlag]
	if !known {
		return x.usageError("--by %s: want site or region", *byFlag)
	}
	c, ok := x.load(pos[0])
	if !ok {
		return exitUsage
	}
	r, err := analyze.RedundancyRateBy(x.ctx, c, by)
	if err != nil {
		return x.fail(err)
	}
	return x.finish(out, report{
		Table:    func(w io.Writer) error { return export.RedundancyTable(w, c, r) },
		JSON:     func(w io.Writer) error { return export.RedundancyJSON(w, c, r) },
		Markdown: func(w io.Writer) error { return export.RedundancyMarkdown(w, c, r) },
	}, false)
}

// progressBar returns a progress callback that draws a bar on stderr when
// stderr is a terminal and the run takes long enough to notice, else nil.
func progressBar(stderr io.Writer, name string) func(done, total int) {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	start, last := time.Now(), time.Time{}
	return func(done, total int) {
		now := time.Now()
		if now.Sub(start) < 500*time.Millisecond || (now.Sub(last) < 100*time.Millisecond && done < total) {
			return
		}
		last = now
		const width = 30
		n := width * done / max(total, 1)
		fmt.Fprintf(f, "\r%s [%s%s] %d/%d", name, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		if done == total {
			fmt.Fprintln(f)
		}
	}
}
