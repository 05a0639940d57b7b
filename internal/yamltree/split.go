package yamltree

import (
	"strings"
	"unicode/utf8"
)

// second is where the second reader of a split stream ended.
type second struct {
	pos, line, lineStart int
	ok                   bool
}

// startSecond starts the second reader of r's stream, when it has one,
// and returns what waits for it to end; off is how many bytes of the
// data the reader's text lacks at its start (a byte-order mark).
//
// The second reader starts at s.At as the first would if it got there at
// the start of an entry of the streamed mapping: the first reader checks
// that it does (takeOver), else the whole read gives up. So a split at a
// wrong place (inside a multi-line scalar, say) costs a second read by
// the caller, never a different result.
func (r *fastReader) startSecond(off int) func() second {
	s := r.stream
	if s == nil || s.Second == nil {
		return nil
	}
	at := s.At - off
	if at <= 0 || at >= len(r.src) {
		return nil
	}
	lineStart := strings.LastIndexByte(r.src[:at], '\n') + 1
	b := &fastReader{src: r.src, pos: at, line: s.Line, lineStart: lineStart, maxDepth: r.maxDepth, json: r.json, stream: s.Second}
	done := make(chan second, 1)
	go func() {
		res := second{}
		defer func() {
			if recover() != nil {
				res.ok = false
			}
			done <- res
		}()
		// The entries of the streamed mapping, which is at depth 1 (the
		// value of a top-level key), from at on.
		if b.json {
			res.ok = b.jsonEntries(1, true)
		} else {
			b.streamWant = true
			res.ok = b.blockMap(at-lineStart, 1) != nil
		}
		res.pos, res.line, res.lineStart = b.pos, b.line, b.lineStart
	}()
	var got *second
	wait := func() second {
		if got == nil {
			res := <-done
			got = &res
		}
		return *got
	}
	r.split, r.splitLine, r.wait = at, s.Line, wait
	return wait
}

// takeOver is called by the first reader once it has read the streamed
// entries up to the split: it must be exactly at it, at the line the
// second reader started at, and then goes on from where the second one
// ended.
func (r *fastReader) takeOver() bool {
	at, line, wait := r.split, r.splitLine, r.wait
	r.wait, r.split = nil, 0
	r.didJoin = true
	if r.pos != at || r.line != line {
		return false
	}
	b := wait()
	if !b.ok {
		return false
	}
	r.pos, r.line, r.lineStart = b.pos, b.line, b.lineStart
	return true
}

// joined ends a read with a second reader: it waits for that reader (its
// Each may not run once the read returns), and the read holds only if
// the first reader took over from it.
func (r *fastReader) joined(v *Value, ok bool, wait func() second) (*Value, bool) {
	if wait == nil {
		return v, ok
	}
	wait()
	if !ok || !r.didJoin {
		return nil, false
	}
	return v, true
}

// checkTextSplit is checkText, checking the text after the split of s,
// if any, on another goroutine: the split is at a node's key, an ASCII
// byte, so both parts are whole characters.
func checkTextSplit(data string, s *Stream) (string, bool) {
	if s == nil || s.Second == nil {
		return checkText(data)
	}
	src := strings.TrimPrefix(data, "\ufeff")
	at := s.At - (len(data) - len(src))
	if at <= 0 || at >= len(src) || src[at] >= utf8.RuneSelf {
		return checkText(data)
	}
	done := make(chan bool, 1)
	go func() { done <- checkChars(src[at:]) }()
	ok := checkChars(src[:at])
	return src, <-done && ok
}

// validSplit is utf8.ValidString, checking the text after the split of
// s, if any, on another goroutine, as checkTextSplit does: the split is at
// an ASCII byte, so a character starts there, and the text is valid when
// both parts are.
func validSplit(data string, s *Stream) bool {
	if s == nil || s.Second == nil || s.At <= 0 || s.At >= len(data) || data[s.At] >= utf8.RuneSelf {
		return utf8.ValidString(data)
	}
	done := make(chan bool, 1)
	go func() { done <- utf8.ValidString(data[s.At:]) }()
	ok := utf8.ValidString(data[:s.At])
	return <-done && ok
}
