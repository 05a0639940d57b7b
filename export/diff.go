package export

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
	"github.com/blastradius-go/blastradius/analyze/policy"
)

// DiffSchema is the JSON layout of a model diff, versioned like
// OutcomeSchema.
const DiffSchema = "blastradius/diff/v1"

// diffRows is how many rows a section of a diff report lists; the rest are
// counted ("… and 12 more"). The JSON document lists them all.
const diffRows = 25

// DiffDoc is the document DiffJSON writes. Lists are [] when empty,
// except the lists of a site loss, which are null when empty.
type DiffDoc struct {
	Schema     string               `json:"schema"`
	Worse      bool                 `json:"worse"`
	Old        string               `json:"old_model"`
	New        string               `json:"new_model"`
	Added      []string             `json:"added"`
	Removed    []string             `json:"removed"`
	Grew       []DiffChangeRecord   `json:"grew"`
	Shrank     []DiffChangeRecord   `json:"shrank"`
	Redundancy DiffRedundancyRecord `json:"redundancy"`
	Policy     *DiffPolicyRecord    `json:"policy,omitempty"`
	NewSPOFs   []DiffSPOFRecord     `json:"new_spofs"`
	FixedSPOFs []DiffSPOFRecord     `json:"fixed_spofs"`
	// NewSPOFsMore and FixedSPOFsMore count the SPOFs left out of the
	// lists (diff.Options.MaxSPOFs); absent when none is.
	NewSPOFsMore   int `json:"new_spofs_more,omitempty"`
	FixedSPOFsMore int `json:"fixed_spofs_more,omitempty"`
	// Times compares each site's loss for a repair time (diff.Times).
	Times *DiffTimesRecord `json:"times,omitempty"`
}

// DiffSPOFRecord is a single point of failure that one model has and the
// other not.
type DiffSPOFRecord struct {
	ID    string   `json:"id"`
	Takes []string `json:"takes"`
	Chain []string `json:"chain"` // null beyond the first Options.MaxChains
	Kind  string   `json:"kind"`
	// TakesMore counts the protected nodes left out of Takes
	// (diff.Options.MaxTakes); absent when none is.
	TakesMore int `json:"takes_more,omitempty"`
}

// DiffChangeRecord is one node's blast radius in both models.
type DiffChangeRecord struct {
	ID  string           `json:"id"`
	Old DiffRadiusRecord `json:"old"`
	New DiffRadiusRecord `json:"new"`
}

// DiffRadiusRecord is a node's blast radius in one model.
type DiffRadiusRecord struct {
	ID            string `json:"id"`
	Down          int    `json:"down"`
	Degraded      int    `json:"degraded"`
	UsersDown     int64  `json:"users_down"`
	UsersDegraded int64  `json:"users_degraded"`
	Tier0         int    `json:"tier0_hit"`
}

// DiffRedundancyRecord is the redundancy rate before and after, and the
// services that no longer, or now, survive the loss of any one site.
type DiffRedundancyRecord struct {
	Old    *RateRecord `json:"old"`
	New    *RateRecord `json:"new"`
	Lost   []string    `json:"lost"`
	Gained []string    `json:"gained"`
}

// DiffPolicyRecord compares a policy's checks of the two models.
type DiffPolicyRecord struct {
	Rules []DiffRuleRecord `json:"rules"`
}

// DiffRuleRecord is one rule's verdict before and after.
type DiffRuleRecord struct {
	Title      string            `json:"title"`
	Rule       string            `json:"rule"`
	WasPassed  bool              `json:"was_passed"`
	Passed     bool              `json:"passed"`
	OldTotal   int               `json:"old_violations"`
	NewTotal   int               `json:"new_violations"`
	Introduced []ViolationRecord `json:"introduced"`
}

