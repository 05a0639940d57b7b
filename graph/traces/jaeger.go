package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/graph/importer"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// ReadJaeger reads Jaeger's dependency links from r: the answer of the
// query service's /api/dependencies ({"data": [...]}), a document of its
// dependencies index ({"timestamp": ..., "dependencies": [...]}), or a
// bare list. Each link is {"parent": "a", "child": "b", "callCount": 12}
// (and an optional "source"); links of one pair are summed. name is the
// file name its errors and Findings give, with the line of each link.
//
// The list is read one link at a time with encoding/json's token stream,
// so memory grows with the pairs, not with the links.
func ReadJaeger(r io.Reader, name string, opts Options) (*importer.Result, error) {
	if err := opts.check(name); err != nil {
		return nil, err
	}
	lc := &lineCounter{r: r, max: int64(opts.maxLine())}
	j := jaegerReader{dec: json.NewDecoder(lc), lc: lc, b: newBuilder(name, opts)}
	// Field names match as encoding/json matches them, ignoring case, as
	// Jaeger's own reader of these links does.
	j.dec.DisallowUnknownFields()
	if err := j.read(); err != nil {
		return nil, j.fail(err)
	}
	return j.b.result(), nil
}

type jaegerReader struct {
	dec *json.Decoder
	lc  *lineCounter
	b   *graphBuilder
}

// errAt is an error at a line of the input, with the field it is about.
type errAt struct {
	line  int
	field string
	msg   string
}

func (e *errAt) Error() string { return e.msg }

func (j *jaegerReader) at(field, format string, args ...any) error {
	return &errAt{line: j.line(), field: field, msg: fmt.Sprintf(format, args...)}
}

// line is the line of the next token.
func (j *jaegerReader) line() int { return j.lc.lineAt(j.lc.nextAt(j.dec.InputOffset())) }

// fail turns an error of the reader or of encoding/json into a problem
// at its line.
func (j *jaegerReader) fail(err error) error {
	var at *errAt
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &at):
		return problem(j.b.file, at.line, "", at.field, "%s", at.msg)
	case errors.Is(err, errTooLong):
		return problem(j.b.file, j.lc.lineAt(j.lc.read), "", "", "a record longer than %d bytes (raise the limit MaxLineBytes to read it)", j.lc.max)
	case errors.As(err, &syn):
		return problem(j.b.file, j.lc.lineAt(syn.Offset), "", "", "invalid JSON: %v", syn)
	case errors.As(err, &typ):
		return problem(j.b.file, j.lc.lineAt(typ.Offset), "", typ.Field, "%s is not a %s", typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return problem(j.b.file, j.lc.lineAt(j.lc.read), "", "", "invalid JSON: unexpected end of input")
	}
	var ve *graph.ValidationError
	if errors.As(err, &ve) {
		return err
	}
	return problem(j.b.file, j.line(), "", "", "%v", err)
}

func (j *jaegerReader) read() error {
	tok, err := j.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		if err := j.links(""); err != nil {
			return err
		}
	case json.Delim('{'):
		found := false
		for j.dec.More() {
			line := j.line()
			k, err := j.dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if key != "data" && key != "dependencies" {
				if err := j.skip(); err != nil {
					return err
				}
				continue
			}
			if found {
				return &errAt{line: line, field: key, msg: "a second list of links"}
			}
			found = true
			if t, err := j.dec.Token(); err != nil {
				return err
			} else if t == nil {
				continue // "data": null, as Jaeger writes no links
			} else if t != json.Delim('[') {
				return &errAt{line: line, field: key, msg: fmt.Sprintf("want a list of links, not %s", describe(t))}
			}
			if err := j.links(key); err != nil {
				return err
			}
		}
		if _, err := j.dec.Token(); err != nil {
			return err
		}
		if !found {
			return &errAt{line: 1, msg: `no list of links: want {"data": [...]}, {"dependencies": [...]} or [...]`}
		}
	default:
		return &errAt{line: 1, msg: fmt.Sprintf("want a list of dependency links, not %s", describe(tok))}
	}
	if _, err := j.dec.Token(); err != io.EOF {
		return j.at("", "more after the list of links")
	}
	return nil
}

