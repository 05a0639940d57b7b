package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// The JSON layouts of the criticality reports, versioned like
// OutcomeSchema. The SPOF layout is v2: each SPOF names the next one
// toward the target instead of carrying its whole chain (see SPOFRecord).
const (
	RankSchema       = "blastradius/rank/v1"
	SPOFSchema       = "blastradius/spof/v2"
	RedundancySchema = "blastradius/redundancy/v1"
)

// The writers of the criticality reports take the compiled graph the result
// was computed on beside the result: analyze returns rankings, SPOFs and
// redundancy as plain data that does not know its graph (unlike an
// Outcome), and the graph gives the report its model name, kinds and
// tiers. Passing it, rather than a model name, keeps every writer's input
// the same for one command and leaves the result types free of
// presentation.

// RankDoc is the document RankJSON writes.
type RankDoc struct {
	Schema string         `json:"schema"`
	Model  string         `json:"model"`
	Radii  []RadiusRecord `json:"radii"`
}

// RadiusRecord is one node's blast radius.
type RadiusRecord struct {
	ID            string `json:"id"`
	Down          int    `json:"down"`
	Degraded      int    `json:"degraded"`
	UsersDown     int64  `json:"users_down"`
	UsersDegraded int64  `json:"users_degraded"`
	Tier0         int    `json:"tier0_hit"`
	Kind          string `json:"kind"`
	Tier          *int   `json:"tier,omitempty"`
}

// NewRankDoc builds the JSON document of a ranking of c.
func NewRankDoc(c *graph.Compiled, radii []analyze.Radius) RankDoc {
	doc := RankDoc{Schema: RankSchema, Model: c.Name(), Radii: make([]RadiusRecord, len(radii))}
	for i, r := range radii {
		doc.Radii[i] = RadiusRecord{
			ID: r.ID, Down: r.Down, Degraded: r.Degraded, UsersDown: r.UsersDown, UsersDegraded: r.UsersDegraded,
			Tier0: r.Tier0, Kind: r.Kind.String(), Tier: tierPtr(r.Tier),
		}
	}
	return doc
}

// RankJSON writes a ranking of c as a RankDoc document.
func RankJSON(w io.Writer, c *graph.Compiled, radii []analyze.Radius) error {
	return writeJSON(w, NewRankDoc(c, radii))
}

// RankTable writes a ranking of c as an aligned text table.
//
// Its columns are aligned as text/tabwriter aligns them (each as wide as
// its widest cell, in runes, plus two spaces; the last column unpadded),
// but in two passes so that a ranking of every node of a large model is
// not held in memory as text: the widths first, computed from the values,
// then the rows formatted a block at a time (on several cores for a large
// table, see writeRows) and written to w in order. A test holds the
// output byte for byte equal to tabwriter's.
func RankTable(w io.Writer, c *graph.Compiled, radii []analyze.Radius) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: blast radius of each single failure, largest first\n\n", orModel(c.Name()))
	header := [8]string{"#", "NODE", "KIND", "USERS DOWN", "USERS DEGRADED", "DOWN", "DEGRADED", "TIER-0 HIT"}
	var width [7]int // of the padded columns: all but TIER-0 HIT
	for k := range width {
		width[k] = utf8.RuneCountInString(header[k])
	}
	// The widths of parts of the rows on every core, then the widest; and
	// what the rows' bytes add to their widths (the last column, and the
	// bytes beyond one per rune of ids and kinds), for the table's size.
	type part struct {
		width [7]int
		extra int
	}
	parts := make([]part, runtime.GOMAXPROCS(0))
	n := inParts(len(radii), len(parts), func(k, lo, hi int) {
		w, extra := &parts[k].width, 0
		for _, r := range radii[lo:hi] {
			id, kind := utf8.RuneCountInString(r.ID), r.Kind.String()
			kr := utf8.RuneCountInString(kind)
			w[1] = max(w[1], id)
			w[2] = max(w[2], kr)
			w[3] = max(w[3], usersWidth(r.UsersDown))
			w[4] = max(w[4], usersWidth(r.UsersDegraded))
			w[5] = max(w[5], countWidth(int64(r.Down)))
			w[6] = max(w[6], countWidth(int64(r.Degraded)))
			extra += countWidth(int64(r.Tier0)) + len(r.ID) - id + len(kind) - kr
		}
		parts[k].extra = extra
	})
	width[0] = max(width[0], countWidth(int64(len(radii))))
	size := 0
	for _, p := range parts[:n] {
		for k := 1; k < len(width); k++ {
			width[k] = max(width[k], p.width[k])
		}
		size += p.extra
	}
	var row []byte
	for k, h := range header[:7] {
		row = appendPadded(row, h, utf8.RuneCountInString(h), width[k])
	}
	row = append(append(row, header[7]...), '\n')
	// A destination that grows as it is written (the CLI's bytes.Buffer)
	// is grown once to the table's size: doubling it to 460 MB (every
	// node of 5,000,000) allocated, zeroed and copied about twice that.
	if g, ok := w.(interface{ Grow(int) }); ok {
		for _, wd := range width {
			size += len(radii) * (wd + 2)
		}
		g.Grow(size + len(radii) + len(row))
	}
	ew.Write(row)
	if ew.err != nil {
		return ew.err
	}
	return writeRows(ew, len(radii), func(row []byte, i int) []byte {
		r := &radii[i]
		row = appendCountPadded(row, int64(i+1), width[0])
		row = appendPadded(row, r.ID, utf8.RuneCountInString(r.ID), width[1])
		kind := r.Kind.String()
		row = appendPadded(row, kind, utf8.RuneCountInString(kind), width[2])
		row = appendUsersPadded(row, r.UsersDown, width[3])
		row = appendUsersPadded(row, r.UsersDegraded, width[4])
		row = appendCountPadded(row, int64(r.Down), width[5])
		row = appendCountPadded(row, int64(r.Degraded), width[6])
		row = appendCount(row, int64(r.Tier0))
		return append(row, '\n')
	})
}