// NewDiffDoc returns the JSON document of a diff.
func NewDiffDoc(d *diff.Diff) DiffDoc {
	doc := DiffDoc{Schema: DiffSchema, Worse: d.Worse(), Old: d.Old, New: d.New,
		Added: nonNil(d.Added), Removed: nonNil(d.Removed),
		Grew: changeRecords(d.Grew), Shrank: changeRecords(d.Shrank),
		Redundancy: DiffRedundancyRecord{Old: rateRecord(d.Redundancy.Old), New: rateRecord(d.Redundancy.New),
			Lost: nonNil(d.Redundancy.Lost), Gained: nonNil(d.Redundancy.Gained)},
		NewSPOFs: spofRecords(d.NewSPOFs), FixedSPOFs: spofRecords(d.FixedSPOFs),
		NewSPOFsMore: d.NewSPOFCount - len(d.NewSPOFs), FixedSPOFsMore: d.FixedSPOFCount - len(d.FixedSPOFs),
		Times: timesRecord(d.Times)}
	if d.Policy != nil {
		doc.Policy = &DiffPolicyRecord{Rules: make([]DiffRuleRecord, len(d.Policy.Rules))}
		for i, r := range d.Policy.Rules {
			rec := DiffRuleRecord{Title: r.Title, Rule: r.Rule, WasPassed: r.WasPassed, Passed: r.Passed,
				OldTotal: r.OldTotal, NewTotal: r.NewTotal, Introduced: make([]ViolationRecord, len(r.Introduced))}
			for j, v := range r.Introduced {
				rec.Introduced[j] = NewViolationRecord(policy.RuleResult{Rule: r.Rule}, v)
			}
			doc.Policy.Rules[i] = rec
		}
	}
	return doc
}

// DiffJSON writes a diff as a DiffDoc document.
func DiffJSON(w io.Writer, d *diff.Diff) error { return writeJSON(w, NewDiffDoc(d)) }

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func changeRecords(cs []diff.Change) []DiffChangeRecord {
	out := make([]DiffChangeRecord, len(cs))
	for i, c := range cs {
		out[i] = DiffChangeRecord{ID: c.ID, Old: radiusRecord(c.Old), New: radiusRecord(c.New)}
	}
	return out
}

func radiusRecord(r analyze.Radius) DiffRadiusRecord {
	return DiffRadiusRecord{ID: r.ID, Down: r.Down, Degraded: r.Degraded, UsersDown: r.UsersDown,
		UsersDegraded: r.UsersDegraded, Tier0: r.Tier0}
}

func rateRecord(r *analyze.Redundancy) *RateRecord {
	if r == nil {
		return nil
	}
	rec := newRateRecord(r)
	return &rec
}

func spofRecords(ss []diff.SPOF) []DiffSPOFRecord {
	out := make([]DiffSPOFRecord, len(ss))
	for i, s := range ss {
		out[i] = DiffSPOFRecord{ID: s.ID, Takes: nonNil(s.Takes), Chain: s.Chain, Kind: s.Kind.String(), TakesMore: s.TakesCount - len(s.Takes)}
	}
	return out
}

// diffHeadline is the verdict in one sentence.
func diffHeadline(d *diff.Diff) string {
	if d.Empty() {
		return "no change to resilience"
	}
	var parts []string
	if n := d.NewSPOFCount; n > 0 {
		parts = append(parts, spofCount(n, "new ", ""))
	}
	if d.Policy != nil {
		newly := 0
		for _, r := range d.Policy.Rules {
			if r.NewlyFailing() {
				newly++
			}
		}
		if newly > 0 {
			parts = append(parts, plural(newly, "policy rule")+" newly failing")
		}
	}
	if n := len(d.Redundancy.Lost); n > 0 {
		parts = append(parts, plural(n, "service")+" no longer surviving the loss of a site")
	}
	if n := len(d.Grew); n > 0 {
		parts = append(parts, radii(n)+" grown")
	}
	longer, shorter := timesParts(d.Times)
	parts = append(parts, longer...)
	if n := d.FixedSPOFCount; n > 0 {
		parts = append(parts, spofCount(n, "", " removed"))
	}
	if n := len(d.Redundancy.Gained); n > 0 {
		parts = append(parts, plural(n, "service")+" now surviving the loss of a site")
	}
	if n := len(d.Shrank); n > 0 {
		parts = append(parts, radii(n)+" shrunk")
	}
	parts = append(parts, shorter...)
	verdict := "no loss of resilience"
	switch {
	case d.Worse():
		verdict = "less resilient"
	case d.Better():
		verdict = "more resilient"
	}
	if len(parts) == 0 {
		return verdict
	}
	return verdict + ": " + strings.Join(parts, ", ")
}

