package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze/policy"
)

// CheckSchema is the JSON layout of a policy check, versioned like
// OutcomeSchema.
const CheckSchema = "blastradius/check/v1"

// CheckJSON is the document CheckReportJSON writes.
type CheckJSON struct {
	Schema     string         `json:"schema"`
	Policy     string         `json:"policy"`
	Model      string         `json:"model"`
	Passed     bool           `json:"passed"`
	Failed     int            `json:"failed"` // rules that failed
	Violations int            `json:"violations"`
	Rules      []CheckRuleDoc `json:"rules"`
}

// CheckRuleDoc is one rule's verdict, with where the policy file wrote it.
type CheckRuleDoc struct {
	policy.RuleResult
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// NewCheckJSON returns the JSON document of a check result.
func NewCheckJSON(r *policy.Result) CheckJSON {
	doc := CheckJSON{Schema: CheckSchema, Policy: r.Policy, Model: r.Model, Passed: r.Passed(), Failed: r.Failed(),
		Rules: make([]CheckRuleDoc, len(r.Rules))}
	for i, rr := range r.Rules {
		doc.Violations += rr.Total
		doc.Rules[i] = CheckRuleDoc{RuleResult: rr, File: rr.Pos.File, Line: rr.Pos.Line}
	}
	return doc
}

// CheckReportJSON writes a check result as a CheckJSON document.
func CheckReportJSON(w io.Writer, r *policy.Result) error { return writeJSON(w, NewCheckJSON(r)) }

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
		fmt.Fprintf(ew, "      %s; %s\n", where, rr.Summary)
		if len(rr.Violations) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, v := range rr.Violations {
			if len(v.Chain) == 0 {
				fmt.Fprintf(tw, "      %s\t%s\n", v.Node, v.Msg) // no padding after the last column
				continue
			}
			fmt.Fprintf(tw, "      %s\t%s\t%s\n", v.Node, v.Msg, strings.Join(v.Chain, " → "))
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
	fmt.Fprintf(ew, "## Policy check: %s on %s\n\n", name, mdEscape(orModel(r.Model)))
	fmt.Fprintf(ew, "%s **%s**\n\n", mark, capital(checkHeadline(r)))
	fmt.Fprintln(ew, "| | rule | checked | violations |")
	fmt.Fprintln(ew, "|---|---|---|--:|")
	for _, rr := range r.Rules {
		fmt.Fprintf(ew, "| %s | %s (`%s`) | %s | %d |\n", passMark(rr.Passed), mdEscape(rr.Title()), rr.Rule, mdEscape(rr.Summary), rr.Total)
	}
	for _, rr := range r.Rules {
		if rr.Passed {
			continue
		}
		fmt.Fprintf(ew, "\n### ❌ %s\n\n", mdEscape(rr.Title()))
		if rr.Name != "" {
			fmt.Fprintf(ew, "%s\n\n", mdEscape(rr.Description))
		}
		if len(rr.Violations) == 0 {
			fmt.Fprintf(ew, "%s\n", mdEscape(rr.Summary))
			continue
		}
		fmt.Fprintln(ew, "| node | what breaks the rule | chain of causes |")
		fmt.Fprintln(ew, "|---|---|---|")
		for _, v := range rr.Violations {
			fmt.Fprintf(ew, "| `%s` | %s | %s |\n", v.Node, mdEscape(v.Msg), mdChain(v.Chain))
		}
		if more := rr.Total - len(rr.Violations); more > 0 {
			fmt.Fprintf(ew, "\n… and %d more.\n", more)
		}
	}
	return ew.err
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func passMark(ok bool) string {
	if ok {
		return "✅"
	}
	return "❌"
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
		tc := junitCase{Name: rr.Title(), Classname: class, File: rr.Pos.File, Line: rr.Pos.Line, SystemOut: rr.Summary}
		if !rr.Passed {
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n%s\n", rr.Description, rr.Summary)
			for _, v := range rr.Violations {
				fmt.Fprintf(&b, "%s\n", v)
			}
			if more := rr.Total - len(rr.Violations); more > 0 {
				fmt.Fprintf(&b, "... and %d more\n", more)
			}
			tc.Failure = &junitFailure{Message: plural(rr.Total, "violation") + ": " + rr.Summary, Type: rr.Rule, Text: b.String()}
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
