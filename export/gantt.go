package export

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
)

// The Gantt charts are plain SVG, drawn here: no browser, no Graphviz.
// Text widths are estimated from the font size, which is enough to lay out
// labels in a sans-serif font.

const (
	ganttWidth    = 960
	ganttMargin   = 16
	ganttFont     = 12
	ganttCharW    = 7.0 // average width of a character at ganttFont, in px
	ganttRowH     = 22  // one timeline per row
	ganttPairRow  = 34  // two timelines per row (a comparison)
	ganttBar      = 14
	ganttPairBar  = 11
	ganttDefRows  = 60
	ganttDownFill = "#d62728" // Down: red
	ganttDegFill  = "#f5a623" // Degraded: amber
	ganttGrid     = "#d9d9d9"
	ganttStripe   = "#f4f5f7"
	ganttInk      = "#222222"
	ganttMuted    = "#666666"
	ganttFamily   = "DejaVu Sans, Helvetica, Arial, sans-serif"
)

// ganttLane is one bar of a row: a node's timeline in one model.
type ganttLane struct {
	r       analyze.Recovery
	label   string // "" or the model it belongs to (comparisons)
	striped bool   // drawn with stripes: the variant of a comparison
	absent  bool   // that model has no such node (comparisons)
	why     string // what its recovery waited for (timelines), after the end label
}

type ganttRow struct {
	id      string
	users   int64
	removed string // the removal note, or ""
	lanes   []ganttLane
}

// TimelineSVG draws a timeline as a Gantt chart in SVG: one row per
// affected node, the longest outage first, with its Down interval in red
// and its Degraded interval in amber on an axis in hours after the
// failure.
func TimelineSVG(w io.Writer, tl *analyze.Timeline, opts TimelineOptions) error {
	var rows []ganttRow
	for _, r := range tlRows(tl, opts) {
		rows = append(rows, ganttRow{id: r.ID, users: r.Users, removed: tlNote(r, tl.Horizon), lanes: []ganttLane{{r: r, why: RecoveryWhy(r)}}})
	}
	g := gantt{
		title:    tlModel(tl) + ": remove " + strings.Join(scenarioLabels(tl.Compiled(), tl.Scenario, " for good"), ", "),
		subtitle: "When each node is down and degraded, in hours after the failure (horizon " + Hours(tl.Horizon) + ")",
		footer:   []string{capital(TimelineSummary(tl)) + "."},
		horizon:  tl.Horizon,
		rows:     rows,
		rowH:     ganttRowH,
		barH:     ganttBar,
		max:      opts.MaxRows,
	}
	return g.write(w)
}

// ComparisonSVG draws a what-if comparison as a Gantt chart: one row per
// node, with its timeline in the base model above its timeline in the
// variant.
func ComparisonSVG(w io.Writer, cmp *analyze.Comparison, opts TimelineOptions) error {
	a, b := cmpLabels(cmp, opts)
	var rows []ganttRow
	for _, r := range cmpRows(cmp, opts) {
		rows = append(rows, ganttRow{id: r.ID, users: max(r.Base.Users, r.Variant.Users), removed: tlNote(r.Base, cmp.Base.Horizon),
			lanes: []ganttLane{{r: r.Base, label: a, absent: r.BaseAbsent}, {r: r.Variant, label: b, striped: true, absent: r.VariantAbsent}}})
	}
	g := gantt{
		title:    "What if: " + b + " instead of " + a,
		subtitle: "Remove " + strings.Join(scenarioLabels(cmp.Base.Compiled(), cmp.Scenario, " for good"), ", ") + "; each node: " + a + " above (solid), " + b + " below (striped); hours after the failure",
		plain:    a,
		striped:  b,
		footer:   []string{a + ": " + TimelineSummary(cmp.Base) + ".", b + ": " + TimelineSummary(cmp.Variant) + "."},
		horizon:  cmp.Base.Horizon,
		rows:     rows,
		rowH:     ganttPairRow,
		barH:     ganttPairBar,
		max:      opts.MaxRows,
	}
	return g.write(w)
}

