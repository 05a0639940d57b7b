package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// rank: blastradius rank MODEL [--top N] [--kind identity,datastore]
func rank(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rank", "rank MODEL [--top N] [--kind KIND,...] [flags]", stderr)
	top := fs.Int("top", 0, "show only the first `N` (0: all)")
	kinds := fs.String("kind", "", "rank only nodes of these `KINDS` (comma-separated, e.g. identity,datastore)")
	out := addOutputFlags(fs, textFormats...)
	c, code := commonSetup("rank", out, args, stderr)
	if c == nil {
		return code
	}
	opts := analyze.RankOptions{Top: *top, Progress: progressBar(stderr, "rank")}
	if *top < 0 {
		fmt.Fprintln(stderr, "blastradius rank: --top must not be negative")
		return exitUsage
	}
	if *kinds != "" {
		for _, k := range strings.Split(*kinds, ",") {
			kind, ok := graph.ParseKind(strings.TrimSpace(k))
			if !ok {
				var names []string
				for _, k := range graph.Kinds() {
					names = append(names, k.String())
				}
				hint := ""
				if s, ok := graph.Suggest(strings.TrimSpace(k), names); ok {
					hint = fmt.Sprintf(" (did you mean %q?)", s)
				}
				fmt.Fprintf(stderr, "blastradius rank: --kind %q: unknown kind%s; want one of %s\n", k, hint, strings.Join(names, ", "))
				return exitUsage
			}
			opts.Kinds = append(opts.Kinds, kind)
		}
	}
	radii, err := analyze.Rank(context.Background(), c, opts)
	if err != nil {
		fmt.Fprintf(stderr, "blastradius rank: %v\n", err)
		return exitUsage
	}
	return finish("rank", out, stdout, stderr, report{
		Table:    func(w io.Writer) error { return export.RankTable(w, c, radii) },
		JSON:     func(w io.Writer) error { return export.RankJSON(w, c, radii) },
		Markdown: func(w io.Writer) error { return export.RankMarkdown(w, c, radii) },
	})
}

// spof: blastradius spof MODEL --target ID
func spof(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("spof", "spof MODEL --target ID [flags]", stderr)
	target := fs.String("target", "", "the node whose single points of failure to find (required)")
	out := addOutputFlags(fs, textFormats...)
	c, code := commonSetup("spof", out, args, stderr)
	if c == nil {
		return code
	}
	if *target == "" {
		fmt.Fprintln(stderr, "blastradius spof: give --target ID (e.g. --target kakao-games)")
		return exitUsage
	}
	spofs, err := analyze.SPOFs(context.Background(), c, *target)
	if err != nil {
		fmt.Fprintf(stderr, "blastradius spof: --target %s: %v\n", *target, err)
		return exitUsage
	}
	return finish("spof", out, stdout, stderr, report{
		Table:    func(w io.Writer) error { return export.SPOFTable(w, c, *target, spofs) },
		JSON:     func(w io.Writer) error { return export.SPOFJSON(w, c, *target, spofs) },
		Markdown: func(w io.Writer) error { return export.SPOFMarkdown(w, c, *target, spofs) },
	})
}

// redundancy: blastradius redundancy MODEL
func redundancy(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("redundancy", "redundancy MODEL [flags]", stderr)
	out := addOutputFlags(fs, textFormats...)
	c, code := commonSetup("redundancy", out, args, stderr)
	if c == nil {
		return code
	}
	r, err := analyze.RedundancyRate(context.Background(), c)
	if err != nil {
		fmt.Fprintf(stderr, "blastradius redundancy: %v\n", err)
		return exitUsage
	}
	return finish("redundancy", out, stdout, stderr, report{
		Table:    func(w io.Writer) error { return export.RedundancyTable(w, c, r) },
		JSON:     func(w io.Writer) error { return export.RedundancyJSON(w, c, r) },
		Markdown: func(w io.Writer) error { return export.RedundancyMarkdown(w, c, r) },
	})
}

// commonSetup parses a command taking one MODEL and output flags, and
// loads the model.
// A nil graph comes with the exit code to return.
func commonSetup(name string, out *outputFlags, args []string, stderr io.Writer) (*graph.Compiled, int) {
	pos, err := parse(out.fs, args)
	if err != nil {
		return nil, parseExit(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "blastradius %s: want exactly one MODEL file\n", name)
		return nil, exitUsage
	}
	if err := out.check(); err != nil {
		fmt.Fprintf(stderr, "blastradius %s: %v\n", name, err)
		return nil, exitUsage
	}
	c, ok := load(pos[0], stderr)
	if !ok {
		return nil, exitUsage
	}
	return c, exitOK
}

// finish writes the report and returns the exit code.
func finish(name string, out *outputFlags, stdout, stderr io.Writer, r report) int {
	if err := out.write(context.Background(), stdout, r); err != nil {
		fmt.Fprintf(stderr, "blastradius %s: %v\n", name, err)
		return exitUsage
	}
	return exitOK
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
