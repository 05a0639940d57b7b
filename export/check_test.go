package export_test

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
)

// Whatever a policy file's text holds, the JUnit report is XML that reads
// back to the same text.
func TestCheckJUnitEscapes(t *testing.T) {
	desc := `a ]]> b <c> & "d"`
	res := &policy.Result{Policy: "p<&>", Model: "m", Rules: []policy.RuleResult{
		{Rule: "no_spof", Name: "n ]]>", Description: desc, Summary: "s", Total: 1,
			Violations: []policy.Violation{{Node: "x", Msg: "down ]]> <now>"}}},
	}}
	var b bytes.Buffer
	require.NoError(t, export.CheckJUnit(&b, res))
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc), b.String())
	assert.Equal(t, "p<&> on m", doc.Suites[0].Name)
	assert.Equal(t, "n ]]>", doc.Suites[0].Cases[0].Name)
	assert.Equal(t, desc+"\ns\nx: down ]]> <now>\n", doc.Suites[0].Cases[0].Failure.Text)
}