// spofCount says "1 new single point of failure", "2 new single points of
// failure".
func spofCount(n int, before, after string) string {
	return plural(n, before+"single point of failure"+after)
}

func radii(n int) string {
	if n == 1 {
		return "1 blast radius"
	}
	return fmt.Sprintf("%d blast radii", n)
}

func rateCell(r *analyze.Redundancy, users bool) string {
	if r == nil {
		return "-"
	}
	if users {
		return fmt.Sprintf("%s (%s of %s)", percent(r.UsersRate), count(r.SurviveUsers), count(r.Users))
	}
	return fmt.Sprintf("%s (%s of %s)", percent(r.Rate), count(r.Survive), count(r.Services))
}

// delta formats a before → after pair of counts, with the difference.
func delta(before, after int64) string {
	if before == after {
		return count(after)
	}
	sign := "+"
	if after < before {
		sign = "−"
	}
	return fmt.Sprintf("%s → %s (%s%s)", count(before), count(after), sign, count(abs64(after-before)))
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func ruleVerdict(passed bool, total int) string {
	if passed {
		return "pass"
	}
	return "fail (" + plural(total, "violation") + ")"
}

// DiffTable writes a diff as text.
func DiffTable(w io.Writer, d *diff.Diff) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s → %s: %s\n\n", orModel(d.Old), orModel(d.New), diffHeadline(d))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tBEFORE\tAFTER")
	fmt.Fprintf(tw, "redundancy rate, services\t%s\t%s\n", rateCell(d.Redundancy.Old, false), rateCell(d.Redundancy.New, false))
	fmt.Fprintf(tw, "redundancy rate, users\t%s\t%s\n", rateCell(d.Redundancy.Old, true), rateCell(d.Redundancy.New, true))
	if d.Policy != nil {
		fmt.Fprintf(tw, "policy %s\t%s\t%s\n", orName(d.Policy.New.Policy), checkHeadline(d.Policy.Old), checkHeadline(d.Policy.New))
	}
	tw.Flush()

	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(ew, "\n%s (%d)\n", title, n)
		return true
	}
	more := func(n int) {
		if n > diffRows {
			fmt.Fprintf(ew, "  ... and %d more\n", n-diffRows)
		}
	}
	spofs := func(title string, ss []diff.SPOF, total int, verb string) {
		if !section(title, total) {
			return
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  NODE\tKIND\t%s\tCHAIN\n", verb)
		for _, s := range ss[:min(len(ss), diffRows)] {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.ID, s.Kind, takesCell(s, strings.Join), strings.Join(s.Chain, " → "))
		}
		tw.Flush()
		more(total)
	}
	spofs("New single points of failure", d.NewSPOFs, d.NewSPOFCount, "NOW TAKES DOWN")
	if d.Policy != nil {
		changed := 0
		for _, r := range d.Policy.Rules {
			if r.WasPassed != r.Passed || r.OldTotal != r.NewTotal || len(r.Introduced) > 0 {
				changed++
			}
		}
		if section("Policy rules that changed", changed) {
			tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  RULE\tBEFORE\tAFTER")
			for _, r := range d.Policy.Rules {
				if r.WasPassed != r.Passed || r.OldTotal != r.NewTotal || len(r.Introduced) > 0 {
					fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Title, ruleVerdict(r.WasPassed, r.OldTotal), ruleVerdict(r.Passed, r.NewTotal))
				}
			}
			tw.Flush()
			for _, r := range d.Policy.Rules {
				for _, v := range r.Introduced {
					fmt.Fprintf(ew, "  new violation of %s: %s\n", r.Rule, CheckLine(policy.RuleResult{Rule: r.Rule}, v))
				}
			}
		}
	}
	if section("No longer survive the loss of any one site", len(d.Redundancy.Lost)) {
		fmt.Fprintf(ew, "  %s\n", idList(d.Redundancy.Lost, strings.Join))
	}
	if d.Times != nil {
		diffTimesTable(ew, d.Times)
	}
	changes := func(title string, cs []diff.Change) {
		if !section(title, len(cs)) {
			return
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  NODE\tUSERS DOWN\tDOWN\tUSERS DEGRADED\tDEGRADED")
		for _, c := range cs[:min(len(cs), diffRows)] {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.ID,
				delta(c.Old.UsersDown, c.New.UsersDown), delta(int64(c.Old.Down), int64(c.New.Down)),
				delta(c.Old.UsersDegraded, c.New.UsersDegraded), delta(int64(c.Old.Degraded), int64(c.New.Degraded)))
		}
		tw.Flush()
		more(len(cs))
	}
	changes("Blast radius grew", d.Grew)
	spofs("Single points of failure removed", d.FixedSPOFs, d.FixedSPOFCount, "NO LONGER TAKES DOWN")
	changes("Blast radius shrank", d.Shrank)
	if section("Now survive the loss of any one site", len(d.Redundancy.Gained)) {
		fmt.Fprintf(ew, "  %s\n", idList(d.Redundancy.Gained, strings.Join))
	}
	if section("Nodes added", len(d.Added)) {
		fmt.Fprintf(ew, "  %s\n", idList(d.Added, strings.Join))
	}
	if section("Nodes removed", len(d.Removed)) {
		fmt.Fprintf(ew, "  %s\n", idList(d.Removed, strings.Join))
	}
	return ew.err
}

