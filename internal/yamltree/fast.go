package yamltree

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadFast reads a YAML document of the subset that model files use into a
// Value tree, without yaml.v3's generic node tree: block mappings and
// sequences, flow mappings and lists, plain, single- and double-quoted
// scalars on one line, comments, and a leading "---" or trailing "...".
// It returns false for anything else (anchors, aliases, merge keys, tags,
// block scalars, complex keys, multi-line scalars, tabs, directives, a second
// document, nesting deeper than maxDepth) and for any error, so that the
// caller parses the file again with Parse and Convert, which are the
// reference: on what ReadFast accepts it returns the tree that they do, with
// StrictKeys and without OtherTags, except that ReadFast takes a plain key
// of any length (yaml.v3 refuses simple keys over 1,024 bytes).
//
// Scalars are substrings of data where no escape is written, so the tree
// keeps data alive (data must not change); values and slices are allocated in chunks.
func ReadFast(data string, maxDepth int) (*Value, bool) {
	return ReadFastStream(data, maxDepth, nil)
}

// Stream asks ReadFastStream and ReadJSONStream to hand over the entries
// of one mapping as they are read instead of keeping them in the tree: the
// mapping under the first top-level key Key. Each is called on every entry,
// in order; the entry's value and everything under it are reused once Each
// returns, so Each must not keep them (strings are safe to keep). The tree
// then holds that mapping with no entries; Count is how many were handed
// over. A file with a second top-level Key keeps it in the tree.
type Stream struct {
	Key   string
	Each  func(e Entry)
	Count int

	// Second, when set, has the entries of the mapping from byte At of
	// the data on (at the start of line Line; see split.go) read on
	// another goroutine and handed to Second.Each, while this stream's
	// reader reads those before At: the two readers split a large
	// mapping between two cores.
	Second *Stream
	At     int
	Line   int
}

// ReadFastStream is ReadFast, handing the entries of one mapping to s
// (none when s is nil).
// When it returns false, s.Each may have been called on entries before it
// gave up.
func ReadFastStream(data string, maxDepth int, s *Stream) (v *Value, ok bool) {
	defer giveUpOnPanic(&v, &ok)
	src, ok := checkTextSplit(data, s)
	if !ok {
		return nil, false
	}
	r := fastReader{src: src, line: 1, maxDepth: maxDepth, stream: s}
	wait := r.startSecond(len(data) - len(src))
	if wait != nil {
		defer wait() // even on a panic: the second reader calls Each
	}
	v, ok = r.document()
	return r.joined(v, ok, wait)
}

// ReadJSONStream is ReadJSON, handing the entries of one object to s
// (none when s is nil).
func ReadJSONStream(data string, maxDepth int, s *Stream) (v *Value, ok bool) {
	defer giveUpOnPanic(&v, &ok)
	if !validSplit(data, s) {
		return nil, false
	}
	r := fastReader{src: data, line: 1, maxDepth: maxDepth, json: true, stream: s}
	wait := r.startSecond(0)
	if wait != nil {
		defer wait() // even on a panic: the second reader calls Each
	}
	r.jsonSpace()
	v = r.jsonValue(0)
	if v != nil {
		r.jsonSpace()
	}
	if v == nil || r.pos != len(r.src) {
		v = nil
	}
	return r.joined(v, v != nil, wait)
}

// ReadJSON reads strict JSON (RFC 8259) into a Value tree, as the model
// decoder's encoding/json reader does, or returns false on an error or on
// what it leaves to that reader (escaped surrogates, nesting deeper than
// maxDepth), so that the caller reads the file again with it for the exact
// message.
func ReadJSON(data string, maxDepth int) (*Value, bool) {
	return ReadJSONStream(data, maxDepth, nil)
}

// giveUpOnPanic turns a panic of a fast reader (a bug: none is known) into
// giving up, so that the reference readers read the file and the decoders
// keep their promise not to panic.
func giveUpOnPanic(v **Value, ok *bool) {
	if recover() != nil {
		*v, *ok = nil, false
	}
}

