package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/analyze/policy"
)

// CheckSchema is the JSON layout of a policy check, versioned like
// OutcomeSchema.
const CheckSchema = "blastradius/check/v1"

// CheckDoc is the document CheckJSON writes.
type CheckDoc struct {
	Schema     string            `json:"schema"`
	Policy     string            `json:"policy"`
	Model      string            `json:"model"`
	Passed     bool              `json:"passed"`
	Failed     int               `json:"failed"` // rules that failed
	Violations int               `json:"violations"`
	Rules      []CheckRuleRecord `json:"rules"`
}

// CheckRuleRecord is one rule's verdict, with where the policy file wrote
// it.
type CheckRuleRecord struct {
	Rule        string `json:"rule"`           // as policy files write it: "no_spof"
	Name        string `json:"name,omitempty"` // the name the policy file gave it
	Description string `json:"description"`    // the file's description, or what the rule demands
	Passed      bool   `json:"passed"`
	// Summary says what was checked or measured (CheckSummary).
	Summary    string            `json:"summary"`
	Violations []ViolationRecord `json:"violations"`
	Total      int               `json:"total"` // every violation, listed or not
	File       string            `json:"file,omitempty"`
	Line       int               `json:"line,omitempty"`
}

// ViolationRecord is one violation of a rule.
type ViolationRecord struct {
	Node    string   `json:"node"`
	Removed string   `json:"removed,omitempty"`
	State   string   `json:"state,omitempty"` // "down" or "degraded"; left out for rules that simulate nothing
	Chain   []string `json:"chain,omitempty"`
	// ChainCut counts the links of the chain cut off (policy max_chain).
	ChainCut int    `json:"chain_cut,omitempty"`
	Message  string `json:"message"` // CheckMessage
	// Late is how late the node is back (recover_within, a survive rule
	// with within).
	Late *LateRecord `json:"late,omitempty"`
}

// NewCheckDoc returns the JSON document of a check result.
func NewCheckDoc(r *policy.Result) CheckDoc {
	doc := CheckDoc{Schema: CheckSchema, Policy: r.Policy, Model: r.Model, Passed: r.Passed(), Failed: r.Failed(),
		Rules: make([]CheckRuleRecord, len(r.Rules))}
	for i, rr := range r.Rules {
		doc.Violations += rr.Total
		rec := CheckRuleRecord{Rule: rr.Rule, Name: rr.Name, Description: rr.Demand(), Passed: rr.Passed,
			Summary: CheckSummary(rr), Violations: make([]ViolationRecord, len(rr.Violations)), Total: rr.Total,
			File: rr.Pos.File, Line: rr.Pos.Line}
		for j, v := range rr.Violations {
			rec.Violations[j] = NewViolationRecord(rr, v)
		}
		doc.Rules[i] = rec
	}
	return doc
}

// NewViolationRecord returns the JSON record of violation v of rr.
func NewViolationRecord(rr policy.RuleResult, v policy.Violation) ViolationRecord {
	rec := ViolationRecord{Node: v.Node, Removed: v.Removed, Chain: v.Chain, ChainCut: v.ChainCut, Message: CheckMessage(rr, v), Late: newLateRecord(v.Late)}
	if v.State != analyze.Up {
		rec.State = v.State.String()
	}
	return rec
}

// CheckJSON writes a check result as a CheckDoc document.
func CheckJSON(w io.Writer, r *policy.Result) error { return writeJSON(w, NewCheckDoc(r)) }

