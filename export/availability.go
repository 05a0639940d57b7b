package export

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
)

// AvailabilitySchema names the layout of AvailabilityDoc.
const AvailabilitySchema = "blastradius/availability/v1"

// importanceRows is how many nodes the table and Markdown list, by
// Fussell-Vesely importance: the JSON document lists them all.
const importanceRows = 20

// AvailabilityDoc is the document AvailabilityJSON writes.
type AvailabilityDoc struct {
	Schema         string  `json:"schema"`
	Model          string  `json:"model"`
	Target         string  `json:"target"`
	Exact          bool    `json:"exact"`
	Unavailability float64 `json:"unavailability"`
	Availability   float64 `json:"availability"`
	Lower          float64 `json:"lower"`
	Upper          float64 `json:"upper"`
	BoundOrder     int     `json:"bound_order,omitempty"`
	DowntimeHours  float64 `json:"downtime_hours_per_year"`
	BasicEvents    int     `json:"basic_events"`
	Modules        int     `json:"modules"`
	BDDNodes       int     `json:"bdd_nodes"`
	// Importance is every node with failure data in the target's cone
	// (none when the result holds bounds).
	Importance []ImportanceRecord `json:"importance"`
}

// ImportanceRecord is one node's importance to the target (see
// analyze.Importance). RRW is null when infinite: the target cannot be
// Down while the node is Up.
type ImportanceRecord struct {
	ID             string   `json:"id"`
	Kind           string   `json:"kind"`
	Unavailability float64  `json:"unavailability"`
	Birnbaum       float64  `json:"birnbaum"`
	Criticality    float64  `json:"criticality"`
	FussellVesely  float64  `json:"fussell_vesely"`
	RAW            float64  `json:"raw"`
	RRW            *float64 `json:"rrw"`
}

// NewAvailabilityDoc builds the JSON document of an availability result.
func NewAvailabilityDoc(u *analyze.Unavailability) AvailabilityDoc {
	c := u.Compiled()
	doc := AvailabilityDoc{
		Schema: AvailabilitySchema, Model: c.Name(), Target: u.Target, Exact: u.Exact,
		Unavailability: u.Probability, Availability: 1 - u.Probability, Lower: u.Lower, Upper: u.Upper,
		BoundOrder: u.BoundOrder, DowntimeHours: u.Probability * analyze.HoursPerYear,
		BasicEvents: u.Basic, Modules: u.Modules, BDDNodes: u.BDDNodes,
		Importance: make([]ImportanceRecord, len(u.Importance)),
	}
	for i, imp := range u.Importance {
		rec := ImportanceRecord{
			ID: imp.ID, Kind: c.Kind(imp.Vertex).String(), Unavailability: imp.Unavailability,
			Birnbaum: imp.Birnbaum, Criticality: imp.Criticality, FussellVesely: imp.FussellVesely, RAW: imp.RAW,
		}
		if !math.IsInf(imp.RRW, 1) {
			rrw := imp.RRW
			rec.RRW = &rrw
		}
		doc.Importance[i] = rec
	}
	return doc
}

// AvailabilityJSON writes an availability result as an AvailabilityDoc
// document.
func AvailabilityJSON(w io.Writer, u *analyze.Unavailability) error {
	return writeJSON(w, NewAvailabilityDoc(u))
}

// availabilityHeadline is the result in one sentence: the probability (or
// its bounds), the availability and the expected downtime.
func availabilityHeadline(u *analyze.Unavailability, id func(string) string) string {
	if u.Exact {
		return fmt.Sprintf("%s is Down with probability %s: availability %s, expected downtime %s a year",
			id(u.Target), probability(u.Probability), nines(u.Probability), downtimeText(u.Probability))
	}
	lo, hi := probabilityVs(u.Lower, u.Upper)
	return fmt.Sprintf("%s is Down with probability between %s and %s: availability at least %s, expected downtime at most %s a year",
		id(u.Target), lo, hi, nines(u.Upper), downtimeText(u.Upper))
}

// availabilityMethod says how the figure was found.
func availabilityMethod(u *analyze.Unavailability) string {
	basics := plural(u.Basic, "node") + " with failure data"
	if u.Exact {
		return fmt.Sprintf("exact (BDD of %s, %s apart); %s", plural(u.BDDNodes, "node"), plural(u.Modules, "module"), basics)
	}
	return fmt.Sprintf("bounds from the cut sets up to order %d: the exact diagram would exceed its node budget; %s", u.BoundOrder, basics)
}

