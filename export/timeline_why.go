package export

import (
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
)

// RecoveryWhy says in words what a node's recovery time waited for (its
// analyze.RecoveryReason): the input whose return it waited for, the
// standby that took over, a repair or takeover that waited for what it
// needs or went on site, a standby whose takeover was blocked, and the
// restart on top. "" when there is nothing to add to the removal note.
func RecoveryWhy(r analyze.Recovery) string {
	w := r.Why
	var s string
	switch w.Kind {
	case analyze.ReasonRepair:
		switch {
		case w.WaitedFor == "":
		case w.OnSite:
			s = "repaired on site: the remote repair needed " + w.WaitedFor + ", " + downUntil(w.WaitedUntil)
		default:
			s = "the repair waited for " + w.WaitedFor + ", " + backAt(w.WaitedUntil)
		}
	case analyze.ReasonInput:
		s = "waited for " + w.Input + ", " + backAt(w.At)
	case analyze.ReasonTakeover:
		s = "standby " + w.Input + " took over at " + Hours(w.At)
		if w.WaitedFor != "" {
			s += " (its takeover waited for " + w.WaitedFor + ", " + backAt(w.WaitedUntil) + ")"
		}
	case analyze.ReasonCycle:
		s = "back with its dependency cycle at " + Hours(w.At)
	}
	if w.Restart > 0 {
		s = joinNote(s, "then a restart of "+Hours(w.Restart))
	}
	if w.FailoverBlocked != "" {
		s = joinNote(s, "the takeover of "+w.FailoverBlocked+" waited for "+w.FailoverBlockedBy+", "+backAt(w.FailoverBlockedUntil))
	}
	return s
}

// backAt says when something was back: "back at 10h41m", "never back".
func backAt(t time.Duration) string {
	if t == analyze.Never {
		return "never back"
	}
	return "back at " + Hours(t)
}

// downUntil says how long something was down: "down until 5h30m",
// "never back".
func downUntil(t time.Duration) string {
	if t == analyze.Never {
		return "never back"
	}
	return "down until " + Hours(t)
}

// joinNote joins two parts of a note with "; ", either may be empty.
func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// WhyRecord is a node's RecoveryReason in JSON; times are seconds after
// the failure, null for never.
type WhyRecord struct {
	Kind                        string `json:"kind"` // repair, input, takeover or cycle
	Input                       string `json:"input,omitempty"`
	AtSeconds                   *int64 `json:"at_seconds"`
	RestartSeconds              int64  `json:"restart_seconds,omitempty"`
	WaitedFor                   string `json:"waited_for,omitempty"`
	WaitedUntilSeconds          *int64 `json:"waited_until_seconds,omitempty"` // absent with waited_never_back
	WaitedNeverBack             bool   `json:"waited_never_back,omitempty"`
	OnSite                      bool   `json:"on_site,omitempty"`
	FailoverBlocked             string `json:"failover_blocked,omitempty"`
	FailoverBlockedBy           string `json:"failover_blocked_by,omitempty"`
	FailoverBlockedUntilSeconds *int64 `json:"failover_blocked_until_seconds,omitempty"` // absent with failover_blocked_never_back
	FailoverBlockedNeverBack    bool   `json:"failover_blocked_never_back,omitempty"`
	Text                        string `json:"text"`
}

// whyRecord is nil when the reason is ReasonNone.
func whyRecord(r analyze.Recovery) *WhyRecord {
	w := r.Why
	if w.Kind == analyze.ReasonNone {
		return nil
	}
	rec := &WhyRecord{Kind: w.Kind.String(), Input: w.Input, AtSeconds: seconds(w.At),
		RestartSeconds: int64(w.Restart / time.Second), WaitedFor: w.WaitedFor, OnSite: w.OnSite,
		FailoverBlocked: w.FailoverBlocked, FailoverBlockedBy: w.FailoverBlockedBy, Text: RecoveryWhy(r)}
	if w.Kind == analyze.ReasonRepair {
		// The table says this in the removal note; JSON says it here.
		rec.Text = joinNote(strings.TrimPrefix(tlNote(r, analyze.Never), "removed, "), rec.Text)
	}
	if w.WaitedFor != "" {
		rec.WaitedUntilSeconds, rec.WaitedNeverBack = seconds(w.WaitedUntil), w.WaitedUntil == analyze.Never
	}
	if w.FailoverBlocked != "" {
		rec.FailoverBlockedUntilSeconds, rec.FailoverBlockedNeverBack = seconds(w.FailoverBlockedUntil), w.FailoverBlockedUntil == analyze.Never
	}
	return rec
}
