package export

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// PairsSchema is the JSON layout of a ranking of pairs of failures
// (RankPairJSON), versioned like RankSchema.
const PairsSchema = "blastradius/pairs/v1"

// PairsDoc is the document RankPairJSON writes.
type PairsDoc struct {
	Schema string `json:"schema"`
	Model  string `json:"model"`
	// Candidates were paired; Tried pairs were failed; Total take
	// something beyond each alone, and Pairs lists them (or the first of
	// them, with a top).
	Candidates int          `json:"candidates"`
	Tried      int          `json:"tried"`
	Total      int          `json:"total"`
	Pairs      []PairRecord `json:"pairs"`
}

// PairRecord is one pair of failures: what the pair takes beyond each
// alone, what it takes in all, and the nodes beyond with the most users.
type PairRecord struct {
	A      string      `json:"a"`
	B      string      `json:"b"`
	KindA  string      `json:"kind_a"`
	KindB  string      `json:"kind_b"`
	Beyond ReachRecord `json:"beyond"`
	Joint  ReachRecord `json:"joint"`
	Named  []string    `json:"named"`
}

// ReachRecord counts nodes Down and Degraded and their users
// (analyze.PairReach).
type ReachRecord struct {
	Down          int   `json:"down"`
	Degraded      int   `json:"degraded"`
	UsersDown     int64 `json:"users_down"`
	UsersDegraded int64 `json:"users_degraded"`
	Tier0         int   `json:"tier0_hit"`
}

func reachRecord(r analyze.PairReach) ReachRecord {
	return ReachRecord{Down: r.Down, Degraded: r.Degraded, UsersDown: r.UsersDown, UsersDegraded: r.UsersDegraded, Tier0: r.Tier0}
}

// NewPairsDoc builds the JSON document of a ranking of pairs of c.
func NewPairsDoc(c *graph.Compiled, r *analyze.PairRanking) PairsDoc {
	doc := PairsDoc{Schema: PairsSchema, Model: c.Name(), Candidates: r.Candidates, Tried: r.Tried, Total: r.Total,
		Pairs: make([]PairRecord, len(r.Pairs))}
	for i, p := range r.Pairs {
		doc.Pairs[i] = PairRecord{A: p.A, B: p.B, KindA: p.KindA.String(), KindB: p.KindB.String(),
			Beyond: reachRecord(p.Beyond), Joint: reachRecord(p.Joint), Named: nonNil(p.Named)}
	}
	return doc
}

// RankPairJSON writes a ranking of pairs of c as a PairsDoc document.
func RankPairJSON(w io.Writer, c *graph.Compiled, r *analyze.PairRanking) error {
	return writeJSON(w, NewPairsDoc(c, r))
}

// pairsSummary is the line under a pairs report's title.
func pairsSummary(r *analyze.PairRanking) string {
	verb := "take"
	if r.Total == 1 {
		verb = "takes"
	}
	s := fmt.Sprintf("%s, %s tried; %s %s more together than apart",
		plural(r.Candidates, "candidate"), plural(r.Tried, "pair"), count(r.Total), verb)
	if len(r.Pairs) < r.Total {
		s += fmt.Sprintf(" (the first %s shown)", count(len(r.Pairs)))
	}
	return s
}

// beyondNames lists a pair's nodes beyond, bounded: the named ones and
// how many more.
func beyondNames(p analyze.Pair, join func([]string, string) string) string {
	return capped(p.Named, p.Beyond.Down+p.Beyond.Degraded, analyze.PairNamed, join)
}

// RankPairTable writes a ranking of pairs of c as an aligned text table.
func RankPairTable(w io.Writer, c *graph.Compiled, r *analyze.PairRanking) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: pairs of failures, by what each pair takes beyond its two failures alone\n", orModel(c.Name()))
	fmt.Fprintf(ew, "%s\n\n", pairsSummary(r))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tPAIR\tUSERS DOWN BEYOND\tUSERS DEGRADED BEYOND\tDOWN BEYOND\tDEGRADED BEYOND\tTIER-0 BEYOND\tUSERS DOWN TOGETHER\tBEYOND")
	for i, p := range r.Pairs {
		b := p.Beyond
		fmt.Fprintf(tw, "%s\t%s + %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", count(i+1), p.A, p.B, users(b.UsersDown), users(b.UsersDegraded),
			count(b.Down), count(b.Degraded), count(b.Tier0), users(p.Joint.UsersDown),
			beyondNames(p, func(s []string, _ string) string { return list(s) }))
	}
	tw.Flush()
	return ew.err
}

// RankPairMarkdown writes a ranking of pairs of c as a GitHub Markdown
// table.
func RankPairMarkdown(w io.Writer, c *graph.Compiled, r *analyze.PairRanking) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Pairs of failures: %s\n\n", mdText(orModel(c.Name())))
	fmt.Fprintf(ew, "What each pair takes beyond its two failures alone. %s.\n\n", capital(pairsSummary(r)))
	fmt.Fprintln(ew, "| # | pair | users down beyond | users degraded beyond | nodes down beyond | nodes degraded beyond | tier-0 beyond | users down together | beyond |")
	fmt.Fprintln(ew, "|--:|---|--:|--:|--:|--:|--:|--:|---|")
	for i, p := range r.Pairs {
		b := p.Beyond
		fmt.Fprintf(ew, "| %s | %s + %s | %s | %s | %s | %s | %s | %s | %s |\n", count(i+1), code(p.A), code(p.B),
			users(b.UsersDown), users(b.UsersDegraded), count(b.Down), count(b.Degraded), count(b.Tier0), users(p.Joint.UsersDown),
			beyondNames(p, func(s []string, _ string) string { return mdList(s) }))
	}
	return ew.err
}