// CheckSummary says in a line what a rule checked or measured: "6 selected
// nodes, each of 6 sites lost", "redundancy rate by users 0% (...), want at
// least 90%".
func CheckSummary(rr policy.RuleResult) string {
	switch rr.Rule {
	case "survive_site_loss", "survive_region_loss":
		kind := strings.TrimSuffix(strings.TrimPrefix(rr.Rule, "survive_"), "_loss")
		if rr.Scenarios == 0 {
			return fmt.Sprintf("the model has no %ss: nothing shows the selected nodes survive one's loss, so the rule fails", kind)
		}
		return fmt.Sprintf("%s, each of %s lost", plural(rr.Selected, "selected node"), plural(rr.Scenarios, kind)) + toleranceSummary(rr)
	case "recover_within":
		return lateSummary(rr)
	case "independent":
		if rr.Scenarios == 0 {
			return fmt.Sprintf("%s with no redundancy claim: nothing shows their redundancy is independent, so the rule fails", plural(rr.Selected, "selected node"))
		}
		return fmt.Sprintf("%s of %s", plural(rr.Scenarios, "redundancy claim"), plural(rr.Selected, "selected node"))
	case "survive_sites":
		if rr.Scenarios == 0 {
			return "the model has fewer sites than the rule loses together: nothing shows the selected nodes survive, so the rule fails"
		}
		if k, ok := rr.Definition.(interface{ K() int }); ok && k.K() == 1 {
			return fmt.Sprintf("%s, each of %s lost", plural(rr.Selected, "selected node"), plural(rr.Scenarios, "site"))
		}
		return fmt.Sprintf("%s, each of %s of sites lost together", plural(rr.Selected, "selected node"), plural(rr.Scenarios, "combination"))
	case "no_spof":
		if rr.Scenarios == 0 {
			return "ignore covers every node: no single failure is checked, so the rule fails"
		}
		return fmt.Sprintf("%s, the single failure of each of %s", plural(rr.Selected, "selected node"), plural(rr.Scenarios, "node"))
	case "max_blast_radius":
		s := "the single failure of each of " + plural(rr.Scenarios, "node")
		if r := rr.Largest; r != nil {
			s += fmt.Sprintf("; the largest, %s, takes %s down with it", r.Node, reach(r))
		}
		return s
	case "min_redundancy_rate":
		r := rr.Rate
		if r == nil {
			return ""
		}
		what := "services"
		if r.By == policy.ByUsers {
			what = "users"
		}
		switch {
		case rr.Scenarios == 0:
			return "the model has no sites: a redundancy rate without a site to lose proves nothing, so the rule fails"
		case r.All == 0:
			return fmt.Sprintf("the model has no %s to measure: the rule fails", what)
		}
		of := fmt.Sprintf("%s of %s", count(r.Survive), plural(r.All, "service"))
		if r.By == policy.ByUsers {
			of = fmt.Sprintf("%s of %s users", count(r.Survive), count(r.All))
		}
		got, want := percentVs(r.Got, r.Want)
		return fmt.Sprintf("redundancy rate by %s %s (%s survive the loss of any one site), want at least %s", r.By, got, of, want)
	case "sites_at_least":
		return "the placement of " + plural(rr.Selected, "selected node")
	case "no_undeclared":
		return "the calls traffic showed of " + plural(rr.Selected, "selected node") + " (blastradius import)"
	case "max_unavailability":
		return unavailabilitySummary(rr)
	}
	return ""
}

// CheckMessage says what breaks the rule in violation v of rr: "down when
// site pangyo is lost", "its failure takes 10 other nodes (...) down with
// it, more than 5 nodes".
func CheckMessage(rr policy.RuleResult, v policy.Violation) string {
	switch {
	case v.Late != nil:
		return lateMessage(v)
	case v.Unavailable != nil:
		return unavailabilityMessage(v.Unavailable)
	case v.Placement != nil:
		return placementMessage(v.Placement)
	case v.Reach != nil:
		var over []string
		if v.Over.Nodes > 0 {
			over = append(over, plural(v.Over.Nodes, "node"))
		}
		if v.Over.Users > 0 {
			over = append(over, percent(v.Over.Users)+" of users")
		}
		return fmt.Sprintf("its failure takes %s down with it, more than %s", reach(v.Reach), strings.Join(over, " or "))
	case rr.Rule == "no_spof":
		return fmt.Sprintf("down when %s %s fails", v.RemovedKind, v.Removed)
	case rr.Rule == "no_undeclared":
		return fmt.Sprintf("calls %s %s (seen in traffic), which no source declares", v.RemovedKind, v.Removed)
	case rr.Rule == "independent" && strings.Contains(v.Removed, ", "):
		return fmt.Sprintf("its redundancy is defeated by %s failing together", v.Removed)
	case rr.Rule == "independent":
		return fmt.Sprintf("its redundancy is defeated by %s %s alone", v.RemovedKind, v.Removed)
	case rr.Rule == "survive_sites" && strings.Contains(v.Removed, ", "):
		return fmt.Sprintf("%s when sites %s are lost together", v.State, v.Removed)
	}
	return fmt.Sprintf("%s when %s %s is lost", v.State, v.RemovedKind, v.Removed)
}