// downtimeText is a downtime of p of a year (analyze.HoursPerYear), to the
// second (to the millisecond below a second).
func downtimeText(p float64) string {
	d := time.Duration(p * analyze.HoursPerYear * float64(time.Hour))
	if d < time.Second {
		return Hours(d.Round(time.Millisecond))
	}
	return Hours(d.Round(time.Second))
}

func rrwText(x float64) string {
	if math.IsInf(x, 1) {
		return "∞"
	}
	return ratio(x)
}

// ratio formats an importance ratio or derivative with four significant
// digits.
func ratio(x float64) string { return probability(x) }

// AvailabilityTable writes an availability result as text: the headline,
// the method, and the nodes that matter most (by Fussell-Vesely).
func AvailabilityTable(w io.Writer, u *analyze.Unavailability) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: %s\n%s\n", orModel(u.Compiled().Name()), availabilityHeadline(u, plain), availabilityMethod(u))
	if len(u.Importance) > 0 {
		fmt.Fprintln(ew)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NODE\tKIND\tUNAVAILABILITY\tBIRNBAUM\tCRITICALITY\tFUSSELL-VESELY\tRAW\tRRW")
		for _, imp := range u.Importance[:min(len(u.Importance), importanceRows)] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", imp.ID, u.Compiled().Kind(imp.Vertex), probability(imp.Unavailability),
				ratio(imp.Birnbaum), ratio(imp.Criticality), ratio(imp.FussellVesely), ratio(imp.RAW), rrwText(imp.RRW))
		}
		tw.Flush()
		if more := len(u.Importance) - importanceRows; more > 0 {
			fmt.Fprintf(ew, "and %s (--format json lists every one)\n", plural(more, "more node"))
		}
	}
	return ew.err
}

// AvailabilityMarkdown writes an availability result as Markdown.
func AvailabilityMarkdown(w io.Writer, u *analyze.Unavailability) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Availability of %s (%s)\n\n", code(u.Target), mdText(orModel(u.Compiled().Name())))
	fmt.Fprintf(ew, "%s.\n\n%s.\n", capital(availabilityHeadline(u, code)), mdText(capital(availabilityMethod(u))))
	if len(u.Importance) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "| node | kind | unavailability | Birnbaum | criticality | Fussell-Vesely | RAW | RRW |")
		fmt.Fprintln(ew, "|---|---|--:|--:|--:|--:|--:|--:|")
		for _, imp := range u.Importance[:min(len(u.Importance), importanceRows)] {
			fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", code(imp.ID), u.Compiled().Kind(imp.Vertex), probability(imp.Unavailability),
				ratio(imp.Birnbaum), ratio(imp.Criticality), ratio(imp.FussellVesely), ratio(imp.RAW), rrwText(imp.RRW))
		}
		if more := len(u.Importance) - importanceRows; more > 0 {
			fmt.Fprintf(ew, "\nAnd %s (the JSON report lists every one).\n", plural(more, "more node"))
		}
	}
	return ew.err
}

// unavailabilitySummary is CheckSummary for a max_unavailability rule.
func unavailabilitySummary(rr policy.RuleResult) string {
	if rr.Scenarios == 0 {
		return fmt.Sprintf("none of %s depends on a node with failure data (availability, or mtbf and mttr): nothing is measured, so the rule fails", plural(rr.Selected, "selected node"))
	}
	s := fmt.Sprintf("the unavailability of %s with failure data", plural(rr.Scenarios, "selected node"))
	if w := rr.Unavailable; w != nil {
		s += fmt.Sprintf("; the most unavailable, %s, is down with probability %s (availability %s)", w.Node, probability(w.Got), nines(w.Got))
	}
	return s
}

// unavailabilityMessage is CheckMessage for a max_unavailability
// violation.
func unavailabilityMessage(x *policy.Unavailable) string {
	_, want := percentVs(x.Got, x.Max)
	s := fmt.Sprintf("down with probability %s (availability %s, downtime %s a year), more than the %s allowed", probability(x.Got), nines(x.Got), downtimeText(x.Got), want)
	if !x.Exact {
		lo, hi := probabilityVs(x.Lower, x.Upper)
		s = fmt.Sprintf("down with probability up to %s (between %s and %s: bounds, the exact diagram being too large), more than the %s allowed", hi, lo, hi, want)
	}
	if x.Top != "" {
		s += fmt.Sprintf("; %s %s is down during %s of its downtime (Fussell-Vesely)", x.TopKind, x.Top, percent(x.TopShare))
	}
	return s
}
