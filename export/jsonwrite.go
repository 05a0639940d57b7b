package export

import (
	"strconv"
	"unicode/utf8"
)

// appendEffect appends the effect record as json.MarshalIndent(r, "    ",
// "  ") would, field by field: JSON writes a million of them, and
// reflection was most of its time. A test holds the two equal.
func appendEffect(b []byte, r *EffectRecord) []byte {
	const in1, in2, in3 = "\n      ", "\n        ", "\n          "
	b = append(b, '{')
	field := func(name string) {
		b = append(b, in1...)
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `": `...)
	}
	field("id")
	b = appendJSONString(b, r.ID)
	b = append(b, ',')
	field("kind")
	b = appendJSONString(b, r.Kind)
	if r.Replica {
		b = append(b, ',')
		field("replica")
		b = append(b, "true"...)
	}
	b = append(b, ',')
	field("state")
	b = appendJSONString(b, r.State)
	if r.Removed {
		b = append(b, ',')
		field("removed")
		b = append(b, "true"...)
	}
	b = append(b, ',')
	field("users")
	b = strconv.AppendInt(b, r.Users, 10)
	if r.Tier != nil {
		b = append(b, ',')
		field("tier")
		b = strconv.AppendInt(b, int64(*r.Tier), 10)
	}
	if r.Cause != "" {
		b = append(b, ',')
		field("cause")
		b = appendJSONString(b, r.Cause)
	}
	if len(r.Chain) > 0 {
		b = append(b, ',')
		field("chain")
		b = append(b, '[')
		for i, s := range r.Chain {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = appendJSONString(b, s)
		}
		b = append(b, in1...)
		b = append(b, ']')
	}
	if r.ChainMore != 0 {
		b = append(b, ',')
		field("chain_more")
		b = strconv.AppendInt(b, int64(r.ChainMore), 10)
	}
	if len(r.Causes) > 0 {
		b = append(b, ',')
		field("causes")
		b = append(b, '[')
		for i, c := range r.Causes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = append(b, '{')
			b = append(b, in3+`"id": `...)
			b = appendJSONString(b, c.ID)
			b = append(b, ","+in3+`"state": `...)
			b = appendJSONString(b, c.State)
			if c.Soft {
				b = append(b, ","+in3+`"soft": true`...)
			}
			if c.Group != "" {
				b = append(b, ","+in3+`"group": `...)
				b = appendJSONString(b, c.Group)
			}
			b = append(b, in2...)
			b = append(b, '}')
		}
		b = append(b, in1...)
		b = append(b, ']')
	}
	object := func(name string, kv ...any) {
		b = append(b, ',')
		field(name)
		b = append(b, '{')
		for i := 0; i < len(kv); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = append(b, '"')
			b = append(b, kv[i].(string)...)
			b = append(b, `": `...)
			switch v := kv[i+1].(type) {
			case int64:
				b = strconv.AppendInt(b, v, 10)
			case string:
				b = appendJSONString(b, v)
			}
		}
		b = append(b, in1...)
		b = append(b, '}')
	}
	if c := r.Capacity; c != nil {
		object("capacity", "live", c.Live, "need", c.Need, "base", c.Base)
	}
	if g := r.Group; g != nil {
		object("group", "label", g.Label, "rule", g.Rule, "live", g.Live, "up", g.Up, "need", g.Need, "floor", g.Floor, "base", g.Base)
	}
	b = append(b, "\n    }"...)
	return b
}

// appendJSONString appends s as encoding/json writes a string: quotes,
// backslashes and control characters escaped, <, > and & as \u003c,
// \u003e and \u0026, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
