package export

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// TimelineSchema names the JSON layout TimelineJSON writes, and
// ComparisonSchema the one ComparisonJSON writes. They change only when a
// field changes meaning or goes away; new fields may appear within a
// version.
const (
	TimelineSchema   = "blastradius/timeline/v1"
	ComparisonSchema = "blastradius/what-if/v1"
)

// TimelineOptions control the timeline and comparison writers.
type TimelineOptions struct {
	// Replicas lists placements ("kakaotalk@pangyo") as rows of their own;
	// by default only the model's nodes are listed.
	Replicas bool
	// MaxRows caps the rows of a Gantt chart (TimelineSVG, ComparisonSVG),
	// the longest outages first; 0 means 60. Tables list every row.
	MaxRows int
	// Base and Variant name the two models of a comparison; empty means
	// their model names.
	Base, Variant string
}

// TimelineTable writes a timeline as an aligned text table, the longest
// outage first: each node's Down and Degraded intervals in hours after the
// failure and the user-hours lost, then the totals.
func TimelineTable(w io.Writer, tl *analyze.Timeline, opts TimelineOptions) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: remove %s (horizon %s)\n\n", tlModel(tl), strings.Join(scenarioLabels(tl.Compiled(), tl.Scenario, " for good"), ", "), Hours(tl.Horizon))
	tw := tabwriter.NewWriter(&trimWriter{w: ew}, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tKIND\tUSERS\tDOWN\tDEGRADED\tUSER-HOURS DOWN\tUSER-HOURS DEGRADED\tNOTE")
	for _, r := range tlRows(tl, opts) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, tlKind(r), users(r.Users),
			orDash(DownSpan(r)), orDash(DegradedSpan(r)),
			tlUserHours(r.DownUserHours), tlUserHours(r.DegradedUserHours), joinNote(tlNote(r, tl.Horizon), RecoveryWhy(r)))
	}
	tw.Flush()
	fmt.Fprintf(ew, "\n%s\n", TimelineSummary(tl))
	return ew.err
}

// TimelineSummary is a timeline's totals in one line.
func TimelineSummary(tl *analyze.Timeline) string {
	t := tl.Totals
	s := fmt.Sprintf("%s down, %s degraded; user-service-hours lost: %s down, %s degraded; ",
		plural(t.Down, "node"), plural(t.EverDegraded, "node"),
		userHours(t.DownUserHours), userHours(t.DegradedUserHours))
	switch t.AllUp {
	case 0:
		return s + "nothing was affected"
	case analyze.Never:
		return s + "not everything is up again within the horizon of " + Hours(tl.Horizon)
	}
	return s + "everything is up again at " + Hours(t.AllUp)
}

// TimelineMarkdown writes a timeline as a Markdown section: the scenario,
// a table of the affected nodes and the totals.
func TimelineMarkdown(w io.Writer, tl *analyze.Timeline, opts TimelineOptions) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Recovery timeline: %s\n\n", mdText(tlModel(tl)))
	fmt.Fprintf(ew, "Remove %s; times are hours after the failure, within a horizon of %s.\n\n",
		mdText(strings.Join(scenarioLabels(tl.Compiled(), tl.Scenario, " for good"), ", ")), Hours(tl.Horizon))
	fmt.Fprintln(ew, "| Node | Kind | Users | Down | Degraded | User-hours down | User-hours degraded | Why |")
	fmt.Fprintln(ew, "|---|---|--:|---|---|--:|--:|---|")
	for _, r := range tlRows(tl, opts) {
		id := "`" + r.ID + "`"
		if note := tlNote(r, tl.Horizon); note != "" {
			id += " (" + note + ")"
		}
		fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", id, tlKind(r), users(r.Users),
			orDash(DownSpan(r)), orDash(DegradedSpan(r)), tlUserHours(r.DownUserHours), tlUserHours(r.DegradedUserHours), orDash(mdText(RecoveryWhy(r))))
	}
	fmt.Fprintf(ew, "\n%s.\n", mdText(capital(TimelineSummary(tl))))
	return ew.err
}

