package graph

import (
	"bytes"
	"io"
	"os"
	"testing"
	"unsafe"
)

// recordingReader hands out src and remembers the buffers the decoder read
// it into.
type recordingReader struct {
	r    *bytes.Reader
	bufs [][]byte
}

func (r *recordingReader) Read(p []byte) (int, error) {
	r.bufs = append(r.bufs, p)
	return r.r.Read(p)
}

func (r *recordingReader) Len() int { return r.r.Len() }

// TestCompiledKeepsNoFileText holds that a compiled graph keeps no string
// cut out of the text of the file it was read from: the fast readers cut
// every scalar out of it, and a graph that kept one would keep the whole
// file alive after the model is dropped (the size of the file again, for
// as long as the analysis runs). Both loads: the Model's and the compact
// one of the CLI (DecodeGraph), which must read one of the files at
// least (it gives up on some, and Decode reads those).
func TestCompiledKeepsNoFileText(t *testing.T) {
	compactRead := 0
	defer func() {
		if compactRead == 0 {
			t.Error("the compact load read none of the files")
		}
	}()
	for _, file := range []string{"../testdata/kakao-2022.yaml", "../testdata/naver-2022.yaml"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Format{YAML, JSON} {
			data := src
			if f == JSON {
				m, err := Decode(bytes.NewReader(src), file, YAML)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := Encode(&buf, m, JSON); err != nil {
					t.Fatal(err)
				}
				data = buf.Bytes()
			}
			for _, compact := range []bool{false, true} {
				r := &recordingReader{r: bytes.NewReader(data)}
				var c *Compiled
				var err error
				if compact {
					// The CLI's load, whose index gets the node ids
					// before compile adds the other vertices' names.
					c, err = DecodeGraph(r, file, f, Limits{})
					if _, ok := compactOf(data, f); ok {
						compactRead++
					}
				} else {
					_, c, err = DecodeCompiled(r, file, f, Limits{})
				}
				if err != nil {
					t.Fatal(err)
				}
				keepsNoFileText(t, file, f, r, c)
			}
		}
	}
}

// keepsNoFileText fails t if a string of c is cut out of a buffer r read
// the file into.
func keepsNoFileText(t *testing.T, file string, f Format, r *recordingReader, c *Compiled) {
	inFile := func(what, s string) {
		if len(s) == 0 {
			return
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		for _, b := range r.bufs {
			b = b[:cap(b)]
			if len(b) == 0 {
				continue
			}
			lo := uintptr(unsafe.Pointer(&b[0]))
			if p >= lo && p < lo+uintptr(len(b)) {
				t.Errorf("%s %v: %s %q is cut out of the file's text", file, f, what, s)
				return
			}
		}
	}
	inFile("name", c.name)
	inFile("description", c.description)
	for _, s := range c.sources {
		inFile("source", s)
	}
	for _, s := range c.names {
		inFile("vertex name", s)
	}
	for s := range c.index {
		inFile("index key", s)
	}
	for _, s := range c.label {
		inFile("group label", s)
	}
	for _, s := range c.mdesc {
		inFile("node description", s)
	}
	for _, m := range c.mlab {
		for k, v := range m {
			inFile("label name", k)
			inFile("label value", v)
		}
	}
	if len(r.bufs) == 0 {
		t.Fatal("the decoder read nothing through the reader")
	}
}

var _ io.Reader = (*recordingReader)(nil)