type gantt struct {
	title, subtitle string
	plain, striped  string // a comparison's models: drawn solid, and with stripes
	footer          []string
	horizon         time.Duration
	rows            []ganttRow
	rowH, barH      int
	max             int
}

// textW estimates the width of s in px at font size px.
func textW(s string, px float64) float64 {
	return float64(len([]rune(s))) * ganttCharW * px / ganttFont
}

// ganttStep picks a tick step that gives at most 12 ticks up to end.
func ganttStep(end time.Duration) time.Duration {
	h := time.Hour
	for _, s := range []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		h, 2 * h, 3 * h, 6 * h, 12 * h, 24 * h, 48 * h, 7 * 24 * h, 14 * 24 * h, 30 * 24 * h, 90 * 24 * h} {
		if end <= 12*s {
			return s
		}
	}
	return 365 * 24 * h
}

func (g *gantt) write(w io.Writer) error {
	ew := &errWriter{w: w}
	limit := g.max
	if limit <= 0 {
		limit = ganttDefRows
	}
	rows, more := g.rows, 0
	if len(rows) > limit {
		rows, more = rows[:limit], len(rows)-limit
	}

	// The axis ends at the latest time that is within the horizon.
	var end time.Duration
	never := false
	for _, r := range rows {
		for _, l := range r.lanes {
			for _, t := range []time.Duration{l.r.DownUntil, l.r.DegradedUntil} {
				if t == analyze.Never {
					never = true
				} else {
					end = maxDur(end, t)
				}
			}
		}
	}
	if end == 0 {
		end = time.Hour
		if never {
			end = g.horizon
		}
	}
	step := ganttStep(end)
	end = (end + step - 1) / step * step

	// Columns: node ids, users, the plot, and room for the end labels.
	idW := textW("node", ganttFont)
	for _, r := range rows {
		idW = maxF(idW, textW(r.id, ganttFont))
		if r.removed != "" {
			idW = maxF(idW, textW(r.id, ganttFont)+6+textW("("+r.removed+")", 11))
		}
	}
	usersW := textW("users", 11) + 8
	for _, r := range rows {
		usersW = maxF(usersW, textW(shortCount(r.users), 11)+8)
	}
	endW := textW("never (past "+Hours(g.horizon)+")", 11) + 12
	for _, r := range rows {
		for _, l := range r.lanes {
			if l.why != "" {
				endW = maxF(endW, textW(l.endLabel(g.horizon), 11)+12)
			}
		}
	}
	width := float64(ganttWidth)
	x0 := ganttMargin + idW + 12 + usersW + 10
	if minW := x0 + 320 + endW + ganttMargin; width < minW {
		width = minW
	}
	for _, s := range append([]string{g.title, g.subtitle}, g.footer...) {
		width = maxF(width, textW(s, 13)+2*ganttMargin)
	}
	x1 := width - ganttMargin - endW
	xAt := func(t time.Duration) float64 {
		if t >= end {
			return x1
		}
		return x0 + (x1-x0)*float64(t)/float64(end)
	}

	top := 96.0 // the first row
	height := top + float64(len(rows)*g.rowH) + 44 + float64(len(g.footer))*18 + ganttMargin
	if more > 0 {
		height += 18
	}

	fmt.Fprintf(ew, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="%s" font-size="%d">`+"\n",
		width, height, width, height, ganttFamily, ganttFont)
	fmt.Fprintf(ew, "<title>%s</title>\n", xmlText(g.title))
	fmt.Fprintf(ew, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	if g.striped != "" {
		fmt.Fprintln(ew, "<defs>")
		for _, p := range []struct{ id, fill, light string }{{"down", ganttDownFill, "#f3b2b2"}, {"degraded", ganttDegFill, "#fbe0b0"}} {
			fmt.Fprintf(ew, `<pattern id="stripes-%s" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/><rect width="2.5" height="6" fill="%s"/></pattern>`+"\n", p.id, p.fill, p.light)
		}
		fmt.Fprintln(ew, "</defs>")
	}
	fmt.Fprintf(ew, `<text x="%d" y="26" font-size="16" font-weight="bold" fill="%s">%s</text>`+"\n", ganttMargin, ganttInk, xmlText(g.title))
	fmt.Fprintf(ew, `<text x="%d" y="46" fill="%s">%s</text>`+"\n", ganttMargin, ganttMuted, xmlText(g.subtitle))

	// Legend.
	lx := float64(ganttMargin)
	for _, it := range []struct{ fill, label string }{{ganttDownFill, "Down"}, {ganttDegFill, "Degraded"}} {
		fmt.Fprintf(ew, `<rect x="%.1f" y="58" width="14" height="12" fill="%s"/>`, lx, it.fill)
		fmt.Fprintf(ew, `<text x="%.1f" y="68.5" fill="%s">%s</text>`+"\n", lx+19, ganttInk, it.label)
		lx += 19 + textW(it.label, ganttFont) + 18
	}
	fmt.Fprintf(ew, `<text x="%.1f" y="68.5" fill="%s">Up: no bar</text>`+"\n", lx, ganttMuted)
	lx += textW("Up: no bar", ganttFont) + 36
	if g.striped != "" {
		for _, it := range []struct{ fill, label string }{{ganttDownFill, g.plain}, {"url(#stripes-down)", g.striped}} {
			fmt.Fprintf(ew, `<rect x="%.1f" y="58" width="14" height="12" fill="%s"/>`, lx, it.fill)
			fmt.Fprintf(ew, `<text x="%.1f" y="68.5" fill="%s">%s</text>`+"\n", lx+19, ganttInk, xmlText(it.label))
			lx += 19 + textW(it.label, ganttFont) + 18
		}
	}

	// Column heads and the time axis above the rows.
	fmt.Fprintf(ew, `<text x="%d" y="%.1f" font-weight="bold" fill="%s">node</text>`, ganttMargin, top-8, ganttInk)
	fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" font-weight="bold" fill="%s" text-anchor="end">users</text>`+"\n", x0-10, top-8, ganttInk)
	bottom := top + float64(len(rows)*g.rowH)
	for i := 0; i < len(rows); i += 2 {
		y := top + float64(i*g.rowH)
		fmt.Fprintf(ew, `<rect x="%d" y="%.1f" width="%.1f" height="%d" fill="%s"/>`+"\n", ganttMargin/2, y, width-ganttMargin, g.rowH, ganttStripe)
	}
	for t := time.Duration(0); t <= end; t += step {
		x := xAt(t)
		fmt.Fprintf(ew, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, x, top-4, x, bottom+4, ganttGrid)
		label := Hours(t)
		if t == 0 {
			label = "0h"
		}
		fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="middle">%s</text>`, x, top-8, ganttMuted, label)
		fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="middle">%s</text>`+"\n", x, bottom+17, ganttMuted, label)
	}
	fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="middle">hours after the failure</text>`+"\n", (x0+x1)/2, bottom+32, ganttMuted)

	// Rows.
	for i, r := range rows {
		y := top + float64(i*g.rowH)
		mid := y + float64(g.rowH)/2 + 4
		fmt.Fprintf(ew, `<text x="%d" y="%.1f" fill="%s">%s`, ganttMargin, mid, ganttInk, xmlText(r.id))
		if r.removed != "" {
			fmt.Fprintf(ew, `<tspan dx="6" fill="%s" font-size="11">(%s)</tspan>`, ganttMuted, xmlText(r.removed))
		}
		fmt.Fprintf(ew, "<title>%s</title></text>", xmlText(strings.TrimSpace(r.id+" "+r.removed)))
		fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="end">%s</text>`+"\n", x0-10, mid, ganttMuted, shortCount(r.users))
		pad := (float64(g.rowH) - float64(len(r.lanes)*g.barH) - float64(len(r.lanes)-1)*2) / 2
		for k, l := range r.lanes {
			by := y + pad + float64(k*(g.barH+2))
			g.lane(ew, l, by, xAt, x1)
		}
	}
	y := bottom + 52
	if more > 0 {
		fmt.Fprintf(ew, `<text x="%d" y="%.1f" fill="%s">… and %d more (the chart shows the %d longest outages)</text>`+"\n", ganttMargin, y, ganttMuted, more, len(rows))
		y += 18
	}
	for _, f := range g.footer {
		fmt.Fprintf(ew, `<text x="%d" y="%.1f" fill="%s">%s</text>`+"\n", ganttMargin, y, ganttInk, xmlText(f))
		y += 18
	}
	fmt.Fprintln(ew, "</svg>")
	return ew.err
}