// idsShown is how many ids a list of nodes in a diff report names before
// "and N more": the JSON document lists them all.
const idsShown = 100

// idList joins the first idsShown of ids with join and counts the rest.
func idList(ids []string, join func([]string, string) string) string {
	return capped(ids, len(ids), idsShown, join)
}

// takesCells is how many protected nodes a report cell names before "and
// N more": a cell never grows with the model.
const takesCells = 10

// takesCell names the first protected nodes a SPOF takes, with join, and
// counts the rest.
func takesCell(s diff.SPOF, join func([]string, string) string) string {
	return capped(s.Takes, s.TakesCount, takesCells, join)
}

func orName(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return s
}

// DiffMarkdown writes a diff as GitHub Markdown made for a pull-request
// comment: the verdict first, then what got worse, then what got better.
func DiffMarkdown(w io.Writer, d *diff.Diff) error {
	ew := &errWriter{w: w}
	mark := "✅"
	if d.Worse() {
		mark = "⚠️"
	}
	fmt.Fprintf(ew, "## Resilience diff: %s → %s\n\n", mdText(orModel(d.Old)), mdText(orModel(d.New)))
	fmt.Fprintf(ew, "%s **%s**\n\n", mark, capital(diffHeadline(d)))
	fmt.Fprintln(ew, "| | before | after |")
	fmt.Fprintln(ew, "|---|--:|--:|")
	fmt.Fprintf(ew, "| redundancy rate, services | %s | %s |\n", rateCell(d.Redundancy.Old, false), rateCell(d.Redundancy.New, false))
	fmt.Fprintf(ew, "| redundancy rate, users | %s | %s |\n", rateCell(d.Redundancy.Old, true), rateCell(d.Redundancy.New, true))
	if d.Policy != nil {
		fmt.Fprintf(ew, "| policy `%s` | %s | %s |\n", mdText(orName(d.Policy.New.Policy)), checkHeadline(d.Policy.Old), checkHeadline(d.Policy.New))
	}

	more := func(n int) {
		if n > diffRows {
			fmt.Fprintf(ew, "\n… and %d more.\n", n-diffRows)
		}
	}
	spofs := func(title string, ss []diff.SPOF, total int, verb string) {
		if total == 0 {
			return
		}
		fmt.Fprintf(ew, "\n### %s (%d)\n\n", title, total)
		fmt.Fprintf(ew, "| node | kind | %s | chain of causes |\n|---|---|---|---|\n", verb)
		for _, s := range ss[:min(len(ss), diffRows)] {
			fmt.Fprintf(ew, "| `%s` | %s | %s | %s |\n", s.ID, s.Kind, takesCell(s, func(ids []string, _ string) string { return mdList(ids) }), mdChain(s.Chain))
		}
		more(total)
	}
	changes := func(title string, cs []diff.Change) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(ew, "\n### %s (%d)\n\n", title, len(cs))
		fmt.Fprintln(ew, "| node | users down | nodes down | users degraded | nodes degraded |")
		fmt.Fprintln(ew, "|---|--:|--:|--:|--:|")
		for _, c := range cs[:min(len(cs), diffRows)] {
			fmt.Fprintf(ew, "| `%s` | %s | %s | %s | %s |\n", c.ID,
				delta(c.Old.UsersDown, c.New.UsersDown), delta(int64(c.Old.Down), int64(c.New.Down)),
				delta(c.Old.UsersDegraded, c.New.UsersDegraded), delta(int64(c.Old.Degraded), int64(c.New.Degraded)))
		}
		more(len(cs))
	}

	spofs("🟥 New single points of failure", d.NewSPOFs, d.NewSPOFCount, "now takes down")
	if d.Policy != nil {
		var rows []diff.RuleChange
		for _, r := range d.Policy.Rules {
			if r.WasPassed != r.Passed || r.OldTotal != r.NewTotal || len(r.Introduced) > 0 {
				rows = append(rows, r)
			}
		}
		if len(rows) > 0 {
			fmt.Fprintf(ew, "\n### Policy rules that changed (%d)\n\n", len(rows))
			fmt.Fprintln(ew, "| rule | before | after |\n|---|---|---|")
			for _, r := range rows {
				fmt.Fprintf(ew, "| %s (`%s`) | %s %s | %s %s |\n", mdText(r.Title), r.Rule,
					passMark(r.WasPassed), ruleVerdict(r.WasPassed, r.OldTotal), passMark(r.Passed), ruleVerdict(r.Passed, r.NewTotal))
			}
			var intro []string
			for _, r := range rows {
				for _, v := range r.Introduced {
					line := fmt.Sprintf("- `%s` (%s): %s", v.Node, r.Rule, mdText(CheckMessage(policy.RuleResult{Rule: r.Rule}, v)))
					if len(v.Chain) > 1 {
						line += ": " + mdViolationChain(v)
					}
					intro = append(intro, line)
				}
			}
			if len(intro) > 0 {
				fmt.Fprintf(ew, "\nNew violations:\n\n%s\n", strings.Join(intro, "\n"))
			}
		}
	}
	if len(d.Redundancy.Lost) > 0 {
		fmt.Fprintf(ew, "\n### No longer survive the loss of any one site (%d)\n\n%s\n", len(d.Redundancy.Lost), idList(d.Redundancy.Lost, func(ids []string, _ string) string { return mdList(ids) }))
	}
	if d.Times != nil {
		diffTimesMarkdown(ew, d.Times)
	}
	changes("Blast radius grew", d.Grew)
	spofs("✅ Single points of failure removed", d.FixedSPOFs, d.FixedSPOFCount, "no longer takes down")
	changes("Blast radius shrank", d.Shrank)
	if len(d.Redundancy.Gained) > 0 {
		fmt.Fprintf(ew, "\n### Now survive the loss of any one site (%d)\n\n%s\n", len(d.Redundancy.Gained), idList(d.Redundancy.Gained, func(ids []string, _ string) string { return mdList(ids) }))
	}
	if len(d.Added)+len(d.Removed) > 0 {
		fmt.Fprintf(ew, "\n### Nodes\n\n")
		if len(d.Added) > 0 {
			fmt.Fprintf(ew, "Added (%d): %s\n", len(d.Added), idList(d.Added, func(ids []string, _ string) string { return mdList(ids) }))
		}
		if len(d.Removed) > 0 {
			if len(d.Added) > 0 {
				fmt.Fprintln(ew)
			}
			fmt.Fprintf(ew, "Removed (%d): %s\n", len(d.Removed), idList(d.Removed, func(ids []string, _ string) string { return mdList(ids) }))
		}
	}
	fmt.Fprintln(ew, "\n<sub>Blast radii count the failed node itself; users are user-services. Single points of failure: nodes other than sites, regions, power and network whose failure alone takes a tier-0 or user-facing node down.</sub>")
	return ew.err
}