// checkText returns data as a string without its byte-order mark, or false
// when it holds what ReadFast leaves to yaml.v3: invalid UTF-8, control
// characters, tabs, carriage returns, and the line breaks and characters
// YAML reads in ways of its own (U+0085, U+2028, U+2029, U+FEFF).
func checkText(data string) (string, bool) {
	s := strings.TrimPrefix(data, "\ufeff")
	return s, checkChars(s)
}

// checkChars is checkText on text without its byte-order mark.
func checkChars(s string) bool {
	for i := 0; i < len(s); {
		// Eight bytes at once while they are ASCII: each is good when it
		// is at least 0x20 or a line break, and not 0x7f. The sums do not
		// carry between bytes under 0x80, so each byte's high bit says.
		for ; i+8 <= len(s); i += 8 {
			w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if w&high != 0 {
				break // a byte of a longer character: one at a time below
			}
			text := (w + 0x6060606060606060) & high                         // at least 0x20
			other := ((w ^ 0x0a0a0a0a0a0a0a0a) + 0x7f7f7f7f7f7f7f7f) & high // not a line break
			del := ((w ^ 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) & high   // not 0x7f
			if (text|(^other&high))&del != high {
				return false
			}
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if !(r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF || r >= 0x10000) || r == 0x2028 || r == 0x2029 {
			return false
		}
		i += size
	}
	return true
}

// high is the high bit of each of eight bytes.
const high = 0x8080808080808080

type fastReader struct {
	src       string
	pos       int
	line      int
	lineStart int // offset of the current line
	maxDepth  int
	json      bool
	flowBlock int // in a flow collection: the column of the block node that holds it

	// Chunks that values and slices are cut from, and stacks of the
	// collections being read.
	vals    []Value
	ptrs    []*Value
	ents    []Entry
	itemStk []*Value
	// The newest chunks whole, for release.
	valsBase []Value
	ptrsBase []*Value
	entsBase []Entry
	entStk   []Entry

	// The stream, if any: seen once its key is met at the top level,
	// want while the value of that key is being read, until a collection
	// takes it.
	stream     *Stream
	streamSeen bool
	streamWant bool

	// The split of the stream (see split.go): at split, the first
	// reader takes over where the second ended, from join.
	split, splitLine int
	wait             func() second // nil once taken over, or without a split
	didJoin          bool
}

// takeStream reports whether the collection starting now is the one to
// stream.
func (r *fastReader) takeStream() bool {
	want := r.streamWant
	r.streamWant = false
	return want
}

// keyAt notes a key of the mapping at depth: the stream's key at the top
// level makes its value the one to stream.
func (r *fastReader) keyAt(depth int, key string) {
	if r.stream != nil && depth == 0 && !r.streamSeen && key == r.stream.Key {
		r.streamSeen, r.streamWant = true, true
	}
}

// mark is where the chunks stand; release returns to it once what was cut
// since is garbage (a streamed entry).
type mark struct {
	vals []Value
	ptrs []*Value
	ents []Entry
}

func (r *fastReader) mark() mark { return mark{r.vals, r.ptrs, r.ents} }

func (r *fastReader) release(m mark) {
	r.vals = rewind(m.vals, r.vals, r.valsBase)
	r.ptrs = rewind(m.ptrs, r.ptrs, r.ptrsBase)
	r.ents = rewind(m.ents, r.ents, r.entsBase)
}

// rewind returns the pool as it was at the mark when no chunk was cut
// since, else the newest chunk whole: all of it was cut after the mark.
func rewind[T any](marked, now, newest []T) []T {
	if sameChunk(marked, now) {
		return marked
	}
	return newest
}

// sameChunk reports whether two rests of chunks are of one chunk: they end
// at the same element.
func sameChunk[T any](a, b []T) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:cap(a)][cap(a)-1] == &b[:cap(b)][cap(b)-1]
}

// streamed hands e to the stream and reuses what its value was cut from.
func (r *fastReader) streamed(e Entry, m mark) {
	r.stream.Each(e)
	r.stream.Count++
	r.release(m)
}

const chunk = 1024

func (r *fastReader) newValue(k Kind, tag Tag, line int, text string) *Value {
	if len(r.vals) == 0 {
		r.vals = make([]Value, chunk)
		r.valsBase = r.vals
	}
	v := &r.vals[0]
	r.vals = r.vals[1:]
	*v = Value{Kind: k, Tag: tag, Line: line, Text: text} // may be reused: clear it all
	return v
}