// CheckLine is a violation on one line, as the text and JUnit reports
// print it: the node, what breaks the rule and the chain of causes.
func CheckLine(rr policy.RuleResult, v policy.Violation) string {
	s := v.Node + ": " + CheckMessage(rr, v)
	if len(v.Chain) > 1 {
		s += ": " + CheckChain(v)
	}
	return s
}

// CheckChain joins a violation's chain with arrows and says how much was cut.
func CheckChain(v policy.Violation) string {
	s := strings.Join(v.Chain, " → ")
	if v.ChainCut > 0 {
		s += fmt.Sprintf(" → … %d more", v.ChainCut)
	}
	return s
}

// reach says how far a failure reaches: "10 other nodes (40,000,000 users, 37.2%)".
func reach(r *policy.Reach) string {
	s := fmt.Sprintf("%d other node", r.Others)
	if r.Others != 1 {
		s += "s"
	}
	if r.Users > 0 {
		s += fmt.Sprintf(" (%s users, %s)", count(r.Users), percent(r.Share))
	}
	return s
}

// placementMessage says why a node's placement breaks sites_at_least.
func placementMessage(pl *policy.Placement) string {
	n := pl.Want
	if len(pl.Serving) == 0 && len(pl.Standby) == 0 {
		return fmt.Sprintf("has no placement of its own (no site, no replicas), needs %s", plural(n, "site"))
	}
	if pl.Short {
		msg := "serves from " + plural(len(pl.Serving), "site")
		if len(pl.Serving) > 0 {
			msg += " (" + siteList(pl, pl.Serving, false) + ")"
		}
		msg += fmt.Sprintf(", needs %d", n)
		if len(pl.Standby) > 0 {
			msg += "; " + siteList(pl, pl.Standby, true) + " would take over later, not at once"
		}
		return msg
	}
	return fmt.Sprintf("without its largest site %s (%d), the other sites carry %d of its demand %d",
		pl.Serving[0].Site, pl.Serving[0].Capacity, pl.WithoutLargest, pl.Demand)
}

// siteList lists sites with their capacity: "pangyo 100, gasan 20".
func siteList(pl *policy.Placement, list []policy.SiteCapacity, standby bool) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = s.Site
		switch {
		case standby && pl.Weighted:
			parts[i] += fmt.Sprintf(" (%s standby, %d)", s.Standby, s.Capacity)
		case standby:
			parts[i] += fmt.Sprintf(" (%s standby)", s.Standby)
		case pl.Weighted:
			parts[i] += fmt.Sprintf(" %d", s.Capacity)
		}
	}
	return strings.Join(parts, ", ")
}

// checkHeadline is the verdict in one line: "5 of 5 rules fail (29
// violations)" or "all 5 rules pass".
func checkHeadline(r *policy.Result) string {
	total := 0
	for _, rr := range r.Rules {
		total += rr.Total
	}
	switch n := len(r.Rules); {
	case r.Passed() && n == 1:
		return "the rule passes"
	case r.Passed():
		return fmt.Sprintf("all %d rules pass", n)
	}
	verb := "fail"
	if r.Failed() == 1 {
		verb = "fails"
	}
	return fmt.Sprintf("%d of %s %s (%s)", r.Failed(), plural(len(r.Rules), "rule"), verb, plural(total, "violation"))
}

func policyName(r *policy.Result) string {
	if r.Policy == "" {
		return "policy"
	}
	return "policy " + r.Policy
}

// CheckTable writes a check result as text: the verdict, then each rule
// with what it checked and its violations, each with its chain of causes.
func CheckTable(w io.Writer, r *policy.Result) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s against %s: %s\n", orModel(r.Model), policyName(r), checkHeadline(r))
	for _, rr := range r.Rules {
		verdict := "PASS"
		if !rr.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(ew, "\n%s  %s\n", verdict, rr.Title())
		where := rr.Rule
		if s := rr.Pos.String(); s != "" {
			where += ", " + s
		}
		fmt.Fprintf(ew, "      %s; %s\n", where, CheckSummary(rr))
		if len(rr.Violations) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, v := range rr.Violations {
			if len(v.Chain) == 0 {
				fmt.Fprintf(tw, "      %s\t%s\n", v.Node, CheckMessage(rr, v)) // no padding after the last column
				continue
			}
			fmt.Fprintf(tw, "      %s\t%s\t%s\n", v.Node, CheckMessage(rr, v), CheckChain(v))
		}
		tw.Flush()
		if more := rr.Total - len(rr.Violations); more > 0 {
			fmt.Fprintf(ew, "      ... and %d more\n", more)
		}
	}
	return ew.err
}

