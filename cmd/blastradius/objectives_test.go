package main

import "testing"

// Recovery objectives as gates (recover_within, survive_site_loss with
// within) on testdata/rto, passing and failing, in each format.
func TestCLIObjectives(t *testing.T) {
	const model = "../../testdata/rto/dr.yaml"
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"check-rto-pass", []string{"check", model, "--policy", "../../testdata/rto/pass.yaml"}, 0},
		{"check-rto-fail", []string{"check", model, "--policy", "../../testdata/rto/fail.yaml"}, 1},
		{"check-rto-fail-json", []string{"check", model, "--policy", "../../testdata/rto/fail.yaml", "--format", "json"}, 1},
		{"check-rto-fail-md", []string{"check", model, "--policy", "../../testdata/rto/fail.yaml", "--format", "markdown"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) { cliGolden(t, tt.name, tt.args, tt.code) })
	}
}