// items moves the items from start of the stack into v.
func (r *fastReader) items(v *Value, start int) {
	n := len(r.itemStk) - start
	if n > len(r.ptrs) {
		r.ptrs = make([]*Value, max(chunk, n))
		r.ptrsBase = r.ptrs
	}
	v.Items = r.ptrs[:n:n]
	r.ptrs = r.ptrs[n:]
	copy(v.Items, r.itemStk[start:])
	clear(r.itemStk[start:])
	r.itemStk = r.itemStk[:start]
}

// entries moves the entries from start of the stack into v.
func (r *fastReader) entries(v *Value, start int) {
	n := len(r.entStk) - start
	if n > len(r.ents) {
		r.ents = make([]Entry, max(chunk, n))
		r.entsBase = r.ents
	}
	v.Entries = r.ents[:n:n]
	r.ents = r.ents[n:]
	copy(v.Entries, r.entStk[start:])
	clear(r.entStk[start:])
	r.entStk = r.entStk[:start]
}

func (r *fastReader) eof() bool { return r.pos >= len(r.src) }

// peek returns the byte at pos+k, or 0 at the end.
func (r *fastReader) peek(k int) byte {
	if r.pos+k < len(r.src) {
		return r.src[r.pos+k]
	}
	return 0
}

func (r *fastReader) col() int { return r.pos - r.lineStart }

// blankAt reports whether the byte at pos+k is a space, a line break or the
// end.
func (r *fastReader) blankAt(k int) bool {
	c := r.peek(k)
	return c == ' ' || c == '\n' || c == 0
}

func (r *fastReader) newline() {
	r.pos++
	r.line++
	r.lineStart = r.pos
}

func (r *fastReader) spaces() {
	for r.pos < len(r.src) && r.src[r.pos] == ' ' {
		r.pos++
	}
}

// endOfLine skips spaces and a comment; it reports whether the line ends
// there (the cursor is then at the line break or the end).
func (r *fastReader) endOfLine() bool {
	r.spaces()
	if r.eof() || r.src[r.pos] == '\n' {
		return true
	}
	if r.src[r.pos] == '#' && (r.pos == r.lineStart || r.src[r.pos-1] == ' ') {
		if i := strings.IndexByte(r.src[r.pos:], '\n'); i >= 0 {
			r.pos += i
		} else {
			r.pos = len(r.src)
		}
		return true
	}
	return false
}

// marker reports whether a document marker ("---" or "...") starts the
// current line at the cursor.
func (r *fastReader) marker() bool {
	if r.col() != 0 || len(r.src)-r.pos < 3 {
		return false
	}
	m := r.src[r.pos : r.pos+3]
	return (m == "---" || m == "...") && r.blankAt(3)
}

// nextContent moves from the end of a line to the first character of the
// next line that holds more than spaces and a comment, and returns its
// column; -1 at the end of the input or at a document marker.
func (r *fastReader) nextContent() int {
	for {
		if r.eof() {
			return -1
		}
		if r.src[r.pos] != '\n' {
			panic("yamltree: nextContent not at the end of a line") // a bug, never input
		}
		r.newline()
		r.spaces()
		if r.marker() {
			return -1
		}
		if !r.endOfLine() {
			return r.col()
		}
	}
}

func (r *fastReader) document() (*Value, bool) {
	// The first line with content, maybe after a "---" of its own.
	started := false
	for {
		r.spaces()
		if !started && r.marker() && r.src[r.pos] == '-' {
			started = true
			r.pos += 3
			if !r.endOfLine() {
				return nil, false
			}
		} else if !r.endOfLine() {
			break
		}
		if r.eof() {
			return nil, false // empty: yaml.v3 decides
		}
		r.newline()
	}
	if r.marker() {
		return nil, false
	}
	v := r.block(0)
	if v == nil {
		return nil, false
	}
	// After the root: the end, or "..." and nothing but comments.
	if !r.eof() && r.marker() && r.src[r.pos] == '.' {
		r.pos += 3
		if !r.endOfLine() || r.nextContent() >= 0 {
			return nil, false
		}
	}
	if !r.eof() {
		return nil, false
	}
	return v, true
}

