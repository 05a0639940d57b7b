package openpsa_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blastradius-go/blastradius/internal/openpsa"
)

// A report as SCRAM 0.16.2 writes it for top = e1 or (e2 and e3).
const importanceReport = `<report><results>
<sum-of-products name="top" basic-events="3" products="2" probability="0.154"/>
<importance name="top" basic-events="3">
  <basic-event name="e1" occurrence="1" probability="0.1" MIF="0.94" CIF="0.61039" DIF="0.649351" RAW="6.49351" RRW="2.56667"/>
  <basic-event name="e2" occurrence="1" probability="0.2" MIF="0.27" CIF="0.350649" DIF="0.480519" RAW="2.4026" RRW="inf"/>
</importance></results></report>`

func TestParseImportance(t *testing.T) {
	f, err := openpsa.ParseImportance([]byte(importanceReport))
	require.NoError(t, err)
	require.Equal(t, openpsa.Factors{Occurrence: 1, Probability: 0.1, MIF: 0.94, CIF: 0.61039, DIF: 0.649351, RAW: 6.49351, RRW: 2.56667}, f[1])
	require.True(t, math.IsInf(f[2].RRW, 1))
	_, err = openpsa.ParseImportance([]byte(`<report><results/></report>`))
	require.ErrorContains(t, err, "no importance for gate top")
	_, err = openpsa.ParseImportance([]byte(`<report><results><importance name="top"><basic-event name="pump" MIF="1"/></importance></results></report>`))
	require.ErrorContains(t, err, `basic event "pump" is not one of ours`)
	_, err = openpsa.ParseImportance([]byte(`<report><results><importance name="top"><basic-event name="e1" occurrence="1" probability="x"/></importance></results></report>`))
	require.ErrorContains(t, err, `probability "x"`)
}

func FuzzParseImportance(f *testing.F) {
	f.Add([]byte(importanceReport))
	f.Add([]byte(`<report><results><importance name="top"><basic-event name="e1" MIF="nan"/></importance></results></report>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := openpsa.ParseImportance(data)
		if err != nil {
			return
		}
		for v := range fs {
			if v < 0 {
				t.Fatalf("vertex %d", v)
			}
		}
	})
}
