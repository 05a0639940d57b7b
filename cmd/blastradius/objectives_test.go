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
		// Diffs that see time: the hot standby shortens KakaoTalk's outage.
		{"diff-kakao-hot", []string{"diff", "../../testdata/kakao-2022.yaml", "../../testdata/kakao-2022-hot.yaml"}, 0},
		{"diff-kakao-hot-11h-json", []string{"diff", "../../testdata/kakao-2022.yaml", "../../testdata/kakao-2022-hot.yaml", "--repair", "11h", "--format", "json"}, 0},
		{"diff-hot-kakao-worse-md", []string{"diff", "../../testdata/kakao-2022-hot.yaml", "../../testdata/kakao-2022.yaml", "--repair", "11h", "--format", "markdown", "--fail-on-worse"}, 1},
		{"diff-kakao-hot-no-times", []string{"diff", "../../testdata/kakao-2022.yaml", "../../testdata/kakao-2022-hot.yaml", "--repair", "0"}, 0},
		{"diff-bad-repair", []string{"diff", "../../testdata/kakao-2022.yaml", "../../testdata/kakao-2022-hot.yaml", "--repair", "-1h"}, 2},
		// Redundancy by region: Naver's two sites survive each other by
		// site, not the loss of the capital region.
		{"redundancy-naver-by-region", []string{"redundancy", "../../testdata/naver-2022.yaml", "--by", "region"}, 0},
		{"redundancy-rto-by-region-json", []string{"redundancy", model, "--by", "region", "--format", "json"}, 0},
		{"redundancy-rto-by-region-md", []string{"redundancy", model, "--by", "region", "--format", "markdown"}, 0},
		{"redundancy-bad-by", []string{"redundancy", model, "--by", "campus"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) { cliGolden(t, tt.name, tt.args, tt.code) })
	}
}
