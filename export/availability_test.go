package export_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/export"
	"github.com/blastradius-go/blastradius/internal/golden"
)

func sbgAvailability(t *testing.T, opts analyze.AvailabilityOptions) *analyze.Unavailability {
	t.Helper()
	c := compiledFile(t, "sbg-availability")
	u, err := analyze.Availability(context.Background(), c, "checkout", opts)
	require.NoError(t, err)
	return u
}

// Every format of an exact result and of bounds, against golden files
// (go test -update rewrites them); the JSON is valid against its schema.
func TestAvailabilityGolden(t *testing.T) {
	for name, u := range map[string]*analyze.Unavailability{
		"availability-sbg":        sbgAvailability(t, analyze.AvailabilityOptions{}),
		"availability-sbg-bounds": sbgAvailability(t, analyze.AvailabilityOptions{MaxBDDNodes: 3}),
	} {
		for ext, f := range map[string]func(io.Writer) error{
			".txt":  func(w io.Writer) error { return export.AvailabilityTable(w, u) },
			".json": func(w io.Writer) error { return export.AvailabilityJSON(w, u) },
			".md":   func(w io.Writer) error { return export.AvailabilityMarkdown(w, u) },
		} {
			t.Run(name+ext, func(t *testing.T) {
				out := write(t, f)
				golden.Assert(t, filepath.Join("..", "testdata", "golden", "export", name+ext), out)
				if ext == ".json" {
					inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
					require.NoError(t, err)
					require.NoError(t, compileSchema(t, "availability").Validate(inst))
				}
			})
		}
	}
}

// An infinite RRW is null in JSON and ∞ in the table.
func TestAvailabilityInfiniteRRW(t *testing.T) {
	u := sbgAvailability(t, analyze.AvailabilityOptions{})
	u.Importance[0].RRW = 1 / zero()
	doc := export.NewAvailabilityDoc(u)
	require.Nil(t, doc.Importance[0].RRW)
	var b strings.Builder
	require.NoError(t, export.AvailabilityTable(&b, u))
	require.Contains(t, b.String(), "∞")
}

func zero() float64 { return 0 }
