package openpsa_test

import (
	"testing"

	"github.com/blastradius-go/blastradius/internal/openpsa"
)

// ParseReport never panics on what a report file may hold, and what it
// accepts names only basic events of ours.
func FuzzParseReport(f *testing.F) {
	f.Add([]byte(`<report><results><sum-of-products name="top" probability="0.1"><product order="1"><basic-event name="e3"/></product></sum-of-products></results></report>`))
	f.Add([]byte(`<report><results><sum-of-products name="top" warning="The set is UNITY/Base."><product order="1"/></sum-of-products></results></report>`))
	f.Add([]byte(`<report><results><sum-of-products name="top" probability="x"/></results></report>`))
	f.Add([]byte(`<report><results><sum-of-products name="top" probability="0x1.3b645a1cac083p-3"><product order="1"><basic-event name="e1"/></product></sum-of-products></results></report>`))
	f.Add([]byte(`<report><results><sum-of-products name="top"><product><basic-event name="pump"/></product></sum-of-products></results></report>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := openpsa.ParseReport(data, "top")
		if err != nil {
			return
		}
		for _, s := range r.CutSets {
			for _, v := range s {
				if v < 0 {
					t.Fatalf("negative vertex %d", v)
				}
			}
		}
	})
}
