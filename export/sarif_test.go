package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
)

// sarifSchemas returns the schemas a SARIF log of a check must pass: the
// subset of SARIF 2.1.0 that CheckSARIF writes (testdata, written from the
// specification), and the full OASIS sarif-schema-2.1.0.json when
// BLASTRADIUS_SARIF_SCHEMA names a copy of it. The OASIS file is not in
// the repository: its terms are OASIS's IPR policy, not an open-source
// licence, and the tests run without a network.
func sarifSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	out := make(map[string]*jsonschema.Schema)
	add := func(name, path string) {
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		require.NoError(t, err)
		comp := jsonschema.NewCompiler()
		comp.AssertFormat()
		require.NoError(t, comp.AddResource(name, doc))
		s, err := comp.Compile(name)
		require.NoError(t, err)
		out[name] = s
	}
	add("subset.schema.json", "testdata/sarif-2.1.0-subset.schema.json")
	if path := os.Getenv("BLASTRADIUS_SARIF_SCHEMA"); path != "" {
		add("sarif-schema-2.1.0.json", path)
	} else {
		t.Log("BLASTRADIUS_SARIF_SCHEMA not set: validating against the subset schema only")
	}
	return out
}

func checkOf(t *testing.T, model, pol string) *policy.Result {
	t.Helper()
	m, err := graph.Load(model)
	require.NoError(t, err)
	c, err := graph.Compile(m)
	require.NoError(t, err)
	p, err := policy.Load(pol)
	require.NoError(t, err)
	res, err := policy.Check(context.Background(), c, p)
	require.NoError(t, err)
	return res
}

// The SARIF log of the reference models passes the schemas; each violation
// is located at the model file's line of its node, each rule described.
func TestCheckSARIF(t *testing.T) {
	schemas := sarifSchemas(t)
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		res := checkOf(t, "../testdata/"+model+".yaml", "../testdata/policy.yaml")
		var b bytes.Buffer
		require.NoError(t, export.CheckSARIF(&b, res))
		for name, s := range schemas {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
			require.NoError(t, err)
			assert.NoError(t, s.Validate(inst), "%s against %s", model, name)
		}
		var log struct {
			Version string
			Runs    []struct {
				Tool struct {
					Driver struct {
						Rules []struct{ ID string }
					}
				}
				Results []struct {
					RuleID    string
					RuleIndex int
					Message   struct{ Text string }
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
							Region           struct{ StartLine int }
						}
						LogicalLocations []struct{ Name string }
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal(b.Bytes(), &log))
		require.Len(t, log.Runs, 1)
		run := log.Runs[0]
		var ids []string
		for _, r := range run.Tool.Driver.Rules {
			ids = append(ids, r.ID)
		}
		assert.Equal(t, []string{"survive_site_loss", "no_spof", "max_blast_radius", "min_redundancy_rate", "sites_at_least"}, ids)
		listed := 0
		for _, rr := range res.Rules {
			listed += len(rr.Violations)
		}
		assert.Len(t, run.Results, listed, "one result per listed violation")
		for _, r := range run.Results {
			assert.Equal(t, ids[r.RuleIndex], r.RuleID)
			require.Len(t, r.Locations, 1)
			loc := r.Locations[0]
			assert.Equal(t, "../testdata/"+model+".yaml", loc.PhysicalLocation.ArtifactLocation.URI)
			assert.Positive(t, loc.PhysicalLocation.Region.StartLine)
		}
		if model == "kakao-2022" {
			// kakao-games is written at line 60 of the model, and breaks
			// no_spof through kakaotalk.
			found := false
			for _, r := range run.Results {
				if r.RuleID == "no_spof" && r.Message.Text == "kakao-games: down when service kakaotalk fails: kakao-games → kakao-login → kakaotalk" {
					found = true
					assert.Equal(t, kakaoLine(t, "kakao-games"), r.Locations[0].PhysicalLocation.Region.StartLine)
					assert.Equal(t, "kakao-games", r.Locations[0].LogicalLocations[0].Name)
				}
			}
			assert.True(t, found, "the kakao-games violation of no_spof")
		}
	}
}