// RankMarkdown writes a ranking of c as a GitHub Markdown table.
func RankMarkdown(w io.Writer, c *graph.Compiled, radii []analyze.Radius) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Blast radius of each single failure: %s\n\n", mdText(orModel(c.Name())))
	fmt.Fprintln(ew, "| # | node | kind | users down | users degraded | nodes down | nodes degraded | tier-0 hit |")
	fmt.Fprintln(ew, "|--:|---|---|--:|--:|--:|--:|--:|")
	for i, r := range radii {
		fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", count(i+1), code(r.ID), r.Kind, users(r.UsersDown), users(r.UsersDegraded), count(r.Down), count(r.Degraded), count(r.Tier0))
	}
	return ew.err
}

// SPOFOptions control the SPOF writers.
type SPOFOptions struct {
	// FullChains prints (and puts in JSON) every chain whole; by default a
	// chain is its last ChainLinks links, ending at the SPOF, after the
	// target and "… N more". Each SPOF names its next hop toward the
	// target, so the rest can be read off the other rows.
	FullChains bool
}

func (o SPOFOptions) links() int {
	if o.FullChains {
		return 0
	}
	return ChainLinks
}

func spofOpts(opts []SPOFOptions) SPOFOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return SPOFOptions{}
}

// SPOFDoc is the document SPOFJSON writes.
type SPOFDoc struct {
	Schema string       `json:"schema"`
	Model  string       `json:"model"`
	Target string       `json:"target"`
	SPOFs  []SPOFRecord `json:"spofs"`
}

// SPOFRecord is one single point of failure. Its chain of causes, from the
// target down to it, is the chain of Next followed by Path; Chain holds
// its last links (all of them with SPOFOptions.FullChains) and ChainMore
// how many links before them were left out.
type SPOFRecord struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Next      string   `json:"next"`
	Path      []string `json:"path"`
	Hops      int      `json:"hops"`
	Chain     []string `json:"chain"`
	ChainMore int      `json:"chain_more,omitempty"`
}

// NewSPOFDoc builds the JSON document of the SPOFs of target in c.
func NewSPOFDoc(c *graph.Compiled, target string, spofs []analyze.SPOF, opts ...SPOFOptions) SPOFDoc {
	opt := spofOpts(opts)
	chains := analyze.NewSPOFChains(target, spofs)
	doc := SPOFDoc{Schema: SPOFSchema, Model: c.Name(), Target: target, SPOFs: make([]SPOFRecord, len(spofs))}
	for i, s := range spofs {
		chain, more := chains.Tail(i, opt.links()+1)
		doc.SPOFs[i] = SPOFRecord{ID: s.ID, Kind: s.Kind.String(), Next: s.Next, Path: s.Path, Hops: s.Hops, Chain: chain, ChainMore: more}
	}
	return doc
}

// SPOFJSON writes the SPOFs of target in c as a SPOFDoc document.
func SPOFJSON(w io.Writer, c *graph.Compiled, target string, spofs []analyze.SPOF, opts ...SPOFOptions) error {
	return writeJSON(w, NewSPOFDoc(c, target, spofs, opts...))
}

