package yamltree

import "strconv"

// Value is a parsed document or a part of one, with a line for every key
// and value. The model decoder also builds it from JSON, so that one walker
// reads both formats.
type Value struct {
	Kind    Kind
	Tag     Tag // scalars only
	Line    int
	Text    string   // scalars only, as written
	Items   []*Value // lists
	Entries []Entry  // mappings, in the order written, merge keys applied
}

// Kind is the kind of a Value.
type Kind uint8

// The kinds of values.
const (
	Scalar Kind = iota
	Mapping
	List
)

// Tag is the type of a scalar.
type Tag uint8

// The tags of scalars. Other is a YAML tag that is none of the others (such
// as !!timestamp or !!binary), kept only when Config.OtherTags asks for it.
const (
	String Tag = iota
	Int
	Float
	Bool
	Null
	Other
)

// Entry is one key: value pair of a mapping.
type Entry struct {
	Key  string
	Line int // the key's line
	Val  *Value
}

// IsNull reports whether v is a null scalar (nothing written, ~ or null).
func (v *Value) IsNull() bool { return v.Kind == Scalar && v.Tag == Null }

// Each calls f on every entry of mapping v in order, except an entry whose
// key was written before: it calls dup on it instead, with the first entry.
func (v *Value) Each(f func(e Entry), dup func(e, first Entry)) {
	var seen map[string]int // for large mappings only
	if len(v.Entries) > 16 {
		seen = make(map[string]int, len(v.Entries))
	}
	for i, e := range v.Entries {
		first := -1
		if seen != nil {
			if j, ok := seen[e.Key]; ok {
				first = j
			} else {
				seen[e.Key] = i
			}
		} else {
			for j := range i {
				if v.Entries[j].Key == e.Key {
					first = j
					break
				}
			}
		}
		if first >= 0 {
			dup(e, v.Entries[first])
			continue
		}
		f(e)
	}
}

// Labels reads mapping v as names and scalar values, a null value as "".
// It calls dup on a name written twice, as Each does, and returns the
// entries whose value is a mapping or a list apart, for the caller to
// report.
func Labels(v *Value, dup func(e, first Entry)) (labels map[string]string, bad []Entry) {
	labels = make(map[string]string, len(v.Entries))
	v.Each(func(e Entry) {
		switch {
		case e.Val.Kind != Scalar:
			bad = append(bad, e)
		case e.Val.IsNull():
			labels[e.Key] = ""
		default:
			labels[e.Key] = e.Val.Text
		}
	}, dup)
	return labels, bad
}

// Describe names a value in a message: "a mapping", "a list", "nothing", a
// string quoted, any other scalar as written.
func Describe(v *Value) string {
	switch v.Kind {
	case Mapping:
		return "a mapping"
	case List:
		return "a list"
	}
	switch v.Tag {
	case Null:
		return "nothing"
	case String:
		return strconv.Quote(Clip(v.Text))
	}
	return Clip(v.Text)
}

// Clip shortens text for messages, so that a hostile file cannot make its
// errors as large as itself.
func Clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "..."
}

// Join appends a key to a field path ("rules[0]" and "select" make
// "rules[0].select").
func Join(path, key string) string {
	if path == "" {
		return Clip(key)
	}
	return path + "." + Clip(key)
}