// kakaoLine is the line where testdata/kakao-2022.yaml writes node id.
func kakaoLine(t *testing.T, id string) int {
	t.Helper()
	m, err := graph.Load("../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	for _, n := range m.Nodes {
		if n.ID == id {
			return n.Pos.Line
		}
	}
	t.Fatalf("no node %s", id)
	return 0
}

// A rule that fails closed, with no violation to list, is one result at
// the policy's line; a model built in Go (no file) points at the rule
// too; two rules of a kind get numbered ids.
func TestCheckSARIFFailClosed(t *testing.T) {
	m := new(graph.Model).Add(graph.Node{ID: "app", Kind: graph.Service, Users: 1})
	c, err := graph.Compile(m)
	require.NoError(t, err)
	p, err := policy.Decode(bytes.NewReader([]byte("rules:\n  - rule: min_redundancy_rate\n    rate: 90%\n  - rule: min_redundancy_rate\n    rate: 10%\n")), "p.yaml")
	require.NoError(t, err)
	res, err := policy.Check(context.Background(), c, p)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, export.CheckSARIF(&b, res))
	for name, s := range sarifSchemas(t) {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		require.NoError(t, err)
		assert.NoError(t, s.Validate(inst), name)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &log))
	rs := log.Runs[0].Results
	require.Len(t, rs, 2)
	assert.Equal(t, "min_redundancy_rate/1", rs[0].RuleID)
	assert.Equal(t, "min_redundancy_rate/2", rs[1].RuleID)
	assert.Equal(t, "p.yaml", rs[1].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, 4, rs[1].Locations[0].PhysicalLocation.Region.StartLine)
	assert.Contains(t, rs[0].Message.Text, "the model has no sites")
}

// The schemas reject what SARIF forbids, so that passing them means
// something.
func TestSARIFSchemasReject(t *testing.T) {
	res := checkOf(t, "../testdata/kakao-2022.yaml", "../testdata/policy.yaml")
	var b bytes.Buffer
	require.NoError(t, export.CheckSARIF(&b, res))
	broken := map[string]func(d map[string]any){
		"version":    func(d map[string]any) { d["version"] = "2.0.0" },
		"no runs":    func(d map[string]any) { delete(d, "runs") },
		"no message": func(d map[string]any) { sarifResult0(d)["message"] = map[string]any{} },
		"line 0": func(d map[string]any) {
			loc := sarifResult0(d)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"] = map[string]any{"startLine": 0}
		},
		"bad level": func(d map[string]any) { sarifResult0(d)["level"] = "fatal" },
	}
	for name, s := range sarifSchemas(t) {
		for what, breakIt := range broken {
			var d map[string]any
			require.NoError(t, json.Unmarshal(b.Bytes(), &d))
			breakIt(d)
			out, err := json.Marshal(d)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Error(t, s.Validate(inst), "%s: %s", name, what)
		}
	}
}

func sarifResult0(d map[string]any) map[string]any {
	run := d["runs"].([]any)[0].(map[string]any)
	return run["results"].([]any)[0].(map[string]any)
}

// A model read from standard input, or from a path with spaces, is
// located by a URI reference with those characters escaped, and the log
// still passes the schemas (uri-reference is asserted).
func TestCheckSARIFEscapesPaths(t *testing.T) {
	src, err := os.ReadFile("../testdata/kakao-2022.yaml")
	require.NoError(t, err)
	for name, want := range map[string]string{"<stdin>": "%3Cstdin%3E", "my models/kakao.yaml": "my%20models/kakao.yaml"} {
		m, err := graph.Decode(bytes.NewReader(src), name, graph.YAML)
		require.NoError(t, err)
		c, err := graph.Compile(m)
		require.NoError(t, err)
		p, err := policy.Load("../testdata/policy.yaml")
		require.NoError(t, err)
		res, err := policy.Check(context.Background(), c, p)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, export.CheckSARIF(&b, res))
		for sname, s := range sarifSchemas(t) {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
			require.NoError(t, err)
			assert.NoError(t, s.Validate(inst), "%s against %s", name, sname)
		}
		assert.Contains(t, b.String(), `"uri": "`+want+`"`)
	}
}