// block reads a block node whose first character is at the cursor, found
// inside depth collections. The column of the cursor is its indentation.
// It returns with the cursor at the start of the first line with content
// that it does not hold (its column in r.col()), or at the end.
func (r *fastReader) block(depth int) *Value {
	c := r.col()
	if r.src[r.pos] == '-' && r.blankAt(1) {
		return r.blockSeq(c, depth)
	}
	if r.isKey() {
		return r.blockMap(c, depth)
	}
	v := r.inline(depth)
	if v == nil || !r.endOfLine() || r.nextContent() > c {
		return nil
	}
	return v
}

// isKey reports whether a mapping key (a scalar on this line, then ':' and
// a space or the end of the line) starts at the cursor.
func (r *fastReader) isKey() bool {
	save, line := r.pos, r.line
	defer func() { r.pos, r.line = save, line }()
	if _, ok := r.scalarText(false); !ok {
		return false
	}
	r.spaces()
	return r.peek(0) == ':' && r.blankAt(1)
}

// blockSeq reads the items of a block sequence at column c.
func (r *fastReader) blockSeq(c, depth int) *Value {
	r.takeStream()
	if depth+1 > r.maxDepth {
		return nil
	}
	v := r.newValue(List, String, r.line, "")
	start := len(r.itemStk)
	for {
		// At "-" in column c.
		line := r.line
		r.pos++
		var item *Value
		if r.endOfLine() {
			next := r.nextContent()
			if next > c {
				if item = r.block(depth + 1); item == nil {
					return nil
				}
			} else {
				item = r.newValue(Scalar, Null, line, "")
			}
		} else {
			if ch := r.peek(0); ch == '|' || ch == '>' {
				item = r.blockScalar(c)
			} else {
				item = r.block(depth + 1)
			}
			if item == nil {
				return nil
			}
		}
		r.itemStk = append(r.itemStk, item)
		next := r.col()
		if r.eof() || r.marker() {
			next = -1
		}
		if next < c || next == c && !(r.src[r.pos] == '-' && r.blankAt(1)) {
			break
		}
		if next > c {
			return nil
		}
	}
	r.items(v, start)
	return v
}

// blockMap reads the entries of a block mapping at column c.
func (r *fastReader) blockMap(c, depth int) *Value {
	streaming := r.takeStream()
	if depth+1 > r.maxDepth {
		return nil
	}
	v := r.newValue(Mapping, String, r.line, "")
	start := len(r.entStk)
	for {
		line := r.line
		q := r.peek(0)
		key, ok := r.scalarText(false)
		if !ok || key == "<<" && q == '<' {
			return nil
		}
		r.spaces()
		if r.peek(0) != ':' || !r.blankAt(1) {
			return nil
		}
		r.pos++
		r.keyAt(depth, key)
		m := r.mark()
		var val *Value
		if r.endOfLine() {
			next := r.nextContent()
			switch {
			case next > c:
				val = r.block(depth + 1)
			case next == c && r.src[r.pos] == '-' && r.blankAt(1):
				val = r.blockSeq(c, depth+1)
			default:
				val = r.newValue(Scalar, Null, line, "")
			}
		} else if b := r.peek(0); b == '|' || b == '>' {
			val = r.blockScalar(c)
		} else {
			if val = r.inline(depth + 1); val != nil {
				if !r.endOfLine() {
					return nil
				}
				r.nextContent()
			}
		}
		r.streamWant = false // a scalar value took nothing
		if val == nil {
			return nil
		}
		if streaming {
			r.streamed(Entry{Key: key, Line: line, Val: val}, m)
			if r.wait != nil && r.pos >= r.split && !r.takeOver() {
				return nil
			}
		} else {
			r.entStk = append(r.entStk, Entry{Key: key, Line: line, Val: val})
		}
		next := r.col()
		if r.eof() || r.marker() {
			next = -1
		}
		if next < c {
			break
		}
		if next > c || r.src[r.pos] == '-' && r.blankAt(1) {
			return nil
		}
	}
	r.entries(v, start)
	return v
}