// ComparisonTable writes a what-if comparison as an aligned text table:
// each node's outage in the base model and in the variant, side by side,
// then both totals.
func ComparisonTable(w io.Writer, cmp *analyze.Comparison, opts TimelineOptions) error {
	ew := &errWriter{w: w}
	a, b := cmpLabels(cmp, opts)
	fmt.Fprintf(ew, "what if: %s instead of %s; remove %s (horizon %s)\n\n", b, a,
		strings.Join(scenarioLabels(cmp.Base.Compiled(), cmp.Scenario, " for good"), ", "), Hours(cmp.Base.Horizon))
	tw := tabwriter.NewWriter(&trimWriter{w: ew}, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "NODE\tUSERS\t%s\t%s\tUSER-HOURS %s\tUSER-HOURS %s\n", strings.ToUpper(a), strings.ToUpper(b), strings.ToUpper(a), strings.ToUpper(b))
	for _, r := range cmpRows(cmp, opts) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, users(max(r.Base.Users, r.Variant.Users)),
			sideOutage(r.Base, r.BaseAbsent), sideOutage(r.Variant, r.VariantAbsent),
			tlUserHours(r.Base.DownUserHours+r.Base.DegradedUserHours),
			tlUserHours(r.Variant.DownUserHours+r.Variant.DegradedUserHours))
	}
	tw.Flush()
	fmt.Fprintf(ew, "\n%s: %s\n%s: %s\n", a, TimelineSummary(cmp.Base), b, TimelineSummary(cmp.Variant))
	return ew.err
}

// ComparisonMarkdown writes a what-if comparison as a Markdown section.
func ComparisonMarkdown(w io.Writer, cmp *analyze.Comparison, opts TimelineOptions) error {
	ew := &errWriter{w: w}
	a, b := cmpLabels(cmp, opts)
	a, b = mdText(a), mdText(b)
	fmt.Fprintf(ew, "## What if: %s instead of %s\n\n", b, a)
	fmt.Fprintf(ew, "Remove %s; times are hours after the failure, within a horizon of %s.\n\n",
		mdText(strings.Join(scenarioLabels(cmp.Base.Compiled(), cmp.Scenario, " for good"), ", ")), Hours(cmp.Base.Horizon))
	fmt.Fprintf(ew, "| Node | Users | %s | %s | User-hours, %s | User-hours, %s |\n", a, b, a, b)
	fmt.Fprintln(ew, "|---|--:|---|---|--:|--:|")
	for _, r := range cmpRows(cmp, opts) {
		fmt.Fprintf(ew, "| `%s` | %s | %s | %s | %s | %s |\n", r.ID, users(max(r.Base.Users, r.Variant.Users)),
			sideOutage(r.Base, r.BaseAbsent), sideOutage(r.Variant, r.VariantAbsent),
			tlUserHours(r.Base.DownUserHours+r.Base.DegradedUserHours),
			tlUserHours(r.Variant.DownUserHours+r.Variant.DegradedUserHours))
	}
	fmt.Fprintf(ew, "\n- **%s**: %s.\n- **%s**: %s.\n", a, mdText(TimelineSummary(cmp.Base)), b, mdText(TimelineSummary(cmp.Variant)))
	return ew.err
}

// TimelineDoc is the document TimelineJSON writes. Times are seconds after
// the failure; null means not within the horizon.
type TimelineDoc struct {
	Schema         string               `json:"schema"`
	Model          string               `json:"model"`
	Scenario       []FailureJSON        `json:"scenario"`
	HorizonSeconds int64                `json:"horizon_seconds"`
	Totals         TimelineTotalsRecord `json:"totals"`
	Nodes          []RecoveryRecord     `json:"nodes"`
}

// TimelineTotalsRecord are a timeline's totals in JSON.
type TimelineTotalsRecord struct {
	Down              int     `json:"down"`
	Degraded          int     `json:"degraded"`      // Degraded but never Down
	EverDegraded      int     `json:"ever_degraded"` // Degraded at some time, Down before or not
	DownUserHours     float64 `json:"down_user_hours"`
	DegradedUserHours float64 `json:"degraded_user_hours"`
	AllUpSeconds      *int64  `json:"all_up_seconds"` // null: not within the horizon
}

// RecoveryRecord is one node's timeline in JSON: Down from 0 until
// down_until_seconds, Degraded until degraded_until_seconds, Up after.
type RecoveryRecord struct {
	ID                   string  `json:"id"`
	Kind                 string  `json:"kind"`
	Replica              bool    `json:"replica,omitempty"`
	Removed              bool    `json:"removed,omitempty"`
	RepairSeconds        *int64  `json:"repair_seconds,omitempty"` // removed nodes that are repaired, within the horizon or after it
	NotRepaired          bool    `json:"not_repaired,omitempty"`   // removed nodes never repaired
	Users                int64   `json:"users"`
	Tier                 *int    `json:"tier,omitempty"`
	DownUntilSeconds     *int64  `json:"down_until_seconds"`
	DegradedUntilSeconds *int64  `json:"degraded_until_seconds"`
	DownUserHours        float64 `json:"down_user_hours"`
	DegradedUserHours    float64 `json:"degraded_user_hours"`
	// Why says what its recovery time waited for; absent when it has no
	// time to explain.
	Why *WhyRecord `json:"why,omitempty"`
}

