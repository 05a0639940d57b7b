package openpsa

import (
	"bytes"
	"debug/elf"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// SCRAM 0.16.2 writes every number of its report with C's "%g", 6
// significant digits: FileStream::write(double) in its src/xml_stream.h is
// std::fprintf(file_, "%g", value), and no option changes it. Compared
// with that, a figure agrees to 5e-6 relative at best. Exact makes SCRAM
// print every double it writes in full, without changing what it
// computes: a copy of its shared library, libscram.so, whose one "%g"
// format string is replaced by "%a" (the same length), C's hexadecimal
// floating point, which writes a double's 53 bits exactly and which
// strconv.ParseFloat reads back exactly. The scram program then runs with
// the copy's directory first on LD_LIBRARY_PATH (its RUNPATH, unlike an
// RPATH, gives way to that), the rest of the program and of the library
// byte for byte Debian's.
//
// Patching is checked so that it fails closed: the library must hold
// exactly one "%g" string, a whole string in .rodata; every report of an
// exact run must hold its numbers in hexadecimal (see checkExact), or the
// run fails; and SameDigits holds an exact report equal, byte for byte,
// to SCRAM's ordinary report of the same tree once every hexadecimal
// number is written back with "%g": the extra digits are SCRAM's own,
// the rest of the report unchanged.

// Exact is a patched copy of SCRAM's library (see NewExact); a run with
// RunOptions.Exact uses it.
type Exact struct {
	// Dir is the directory of the copy, put first on LD_LIBRARY_PATH.
	Dir string
	// Original is the library copied, and Offset the file offset of the
	// format string patched in it.
	Original string
	Offset   int64
}

// scramLibrary is the shared library that holds SCRAM's report writer.
const scramLibrary = "libscram.so"

// NewExact writes the patched copy of the library that the scram program
// on PATH loads into dir (which must exist), after checking that the
// program loads it by RUNPATH and that it holds the one format string
// expected.
func NewExact(dir string) (*Exact, error) {
	prog, err := exec.LookPath("scram")
	if err != nil {
		return nil, err
	}
	lib, err := findLibrary(prog)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(lib)
	if err != nil {
		return nil, err
	}
	off, err := formatOffset(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lib, err)
	}
	patched := bytes.Clone(data)
	copy(patched[off:], "%a")
	if err := os.WriteFile(filepath.Join(dir, scramLibrary), patched, 0o644); err != nil {
		return nil, err
	}
	return &Exact{Dir: dir, Original: lib, Offset: off}, nil
}

// findLibrary returns the path of the libscram.so that program loads: it
// must need it by that name and find it through DT_RUNPATH, which
// LD_LIBRARY_PATH precedes (a DT_RPATH would precede LD_LIBRARY_PATH, and
// the copy would go unused).
func findLibrary(program string) (string, error) {
	f, err := elf.Open(program)
	if err != nil {
		return "", err
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		return "", fmt.Errorf("%s: %w", program, err)
	}
	needed := false
	for _, l := range libs {
		needed = needed || l == scramLibrary
	}
	if !needed {
		return "", fmt.Errorf("%s does not load %s: no library to patch for exact numbers", program, scramLibrary)
	}
	if rpath, _ := f.DynString(elf.DT_RPATH); len(rpath) > 0 {
		return "", fmt.Errorf("%s finds its libraries by DT_RPATH %q, which LD_LIBRARY_PATH cannot precede", program, rpath)
	}
	runpath, _ := f.DynString(elf.DT_RUNPATH)
	for _, rp := range runpath {
		for _, d := range filepath.SplitList(rp) {
			p := filepath.Join(d, scramLibrary)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s: %s is in none of its RUNPATH directories %q", program, scramLibrary, runpath)
}

// formatOffset returns the file offset of the one "%g" format string of
// the library: exactly one NUL-terminated "%g" in the whole file, a whole
// string (after a NUL) inside .rodata. Anything else is an error: a
// different build, whose report writer this patch was not checked on.
func formatOffset(data []byte) (int64, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	ro := f.Section(".rodata")
	if ro == nil || ro.Type != elf.SHT_PROGBITS {
		return 0, errors.New("no .rodata section")
	}
	var offs []int
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("%g\x00"))
		if j < 0 {
			break
		}
		offs = append(offs, i+j)
		i += j + 1
	}
	if len(offs) != 1 {
		return 0, fmt.Errorf("%d NUL-terminated %%g strings, want exactly 1 (SCRAM 0.16.2's report writer)", len(offs))
	}
	off := int64(offs[0])
	if off < int64(ro.Offset)+1 || off+3 > int64(ro.Offset+ro.FileSize) {
		return 0, fmt.Errorf("the %%g string at offset %#x is outside .rodata", off)
	}
	if data[off-1] != 0 {
		return 0, fmt.Errorf("the %%g at offset %#x ends a longer string %q", off, tail(data[:off+2]))
	}
	return off, nil
}