// blockScalar reads a literal (|) or folded (>) block scalar whose content
// is indented more than parent, with the chomping indicator - or none. It
// leaves to yaml.v3 an explicit indentation, keep chomping (+), leading
// empty lines, lines indented more than the first, and blank lines with
// more spaces than the content's indentation.
func (r *fastReader) blockScalar(parent int) *Value {
	line := r.line
	folded := r.src[r.pos] == '>'
	r.pos++
	strip := false
	if r.peek(0) == '-' {
		strip = true
		r.pos++
	}
	if c := r.peek(0); c != ' ' && c != '\n' && c != 0 || !r.endOfLine() || r.eof() {
		return nil
	}
	// The content lines, as offsets into src.
	indent := -1
	var b strings.Builder
	empties, lines := 0, 0
	for {
		if r.eof() {
			break
		}
		r.newline()
		r.spaces()
		col := r.col()
		if r.eof() || r.src[r.pos] == '\n' {
			if indent < 0 || col > indent {
				return nil
			}
			empties++
			continue
		}
		if indent < 0 {
			if col <= parent {
				return nil // empty block scalar: left to yaml.v3
			}
			indent = col
		}
		if col < indent || r.marker() {
			break
		}
		if col > indent {
			return nil
		}
		end := strings.IndexByte(r.src[r.pos:], '\n')
		if end < 0 {
			return nil
		}
		if lines > 0 {
			switch {
			case !folded:
				b.WriteString(strings.Repeat("\n", empties+1))
			case empties == 0:
				b.WriteByte(' ')
			default:
				b.WriteString(strings.Repeat("\n", empties))
			}
		}
		empties = 0
		b.WriteString(r.src[r.pos : r.pos+end])
		lines++
		r.pos += end
	}
	if !strip {
		b.WriteByte('\n')
	}
	if lines == 0 {
		return nil
	}
	// Leave the cursor at the first character of the next line with
	// content, as block does.
	if !r.eof() && r.endOfLine() {
		r.nextContent()
	}
	return r.newValue(Scalar, String, line, b.String())
}

// inline reads a flow collection or a scalar on the current line.
func (r *fastReader) inline(depth int) *Value {
	switch r.peek(0) {
	case '{', '[':
		r.flowBlock = r.lineIndent()
		if depth == 0 {
			r.flowBlock = -1 // the root: any indentation
		}
		return r.flow(depth)
	}
	return r.scalar(false)
}

// lineIndent is the indentation of the current line.
func (r *fastReader) lineIndent() int {
	i := r.lineStart
	for i < len(r.src) && r.src[i] == ' ' {
		i++
	}
	return i - r.lineStart
}

// flowSpace skips spaces, line breaks and comments inside a flow
// collection. A line that continues a flow collection must be indented
// more than the block that holds it.
func (r *fastReader) flowSpace() bool {
	for {
		if !r.endOfLine() {
			return true
		}
		if r.eof() {
			return false
		}
		r.newline()
		r.spaces()
		if r.marker() || r.col() <= r.flowBlock && !r.endOfLineAhead() {
			return false
		}
	}
}

// endOfLineAhead reports whether the rest of the line is blank or a comment,
// without moving.
func (r *fastReader) endOfLineAhead() bool {
	save := r.pos
	end := r.endOfLine()
	r.pos = save
	return end
}

