package export

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
)

// The JSON layouts of the criticality reports, versioned like OutcomeSchema.
const (
	RankSchema       = "blastradius/rank/v1"
	SPOFSchema       = "blastradius/spof/v1"
	RedundancySchema = "blastradius/redundancy/v1"
)

// RankJSON is the document RankReportJSON writes.
type RankJSON struct {
	Schema string       `json:"schema"`
	Model  string       `json:"model"`
	Radii  []RadiusJSON `json:"radii"`
}

// RadiusJSON is one node's blast radius.
type RadiusJSON struct {
	analyze.Radius
	Kind string `json:"kind"`
	Tier *int   `json:"tier,omitempty"`
}

// RankReportJSON writes a ranking as a RankJSON document.
func RankReportJSON(w io.Writer, model string, radii []analyze.Radius) error {
	doc := RankJSON{Schema: RankSchema, Model: model, Radii: make([]RadiusJSON, len(radii))}
	for i, r := range radii {
		doc.Radii[i] = RadiusJSON{Radius: r, Kind: r.Kind.String(), Tier: tierPtr(r.Tier)}
	}
	return writeJSON(w, doc)
}

// RankTable writes a ranking as an aligned text table.
func RankTable(w io.Writer, model string, radii []analyze.Radius) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: blast radius of each single failure, largest first\n\n", orModel(model))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tNODE\tKIND\tUSERS DOWN\tUSERS DEGRADED\tDOWN\tDEGRADED\tTIER-0 HIT")
	for i, r := range radii {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", i+1, r.ID, r.Kind, users(r.UsersDown), users(r.UsersDegraded), r.Down, r.Degraded, r.Tier0)
	}
	tw.Flush()
	return ew.err
}

// RankMarkdown writes a ranking as a GitHub Markdown table.
func RankMarkdown(w io.Writer, model string, radii []analyze.Radius) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Blast radius of each single failure: %s\n\n", mdEscape(orModel(model)))
	fmt.Fprintln(ew, "| # | node | kind | users down | users degraded | nodes down | nodes degraded | tier-0 hit |")
	fmt.Fprintln(ew, "|--:|---|---|--:|--:|--:|--:|--:|")
	for i, r := range radii {
		fmt.Fprintf(ew, "| %d | `%s` | %s | %s | %s | %d | %d | %d |\n", i+1, r.ID, r.Kind, users(r.UsersDown), users(r.UsersDegraded), r.Down, r.Degraded, r.Tier0)
	}
	return ew.err
}

// SPOFJSON is the document SPOFReportJSON writes.
type SPOFJSON struct {
	Schema string         `json:"schema"`
	Model  string         `json:"model"`
	Target string         `json:"target"`
	SPOFs  []SPOFItemJSON `json:"spofs"`
}

// SPOFItemJSON is one single point of failure.
type SPOFItemJSON struct {
	analyze.SPOF
	Kind string `json:"kind"`
}

// SPOFReportJSON writes the SPOFs of target as a SPOFJSON document.
func SPOFReportJSON(w io.Writer, model, target string, spofs []analyze.SPOF) error {
	doc := SPOFJSON{Schema: SPOFSchema, Model: model, Target: target, SPOFs: make([]SPOFItemJSON, len(spofs))}
	for i, s := range spofs {
		doc.SPOFs[i] = SPOFItemJSON{SPOF: s, Kind: s.Kind.String()}
	}
	return writeJSON(w, doc)
}

// SPOFTable writes the SPOFs of target as a text table with their chains.
func SPOFTable(w io.Writer, model, target string, spofs []analyze.SPOF) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: %d single points of failure of %s\n\n", orModel(model), len(spofs), target)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tKIND\tCHAIN")
	for _, s := range spofs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.ID, s.Kind, strings.Join(s.Chain, " → "))
	}
	tw.Flush()
	return ew.err
}

// SPOFMarkdown writes the SPOFs of target as a Markdown table.
func SPOFMarkdown(w io.Writer, model, target string, spofs []analyze.SPOF) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Single points of failure of `%s` (%s)\n\n", target, mdEscape(orModel(model)))
	fmt.Fprintln(ew, "| node | kind | chain |")
	fmt.Fprintln(ew, "|---|---|---|")
	for _, s := range spofs {
		fmt.Fprintf(ew, "| `%s` | %s | %s |\n", s.ID, s.Kind, mdEscape(strings.Join(s.Chain, " → ")))
	}
	return ew.err
}

// RedundancyJSON is the document RedundancyReportJSON writes.
type RedundancyJSON struct {
	Schema string `json:"schema"`
	Model  string `json:"model"`
	*analyze.Redundancy
}

// RedundancyReportJSON writes a redundancy report as a RedundancyJSON
// document.
func RedundancyReportJSON(w io.Writer, model string, r *analyze.Redundancy) error {
	return writeJSON(w, RedundancyJSON{Schema: RedundancySchema, Model: model, Redundancy: r})
}

// RedundancyTable writes a redundancy report: the rates, then what each
// site's loss does.
func RedundancyTable(w io.Writer, model string, r *analyze.Redundancy) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: redundancy rate %s of services (%d of %d), %s of users (%s of %s)\n",
		orModel(model), percent(r.Rate), r.Survive, r.Services, percent(r.UsersRate), count(r.SurviveUsers), count(r.Users))
	fmt.Fprintf(ew, "services that stay up whichever site is lost; %d of them are left with no margin by some site\n\n", r.Exposed)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE LOST\tUP\tDOWN\tDEGRADED\tNO MARGIN LEFT")
	for _, s := range r.Sites {
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\t%s\n", s.Site, s.Survive, r.Services, list(s.Down), list(s.Degraded), list(s.Exposed))
	}
	tw.Flush()
	return ew.err
}

// RedundancyMarkdown writes a redundancy report as Markdown.
func RedundancyMarkdown(w io.Writer, model string, r *analyze.Redundancy) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Redundancy rate: %s\n\n", mdEscape(orModel(model)))
	fmt.Fprintf(ew, "**%s** of services (%d of %d) and **%s** of users (%s of %s) stay up whichever site is lost; %d of them are left with no margin by some site.\n\n",
		percent(r.Rate), r.Survive, r.Services, percent(r.UsersRate), count(r.SurviveUsers), count(r.Users), r.Exposed)
	fmt.Fprintln(ew, "| site lost | up | down | degraded | no margin left |")
	fmt.Fprintln(ew, "|---|--:|---|---|---|")
	for _, s := range r.Sites {
		fmt.Fprintf(ew, "| `%s` | %d/%d | %s | %s | %s |\n", s.Site, s.Survive, r.Services, mdList(s.Down), mdList(s.Degraded), mdList(s.Exposed))
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