// link is one dependency link as Jaeger writes it.
type link struct {
	Parent    *string         `json:"parent"`
	Child     *string         `json:"child"`
	CallCount json.RawMessage `json:"callCount"`
	Source    json.RawMessage `json:"source"`
}

var linkFields = []string{"parent", "child", "callCount", "source"}

// links reads the links of a list whose '[' was read, up to its ']'.
func (j *jaegerReader) links(list string) error {
	for i := 0; j.dec.More(); i++ {
		field := yamltree.Index(list, i)
		line := j.line()
		var l link
		if err := j.dec.Decode(&l); err != nil {
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				if typ.Field == "" {
					return &errAt{line: line, field: field, msg: "a link is an object with parent, child and callCount"}
				}
				return &errAt{line: line, field: field + "." + typ.Field, msg: fmt.Sprintf("%s is not a %s", typ.Value, typ.Type)}
			}
			if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				k, _ = strconv.Unquote(k)
				return &errAt{line: line, field: field + "." + k, msg: "unknown field" + yamltree.DidYouMean(k, linkFields)}
			}
			return err
		}
		j.lc.release(j.dec.InputOffset())
		switch {
		case l.Parent == nil || *l.Parent == "":
			return &errAt{line: line, field: field + ".parent", msg: "missing or empty"}
		case l.Child == nil || *l.Child == "":
			return &errAt{line: line, field: field + ".child", msg: "missing or empty"}
		}
		var calls int64
		if l.CallCount != nil && string(l.CallCount) != "null" {
			// Jaeger's own type is a uint64: a string, a fraction or an
			// exponent is refused as it refuses them.
			n, err := strconv.ParseInt(string(l.CallCount), 10, 64)
			if err != nil || n < 0 {
				return &errAt{line: line, field: field + ".callCount", msg: fmt.Sprintf("%s is not a count of calls", l.CallCount)}
			}
			calls = n
		}
		if err := j.b.add(*l.Parent, *l.Child, "", float64(calls), 0, true, line); err != nil {
			return err
		}
	}
	_, err := j.dec.Token() // ']'
	return err
}

// skip skips the value of a key that is not the list of links.
func (j *jaegerReader) skip() error {
	depth := 0
	for {
		t, err := j.dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			j.lc.release(j.dec.InputOffset())
			return nil
		}
	}
}

func describe(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

var errTooLong = errors.New("record too long")

// lineCounter passes a reader through and keeps what it delivered since
// the last release, so that a position of the JSON decoder can be turned
// into a line, and the line of the next token found. Positions asked for
// never go back past one released, so memory is bounded by what one link
// (or one skipped value) takes: more than max bytes past the last release
// is an error rather than a buffer without bound.
type lineCounter struct {
	r        io.Reader
	read     int64  // bytes delivered
	released int64  // offset of buf[0]
	before   int    // newlines before released
	buf      []byte // bytes from released to read
	max      int64
}

func (c *lineCounter) Read(p []byte) (int, error) {
	room := c.max - (c.read - c.released)
	if room <= 0 {
		return 0, errTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	c.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of offset off.
func (c *lineCounter) lineAt(off int64) int {
	k := min(max(off-c.released, 0), int64(len(c.buf)))
	return c.before + bytes.Count(c.buf[:k], []byte{'\n'}) + 1
}

// nextAt returns the offset of the first byte at or after off that is
// neither white space nor a ',' or ':' (which the decoder leaves unread
// between values).
func (c *lineCounter) nextAt(off int64) int64 {
	for k := max(off-c.released, 0); k < int64(len(c.buf)); k++ {
		switch c.buf[k] {
		case ' ', '\t', '\r', '\n', ',', ':':
			continue
		}
		return c.released + k
	}
	return off
}

// release drops what comes before off: no line before it is asked for.
func (c *lineCounter) release(off int64) {
	k := off - c.released
	if k <= 0 {
		return
	}
	k = min(k, int64(len(c.buf)))
	c.before += bytes.Count(c.buf[:k], []byte{'\n'})
	c.buf = append(c.buf[:0], c.buf[k:]...)
	c.released += k
}