// tail is the NUL-terminated string that ends b, for an error message.
func tail(b []byte) []byte {
	if i := bytes.LastIndexByte(b, 0); i >= 0 {
		b = b[i+1:]
	}
	return b[max(0, len(b)-40):]
}

// environ is the environment of an exact run: os.Environ with e.Dir first
// on LD_LIBRARY_PATH.
func (e *Exact) environ() []string {
	path := e.Dir
	if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
		path += string(filepath.ListSeparator) + old
	}
	return append(os.Environ(), "LD_LIBRARY_PATH="+path)
}

// hexFloat is C's "%a" of a finite double, as glibc writes it.
var hexFloat = regexp.MustCompile(`-?0x[0-9a-f](?:\.[0-9a-f]+)?p[+-][0-9]+`)

// floatAttrs are the report's attributes that SCRAM writes with %g, as
// report.rng names them, and floatElems the elements whose text it does.
var (
	floatAttrs = map[string]bool{"probability": true, "contribution": true, "MIF": true, "CIF": true, "DIF": true, "RAW": true, "RRW": true,
		"mean": true, "standard-deviation": true, "value": true, "lower-bound": true, "upper-bound": true}
	floatElems = map[string]bool{"products": true, "probability": true, "importance": true, "uncertainty": true, "mission-time": true, "time-step": true}
)

// exactNumber reports whether s is a number as the patched library writes
// it: hexadecimal, or inf/nan (which "%a" writes as "%g" does).
func exactNumber(s string) bool {
	switch strings.TrimPrefix(s, "-") {
	case "inf", "nan":
		return true
	}
	return hexFloat.MatchString(s) && hexFloat.FindString(s) == s
}

// checkExact fails unless every number of the report's float attributes
// and elements is hexadecimal: the proof that the patched library wrote
// it, and not SCRAM's own with 6 digits.
func checkExact(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	numbers := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("scram report: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			for _, a := range tok.Attr {
				if !floatAttrs[a.Name.Local] {
					continue
				}
				numbers++
				if !exactNumber(a.Value) {
					return fmt.Errorf("scram report: %s %s=%q is not hexadecimal: the patched %s was not used", tok.Name.Local, a.Name.Local, a.Value, scramLibrary)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 || !floatElems[stack[len(stack)-1]] {
				continue
			}
			s := strings.TrimSpace(string(tok))
			if s == "" {
				continue
			}
			numbers++
			if !exactNumber(s) {
				return fmt.Errorf("scram report: <%s>%s</%s> is not hexadecimal: the patched %s was not used", stack[len(stack)-1], s, stack[len(stack)-1], scramLibrary)
			}
		}
	}
	if numbers == 0 {
		return errors.New("scram report: no number to check")
	}
	return nil
}

// formatG is C's printf("%g", x): 6 significant digits, trailing zeros
// dropped, an exponent of at least two digits below 1e-4 or from 1e6.
func formatG(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case math.IsNaN(x):
		return "nan"
	}
	// strconv's 'g' with a precision follows C's rule for the exponent
	// (X < -4 or X >= P, X the exponent after rounding) and drops the
	// trailing zeros as %g does without '#'.
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// volatile matches the parts of a report that differ from run to run:
// the date and the calculation times.
var volatile = regexp.MustCompile(`(?s)<time>[^<]*</time>|<calculation-time[^>]*>.*?</calculation-time>`)

// SameDigits returns nil when exact, a report of the patched library, is
// plain, SCRAM's ordinary report of the same tree, once every hexadecimal
// number of exact is written as "%g" writes it, the date and calculation
// times aside; otherwise an error that shows the first line that differs.
// It is the proof that the patch only adds digits: every number rounds to
// what SCRAM prints, and nothing else changed.
func SameDigits(plain, exact []byte) error {
	if err := checkExact(exact); err != nil {
		return err
	}
	var bad error
	rewritten := hexFloat.ReplaceAllFunc(exact, func(h []byte) []byte {
		x, err := strconv.ParseFloat(string(h), 64)
		if err != nil && bad == nil {
			bad = fmt.Errorf("scram report: %q: %w", h, err)
		}
		return []byte(formatG(x))
	})
	if bad != nil {
		return bad
	}
	// The volatile parts become their newlines, so that line numbers
	// are the reports'.
	mask := func(b []byte) []byte { return bytes.Repeat([]byte("\n"), bytes.Count(b, []byte("\n"))) }
	a := volatile.ReplaceAllFunc(plain, mask)
	b := volatile.ReplaceAllFunc(rewritten, mask)
	if bytes.Equal(a, b) {
		return nil
	}
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return fmt.Errorf("the exact report, written back with %%g, differs from SCRAM's at line %d:\n  SCRAM: %s\n  exact: %s", i+1, strings.TrimSpace(la[i]), strings.TrimSpace(lb[i]))
		}
	}
	return fmt.Errorf("the exact report has %d lines once written back with %%g, SCRAM's %d", len(lb), len(la))
}