// spofChain is the chain of spofs[i] as a report prints it: whole when
// short, else the target, "…", how many links are left out and the last
// links down to the SPOF.
func spofChain(chains *analyze.SPOFChains, target string, i, links int, id func(string) string) string {
	chain, more := chains.Tail(i, links)
	parts := make([]string, 0, len(chain)+2)
	if more > 0 {
		parts = append(parts, id(target), "… "+count(more-1)+" more")
		if more == 1 {
			parts = parts[:1]
		}
	}
	for _, l := range chain {
		parts = append(parts, id(l))
	}
	return strings.Join(parts, " → ")
}

// SPOFTable writes the SPOFs of target in c as a text table with their
// chains.
func SPOFTable(w io.Writer, c *graph.Compiled, target string, spofs []analyze.SPOF, opts ...SPOFOptions) error {
	opt := spofOpts(opts)
	chains := analyze.NewSPOFChains(target, spofs)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: %s of %s\n\n", orModel(c.Name()), plural(len(spofs), "single point of failure"), target)
	// Aligned as RankTable is, the widths first: CHAIN, the last column,
	// needs none, so each chain is built once, when its row is written.
	width := [2]int{len("NODE"), len("KIND")}
	for _, s := range spofs {
		width[0] = max(width[0], utf8.RuneCountInString(s.ID))
		width[1] = max(width[1], utf8.RuneCountInString(s.Kind.String()))
	}
	bw := bufio.NewWriter(ew)
	row := appendPadded(nil, "NODE", len("NODE"), width[0])
	row = appendPadded(row, "KIND", len("KIND"), width[1])
	bw.Write(append(row, "CHAIN\n"...))
	for i, s := range spofs {
		row = appendPadded(row[:0], s.ID, utf8.RuneCountInString(s.ID), width[0])
		kind := s.Kind.String()
		row = appendPadded(row, kind, utf8.RuneCountInString(kind), width[1])
		row = append(row, spofChain(chains, target, i, opt.links(), plain)...)
		bw.Write(append(row, '\n'))
	}
	bw.Flush()
	return ew.err
}

// SPOFMarkdown writes the SPOFs of target in c as a Markdown table.
func SPOFMarkdown(w io.Writer, c *graph.Compiled, target string, spofs []analyze.SPOF, opts ...SPOFOptions) error {
	opt := spofOpts(opts)
	chains := analyze.NewSPOFChains(target, spofs)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## %s of %s (%s)\n\n", plural(len(spofs), "single point of failure"), code(target), mdText(orModel(c.Name())))
	fmt.Fprintln(ew, "| node | kind | chain |")
	fmt.Fprintln(ew, "|---|---|---|")
	for i, s := range spofs {
		fmt.Fprintf(ew, "| %s | %s | %s |\n", code(s.ID), s.Kind, spofChain(chains, target, i, opt.links(), code))
	}
	return ew.err
}

// RedundancyDoc is the document RedundancyJSON writes: every name of every
// site loss, unbounded (the table and Markdown bound their cells).
type RedundancyDoc struct {
	Schema string `json:"schema"`
	Model  string `json:"model"`
	RateRecord
}

// RateRecord is a model's redundancy rate (analyze.Redundancy): the
// fields of a RedundancyDoc, and each side of a diff's redundancy.
type RateRecord struct {
	Services     int              `json:"services"`
	Users        int64            `json:"users"`
	Survive      int              `json:"survive"`
	SurviveUsers int64            `json:"survive_users"`
	Rate         float64          `json:"rate"`
	UsersRate    float64          `json:"users_rate"`
	Exposed      int              `json:"exposed"`
	ExposedUsers int64            `json:"exposed_users"`
	Sites        []SiteLossRecord `json:"sites"`
	// By is "region" when each region was lost in turn (redundancy --by
	// region); absent by site.
	By string `json:"by,omitempty"`
}

// SiteLossRecord is what the loss of one site does to the measured
// services.
type SiteLossRecord struct {
	Site          string   `json:"site"`
	Down          []string `json:"down"`
	Degraded      []string `json:"degraded"`
	Exposed       []string `json:"exposed"`
	Survive       int      `json:"survive"`
	UsersDown     int64    `json:"users_down"`
	UsersDegraded int64    `json:"users_degraded"`
	UsersExposed  int64    `json:"users_exposed"`
}

// NewRedundancyDoc builds the JSON document of a redundancy report of c.
func NewRedundancyDoc(c *graph.Compiled, r *analyze.Redundancy) RedundancyDoc {
	return RedundancyDoc{Schema: RedundancySchema, Model: c.Name(), RateRecord: newRateRecord(r)}
}

