package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// Problem is one thing wrong with a model, with where it was written.
type Problem struct {
	Pos   Pos    // file and line; zero for models built in Go
	Node  string // the node id, when the problem belongs to a node
	Field string // the field, e.g. "requires" or "replicas[1].site"
	Msg   string
}

// Error formats the problem as file:line: node "id": field: message.
func (p Problem) Error() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Node != "" {
		fmt.Fprintf(&b, "node %q: ", p.Node)
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError holds every problem found in a model, sorted by file,
// line, node and field. Decode, Load and Compile return it; use errors.As to
// inspect the problems.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// problems collects Problems; its err method sorts them and returns nil or a
// *ValidationError.
type problems []Problem

func (ps *problems) add(pos Pos, node, field, format string, args ...any) {
	*ps = append(*ps, Problem{Pos: pos, Node: node, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return NewValidationError(ps)
}

// NewValidationError returns the problems as a *ValidationError, sorted by
// file, line, node, field and message, each once: the order every decoder
// and importer reports in. ps is not changed.
func NewValidationError(ps []Problem) *ValidationError {
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Node, b.Node),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	sorted = slices.Compact(sorted)
	return &ValidationError{Problems: sorted}
}

// Suggest returns the candidate closest to s by edit distance (insertions,
// deletions, substitutions and swaps of neighbouring bytes), if it is close
// enough to be a likely misspelling, for "did you mean" messages.
func Suggest(s string, candidates []string) (string, bool) {
	return yamltree.Suggest(s, candidates)
}

// didYouMean returns ` (did you mean "x"?)` or "".
func didYouMean(s string, candidates []string) string {
	return yamltree.DidYouMean(s, candidates)
}
