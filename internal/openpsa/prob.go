package openpsa

import (
	"encoding/xml"
	"fmt"
	"strconv"
)

// ReportDigits is how many significant digits SCRAM 0.16.2 writes for every
// number of its report (its XML stream writes a double with fprintf's
// "%g", src/xml_stream.h, and no option raises it): a comparison with an
// ordinary run's probabilities and importance factors can be no finer than
// half a unit in the sixth digit. A run with RunOptions.Exact gets every
// bit (see Exact).
const ReportDigits = 6

// ReportTolerance is the largest relative difference between a number and
// the same number as SCRAM's report writes it: half a unit of the last of
// ReportDigits digits, when the first digit is 1.
const ReportTolerance = 5e-6

// Factors are the importance factors SCRAM reports for a basic event
// (report.rng's importance element), under SCRAM's names.
type Factors struct {
	Occurrence              int
	Probability             float64
	MIF, CIF, DIF, RAW, RRW float64
}

type xmlImportance struct {
	Name   string `xml:"name,attr"`
	Events []struct {
		Name        string `xml:"name,attr"`
		Occurrence  string `xml:"occurrence,attr"`
		Probability string `xml:"probability,attr"`
		MIF         string `xml:"MIF,attr"`
		CIF         string `xml:"CIF,attr"`
		DIF         string `xml:"DIF,attr"`
		RAW         string `xml:"RAW,attr"`
		RRW         string `xml:"RRW,attr"`
	} `xml:"basic-event"`
}

// ParseImportance reads the importance factors of gate "top" from a SCRAM
// report (a run with --importance true), by the vertex of each basic
// event. SCRAM lists only the events that occur in a cut set; "inf" (an
// RRW whose event is in every cut set) reads as +Inf.
func ParseImportance(data []byte) (map[int32]Factors, error) {
	var x xmlReport
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("scram report: %w", err)
	}
	for i := range x.Results.Importance {
		if imp := &x.Results.Importance[i]; imp.Name == "top" {
			return factorsOf(imp, EventVertex)
		}
	}
	return nil, fmt.Errorf("scram report: no importance for gate top (run with --importance true)")
}

// factorsOf reads the factors of imp's events, each event's vertex by
// vertex.
func factorsOf(imp *xmlImportance, vertex func(name string) (int32, bool)) (map[int32]Factors, error) {
	out := make(map[int32]Factors, len(imp.Events))
	for _, e := range imp.Events {
		v, ok := vertex(e.Name)
		if !ok {
			return nil, fmt.Errorf("scram report: basic event %q is not one of ours", e.Name)
		}
		var f Factors
		var err error
		num := func(s, what string) float64 {
			x, e2 := strconv.ParseFloat(s, 64)
			if e2 != nil && err == nil {
				err = fmt.Errorf("scram report: event %s: %s %q: %w", e.Name, what, s, e2)
			}
			return x
		}
		f.Occurrence = int(num(e.Occurrence, "occurrence"))
		f.Probability = num(e.Probability, "probability")
		f.MIF, f.CIF, f.DIF = num(e.MIF, "MIF"), num(e.CIF, "CIF"), num(e.DIF, "DIF")
		f.RAW, f.RRW = num(e.RAW, "RAW"), num(e.RRW, "RRW")
		if err != nil {
			return nil, err
		}
		out[v] = f
	}
	return out, nil
}