// flow reads a flow mapping or list at the cursor.
func (r *fastReader) flow(depth int) *Value {
	streaming := r.takeStream()
	if depth+1 > r.maxDepth {
		return nil
	}
	open := r.src[r.pos]
	r.pos++
	if open == '[' {
		v := r.newValue(List, String, r.line, "")
		start := len(r.itemStk)
		for {
			if !r.flowSpace() {
				return nil
			}
			if r.peek(0) == ']' {
				r.pos++
				break
			}
			item := r.flowNode(depth + 1)
			if item == nil || !r.flowSpace() {
				return nil
			}
			r.itemStk = append(r.itemStk, item)
			switch r.peek(0) {
			case ',':
				r.pos++
				continue
			case ']':
				r.pos++
			default:
				return nil
			}
			break
		}
		r.items(v, start)
		return v
	}
	v := r.newValue(Mapping, String, r.line, "")
	start := len(r.entStk)
	for {
		if !r.flowSpace() {
			return nil
		}
		if r.peek(0) == '}' {
			r.pos++
			break
		}
		line := r.line
		q := r.peek(0)
		key, ok := r.scalarText(true)
		if !ok || key == "<<" && q == '<' {
			return nil
		}
		r.spaces()
		if r.peek(0) != ':' || !r.blankAt(1) {
			return nil
		}
		r.pos++
		if !r.flowSpace() {
			return nil
		}
		if c := r.peek(0); c == ',' || c == '}' {
			return nil // a null value: left to yaml.v3
		}
		r.keyAt(depth, key)
		m := r.mark()
		val := r.flowNode(depth + 1)
		r.streamWant = false
		if val == nil || !r.flowSpace() {
			return nil
		}
		if streaming {
			r.streamed(Entry{Key: key, Line: line, Val: val}, m)
		} else {
			r.entStk = append(r.entStk, Entry{Key: key, Line: line, Val: val})
		}
		switch r.peek(0) {
		case ',':
			r.pos++
			continue
		case '}':
			r.pos++
		default:
			return nil
		}
		break
	}
	r.entries(v, start)
	return v
}

func (r *fastReader) flowNode(depth int) *Value {
	switch r.peek(0) {
	case '{', '[':
		return r.flow(depth)
	}
	return r.scalar(true)
}

// scalar reads a scalar at the cursor, in flow context or not.
func (r *fastReader) scalar(flow bool) *Value {
	line := r.line
	quoted := r.peek(0) == '"' || r.peek(0) == '\''
	text, ok := r.scalarText(flow)
	if !ok {
		return nil
	}
	if quoted {
		return r.newValue(Scalar, String, line, text)
	}
	tag := resolve(text)
	if tag == Other { // a merge key or what is left to yaml.v3
		return nil
	}
	return r.newValue(Scalar, tag, line, text)
}

// scalarText reads a plain or quoted scalar on the current line and
// returns its text.
func (r *fastReader) scalarText(flow bool) (string, bool) {
	switch r.peek(0) {
	case '"':
		return r.doubleQuoted()
	case '\'':
		return r.singleQuoted()
	}
	return r.plain(flow)
}

// plain reads a plain scalar on the current line. It refuses what starts
// with an indicator (but "-x"). A ':' that no blank follows is part of the
// scalar in flow context too ({image: nginx:1.25}), as yaml.v3 reads it.
func (r *fastReader) plain(flow bool) (string, bool) {
	start := r.pos
	switch c := r.peek(0); c {
	case 0, '\n', ' ', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return "", false
	case '-':
		if r.blankAt(1) || flow && strings.IndexByte(",[]{}", r.peek(1)) >= 0 {
			return "", false
		}
	}
	end := start
	i := start
	for i < len(r.src) {
		c := r.src[i]
		if !plainStop[c] {
			// Most bytes of a scalar: one look-up instead of the
			// comparisons below.
			i++
			end = i
			continue
		}
		if c == '\n' {
			break
		}
		if c == ':' {
			n := byte(0)
			if i+1 < len(r.src) {
				n = r.src[i+1]
			}
			if n == ' ' || n == '\n' || n == 0 {
				break
			}
		}
		if c == '?' && flow {
			return "", false // yaml.v3 refuses some of these
		}
		if flow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
			break
		}
		if c == '#' && r.src[i-1] == ' ' {
			break
		}
		i++
		if c != ' ' {
			end = i
		}
	}
	r.pos = end
	return r.src[start:end], true
}

// plainStop marks the bytes that plain's loop looks at closer: those it
// stops at (in a block or in a flow), and the space, which does not end
// the scalar but is not part of it if no other byte follows.
var plainStop = [256]bool{'\n': true, ':': true, '?': true, ',': true, '[': true, ']': true, '{': true, '}': true, '#': true, ' ': true}

func (r *fastReader) doubleQuoted() (string, bool) {
	start := r.pos + 1
	i := start
	for ; i < len(r.src); i++ {
		switch r.src[i] {
		case '"':
			r.pos = i + 1
			return r.src[start:i], true
		case '\\':
			return r.escaped(start)
		case '\n':
			return "", false
		}
	}
	return "", false
}

