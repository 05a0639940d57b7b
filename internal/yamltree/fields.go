package yamltree

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fields reads typed fields out of a Value tree and reports what is wrong
// with each: the readers the model and the policy decoders share, so that
// both word their problems alike ("must be an integer, got a list").
//
// Every method takes the value and the path of its field ("rules[2].top",
// built with Join) and reports a problem through Report at the value's
// line; the bool it returns is false when the value could not be read.
type Fields struct {
	// Report receives each problem: its line (0 when unknown), the field's
	// path and the message.
	Report func(line int, field, msg string)
}

// Add reports a problem of the caller's own.
func (f *Fields) Add(line int, field, format string, args ...any) {
	f.Report(line, field, fmt.Sprintf(format, args...))
}

// Each calls fn on every entry of mapping v in order, except a key written
// twice, which it reports.
func (f *Fields) Each(v *Value, path string, fn func(e Entry)) {
	v.Each(fn, f.Dup(path))
}

// Dup returns the function that reports a key written twice in the
// mapping at path, for Value.Each and Labels.
func (f *Fields) Dup(path string) func(e, first Entry) {
	return func(e, first Entry) {
		f.Add(e.Line, Join(path, e.Key), "duplicate key (first at line %d)", first.Line)
	}
}

// Unknown reports the key of e as an unknown field of the mapping at path,
// suggesting the closest of known.
func (f *Fields) Unknown(e Entry, path string, known []string) {
	f.Add(e.Line, Join(path, e.Key), "unknown field%s", DidYouMean(e.Key, known))
}

// Mapping reports v unless it is a mapping; want says what the field holds
// ("a mapping of names to values").
func (f *Fields) Mapping(v *Value, field, want string) bool {
	if v.Kind != Mapping {
		f.Add(v.Line, field, "must be %s, got %s", want, Describe(v))
		return false
	}
	return true
}

// String reads a string. Any scalar but null is accepted as its text, so
// that names such as 2022 need no quotes.
func (f *Fields) String(v *Value, field string) (string, bool) {
	return f.scalar(v, field, "a string")
}

// ID reads a node id: a string, with its own message.
func (f *Fields) ID(v *Value, field string) (string, bool) {
	return f.scalar(v, field, "a node id")
}

func (f *Fields) scalar(v *Value, field, want string) (string, bool) {
	if v.Kind != Scalar || v.IsNull() {
		f.Add(v.Line, field, "must be %s, got %s", want, Describe(v))
		return "", false
	}
	return v.Text, true
}

// Integer reads an integer as YAML writes it: decimal, 0x, 0o, 0b, with
// underscores (JSON integers are a subset).
func (f *Fields) Integer(v *Value, field string) (int64, bool) {
	if v.Kind != Scalar || v.Tag != Int {
		f.Add(v.Line, field, "must be an integer, got %s", Describe(v))
		return 0, false
	}
	if n, ok := decimal(v.Text); ok {
		return n, true
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v.Text, "_", ""), 0, 64)
	if err != nil {
		f.Add(v.Line, field, "integer %s is out of range", Clip(v.Text))
		return 0, false
	}
	return n, true
}

// Positive reads an integer that must not be 0 (0 means "not given" in the
// decoded structure); a negative one is returned for the caller's checks.
func (f *Fields) Positive(v *Value, field string) (int64, bool) {
	n, ok := f.Integer(v, field)
	if ok && n == 0 {
		f.Add(v.Line, field, "must be > 0, got 0")
		return 0, false
	}
	return n, ok
}

// Bool reads true or false.
func (f *Fields) Bool(v *Value, field string) (bool, bool) {
	if v.Kind == Scalar && v.Tag == Bool {
		if b, err := strconv.ParseBool(strings.ToLower(v.Text)); err == nil {
			return b, true
		}
	}
	f.Add(v.Line, field, "must be true or false, got %s", Describe(v))
	return false, false
}

// Duration reads a duration as model files write it (ParseDuration). The
// caller checks its bounds.
func (f *Fields) Duration(v *Value, field string) (time.Duration, bool) {
	s, ok := f.String(v, field)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		f.Add(v.Line, field, "invalid duration %q: write 90m, 6h, 1h30m or 3d", Clip(s))
		return 0, false
	}
	return d, true
}

