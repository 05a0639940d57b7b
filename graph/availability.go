package graph

import (
	"encoding/binary"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// A node's own failure data: how often it is down by itself, failures of
// different nodes being independent. It is written as an availability
// (`availability: 99.95%`, or the fraction 0.9995) or as a mean time
// between failures and a mean time to repair (`mtbf: 8760h`, `mttr: 4h`),
// whose steady-state unavailability is mttr/(mtbf+mttr). A model may give
// defaults per kind (`defaults: {site: {availability: 99.99%}}`), which a
// node's own data overrides. A node with neither never fails by itself.

// MaxMTBF bounds a mean time between failures: 100 years (876,000h), a
// bound a time.Duration (292 years at most) can hold with room to add.
const MaxMTBF = 100 * 365 * 24 * time.Hour

// Reliability is the failure data of a kind in Model.Defaults: the same
// fields a node has, with the same rules (Availability, or MTBF and MTTR
// together; zero means not given).
type Reliability struct {
	Availability float64       // fraction of time up, in (0, 1]
	MTBF         time.Duration // mean time between failures
	MTTR         time.Duration // mean time to repair
	Pos          Pos           // where the kind's entry was written
}

// Given reports whether r says anything.
func (r Reliability) Given() bool { return r.Availability != 0 || r.MTBF != 0 || r.MTTR != 0 }

// Unavailability is the probability that something with this failure data
// is down by itself: 1 - Availability, or MTTR/(MTBF+MTTR); 0 when nothing
// is given.
func (r Reliability) Unavailability() float64 {
	switch {
	case r.Availability > 0:
		return 1 - r.Availability
	case r.MTBF > 0 && r.MTTR > 0:
		return float64(r.MTTR) / (float64(r.MTBF) + float64(r.MTTR))
	}
	return 0
}

// Reliability returns the node's own failure data (not its kind's default).
func (n *Node) Reliability() Reliability {
	return Reliability{Availability: n.Availability, MTBF: n.MTBF, MTTR: n.MTTR, Pos: n.Pos}
}

// Unavailability is the probability that node n of m is down by itself: its
// own failure data, else its kind's default in m.Defaults, else 0.
func (m *Model) Unavailability(n *Node) float64 {
	if r := n.Reliability(); r.Given() {
		return r.Unavailability()
	}
	return m.Defaults[n.Kind].Unavailability()
}

// Unavailability is the probability that vertex v is down by itself: its
// node's failure data (see Model.Unavailability) for a model node, 0 for a
// replica or group vertex, which fail only through their inputs.
func (c *Compiled) Unavailability(v int32) float64 {
	if int(v) < len(c.unavail) {
		return c.unavail[v]
	}
	return 0
}

// HasFailureData reports whether any node of the model fails by itself
// with a positive probability.
func (c *Compiled) HasFailureData() bool { return c.unavail != nil }

// checkReliability reports the problems of one set of failure data: a node's
// (node is its name) or a kind's default (node "", field prefix
// "defaults.<kind>.").
func (v *validator) checkReliability(r Reliability, pos func(field string) Pos, node, prefix string) {
	a := r.Availability
	if a != 0 && !(a > 0 && a <= 1) {
		v.ps.add(pos("availability"), node, prefix+"availability", "must be more than 0%% and at most 100%%, got %v", a)
	}
	for _, f := range [...]struct {
		name string
		d    time.Duration
		max  time.Duration
	}{{"mtbf", r.MTBF, MaxMTBF}, {"mttr", r.MTTR, MaxDuration}} {
		switch {
		case f.d < 0:
			v.ps.add(pos(f.name), node, prefix+f.name, "must be more than 0, got %v", f.d)
		case f.d > f.max:
			v.ps.add(pos(f.name), node, prefix+f.name, "must be at most %v, got %v", f.max, f.d)
		}
	}
	switch {
	case a != 0 && (r.MTBF != 0 || r.MTTR != 0):
		f := "mtbf"
		if r.MTBF == 0 {
			f = "mttr"
		}
		v.ps.add(pos(f), node, prefix+f, "availability and mtbf/mttr are exclusive: give one or the other")
	case r.MTBF != 0 && r.MTTR == 0:
		v.ps.add(pos("mtbf"), node, prefix+"mttr", "missing: mtbf needs mttr (unavailability is mttr/(mtbf+mttr))")
	case r.MTTR != 0 && r.MTBF == 0:
		v.ps.add(pos("mttr"), node, prefix+"mtbf", "missing: mttr needs mtbf (unavailability is mttr/(mtbf+mttr))")
	}
}

// reliability checks node n's failure data.
func (v *validator) reliability(n *Node, name string) {
	v.checkReliability(n.Reliability(), n.FieldPos, name, "")
}

// defaults checks the model's defaults per kind.
func (v *validator) defaults() {
	for _, k := range sortedKinds(v.m.Defaults) {
		r := v.m.Defaults[k]
		if k >= numKinds {
			v.ps.add(r.Pos, "", "defaults", "unknown kind %v", k)
			continue
		}
		v.checkReliability(r, func(string) Pos { return r.Pos }, "", "defaults."+k.String()+".")
	}
}

func sortedKinds(m map[Kind]Reliability) []Kind {
	ks := make([]Kind, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// reliabilityField reads field f (availability, mtbf or mttr) of a node or a
// default into r. A zero is refused here, since zero means "not given".
func (d *decoder) reliabilityField(r *Reliability, v *value, node, f, path string) {
	switch f {
	case "availability":
		a, ok := parseAvailability(v)
		if !ok {
			d.add(v.Line, node, path, "must be a percentage such as 99.95%% or a fraction from 0 to 1 such as 0.9995, got %s", yamltree.Describe(v))
			return
		}
		if a <= 0 {
			d.add(v.Line, node, path, "must be more than 0%% (a node that is never up is a node removed: use --fail), got %s", clip(v.Text))
			return
		}
		r.Availability = a
	case "mtbf", "mttr":
		dur, ok := d.readers(node).Duration(v, path)
		if !ok {
			return
		}
		if dur <= 0 {
			d.add(v.Line, node, path, "must be more than 0, got %s", clip(v.Text))
			return
		}
		if f == "mtbf" {
			r.MTBF = dur
		} else {
			r.MTTR = dur
		}
	}
}

// parseAvailability reads "99.95%" or 0.9995. A percentage is divided by
// 100 exactly (as a rational) before rounding to a float64, so that
// 99.99% is the float nearest 0.9999, as the fraction 0.9999 is; then
// 1 - a is exact (Sterbenz), and the unavailability the nearest float's.
func parseAvailability(v *value) (float64, bool) {
	if v.Kind != yamltree.Scalar || v.IsNull() {
		return 0, false
	}
	text := strings.TrimSpace(v.Text)
	if num, ok := strings.CutSuffix(text, "%"); ok {
		num = strings.TrimSpace(num)
		var r big.Rat
		if !decimal(num) {
			return 0, false
		}
		if _, ok := r.SetString(num); !ok {
			return 0, false
		}
		r.Quo(&r, big.NewRat(100, 1))
		a, _ := r.Float64()
		return a, a >= 0 && a <= 1 && r.Cmp(big.NewRat(1, 1)) <= 0
	}
	if v.Tag != yamltree.Int && v.Tag != yamltree.Float {
		return 0, false
	}
	a, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	return a, err == nil && a >= 0 && a <= 1
}

// decimal reports whether s is written as a decimal number (digits, a
// point, an exponent): what a percentage may be, not a fraction such as
// 1/2 or a hexadecimal float, which big.Rat would also read.
func decimal(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && s != "" && strings.Trim(s, "0123456789.eE+-") == "" && !strings.ContainsAny(s[:1], "eE")
}

var reliabilityFields = []string{"availability", "mtbf", "mttr"}

// defaults reads the model's defaults: a mapping from kind to failure data.
func (d *decoder) defaults(v *value, m *Model) {
	if !d.mapping(v, "", "defaults", "a mapping from kind to failure data, such as site: {availability: 99.99%}") {
		return
	}
	d.each(v, "", "defaults", func(e entry) {
		k, ok := ParseKind(e.Key)
		path := "defaults." + e.Key
		if !ok {
			d.readers("").UnknownName(e.Line, "defaults", "kind", e.Key, kindNames[:])
			return
		}
		if e.Val.IsNull() {
			return
		}
		if !d.mapping(e.Val, "", path, "a mapping such as {availability: 99.99%} or {mtbf: 8760h, mttr: 4h}") {
			return
		}
		r := Reliability{Pos: d.pos(e.Line)}
		d.each(e.Val, "", path, func(f entry) {
			if !slices.Contains(reliabilityFields, f.Key) {
				d.unknown(f, "", path, reliabilityFields)
				return
			}
			if !f.Val.IsNull() {
				d.reliabilityField(&r, f.Val, "", f.Key, path+"."+f.Key)
			}
		})
		if r.Given() {
			if m.Defaults == nil {
				m.Defaults = make(map[Kind]Reliability)
			}
			m.Defaults[k] = r
		}
	})
}

// encodeReliability writes a node's or a default's failure data: the
// availability as the exact fraction (round-trip exact), durations as Go
// durations.
func (e *encoder) reliability(r Reliability) {
	if r.Availability != 0 {
		e.field("availability")
		e.raw(strconv.FormatFloat(r.Availability, 'g', -1, 64))
		e.end()
	}
	if r.MTBF != 0 {
		e.field("mtbf")
		e.dur(r.MTBF)
		e.end()
	}
	if r.MTTR != 0 {
		e.field("mttr")
		e.dur(r.MTTR)
		e.end()
	}
}

// defaults writes the model's defaults, kinds in declaration order.
func (e *encoder) defaults(m *Model) {
	if len(m.Defaults) == 0 {
		return
	}
	kinds := sortedKinds(m.Defaults)
	if e.json {
		e.key("defaults")
		e.raw("{")
		for i, k := range kinds {
			if i > 0 {
				e.raw(", ")
			}
			e.str(k.String())
			e.raw(": ")
			e.flowReliability(m.Defaults[k])
		}
		e.raw("}")
		return
	}
	e.raw("defaults:\n")
	for _, k := range kinds {
		e.raw("  ")
		e.raw(k.String())
		e.raw(": ")
		e.flowReliability(m.Defaults[k])
		e.raw("\n")
	}
}

func (e *encoder) flowReliability(r Reliability) {
	e.raw("{")
	sep := ""
	if r.Availability != 0 {
		e.raw(quoteIf(e.json, "availability") + ": " + strconv.FormatFloat(r.Availability, 'g', -1, 64))
		sep = ", "
	}
	if r.MTBF != 0 {
		e.raw(sep + quoteIf(e.json, "mtbf") + ": ")
		e.dur(r.MTBF)
		sep = ", "
	}
	if r.MTTR != 0 {
		e.raw(sep + quoteIf(e.json, "mttr") + ": ")
		e.dur(r.MTTR)
	}
	e.raw("}")
}

// unavail writes the per-node unavailabilities for the compiled-model
// cache: how many nodes have one, then each as its node and the float's
// 8 bytes (exact; most models have none, and then this is one byte).
func (e *binEncoder) unavail(q []float64) {
	n := 0
	for _, p := range q {
		if p != 0 {
			n++
		}
	}
	e.uvarint(uint64(n))
	for i, p := range q {
		if p != 0 {
			e.uvarint(uint64(i))
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(p))
		}
	}
}

// unavail reads what binEncoder.unavail wrote, for a graph of n nodes,
// refusing a probability outside (0, 1] or a node twice.
func (d *binDecoder) unavail(nodes int) []float64 {
	n := d.count(9)
	if n == 0 || d.err != nil {
		return nil
	}
	q := make([]float64, nodes)
	for range n {
		i := d.index(nodes)
		if d.err != nil {
			return nil
		}
		if len(d.data)-d.off < 8 {
			d.fail("truncated unavailability")
			return nil
		}
		p := math.Float64frombits(binary.LittleEndian.Uint64(d.data[d.off:]))
		d.off += 8
		if !(p > 0 && p <= 1) || q[i] != 0 {
			d.fail("node %d: unavailability %v, or a node twice", i, p)
			return nil
		}
		q[i] = p
	}
	return q
}
