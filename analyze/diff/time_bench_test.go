package diff_test

import (
	"context"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/analyze/diff"
)

// What comparing times adds to a diff of two unrelated 100,000-node
// catalogs: two analyze.Recover per site, beside the ranking passes,
// against the same diff without (Repair < 0). Run with
//
//	go test ./analyze/diff -run '^$' -bench 'Times100k' -benchtime 3x -count 5
func BenchmarkTimes100k(b *testing.B) {
	pair, err := bigPair()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		repair int64
	}{{"no-times", -1}, {"times-24h", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := diff.Models(context.Background(), pair[0], pair[1], diff.Options{Repair: time.Duration(tc.repair)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