// NewTimelineDoc builds the JSON document of a timeline, the longest
// outage first, replicas included.
func NewTimelineDoc(tl *analyze.Timeline) TimelineDoc {
	c := tl.Compiled()
	t := tl.Totals
	doc := TimelineDoc{
		Schema:         TimelineSchema,
		Model:          c.Name(),
		Scenario:       tlFailures(c, tl.Scenario),
		HorizonSeconds: int64(tl.Horizon / time.Second),
		Totals: TimelineTotalsRecord{Down: t.Down, Degraded: t.Degraded, EverDegraded: t.EverDegraded, DownUserHours: t.DownUserHours,
			DegradedUserHours: t.DegradedUserHours, AllUpSeconds: seconds(t.AllUp)},
		Nodes: []RecoveryRecord{},
	}
	for _, r := range tl.Sorted() {
		doc.Nodes = append(doc.Nodes, recoveryRecord(r))
	}
	return doc
}

func recoveryRecord(r analyze.Recovery) RecoveryRecord {
	rec := RecoveryRecord{
		ID: r.ID, Kind: tlKind(r), Replica: r.Replica, Removed: r.Removed, Users: r.Users,
		DownUntilSeconds: seconds(r.DownUntil), DegradedUntilSeconds: seconds(r.DegradedUntil),
		DownUserHours: r.DownUserHours, DegradedUserHours: r.DegradedUserHours,
		Why: whyRecord(r),
	}
	if r.Removed {
		rec.RepairSeconds = seconds(r.Repair)
		rec.NotRepaired = rec.RepairSeconds == nil
	}
	if r.Tier >= 0 {
		rec.Tier = new(r.Tier)
	}
	return rec
}

// TimelineJSON writes a timeline as an indented TimelineDoc.
func TimelineJSON(w io.Writer, tl *analyze.Timeline) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewTimelineDoc(tl))
}

// ComparisonDoc is the document ComparisonJSON writes: both timelines in
// full, and the nodes side by side.
type ComparisonDoc struct {
	Schema  string             `json:"schema"`
	Base    TimelineDoc        `json:"base"`
	Variant TimelineDoc        `json:"variant"`
	Nodes   []ComparisonRecord `json:"nodes"`
}

// ComparisonRecord is one node in both models; a side where it is Up
// throughout has zero times, and a side whose model lacks it also says
// absent.
type ComparisonRecord struct {
	ID            string         `json:"id"`
	Base          RecoveryRecord `json:"base"`
	Variant       RecoveryRecord `json:"variant"`
	BaseAbsent    bool           `json:"base_absent,omitempty"`
	VariantAbsent bool           `json:"variant_absent,omitempty"`
}

// NewComparisonDoc builds the JSON document of a what-if comparison.
func NewComparisonDoc(cmp *analyze.Comparison) ComparisonDoc {
	doc := ComparisonDoc{Schema: ComparisonSchema, Base: NewTimelineDoc(cmp.Base), Variant: NewTimelineDoc(cmp.Variant), Nodes: []ComparisonRecord{}}
	for _, r := range cmp.Rows {
		doc.Nodes = append(doc.Nodes, ComparisonRecord{ID: r.ID, Base: recoveryRecord(r.Base), Variant: recoveryRecord(r.Variant),
			BaseAbsent: r.BaseAbsent, VariantAbsent: r.VariantAbsent})
	}
	return doc
}

// ComparisonJSON writes a what-if comparison as an indented ComparisonDoc.
func ComparisonJSON(w io.Writer, cmp *analyze.Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewComparisonDoc(cmp))
}

// Hours formats a time after the failure as model files write durations,
// in hours below three days ("0", "45m", "11h", "1h30m", "36h30m") and in
// days from then on ("3d", "4d4h"); analyze.Never is "never".
func Hours(d time.Duration) string {
	switch {
	case d == analyze.Never:
		return "never"
	case d <= 0:
		return "0"
	}
	var b strings.Builder
	if d >= 72*time.Hour {
		fmt.Fprintf(&b, "%dd", d/(24*time.Hour))
		d %= 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d %= time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		d %= time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s")
	}
	return b.String()
}

// DownSpan is a node's Down interval, "0–11h", or "" when it is never
// Down.
func DownSpan(r analyze.Recovery) string {
	if r.DownUntil == 0 {
		return ""
	}
	return "0–" + Hours(r.DownUntil)
}

