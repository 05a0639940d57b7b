package export

import (
	"fmt"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// LateRecord is how late a node is back after a loss (policy.Late), in
// seconds; null means never.
type LateRecord struct {
	RepairSeconds        *int64 `json:"repair_seconds"` // null: lost for good
	WithinSeconds        int64  `json:"within_seconds"`
	RTO                  bool   `json:"rto"` // within is the node's rto, not the rule's
	DownUntilSeconds     *int64 `json:"down_until_seconds"`
	DegradedUntilSeconds *int64 `json:"degraded_until_seconds"`
}

func newLateRecord(l *policy.Late) *LateRecord {
	if l == nil {
		return nil
	}
	return &LateRecord{RepairSeconds: seconds(l.Repair), WithinSeconds: *seconds(l.Within), RTO: l.RTO,
		DownUntilSeconds: seconds(l.DownUntil), DegradedUntilSeconds: seconds(l.DegradedUntil)}
}

// lateMessage says how late the node of v is back: "down 0–11h when site
// pangyo is lost for 24h; its rto is 1h".
func lateMessage(v policy.Violation) string {
	l := v.Late
	limit := "its rto is " + Hours(l.Within)
	if !l.RTO {
		limit = "the rule allows " + Hours(l.Within)
	}
	return fmt.Sprintf("%s when %s %s is lost %s; %s", Outage(analyze.Recovery{DownUntil: l.DownUntil, DegradedUntil: l.DegradedUntil}),
		v.RemovedKind, v.Removed, lostFor(l.Repair), limit)
}

// lostFor is "for 24h" or "for good".
func lostFor(repair time.Duration) string {
	if repair == analyze.Never || repair == 0 {
		return "for good"
	}
	return "for " + Hours(repair)
}

// lateSummary says what a recover_within rule checked: "5 selected
// nodes, each of 6 sites lost for 24h, against their rto".
func lateSummary(rr policy.RuleResult) string {
	r, ok := rr.Definition.(interface {
		Repair() time.Duration
		Within() time.Duration
		Kind() graph.Kind
	})
	if !ok {
		return ""
	}
	if rr.Scenarios == 0 {
		return fmt.Sprintf("the model has no %ss: nothing shows the selected nodes come back in time after one's loss, so the rule fails", r.Kind())
	}
	against := "against their rto"
	if r.Within() > 0 {
		against = "each back within " + Hours(r.Within())
	}
	return fmt.Sprintf("%s, each of %s lost %s, %s", plural(rr.Selected, "selected node"), plural(rr.Scenarios, r.Kind().String()), lostFor(r.Repair()), against)
}

// toleranceSummary is what a tolerance adds to a survive rule's summary:
// ", each lost for good, back within 15m", or "".
func toleranceSummary(rr policy.RuleResult) string {
	if r, ok := rr.Definition.(interface{ Within() time.Duration }); ok && r.Within() > 0 && rr.Scenarios > 0 {
		return " for good, each back within " + Hours(r.Within())
	}
	return ""
}
