package yamltree

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is something wrong at a line of a document (0 when unknown).
type Problem struct {
	Line int
	Msg  string
}

// Parse parses the single document in data; it returns nil for an empty
// document. A panic in the parser is returned as an error: the decoders
// never panic, whatever the input.
func Parse(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, fmt.Errorf("yaml: cannot parse: %v", v)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, fmt.Errorf("yaml: line %d: a file holds one YAML document, found a second", more.Line)
	} else if err != io.EOF {
		return nil, err
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil
		}
		return n.Content[0], nil
	}
	return &n, nil
}

// parserProblems are the messages of the YAML parser (as opposed to its
// scanner). yaml.v3 reports their lines counting from 0, and leaves the line
// out when it is the first.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// SyntaxProblem turns an error of Parse ("yaml: line 3: mapping values are
// not allowed in this context") into a Problem at that line.
//
// yaml.v3 gives no line for an unknown anchor: when data is not nil, the
// problem is placed at the first alias to it in data. The policy decoder
// passes nil, and leaves such a problem without a line as it always has.
func SyntaxProblem(err error, data []byte) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, rest[i+2:]
			}
		}
	}
	if parserProblems[msg] {
		line++
	}
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok && line == 0 && data != nil {
		name = strings.TrimSuffix(name, "' referenced")
		if i := bytes.Index(data, []byte("*"+name)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte{'\n'})
		}
	}
	return Problem{Line: line, Msg: "invalid YAML: " + msg}
}
