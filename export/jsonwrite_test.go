package export

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/blastradius-go/blastradius/analyze"
)

// appendJSONString and appendEffect write what encoding/json writes, on
// random strings (control characters, HTML, invalid UTF-8, U+2028) and
// random records. The seed is printed on failure.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	const seed = 11
	r := rand.New(rand.NewPCG(seed, 1))
	alphabet := []string{"a", "Z", "0", "\"", "\\", "<", ">", "&", "\n", "\t", "\b", "\f", "\r", "\x00", "\x07", "\x1f", "\x7f",
		"é", "→", "…", "\u2028", "\u2029", "\xff", "\xe2\x82", "카", "😀", " ", "/"}
	str := func() string {
		var s string
		for range r.IntN(12) {
			s += alphabet[r.IntN(len(alphabet))]
		}
		return s
	}
	for i := range 5000 {
		s := str()
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("seed %d, case %d: %q: got %s, want %s", seed, i, s, got, want)
		}
	}
	for i := range 2000 {
		rec := EffectRecord{ID: str(), Kind: str(), Replica: r.IntN(2) == 0, State: analyze.State(r.IntN(4)).String(),
			Removed: r.IntN(2) == 0, Users: r.Int64N(1 << 40), Cause: str(), ChainMore: r.IntN(3)}
		if r.IntN(2) == 0 {
			tier := r.IntN(4)
			rec.Tier = &tier
		}
		for range r.IntN(4) {
			rec.Chain = append(rec.Chain, str())
		}
		for range r.IntN(3) {
			rec.Causes = append(rec.Causes, CauseRecord{ID: str(), State: analyze.State(r.IntN(4)).String(), Soft: r.IntN(2) == 0, Group: str()})
		}
		if r.IntN(2) == 0 {
			rec.Capacity = &CapacityRecord{Live: r.Int64N(100), Need: r.Int64N(100), Base: r.Int64N(100)}
		}
		if r.IntN(2) == 0 {
			rec.Group = &GroupRecord{Label: str(), Rule: str(), Live: 1, Up: 2, Need: 3, Floor: 4, Base: 5}
		}
		want, err := json.MarshalIndent(rec, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEffect(nil, &rec); string(got) != string(want) {
			t.Fatalf("seed %d, case %d:\ngot  %s\nwant %s", seed, i, got, want)
		}
	}
}