// DegradedSpan is a node's Degraded interval, "11h–24h", or "".
func DegradedSpan(r analyze.Recovery) string {
	if r.DegradedUntil == r.DownUntil {
		return ""
	}
	return Hours(r.DownUntil) + "–" + Hours(r.DegradedUntil)
}

// Outage describes a node's timeline in a few words: "up", "down 0–11h",
// "degraded 0–11h", "down 0–1h, degraded –11h".
func Outage(r analyze.Recovery) string {
	switch {
	case r.DegradedUntil == 0:
		return "up"
	case r.DownUntil == 0:
		return "degraded " + DegradedSpan(r)
	case r.DegradedUntil == r.DownUntil:
		return "down " + DownSpan(r)
	}
	return "down " + DownSpan(r) + ", degraded –" + Hours(r.DegradedUntil)
}

// sideOutage is Outage on one side of a comparison, "absent" where that
// model has no such node (not "up": it is not there to be up).
func sideOutage(r analyze.Recovery, absent bool) string {
	if absent {
		return "absent"
	}
	return Outage(r)
}

// tlRows are the rows a writer lists, the longest outage first.
func tlRows(tl *analyze.Timeline, opts TimelineOptions) []analyze.Recovery {
	var rows []analyze.Recovery
	for _, r := range tl.Sorted() {
		if !r.Replica || opts.Replicas {
			rows = append(rows, r)
		}
	}
	return rows
}

func cmpRows(cmp *analyze.Comparison, opts TimelineOptions) []analyze.ComparisonRow {
	var rows []analyze.ComparisonRow
	for _, r := range cmp.Rows {
		if !r.Replica || opts.Replicas {
			rows = append(rows, r)
		}
	}
	return rows
}

func cmpLabels(cmp *analyze.Comparison, opts TimelineOptions) (string, string) {
	a, b := opts.Base, opts.Variant
	if a == "" {
		a = tlModel(cmp.Base)
	}
	if b == "" {
		b = tlModel(cmp.Variant)
	}
	if a == b {
		a, b = a+" (base)", b+" (variant)"
	}
	return a, b
}

func tlModel(tl *analyze.Timeline) string {
	if name := tl.Compiled().Name(); name != "" {
		return name
	}
	return "model"
}

func tlKind(r analyze.Recovery) string {
	if r.Replica {
		return "replica"
	}
	return r.Kind.String()
}

// tlNote says what the scenario did to a removed node.
func tlNote(r analyze.Recovery, horizon time.Duration) string {
	switch {
	case !r.Removed:
		return ""
	case r.Repair == analyze.Never:
		return "removed, not repaired"
	case r.Repair > horizon:
		return "removed, repaired at " + Hours(r.Repair) + ", after the horizon"
	}
	return "removed, repaired at " + Hours(r.Repair)
}

func tlUserHours(x float64) string {
	if x == 0 {
		return "-"
	}
	return userHours(x)
}

// userHours formats a number of user-hours rounded to a whole one, with
// thousands separators. User-hours are float64 because users times hours
// can pass the int64 range (10^15 users for 30 days is 7.2·10^17, a model's
// total 4·10^18 times 30 days is far beyond): converting to int64 first
// once printed -9.2e18 for a sum the JSON gave as positive.
func userHours(x float64) string {
	return grouped(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// trimWriter drops the spaces a tabwriter leaves at the end of a line
// whose last cells are empty. Lines are written whole by the tabwriter's
// Flush, but it copes with any split.
type trimWriter struct {
	w      io.Writer
	spaces int // spaces held back, written only if more text follows
}

func (t *trimWriter) Write(p []byte) (int, error) {
	var b []byte
	for _, c := range p {
		switch c {
		case ' ':
			t.spaces++
			continue
		case '\n':
			t.spaces = 0
		}
		for ; t.spaces > 0; t.spaces-- {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	if _, err := t.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// tlFailures is the scenario in JSON.
func tlFailures(c *graph.Compiled, sc analyze.Scenario) []FailureJSON {
	out := []FailureJSON{}
	for _, f := range sc.Failures {
		fj := FailureJSON{ID: f.ID, ForSeconds: int64(f.For / time.Second)}
		if v, ok := c.Lookup(f.ID); ok {
			fj.Kind = c.Kind(v).String()
			if c.VertexKind(v) == graph.ReplicaVertex {
				fj.Kind = "replica"
			}
		}
		out = append(out, fj)
	}
	return out
}

// seconds is a time in whole seconds, nil for analyze.Never.
func seconds(d time.Duration) *int64 {
	if d == analyze.Never {
		return nil
	}
	return new(int64(d / time.Second))
}