// CheckMarkdown writes a check result as GitHub Markdown, for a pull
// request or a CI summary: the verdict, a table of the rules, then the
// violations of each failed rule.
func CheckMarkdown(w io.Writer, r *policy.Result) error {
	ew := &errWriter{w: w}
	mark := "✅"
	if !r.Passed() {
		mark = "❌"
	}
	name := "policy"
	if r.Policy != "" {
		name = "`" + r.Policy + "`"
	}
	fmt.Fprintf(ew, "## Policy check: %s on %s\n\n", name, mdText(orModel(r.Model)))
	fmt.Fprintf(ew, "%s **%s**\n\n", mark, capital(checkHeadline(r)))
	fmt.Fprintln(ew, "| | rule | checked | violations |")
	fmt.Fprintln(ew, "|---|---|---|--:|")
	for _, rr := range r.Rules {
		fmt.Fprintf(ew, "| %s | %s (`%s`) | %s | %d |\n", passMark(rr.Passed), mdText(rr.Title()), rr.Rule, mdText(CheckSummary(rr)), rr.Total)
	}
	for _, rr := range r.Rules {
		if rr.Passed {
			continue
		}
		fmt.Fprintf(ew, "\n### ❌ %s\n\n", mdText(rr.Title()))
		if rr.Name != "" {
			fmt.Fprintf(ew, "%s\n\n", mdText(rr.Demand()))
		}
		if len(rr.Violations) == 0 {
			fmt.Fprintf(ew, "%s\n", mdText(CheckSummary(rr)))
			continue
		}
		fmt.Fprintln(ew, "| node | what breaks the rule | chain of causes |")
		fmt.Fprintln(ew, "|---|---|---|")
		for _, v := range rr.Violations {
			fmt.Fprintf(ew, "| `%s` | %s | %s |\n", v.Node, mdText(CheckMessage(rr, v)), mdViolationChain(v))
		}
		if more := rr.Total - len(rr.Violations); more > 0 {
			fmt.Fprintf(ew, "\n… and %d more.\n", more)
		}
	}
	return ew.err
}

func passMark(ok bool) string {
	if ok {
		return "✅"
	}
	return "❌"
}

// mdViolationChain is mdChain of a violation's chain, saying how much was
// cut.
func mdViolationChain(v policy.Violation) string {
	s := mdChain(v.Chain)
	if v.ChainCut > 0 {
		s += fmt.Sprintf(" → … %d more", v.ChainCut)
	}
	return s
}

func mdChain(chain []string) string {
	if len(chain) == 0 {
		return ""
	}
	return "`" + strings.Join(chain, "` → `") + "`"
}

// The JUnit XML layout most CI systems read (Jenkins, GitLab, GitHub
// actions that publish test reports): one test suite per policy, one test
// case per rule, a failure per failed rule with its violations as text.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Failure   *junitFailure `xml:"failure"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",cdata"`
	}
)

// CheckJUnit writes a check result as JUnit XML, so that CI systems show
// each rule as a test case: passed, or failed with its violations.
func CheckJUnit(w io.Writer, r *policy.Result) error {
	suite := junitSuite{Name: strings.TrimPrefix(policyName(r), "policy ") + " on " + orModel(r.Model), Tests: len(r.Rules), Failures: r.Failed()}
	class := "blastradius." + orModel(r.Model)
	for _, rr := range r.Rules {
		summary := CheckSummary(rr)
		tc := junitCase{Name: rr.Title(), Classname: class, File: rr.Pos.File, Line: rr.Pos.Line, SystemOut: summary}
		if !rr.Passed {
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n%s\n", rr.Demand(), summary)
			for _, v := range rr.Violations {
				fmt.Fprintf(&b, "%s\n", CheckLine(rr, v))
			}
			if more := rr.Total - len(rr.Violations); more > 0 {
				fmt.Fprintf(&b, "... and %d more\n", more)
			}
			tc.Failure = &junitFailure{Message: plural(rr.Total, "violation") + ": " + summary, Type: rr.Rule, Text: b.String()}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "blastradius check", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	ew := &errWriter{w: w}
	fmt.Fprint(ew, xml.Header)
	enc := xml.NewEncoder(ew)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	fmt.Fprintln(ew)
	return ew.err
}