// lane draws one node's timeline in one model as a bar at height by.
func (g *gantt) lane(ew io.Writer, l ganttLane, by float64, xAt func(time.Duration) float64, x1 float64) {
	r := l.r
	h := float64(g.barH)
	tip := func(what string) string {
		s := r.ID + ": " + what
		if l.label != "" {
			s = l.label + ", " + s
		}
		return "<title>" + xmlText(s) + "</title>"
	}
	downFill, degFill := ganttDownFill, ganttDegFill
	if l.striped {
		downFill, degFill = "url(#stripes-down)", "url(#stripes-degraded)"
	}
	if r.DownUntil > 0 {
		xe := xAt(r.DownUntil)
		fmt.Fprintf(ew, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s">%s</rect>`,
			xAt(0), by, maxF(xe-xAt(0), 1.5), h, downFill, tip("down "+DownSpan(r)))
	}
	if r.DegradedUntil > r.DownUntil {
		xs, xe := xAt(r.DownUntil), xAt(r.DegradedUntil)
		fmt.Fprintf(ew, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s">%s</rect>`,
			xs, by, maxF(xe-xs, 1.5), h, degFill, tip("degraded "+DegradedSpan(r)))
	}
	x := xAt(0) + 4
	switch {
	case l.absent:
	case r.DegradedUntil == analyze.Never:
		// An arrow past the end of the axis: not back within the horizon.
		fill := ganttDownFill
		if r.DownUntil != analyze.Never {
			fill = ganttDegFill
		}
		fmt.Fprintf(ew, `<path d="M %.1f %.1f L %.1f %.1f L %.1f %.1f Z" fill="%s"/>`, x1, by-2, x1+8, by+h/2, x1, by+h+2, fill)
		x = x1 + 12
	case r.DegradedUntil > 0:
		x = xAt(r.DegradedUntil) + 5
	}
	label := l.endLabel(g.horizon)
	whyTip := ""
	if l.why != "" {
		// The chart shows the first part of the explanation; its tooltip
		// all of it (the table and JSON have it too).
		whyTip = "<title>" + xmlText(r.ID+": "+l.why) + "</title>"
	}
	fmt.Fprintf(ew, `<text x="%.1f" y="%.1f" fill="%s" font-size="11">%s%s</text>`+"\n", x, by+h-2.5, ganttMuted, xmlText(label), whyTip)
}

// endLabel is the text right of a lane's bar: when it is up, and why.
func (l ganttLane) endLabel(horizon time.Duration) string {
	r := l.r
	label := "up throughout"
	switch {
	case l.absent:
		return "absent from " + l.label
	case r.DegradedUntil == analyze.Never:
		label = "never (past " + Hours(horizon) + ")"
	case r.DegradedUntil > 0:
		label = "up at " + Hours(r.DegradedUntil)
	}
	if l.why != "" {
		first, rest, more := strings.Cut(l.why, "; ")
		label += ": " + first
		if more && rest != "" {
			label += " …"
		}
	}
	return label
}

// shortCount formats a user count for a chart: "47.5M", "3M", "12K", "-".
func shortCount(n int64) string {
	switch {
	case n == 0:
		return "-"
	case n >= 1_000_000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e6), ".0") + "M"
	case n >= 10_000:
		return fmt.Sprintf("%dK", n/1000)
	}
	return count(n)
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlText(s string) string { return xmlEscaper.Replace(s) }

func maxF(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
