package export

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// CutSetSchema is the JSON layout of a target's minimal cut sets.
const CutSetSchema = "blastradius/cutsets/v1"

// CutSetDoc is the document CutSetJSON writes.
type CutSetDoc struct {
	Schema     string         `json:"schema"`
	Model      string         `json:"model"`
	Target     string         `json:"target"`
	MaxOrder   int            `json:"max_order"`
	Candidates int            `json:"candidates"`
	Counts     []int          `json:"counts"`
	Truncated  bool           `json:"truncated"`
	Complete   int            `json:"complete_order"`
	CutSets    []CutSetRecord `json:"cut_sets"`
}

// CutSetRecord is one minimal cut set: its failures, their kinds and, for
// each, the whole chain of causes from the target down to it.
type CutSetRecord struct {
	Order  int        `json:"order"`
	IDs    []string   `json:"ids"`
	Kinds  []string   `json:"kinds"`
	Chains [][]string `json:"chains"`
}

// NewCutSetDoc builds the JSON document of r, computed on c.
func NewCutSetDoc(c *graph.Compiled, r *analyze.CutSetResult) CutSetDoc {
	doc := CutSetDoc{
		Schema: CutSetSchema, Model: c.Name(), Target: r.Target, MaxOrder: r.MaxOrder,
		Candidates: r.Candidates, Counts: r.Count()[1:], Truncated: r.Truncated, Complete: r.Complete,
		CutSets: make([]CutSetRecord, len(r.Sets)),
	}
	for i, s := range r.Sets {
		chains := s.Chains
		if chains == nil {
			chains = [][]string{}
		}
		doc.CutSets[i] = CutSetRecord{Order: s.Order(), IDs: s.IDs, Kinds: cutKinds(c, s), Chains: chains}
	}
	return doc
}

// CutSetJSON writes r as a CutSetDoc document.
func CutSetJSON(w io.Writer, c *graph.Compiled, r *analyze.CutSetResult) error {
	return writeJSON(w, NewCutSetDoc(c, r))
}

// cutKinds names the kind of each failure of s: the node's kind, or
// "replica".
func cutKinds(c *graph.Compiled, s analyze.CutSet) []string {
	kinds := make([]string, len(s.Vertices))
	for i, v := range s.Vertices {
		if c.VertexKind(v) == graph.ReplicaVertex {
			kinds[i] = "replica"
		} else {
			kinds[i] = c.Kind(v).String()
		}
	}
	return kinds
}

// cutSummary is the sentence heading a cut-set report: how many, of what
// orders, and what was left out.
func cutSummary(c *graph.Compiled, r *analyze.CutSetResult, id func(string) string) (head, counts, cut string) {
	head = fmt.Sprintf("%s of %s up to order %d among %s", plural(len(r.Sets), "minimal cut set"), id(r.Target), r.MaxOrder,
		plural(r.Candidates, "candidate"))
	var parts []string
	for k, n := range r.Count() {
		if n > 0 || k > 0 && k <= r.Complete {
			parts = append(parts, fmt.Sprintf("%s of order %d", count(n), k))
		}
	}
	counts = strings.Join(parts, ", ")
	if r.Truncated {
		cut = fmt.Sprintf("more cut sets than the limit: %s listed, every one up to order %d, only some of order %d",
			count(len(r.Sets)), r.Complete, r.Complete+1)
	}
	return head, counts, cut
}

// cutChains prints the chains of s, one per failure, each cut to its last
// ChainLinks links after the target.
func cutChains(s analyze.CutSet, id func(string) string) string {
	parts := make([]string, len(s.Chains))
	for i, ch := range s.Chains {
		parts[i] = chainTail(ch, ChainLinks, id)
	}
	return strings.Join(parts, "; ")
}

// chainTail is a chain as reports print it: whole when it has at most
// links+1 names, else its first (the target), "… N more" and its last
// links.
func chainTail(chain []string, links int, id func(string) string) string {
	if len(chain) <= links+1 {
		out := make([]string, len(chain))
		for i, l := range chain {
			out[i] = id(l)
		}
		return strings.Join(out, " → ")
	}
	more := len(chain) - 1 - links
	out := []string{id(chain[0]), "… " + count(more) + " more"}
	for _, l := range chain[len(chain)-links:] {
		out = append(out, id(l))
	}
	return strings.Join(out, " → ")
}

// CutSetTable writes r as a text table: each cut set's order, failures,
// kinds and chains.
func CutSetTable(w io.Writer, c *graph.Compiled, r *analyze.CutSetResult) error {
	ew := &errWriter{w: w}
	head, counts, cut := cutSummary(c, r, plain)
	fmt.Fprintf(ew, "%s: %s\n\n", orModel(c.Name()), head)
	if len(r.Sets) > 0 {
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ORDER\tFAILURES\tKINDS\tCHAINS")
		for _, s := range r.Sets {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Order(), strings.Join(s.IDs, " + "), strings.Join(cutKinds(c, s), ", "), cutChains(s, plain))
		}
		tw.Flush()
		fmt.Fprintln(ew)
	}
	if counts != "" {
		fmt.Fprintln(ew, counts)
	}
	if cut != "" {
		fmt.Fprintln(ew, cut)
	}
	return ew.err
}

// CutSetMarkdown writes r as a Markdown table.
func CutSetMarkdown(w io.Writer, c *graph.Compiled, r *analyze.CutSetResult) error {
	ew := &errWriter{w: w}
	head, counts, cut := cutSummary(c, r, code)
	fmt.Fprintf(ew, "## %s (%s)\n\n", head, mdText(orModel(c.Name())))
	if len(r.Sets) > 0 {
		fmt.Fprintln(ew, "| order | failures | kinds | chains |")
		fmt.Fprintln(ew, "|--:|---|---|---|")
		for _, s := range r.Sets {
			ids := make([]string, len(s.IDs))
			for i, id := range s.IDs {
				ids[i] = code(id)
			}
			fmt.Fprintf(ew, "| %d | %s | %s | %s |\n", s.Order(), strings.Join(ids, " + "), strings.Join(cutKinds(c, s), ", "), cutChains(s, code))
		}
		fmt.Fprintln(ew)
	}
	if counts != "" {
		fmt.Fprintln(ew, capital(counts)+".")
	}
	if cut != "" {
		fmt.Fprintln(ew, "\n**"+capital(cut)+".**")
	}
	return ew.err
}