// escaped reads a double-quoted scalar with escapes from start.
func (r *fastReader) escaped(start int) (string, bool) {
	var b strings.Builder
	for i := start; i < len(r.src); i++ {
		c := r.src[i]
		switch c {
		case '"':
			r.pos = i + 1
			return b.String(), true
		case '\n':
			return "", false
		case '\\':
			i++
			if i >= len(r.src) {
				return "", false
			}
			e := r.src[i]
			if s, ok := simpleEscapes[e]; ok {
				b.WriteString(s)
				continue
			}
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if width == 0 || i+width >= len(r.src) {
				return "", false
			}
			n, err := strconv.ParseUint(r.src[i+1:i+1+width], 16, 32)
			if err != nil || n >= 0xD800 && n <= 0xDFFF || n > utf8.MaxRune {
				return "", false
			}
			b.WriteRune(rune(n))
			i += width
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// simpleEscapes are YAML's one-character escapes.
var simpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", 'n': "\n", 'v': "\v", 'f': "\f", 'r': "\r",
	'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\", 'N': "\u0085", '_': "\u00a0",
	'L': "\u2028", 'P': "\u2029",
}

func (r *fastReader) singleQuoted() (string, bool) {
	start := r.pos + 1
	var b *strings.Builder
	from := start
	for i := start; i < len(r.src); i++ {
		switch r.src[i] {
		case '\'':
			if i+1 < len(r.src) && r.src[i+1] == '\'' {
				if b == nil {
					b = &strings.Builder{}
				}
				b.WriteString(r.src[from : i+1])
				i++
				from = i + 1
				continue
			}
			r.pos = i + 1
			if b == nil {
				return r.src[start:i], true
			}
			b.WriteString(r.src[from:i])
			return b.String(), true
		case '\n':
			return "", false
		}
	}
	return "", false
}

// resolve returns the tag yaml.v3 gives a plain scalar, as the model
// decoder sees it (a timestamp is a String), or Other for a merge key.
func resolve(s string) Tag {
	if s == "" {
		return Null
	}
	switch s[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~', '<':
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return Bool
		case "~", "null", "Null", "NULL":
			return Null
		case "<<":
			return Other
		}
	case '.':
		switch s {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return Float
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return Float
		}
	case '+', '-':
		switch s {
		case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return Float
		}
		return number(s)
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return number(s)
	}
	return String
}

// number resolves a plain scalar that starts with a sign or a digit.
func number(s string) Tag {
	if _, ok := decimal(s); ok {
		return Int // most numbers of a model: what follows finds the same
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return Int
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return Int
	}
	if yamlFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return Float
		}
	}
	for _, p := range [...]struct {
		prefix string
		base   int
	}{{"0b", 2}, {"-0b", 2}, {"0o", 8}, {"-0o", 8}} {
		if rest, ok := strings.CutPrefix(plain, p.prefix); ok {
			if p.prefix[0] == '-' {
				rest = "-" + rest
				if _, err := strconv.ParseInt(rest, p.base, 64); err == nil {
					return Int
				}
			} else if _, err := strconv.ParseUint(rest, p.base, 64); err == nil {
				return Int
			}
		}
	}
	return String
}

// decimal is the value of s when s is an integer written in decimal
// digits alone that strconv.ParseInt(s, 0, 64) reads as one: "0", or a
// digit from 1 to 9 followed by at most 17 digits (a leading 0 makes
// ParseInt read octal). It is the common case of number and Integer,
// which otherwise take the underscores out (a pass to count them) and
// parse with the base prefixes: TestDecimal holds it equal to them.
func decimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		n = n*10 + int64(c)
	}
	return n, true
}

// yamlFloat reports whether s is [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func yamlFloat(s string) bool {
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	} else {
		j := digits(i)
		if j == i {
			return false
		}
		i = j
		if i < len(s) && s[i] == '.' {
			i = digits(i + 1)
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// JSON.

func (r *fastReader) jsonSpace() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\r':
			r.pos++
		case '\n':
			r.newline()
		default:
			return
		}
	}
}

