package export_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/internal/golden"
)

// The audit writers on both reference models, in every format, against
// golden files.
func TestAuditGolden(t *testing.T) {
	for _, model := range []string{"kakao-2022", "naver-2022"} {
		c := compiledFile(t, model)
		r, err := analyze.Audit(context.Background(), c, analyze.AuditOptions{})
		require.NoError(t, err)
		for ext, f := range map[string]func(io.Writer) error{
			".txt":  func(w io.Writer) error { return export.AuditTable(w, c, r) },
			".json": func(w io.Writer) error { return export.AuditJSON(w, c, r) },
			".md":   func(w io.Writer) error { return export.AuditMarkdown(w, c, r) },
		} {
			golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", model+"-audit"+ext), write(t, f))
		}
	}
}
