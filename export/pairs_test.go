package export_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// The pair writers on both reference models, in every format, against
// golden files: the Kakao pairs of sites and regions (two take more
// together), every pair of Naver's places, and Kakao's top 3 of every kind
// (a list of names cut, "the first 3 shown").
func TestRankPairGolden(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, model string
		opts        analyze.PairOptions
	}{
		{"kakao-2022-pairs", "kakao-2022", analyze.PairOptions{}},
		{"naver-2022-pairs", "naver-2022", analyze.PairOptions{}},
		{"kakao-2022-pairs-all-top3", "kakao-2022", analyze.PairOptions{Kinds: graph.Kinds(), Top: 3}},
	} {
		c := compiledFile(t, tt.model)
		r, err := analyze.RankPairs(ctx, c, tt.opts)
		require.NoError(t, err)
		for ext, f := range map[string]func(io.Writer) error{
			".txt":  func(w io.Writer) error { return export.RankPairTable(w, c, r) },
			".json": func(w io.Writer) error { return export.RankPairJSON(w, c, r) },
			".md":   func(w io.Writer) error { return export.RankPairMarkdown(w, c, r) },
		} {
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", tt.name+ext), write(t, f))
		}
	}
}
