package export

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/diff"
)

// DiffTimesRecord compares the recovery timelines of each site lost for
// a repair time (diff.Times).
type DiffTimesRecord struct {
	RepairSeconds int64                `json:"repair_seconds"`
	Compared      int                  `json:"sites_compared"`
	Longer        int                  `json:"longer"`  // tier-0 outages that grew
	Shorter       int                  `json:"shorter"` // and that shrank
	Sites         []DiffSiteTimeRecord `json:"sites"`
}

// DiffSiteTimeRecord is one site's loss in both models.
type DiffSiteTimeRecord struct {
	Site                 string               `json:"site"`
	OldDownUserHours     float64              `json:"old_down_user_hours"`
	NewDownUserHours     float64              `json:"new_down_user_hours"`
	OldDegradedUserHours float64              `json:"old_degraded_user_hours"`
	NewDegradedUserHours float64              `json:"new_degraded_user_hours"`
	Nodes                []DiffNodeTimeRecord `json:"nodes"`
}

// DiffNodeTimeRecord is a tier-0 node's outage in both models, in
// seconds; null means not back within the horizon, 0 and 0 up throughout.
type DiffNodeTimeRecord struct {
	ID                      string `json:"id"`
	Users                   int64  `json:"users"`
	OldDownUntilSeconds     *int64 `json:"old_down_until_seconds"`
	OldDegradedUntilSeconds *int64 `json:"old_degraded_until_seconds"`
	NewDownUntilSeconds     *int64 `json:"new_down_until_seconds"`
	NewDegradedUntilSeconds *int64 `json:"new_degraded_until_seconds"`
}

func timesRecord(t *diff.Times) *DiffTimesRecord {
	if t == nil {
		return nil
	}
	rec := &DiffTimesRecord{RepairSeconds: int64(t.Repair / 1e9), Compared: t.Compared, Longer: t.Longer(), Shorter: t.Shorter(),
		Sites: make([]DiffSiteTimeRecord, len(t.Sites))}
	for i, s := range t.Sites {
		sr := DiffSiteTimeRecord{Site: s.Site, OldDownUserHours: s.Old.Down, NewDownUserHours: s.New.Down,
			OldDegradedUserHours: s.Old.Degraded, NewDegradedUserHours: s.New.Degraded, Nodes: make([]DiffNodeTimeRecord, len(s.Nodes))}
		for j, n := range s.Nodes {
			sr.Nodes[j] = DiffNodeTimeRecord{ID: n.ID, Users: n.Users,
				OldDownUntilSeconds: seconds(n.Old.DownUntil), OldDegradedUntilSeconds: seconds(n.Old.DegradedUntil),
				NewDownUntilSeconds: seconds(n.New.DownUntil), NewDegradedUntilSeconds: seconds(n.New.DegradedUntil)}
		}
		rec.Sites[i] = sr
	}
	return rec
}

// timesParts are what the headline says of the timelines: "2 tier-0
// outages longer", "1 tier-0 outage shorter".
func timesParts(t *diff.Times) (worse, better []string) {
	if n := t.Longer(); n > 0 {
		worse = append(worse, plural(n, "tier-0 outage")+" longer")
	}
	if n := t.Shorter(); n > 0 {
		better = append(better, plural(n, "tier-0 outage")+" shorter")
	}
	return worse, better
}

func timesTitle(t *diff.Times) string {
	return fmt.Sprintf("Recovery with each site out for %s: %s of %s changed", Hours(t.Repair), count(int64(len(t.Sites))), plural(t.Compared, "site"))
}

// hoursDelta formats user-hours before → after, rounded to whole ones.
func hoursDelta(before, after float64) string {
	return delta(int64(math.Round(before)), int64(math.Round(after)))
}

// outageCell is a node's outage in a few words: "down 0–24h", "up".
func outageCell(r analyze.Recovery) string { return Outage(r) }

// diffTimesTable writes the time section of a text diff.
func diffTimesTable(ew io.Writer, t *diff.Times) {
	if t.Sites == nil {
		return
	}
	fmt.Fprintf(ew, "\n%s\n", timesTitle(t))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SITE\tUSER-HOURS DOWN\tUSER-HOURS DEGRADED")
	for _, s := range t.Sites[:min(len(t.Sites), diffRows)] {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Site, hoursDelta(s.Old.Down, s.New.Down), hoursDelta(s.Old.Degraded, s.New.Degraded))
	}
	tw.Flush()
	rows := 0
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, s := range t.Sites {
		for _, n := range s.Nodes {
			if rows == 0 {
				fmt.Fprintln(tw, "\n  SITE\tTIER-0 NODE\tUSERS\tBEFORE\tAFTER")
			}
			if rows++; rows <= diffRows {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Site, n.ID, count(n.Users), outageCell(n.Old), outageCell(n.New))
			}
		}
	}
	tw.Flush()
	if rows > diffRows {
		fmt.Fprintf(ew, "  ... and %d more\n", rows-diffRows)
	}
}

// diffTimesMarkdown writes the time section of a Markdown diff.
func diffTimesMarkdown(ew io.Writer, t *diff.Times) {
	if t.Sites == nil {
		return
	}
	fmt.Fprintf(ew, "\n### %s\n\n", timesTitle(t))
	fmt.Fprintln(ew, "| site | user-hours down | user-hours degraded |\n|---|--:|--:|")
	for _, s := range t.Sites[:min(len(t.Sites), diffRows)] {
		fmt.Fprintf(ew, "| `%s` | %s | %s |\n", s.Site, hoursDelta(s.Old.Down, s.New.Down), hoursDelta(s.Old.Degraded, s.New.Degraded))
	}
	rows := 0
	for _, s := range t.Sites {
		for _, n := range s.Nodes {
			if rows == 0 {
				fmt.Fprintln(ew, "\n| site | tier-0 node | users | before | after |\n|---|---|--:|---|---|")
			}
			if rows++; rows <= diffRows {
				fmt.Fprintf(ew, "| `%s` | `%s` | %s | %s | %s |\n", s.Site, n.ID, count(n.Users), outageCell(n.Old), outageCell(n.New))
			}
		}
	}
	if rows > diffRows {
		fmt.Fprintf(ew, "\n… and %d more.\n", rows-diffRows)
	}
}