// List reads a list; a single scalar is reported with the hint to write it
// as a list.
func (f *Fields) List(v *Value, field string) ([]*Value, bool) {
	if v.Kind != List {
		if v.Kind == Scalar && !v.IsNull() {
			f.Add(v.Line, field, "must be a list, got %s (write [%s])", Describe(v), Clip(v.Text))
		} else {
			f.Add(v.Line, field, "must be a list, got %s", Describe(v))
		}
		return nil, false
	}
	return v.Items, true
}

// Scalars reads one scalar or a list of them ("id: a" or "id: [a, b]"),
// at least one and none of them null; want says what one value is ("a node
// id"), for a mapping in place of one. A list is read whole or not at all:
// at its first item that is not a scalar it reports that and returns false.
func (f *Fields) Scalars(v *Value, field, want string) ([]*Value, bool) {
	switch {
	case v.Kind == List:
		for i, it := range v.Items {
			if it.Kind != Scalar || it.IsNull() {
				f.Add(it.Line, Index(field, i), "must be a single value, got %s", Describe(it))
				return nil, false
			}
		}
		if len(v.Items) == 0 {
			f.Add(v.Line, field, "is empty: give one value or a list of them")
			return nil, false
		}
		return v.Items, true
	case v.Kind == Mapping:
		f.Add(v.Line, field, "must be %s, got a mapping", want)
		return nil, false
	case v.IsNull():
		f.Add(v.Line, field, "is empty: give one value or a list of them")
		return nil, false
	}
	return []*Value{v}, true
}

// Share reads a share of a whole: a percentage from 0% to 100% ("10%",
// "37.5%", spaces allowed around the number) or a number from 0 to 1
// ("0.1"). NaN is refused, so that a comparison with a share always means
// what it says.
func (f *Fields) Share(v *Value, field string) (float64, bool) {
	if x, ok := share(v); ok {
		return x, true
	}
	f.Add(v.Line, field, "must be a percentage such as 10%% or a share from 0 to 1 such as 0.1, got %s", Describe(v))
	return 0, false
}

// ParseShare reads a share written outside YAML (a command-line flag) by
// the rule Share reads one with: "5%" or "0.05", NaN refused.
func ParseShare(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	return share(&Value{Kind: Scalar, Tag: resolve(s), Text: s})
}

func share(v *Value) (float64, bool) {
	if v.Kind != Scalar || v.IsNull() {
		return 0, false
	}
	if num, ok := strings.CutSuffix(strings.TrimSpace(v.Text), "%"); ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(x >= 0 && x <= 100) {
			return 0, false
		}
		return x / 100, true
	}
	if v.Tag != Int && v.Tag != Float {
		return 0, false
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(v.Text, "_", ""), 64)
	if err != nil || !(x >= 0 && x <= 1) {
		return 0, false
	}
	return x, true
}

// UnknownName reports s, the value of field, as an unknown what ("rule",
// "kind"): the closest of names if one is close, then every name, in the
// order given: `unknown kind "servce" (did you mean "service"?): want one
// of service, identity, ...`.
func (f *Fields) UnknownName(line int, field, what, s string, names []string) {
	f.Add(line, field, "unknown %s %q%s: want one of %s", what, Clip(s), DidYouMean(s, names), strings.Join(names, ", "))
}

// Index appends a list index to a field path ("select.id" and 2 make
// "select.id[2]").
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Labels reads a mapping of names to scalar values (null is ""), reporting
// names written twice and values that are not scalars.
func (f *Fields) Labels(v *Value, field, want string) (map[string]string, bool) {
	if !f.Mapping(v, field, want) {
		return nil, false
	}
	labels, bad := Labels(v, f.Dup(field))
	for _, l := range bad {
		f.Add(l.Val.Line, Join(field, l.Key), "a label value must be a scalar, got %s", Describe(l.Val))
	}
	return labels, true
}

// ParseDuration parses a duration as model files write it: a Go duration
// ("90m", "1h30m") that may start with a number of days ("3d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	rest, neg := strings.CutPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || rest[0] == '+' {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		const maxDays = int64(1<<63-1) / int64(24*time.Hour)
		if n > maxDays {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		days, rest = n, rest[i+1:]
	}
	var dur time.Duration
	if rest != "" || days == 0 {
		if rest == "" || rest[0] == '-' || rest[0] == '+' {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		var err error
		if dur, err = time.ParseDuration(rest); err != nil {
			return 0, err
		}
	}
	total := time.Duration(days) * 24 * time.Hour
	if dur > 1<<63-1-total {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	total += dur
	if neg {
		total = -total
	}
	return total, nil
}
