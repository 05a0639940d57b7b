package main

import "testing"

// audit in each format, with --owner and --order, and its errors.
func TestCLIAudit(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"audit-kakao", []string{"audit", "../../testdata/kakao-2022.yaml"}, 0},
		{"audit-kakao-owner-md", []string{"audit", "../../testdata/kakao-2022.yaml", "--owner", "kakao-t, kakaotalk", "--format", "markdown"}, 0},
		{"audit-naver-order-1-json", []string{"audit", "../../testdata/naver-2022.yaml", "--order", "1", "--owner", "naver-mail", "--json"}, 0},
		{"audit-kakao-all-chains-json", []string{"audit", "../../testdata/kakao-2022.yaml", "--all-chains", "--json"}, 0},
		{"audit-bad-order", []string{"audit", "../../testdata/kakao-2022.yaml", "--order", "9"}, 2},
		{"audit-unknown-owner", []string{"audit", "../../testdata/kakao-2022.yaml", "--owner", "kakao-x"}, 2},
		{"audit-help", []string{"audit", "-h"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) { cliGolden(t, tt.name, tt.args, tt.code) })
	}
}
