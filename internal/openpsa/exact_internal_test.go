package openpsa

import (
	"bytes"
	"debug/elf"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// formatG writes what C's printf("%g") writes: on edge cases of rounding
// and of the exponent's form, and on thousands of random doubles of every
// magnitude, the system's printf (coreutils, glibc) gives the same text.
// Its arguments are hexadecimal, so that it prints the very doubles.
func TestFormatGMatchesC(t *testing.T) {
	printf, err := exec.LookPath("printf")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no printf program (coreutils): CI must check formatG against C's")
		}
		t.Skip("no printf program")
	}
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.154, 1.358e-06, 0.000119635, 1e-4, 9.999995e-5, 9.9999949e-5,
		1e-5, 1e5, 999999, 999999.5, 999999.4, 1e6, 1234567, 8760, 0.5, 2.5e-300, 5e-324, math.MaxFloat64, 123.4565, 123.4575}
	r := rand.New(rand.NewPCG(13, 13))
	for range 3000 {
		x := math.Float64frombits(r.Uint64())
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if r.IntN(2) == 0 { // magnitudes near 1, where most figures are
			x = math.Ldexp(r.Float64(), r.IntN(60)-40)
		}
		xs = append(xs, x)
	}
	args := []string{`%g\n`}
	for _, x := range xs {
		args = append(args, strconv.FormatFloat(x, 'x', -1, 64))
	}
	out, err := exec.Command(printf, args...).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, lines, len(xs))
	for i, x := range xs {
		require.Equal(t, lines[i], formatG(x), "%s", args[i+1])
	}
	require.Equal(t, "inf", formatG(math.Inf(1)))
	require.Equal(t, "-inf", formatG(math.Inf(-1)))
}

// scramLibraryData is the library the scram program on PATH loads, or a
// skip when there is none (a failure under CI=true).
func scramLibraryData(t *testing.T) (*elf.File, []byte) {
	t.Helper()
	prog, err := exec.LookPath("scram")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("scram is not installed (apt-get install scram): CI must run the SCRAM oracle")
		}
		t.Skip("scram is not installed (apt-get install scram)")
	}
	lib, err := findLibrary(prog)
	require.NoError(t, err)
	data, err := os.ReadFile(lib)
	require.NoError(t, err)
	f, err := elf.NewFile(bytes.NewReader(data))
	require.NoError(t, err)
	return f, data
}

// formatOffset finds Debian's one "%g" string, and refuses a library with
// none, two, one inside a longer string, or one outside .rodata.
func TestFormatOffset(t *testing.T) {
	f, data := scramLibraryData(t)
	off, err := formatOffset(data)
	require.NoError(t, err)
	require.Equal(t, "\x00%g\x00", string(data[off-1:off+3]))

	patched := bytes.Clone(data)
	copy(patched[off:], "%a")
	_, err = formatOffset(patched)
	require.ErrorContains(t, err, "0 NUL-terminated %g strings, want exactly 1")

	two := bytes.Clone(data)
	ro := f.Section(".rodata")
	copy(two[ro.Offset+16:], "\x00%g\x00")
	_, err = formatOffset(two)
	require.ErrorContains(t, err, "2 NUL-terminated %g strings")

	longer := bytes.Clone(data)
	longer[off-1] = 'x'
	_, err = formatOffset(longer)
	require.ErrorContains(t, err, "ends a longer string")

	outside := bytes.Clone(patched)
	text := f.Section(".text")
	copy(outside[text.Offset+16:], "\x00%g\x00")
	_, err = formatOffset(outside)
	require.ErrorContains(t, err, "outside .rodata")

	_, err = formatOffset([]byte("%g\x00 not an ELF file"))
	require.Error(t, err)
}

// checkExact takes hexadecimal numbers, inf and nan, and nothing else.
func TestExactNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0x1.3b645a1cac083p-3": true, "-0x1.8p+2": true, "0x0p+0": true, "0x1p-1074": true, "inf": true, "-nan": true,
		"0.154": false, "1e-05": false, "0x1.8": false, "0x1.8p-3 ": false, "x0x1p+0": false, "": false,
	} {
		require.Equal(t, want, exactNumber(s), "%q", s)
	}
}