func (r *fastReader) jsonValue(depth int) *Value {
	if r.eof() {
		return nil
	}
	line := r.line
	switch c := r.src[r.pos]; c {
	case '{', '[':
		streaming := r.takeStream()
		if depth+1 > r.maxDepth {
			return nil
		}
		r.pos++
		r.jsonSpace()
		if c == '[' {
			v := r.newValue(List, String, line, "")
			start := len(r.itemStk)
			if r.peek(0) == ']' {
				r.pos++
				r.items(v, start)
				return v
			}
			for {
				item := r.jsonValue(depth + 1)
				if item == nil {
					return nil
				}
				r.itemStk = append(r.itemStk, item)
				r.jsonSpace()
				if r.peek(0) == ',' {
					r.pos++
					r.jsonSpace()
					continue
				}
				if r.peek(0) != ']' {
					return nil
				}
				r.pos++
				r.items(v, start)
				return v
			}
		}
		v := r.newValue(Mapping, String, line, "")
		start := len(r.entStk)
		if r.peek(0) == '}' {
			r.pos++
			r.entries(v, start)
			return v
		}
		if !r.jsonEntries(depth, streaming) {
			return nil
		}
		r.entries(v, start)
		return v
	case '"':
		s, ok := r.jsonString()
		if !ok {
			return nil
		}
		return r.newValue(Scalar, String, line, s)
	case 't', 'f', 'n':
		for _, w := range [...]struct {
			word string
			tag  Tag
		}{{"true", Bool}, {"false", Bool}, {"null", Null}} {
			if strings.HasPrefix(r.src[r.pos:], w.word) {
				r.pos += len(w.word)
				return r.newValue(Scalar, w.tag, line, w.word)
			}
		}
		return nil
	}
	return r.jsonNumber(line)
}

// jsonEntries reads the entries of an object from the cursor (at the
// first key) to past its closing brace.
func (r *fastReader) jsonEntries(depth int, streaming bool) bool {
	for {
		kline := r.line
		if r.peek(0) != '"' {
			return false
		}
		key, ok := r.jsonString()
		if !ok {
			return false
		}
		r.jsonSpace()
		if r.peek(0) != ':' {
			return false
		}
		r.pos++
		r.jsonSpace()
		r.keyAt(depth, key)
		m := r.mark()
		val := r.jsonValue(depth + 1)
		r.streamWant = false
		if val == nil {
			return false
		}
		if streaming {
			r.streamed(Entry{Key: key, Line: kline, Val: val}, m)
		} else {
			r.entStk = append(r.entStk, Entry{Key: key, Line: kline, Val: val})
		}
		r.jsonSpace()
		if r.peek(0) == ',' {
			r.pos++
			r.jsonSpace()
			if streaming && r.wait != nil && r.pos >= r.split {
				// The second reader read the rest, to past the brace.
				return r.takeOver()
			}
			continue
		}
		if r.peek(0) != '}' {
			return false
		}
		r.pos++
		return true
	}
}

func (r *fastReader) jsonString() (string, bool) {
	start := r.pos + 1
	for i := start; i < len(r.src); i++ {
		switch c := r.src[i]; {
		case c == '"':
			r.pos = i + 1
			return r.src[start:i], true
		case c == '\\':
			return r.jsonEscaped(start)
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

func (r *fastReader) jsonEscaped(start int) (string, bool) {
	var b strings.Builder
	for i := start; i < len(r.src); i++ {
		c := r.src[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return b.String(), true
		case c < 0x20:
			return "", false
		case c == '\\':
			i++
			if i >= len(r.src) {
				return "", false
			}
			switch e := r.src[i]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+4 >= len(r.src) {
					return "", false
				}
				n, err := strconv.ParseUint(r.src[i+1:i+5], 16, 32)
				if err != nil || n >= 0xD800 && n <= 0xDFFF {
					return "", false // surrogates: left to encoding/json
				}
				b.WriteRune(rune(n))
				i += 4
			default:
				return "", false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// jsonNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
func (r *fastReader) jsonNumber(line int) *Value {
	s := r.src
	i := r.pos
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return nil
	}
	tag := Int
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return nil
		}
		tag = Float
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if !digits() {
			return nil
		}
		tag = Float
	}
	text := s[r.pos:i]
	r.pos = i
	return r.newValue(Scalar, tag, line, text)
}