// newRateRecord is the record of a redundancy rate, every list given ([]
// for an empty one, never null).
func newRateRecord(r *analyze.Redundancy) RateRecord {
	rec := RateRecord{
		Services: r.Services, Users: r.Users, Survive: r.Survive, SurviveUsers: r.SurviveUsers,
		Rate: r.Rate, UsersRate: r.UsersRate, Exposed: r.Exposed, ExposedUsers: r.ExposedUsers,
		Sites: make([]SiteLossRecord, len(r.Sites)),
	}
	if r.By == graph.Region {
		rec.By = "region"
	}
	for i, s := range r.Sites {
		rec.Sites[i] = SiteLossRecord{
			Site: s.Site, Down: nonNil(s.Down), Degraded: nonNil(s.Degraded), Exposed: nonNil(s.Exposed), Survive: s.Survive,
			UsersDown: s.UsersDown, UsersDegraded: s.UsersDegraded, UsersExposed: s.UsersExposed,
		}
	}
	return rec
}

// RedundancyJSON writes a redundancy report of c as a RedundancyDoc
// document.
func RedundancyJSON(w io.Writer, c *graph.Compiled, r *analyze.Redundancy) error {
	return writeJSON(w, NewRedundancyDoc(c, r))
}

// RedundancyTable writes a redundancy report of c: the rates, then what
// each site's loss does, each cell listing at most ten names and then
// "and N more", so that no cell grows with the model.
func RedundancyTable(w io.Writer, c *graph.Compiled, r *analyze.Redundancy) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: redundancy rate %s of services (%s of %s), %s of users (%s of %s)\n",
		orModel(c.Name()), percent(r.Rate), count(r.Survive), count(r.Services), percent(r.UsersRate), count(r.SurviveUsers), count(r.Users))
	by := lostBy(r)
	fmt.Fprintf(ew, "services that stay up whichever %s is lost; %s left with no margin by some %s\n\n", by, exposedCount(r.Exposed), by)
	// Aligned as RankTable is, in two passes; a row's cells are bounded,
	// so the first pass builds them too and the second again.
	header := [4]string{strings.ToUpper(by) + " LOST", "UP", "DOWN", "DEGRADED"}
	cells := func(s analyze.SiteLoss) [4]string {
		return [4]string{s.Site, count(s.Survive) + "/" + count(r.Services), boundedList(s.Down), boundedList(s.Degraded)}
	}
	var width [4]int
	for k, h := range header {
		width[k] = utf8.RuneCountInString(h)
	}
	for _, s := range r.Sites {
		for k, cell := range cells(s) {
			width[k] = max(width[k], utf8.RuneCountInString(cell))
		}
	}
	bw := bufio.NewWriter(ew)
	var row []byte
	start := func(cs [4]string) { row = appendCells(row[:0], cs[:], width[:]) }
	start(header)
	bw.Write(append(row, "NO MARGIN LEFT\n"...))
	for _, s := range r.Sites {
		start(cells(s))
		row = append(append(row, boundedList(s.Exposed)...), '\n')
		bw.Write(row)
	}
	bw.Flush()
	return ew.err
}

// exposedCount is "1 of them is", "3 of them are": the number of services
// left with no margin, with its verb.
func exposedCount(n int) string {
	if n == 1 {
		return "1 of them is"
	}
	return count(n) + " of them are"
}

// RedundancyMarkdown writes a redundancy report of c as Markdown, each cell
// bounded like RedundancyTable's.
func RedundancyMarkdown(w io.Writer, c *graph.Compiled, r *analyze.Redundancy) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Redundancy rate: %s\n\n", mdText(orModel(c.Name())))
	by := lostBy(r)
	fmt.Fprintf(ew, "**%s** of services (%s of %s) and **%s** of users (%s of %s) stay up whichever %s is lost; %s left with no margin by some %s.\n\n",
		percent(r.Rate), count(r.Survive), count(r.Services), percent(r.UsersRate), count(r.SurviveUsers), count(r.Users), by, exposedCount(r.Exposed), by)
	fmt.Fprintf(ew, "| %s lost | up | down | degraded | no margin left |\n", by)
	fmt.Fprintln(ew, "|---|--:|---|---|---|")
	for _, s := range r.Sites {
		fmt.Fprintf(ew, "| %s | %s/%s | %s | %s | %s |\n", code(s.Site), count(s.Survive), count(r.Services), mdBoundedList(s.Down), mdBoundedList(s.Degraded), mdBoundedList(s.Exposed))
	}
	return ew.err
}

func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func tierPtr(t int) *int {
	if t < 0 {
		return nil
	}
	return &t
}

// lostBy is what a redundancy rate lost one at a time: "site" or
// "region".
func lostBy(r *analyze.Redundancy) string {
	if r.By == graph.Region {
		return "region"
	}
	return "site"
}
