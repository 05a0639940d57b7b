package export

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
)

// SARIFVersion is the version of the SARIF format CheckSARIF writes
// (OASIS Static Analysis Results Interchange Format 2.1.0).
const SARIFVersion = "2.1.0"

// sarifSchema is the address of the SARIF 2.1.0 JSON Schema that
// code-scanning tools (GitHub's among them) know the log by.
const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// The parts of a SARIF 2.1.0 log that a policy check fills in: one run of
// one tool, one reporting descriptor per rule of the policy, one result per
// listed violation.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name,omitempty"`
		ShortDescription     sarifText    `json:"shortDescription"`
		FullDescription      sarifText    `json:"fullDescription"`
		DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
		Properties           *sarifRuleAt `json:"properties,omitempty"`
	}
	sarifRuleAt struct {
		Rule string `json:"blastradius/rule"`           // as policy files write it
		File string `json:"blastradius/file,omitempty"` // where the policy wrote it
		Line int    `json:"blastradius/line,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifLocation struct {
		Physical *sarifPhysical `json:"physicalLocation,omitempty"`
		Logical  []sarifLogical `json:"logicalLocations,omitempty"`
		Message  *sarifText     `json:"message,omitempty"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		Name string `json:"name"`
		Kind string `json:"kind,omitempty"`
	}
)

// CheckSARIF writes a check result as a SARIF 2.1.0 log, the format
// code-scanning services read (GitHub's upload-sarif among them): each rule
// of the policy is a rule of tool.driver.rules, each listed violation a
// result with level error located at the model file's line of the node
// that breaks the rule, so that the report shows on the line of a pull
// request's diff. A rule that fails with nothing to list (one that fails
// closed) is one result at the policy file's line of the rule. Violations
// beyond the policy's MaxViolations are not listed, as in every report.
//
// Locations are the file names the model and policy were read from, with
// forward slashes: run the check from the repository's root with relative
// paths, so that they resolve against it.
func CheckSARIF(w io.Writer, r *policy.Result) error {
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: "blastradius", InformationURI: "https://github.com/blastradius-go/blastradius", Rules: []sarifRule{}}},
		Results: []sarifResult{},
	}
	ids := sarifRuleIDs(r)
	for i, rr := range r.Rules {
		desc := rr.Demand()
		rule := sarifRule{ID: ids[i], Name: rr.Name, ShortDescription: sarifText{Text: rr.Title()},
			FullDescription: sarifText{Text: orDash(desc)}, DefaultConfiguration: sarifConfig{Level: "error"},
			Properties: &sarifRuleAt{Rule: rr.Rule, File: filepath.ToSlash(rr.Pos.File), Line: rr.Pos.Line}}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
		if rr.Passed {
			continue
		}
		for _, v := range rr.Violations {
			res := sarifResult{RuleID: ids[i], RuleIndex: i, Level: "error", Message: sarifText{Text: CheckLine(rr, v)}}
			loc := sarifLocation{Logical: []sarifLogical{{Name: v.Node, Kind: "member"}}}
			loc.Physical = sarifPhysicalAt(v.Pos)
			if loc.Physical == nil {
				// A model built in Go has no file: point at the rule.
				loc.Physical = sarifPhysicalAt(rr.Pos)
			}
			res.Locations = []sarifLocation{loc}
			run.Results = append(run.Results, res)
		}
		if rr.Total == 0 {
			res := sarifResult{RuleID: ids[i], RuleIndex: i, Level: "error", Message: sarifText{Text: rr.Title() + ": " + CheckSummary(rr)}}
			if p := sarifPhysicalAt(rr.Pos); p != nil {
				res.Locations = []sarifLocation{{Physical: p}}
			}
			run.Results = append(run.Results, res)
		}
	}
	return writeJSON(w, sarifLog{Schema: sarifSchema, Version: SARIFVersion, Runs: []sarifRun{run}})
}

// sarifRuleIDs names each rule of the policy for tool.driver.rules: the
// rule as policy files write it ("no_spof"), numbered when the policy has
// more than one of a kind ("no_spof/2"), so that each id is stable while
// the policy's order is.
func sarifRuleIDs(r *policy.Result) []string {
	n := make(map[string]int)
	for _, rr := range r.Rules {
		n[rr.Rule]++
	}
	seen := make(map[string]int)
	ids := make([]string, len(r.Rules))
	for i, rr := range r.Rules {
		seen[rr.Rule]++
		ids[i] = rr.Rule
		if n[rr.Rule] > 1 {
			ids[i] = fmt.Sprintf("%s/%d", rr.Rule, seen[rr.Rule])
		}
	}
	return ids
}

func sarifPhysicalAt(p graph.Pos) *sarifPhysical {
	if p.File == "" {
		return nil
	}
	// A URI reference: a path as written, its reserved characters escaped
	// ("<stdin>", spaces), forward slashes on every system.
	ph := &sarifPhysical{Artifact: sarifArtifact{URI: (&url.URL{Path: filepath.ToSlash(p.File)}).String()}}
	if p.Line > 0 {
		ph.Region = &sarifRegion{StartLine: p.Line}
	}
	return ph
}
