package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// AuditSchema is the JSON layout of an independence audit (AuditJSON).
const AuditSchema = "blastradius/audit/v1"

// AuditDoc is the document AuditJSON writes: every claim, with every
// defeat, every set around it and every site at which it is idle (each
// list up to the audit's limit per claim, with a flag when cut); chains
// whole for every claim explained (analyze.Claim.Explained), and for the
// others none, with chains_omitted set.
type AuditDoc struct {
	Schema   string        `json:"schema"`
	Model    string        `json:"model"`
	MaxOrder int           `json:"max_order"`
	Sites    int           `json:"sites"`
	Claims   []ClaimRecord `json:"claims"`
}

// ClaimRecord is one redundancy claim (analyze.Claim).
type ClaimRecord struct {
	Name             string         `json:"name"`
	Owner            string         `json:"owner"`
	Users            int64          `json:"users"`
	Label            string         `json:"label"`
	Rule             string         `json:"rule"`
	Replicas         bool           `json:"replicas,omitempty"`
	Soft             bool           `json:"soft,omitempty"`
	Members          []string       `json:"members"`
	Sites            []string       `json:"sites,omitempty"`
	Tolerance        int            `json:"tolerance"`
	Defeats          []DefeatRecord `json:"defeats"`
	DefeatsTruncated bool           `json:"defeats_truncated,omitempty"`
	Around           []SetRecord    `json:"around"`
	AroundTruncated  bool           `json:"around_truncated,omitempty"`
	Idle             []IdleRecord   `json:"idle"`
	// ChainsOmitted: the claim was not explained, so its sets have no
	// chains (empty lists) and its defeats of one node no member chains.
	ChainsOmitted bool `json:"chains_omitted,omitempty"`
}

// DefeatRecord is one minimal set of failures that takes a claim Down.
type DefeatRecord struct {
	SetRecord
	Hidden bool `json:"hidden"`
	// MemberChains, for a defeat of one node: per member, the chain from
	// it down to the node, or null for a member left up.
	MemberChains [][]string `json:"member_chains,omitempty"`
}

// SetRecord is a set of failures and, per member, a chain from the
// target down to it.
type SetRecord struct {
	IDs    []string   `json:"ids"`
	Chains [][]string `json:"chains"`
}

// IdleRecord is a site whose loss a claim survives in vain.
type IdleRecord struct {
	Site      string   `json:"site"`
	Lost      []string `json:"lost"`
	Protected []string `json:"protected"`
}

func setRecord(s analyze.CutSet) SetRecord {
	chains := s.Chains
	if chains == nil {
		chains = [][]string{}
	}
	return SetRecord{IDs: s.IDs, Chains: chains}
}

// NewAuditDoc builds the JSON document of an audit of c.
func NewAuditDoc(c *graph.Compiled, r *analyze.AuditResult) AuditDoc {
	doc := AuditDoc{Schema: AuditSchema, Model: c.Name(), MaxOrder: r.MaxOrder, Sites: r.Sites, Claims: make([]ClaimRecord, len(r.Claims))}
	for i, cl := range r.Claims {
		rec := ClaimRecord{Name: cl.Name, Owner: cl.Owner, Users: c.Users(cl.OwnerVertex), Label: cl.Label, Rule: cl.Rule.String(),
			Replicas: cl.Replicas, Soft: cl.Soft, Members: nonNil(cl.Members), Sites: cl.Sites, Tolerance: cl.Tolerance,
			Defeats: make([]DefeatRecord, len(cl.Defeats)), DefeatsTruncated: cl.DefeatsTruncated,
			Around: make([]SetRecord, len(cl.Around)), AroundTruncated: cl.AroundTruncated, Idle: make([]IdleRecord, len(cl.Idle)),
			ChainsOmitted: !cl.Explained && (len(cl.Around) > 0 || len(cl.Defeats) > 0 && cl.Defeats[0].Order() > 0)}
		for j, d := range cl.Defeats {
			rec.Defeats[j] = DefeatRecord{SetRecord: setRecord(d.CutSet), Hidden: d.Hidden, MemberChains: d.MemberChains}
		}
		for j, s := range cl.Around {
			rec.Around[j] = setRecord(s)
		}
		for j, il := range cl.Idle {
			rec.Idle[j] = IdleRecord{Site: il.Site, Lost: il.Lost, Protected: il.Protected}
		}
		doc.Claims[i] = rec
	}
	return doc
}

// AuditJSON writes an audit of c as an AuditDoc document, after
// explaining the claims AuditTable prints (AuditShown) if the audit ran
// without chains: the others keep what the audit gave them.
func AuditJSON(w io.Writer, c *graph.Compiled, r *analyze.AuditResult) error {
	if err := explainShown(c, r); err != nil {
		return err
	}
	return writeJSON(w, NewAuditDoc(c, r))
}

// AuditShown returns the claims (indices into r.Claims) whose chains
// AuditTable and AuditMarkdown print: the first listCap claims of each of
// their sections with chains (defeated by a single node, by a hidden set,
// reached around). A caller that audits with analyze.AuditOptions.NoChains
// explains these (AuditResult.Explain) before writing; the writers do it
// themselves, without a context, when it has not.
func AuditShown(r *analyze.AuditResult) []int {
	var out []int
	var n [3]int
	for i := range r.Claims {
		cl := &r.Claims[i]
		shown := false
		for k, in := range []bool{singleDefeated(cl), hiddenDefeated(cl), len(cl.Around) > 0} {
			if in && n[k] < listCap {
				n[k]++
				shown = true
			}
		}
		if shown {
			out = append(out, i)
		}
	}
	return out
}

// explainShown explains the claims of r the text reports print, when the
// audit left their chains out.
func explainShown(c *graph.Compiled, r *analyze.AuditResult) error {
	shown := AuditShown(r)
	for _, i := range shown {
		if !r.Claims[i].Explained {
			return r.Explain(context.Background(), c, shown...)
		}
	}
	return nil
}

// singleDefeated: the claim's smallest defeat is one node.
func singleDefeated(cl *analyze.Claim) bool {
	return len(cl.Defeats) > 0 && cl.Defeats[0].Order() == 1
}

// hiddenDefeated: the claim has a hidden defeat, of two nodes or more.
func hiddenDefeated(cl *analyze.Claim) bool {
	return !singleDefeated(cl) && hiddenDefeat(cl) != nil
}

// claimText says what a claim claims: "kakaopay runs in ansan and gasan",
// "kakao-games requires at_least 2 of [...]"; id formats names.
func claimText(cl *analyze.Claim, id func(string) string) string {
	if cl.Replicas {
		sites := make([]string, len(cl.Sites))
		for i, s := range cl.Sites {
			sites[i] = id(s)
		}
		return fmt.Sprintf("%s runs in %s", id(cl.Owner), and(sites))
	}
	verb := "requires"
	if cl.Soft {
		verb = "uses"
	}
	return fmt.Sprintf("%s %s %s", id(cl.Owner), verb, id(cl.Label))
}

// and joins words as a sentence does: "a", "a and b", "a, b and c".
func and(ws []string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

// defeatText says how a defeat of one node defeats the claim: "but both
// require capital", "but all 3 require kakaogames-dc", "but pangyo alone
// takes 1 of 2 down, enough to defeat it".
func defeatText(cl *analyze.Claim, d analyze.Defeat, id func(string) string) string {
	down := 0
	for _, ch := range d.MemberChains {
		if ch != nil {
			down++
		}
	}
	n := len(cl.Members)
	switch {
	case down == n && n == 2:
		return fmt.Sprintf("but both require %s", id(d.IDs[0]))
	case down == n:
		return fmt.Sprintf("but all %s require %s", count(n), id(d.IDs[0]))
	}
	return fmt.Sprintf("but %s alone takes %s of %s down, enough to defeat it", id(d.IDs[0]), count(down), count(n))
}

// aroundText says how a set of failures reaches the owner around the
// claim: "kakao-t goes down when pangyo fails".
func aroundText(cl *analyze.Claim, s analyze.CutSet, id func(string) string) string {
	ids := make([]string, len(s.IDs))
	for i, x := range s.IDs {
		ids[i] = id(x)
	}
	if len(ids) == 1 {
		return fmt.Sprintf("%s goes down when %s fails", id(cl.Owner), ids[0])
	}
	return fmt.Sprintf("%s goes down when %s fail together", id(cl.Owner), and(ids))
}

// chainText is a chain as reports print it, links joined by arrows.
func chainText(chain []string, id func(string) string) string {
	parts := make([]string, len(chain))
	for i, l := range chain {
		parts[i] = id(l)
	}
	return strings.Join(parts, " → ")
}

// auditCounts counts what an audit found: claims with a hidden common
// cause of one node, with a hidden defeat of two or more, reached around,
// idle at some site.
type auditCounts struct{ single, hidden, around, idle int }

func countAudit(r *analyze.AuditResult) auditCounts {
	var n auditCounts
	for _, cl := range r.Claims {
		if singleDefeated(&cl) {
			n.single++
		} else if hiddenDefeated(&cl) {
			n.hidden++
		}
		if len(cl.Around) > 0 {
			n.around++
		}
		if len(cl.Idle) > 0 {
			n.idle++
		}
	}
	return n
}

// hiddenDefeat is the claim's first hidden defeat, or nil.
func hiddenDefeat(cl *analyze.Claim) *analyze.Defeat {
	for i := range cl.Defeats {
		if cl.Defeats[i].Hidden {
			return &cl.Defeats[i]
		}
	}
	return nil
}

func auditSummary(r *analyze.AuditResult) string {
	n := countAudit(r)
	protect := "protect"
	if n.idle == 1 {
		protect = "protects"
	}
	s := fmt.Sprintf("%s; %s defeated by a single node", plural(len(r.Claims), "redundancy claim"), count(n.single))
	if r.MaxOrder > 1 {
		s += fmt.Sprintf(", %s more by a hidden set of up to %s", count(n.hidden), plural(r.MaxOrder, "node"))
	}
	return s + fmt.Sprintf(", %s reached around, %s that %s no one at some site's loss", count(n.around), count(n.idle), protect)
}

// AuditTable writes an audit of c as text: a summary table of the claims,
// then the claims defeated by a single node (with the chain from every
// member to it), those defeated by a hidden pair, those reached around,
// and the redundancy that protects no one. Each list is bounded (listCap
// claims, then "and N more"); AuditJSON has every claim and every set.
// The claims it prints chains for are explained first (see AuditShown).
func AuditTable(w io.Writer, c *graph.Compiled, r *analyze.AuditResult) error {
	if err := explainShown(c, r); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s: independence audit, failures of up to %s, %s lost one at a time\n", orModel(c.Name()), plural(r.MaxOrder, "node"), plural(r.Sites, "site"))
	fmt.Fprintf(ew, "%s\n\n", auditSummary(r))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OWNER\tCLAIM\tUSERS\tSMALLEST DEFEAT\tHIDDEN\tAROUND\tIDLE AT")
	shown := 0
	for i := range r.Claims {
		cl := &r.Claims[i]
		if shown == listCap*2 {
			fmt.Fprintf(tw, "… and %s more\n", plural(len(r.Claims)-shown, "claim"))
			break
		}
		shown++
		smallest := "-"
		if len(cl.Defeats) > 0 {
			d := cl.Defeats[0]
			smallest = fmt.Sprintf("%d: %s", d.Order(), strings.Join(d.IDs, " + "))
		}
		hidden, idle := claimCounts(cl)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cl.Owner, claimLabel(cl), users(c.Users(cl.OwnerVertex)), smallest,
			count(hidden), count(len(cl.Around)), boundedList(idle))
	}
	tw.Flush()
	writeAuditDetails(ew, c, r, plain, "\n", "  ", "    ")
	return ew.err
}

// claimCounts is what a claim's row counts in every format: its hidden
// defeats and the sites whose loss finds it idle.
func claimCounts(cl *analyze.Claim) (hidden int, idle []string) {
	for _, d := range cl.Defeats {
		if d.Hidden {
			hidden++
		}
	}
	for _, il := range cl.Idle {
		idle = append(idle, il.Site)
	}
	return hidden, idle
}

// claimLabel is the claim's short name in a table cell.
func claimLabel(cl *analyze.Claim) string {
	switch {
	case cl.Replicas:
		return "replicas at " + strings.Join(cl.Sites, ", ")
	case cl.Soft:
		return "uses " + cl.Label
	}
	return cl.Label
}

// writeAuditDetails writes the sections after the summary: heads start
// with head, items with item and chains with sub.
func writeAuditDetails(w io.Writer, c *graph.Compiled, r *analyze.AuditResult, id func(string) string, head, item, sub string) {
	section := func(title string, lines func(cl *analyze.Claim) []string) {
		var out []string
		total := 0
		for i := range r.Claims {
			ls := lines(&r.Claims[i])
			if ls == nil {
				continue
			}
			total++
			if total <= listCap {
				out = append(out, ls...)
			}
		}
		if total == 0 {
			return
		}
		fmt.Fprintf(w, "%s%s\n", head, title)
		if strings.HasPrefix(strings.TrimSpace(head), "#") {
			fmt.Fprintln(w) // a Markdown heading stands apart from its list
		}
		for _, l := range out {
			fmt.Fprintln(w, l)
		}
		if total > listCap {
			fmt.Fprintf(w, "%sand %s more\n", item, plural(total-listCap, "claim"))
		}
	}
	section("Defeated by a single node", func(cl *analyze.Claim) []string {
		if !singleDefeated(cl) {
			return nil
		}
		var ls []string
		n := 0
		for _, d := range cl.Defeats {
			if d.Order() != 1 {
				break
			}
			n++
			if n > 3 {
				continue
			}
			ls = append(ls, fmt.Sprintf("%s%s, %s", item, claimText(cl, id), defeatText(cl, d, id)))
			for j, ch := range d.MemberChains {
				if ch == nil {
					ls = append(ls, fmt.Sprintf("%s%s stays up", sub, id(cl.Members[j])))
				} else {
					ls = append(ls, sub+chainText(ch, id))
				}
			}
		}
		if n > 3 {
			ls = append(ls, fmt.Sprintf("%sand %s more", sub, plural(n-3, "single node")))
		}
		return ls
	})
	section("Defeated by a hidden set of failures (fewer than the claim's members can lose)", func(cl *analyze.Claim) []string {
		if !hiddenDefeated(cl) {
			return nil
		}
		d := hiddenDefeat(cl)
		ids := make([]string, len(d.IDs))
		for i, x := range d.IDs {
			ids[i] = id(x)
		}
		ls := []string{fmt.Sprintf("%s%s, but %s together defeat it (it can lose %s)", item, claimText(cl, id), and(ids), plural(cl.Tolerance-1, "member"))}
		for _, ch := range d.Chains {
			ls = append(ls, sub+chainText(ch, id))
		}
		return ls
	})
	section("Reached around its redundancy", func(cl *analyze.Claim) []string {
		if len(cl.Around) == 0 {
			return nil
		}
		// A site says best where the owner really runs; else the longest
		// chain says most about how the failure goes round.
		s := cl.Around[0]
		better := func(a analyze.CutSet) bool {
			sa, ss := c.Kind(a.Vertices[0]) == graph.Site, c.Kind(s.Vertices[0]) == graph.Site
			if sa != ss {
				return sa
			}
			return len(a.Chains) > 0 && len(s.Chains) > 0 && len(a.Chains[0]) > len(s.Chains[0])
		}
		for _, a := range cl.Around[1:] {
			if better(a) {
				s = a
			}
		}
		ls := []string{fmt.Sprintf("%s%s, but %s", item, claimText(cl, id), aroundText(cl, s, id))}
		for _, ch := range s.Chains {
			ls = append(ls, sub+chainText(ch, id))
		}
		if len(cl.Around) > 1 {
			ls = append(ls, fmt.Sprintf("%sand %s more", sub, plural(len(cl.Around)-1, "set")))
		}
		return ls
	})
	section("Redundancy that protects no one", func(cl *analyze.Claim) []string {
		if len(cl.Idle) == 0 {
			return nil
		}
		var ls []string
		for _, il := range cl.Idle {
			prot := make([]string, len(il.Protected))
			for i, p := range il.Protected {
				prot[i] = id(p)
			}
			verb := "is"
			if len(prot) > 1 {
				verb = "are"
			}
			lost := make([]string, len(il.Lost))
			for i, m := range il.Lost {
				lost[i] = id(m)
			}
			ls = append(ls, fmt.Sprintf("%s%s: it survives the loss of %s (losing %s), but %s %s down anyway",
				item, claimText(cl, id), id(il.Site), capped(lost, len(lost), listCap, func(s []string, _ string) string { return and(s) }),
				capped(prot, len(prot), listCap, func(s []string, _ string) string { return and(s) }), verb))
		}
		return ls
	})
}

// AuditMarkdown writes an audit of c as GitHub Markdown: the summary table
// and the same sections as AuditTable.
func AuditMarkdown(w io.Writer, c *graph.Compiled, r *analyze.AuditResult) error {
	if err := explainShown(c, r); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## Independence audit: %s\n\n", mdText(orModel(c.Name())))
	fmt.Fprintf(ew, "Failures of up to %s, %s lost one at a time. %s.\n\n", plural(r.MaxOrder, "node"), plural(r.Sites, "site"), capital(auditSummary(r)))
	fmt.Fprintln(ew, "| owner | claim | users | smallest defeat | hidden | around | idle at |")
	fmt.Fprintln(ew, "|---|---|--:|---|--:|--:|---|")
	for i := range r.Claims {
		cl := &r.Claims[i]
		if i == listCap*2 {
			fmt.Fprintf(ew, "| and %s more | | | | | | |\n", plural(len(r.Claims)-i, "claim"))
			break
		}
		smallest := ""
		if len(cl.Defeats) > 0 {
			d := cl.Defeats[0]
			smallest = fmt.Sprintf("%d: %s", d.Order(), mdList(d.IDs))
		}
		hidden, idle := claimCounts(cl)
		fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s |\n", code(cl.Owner), mdText(claimLabel(cl)), users(c.Users(cl.OwnerVertex)),
			smallest, count(hidden), count(len(cl.Around)), mdBoundedList(idle))
	}
	writeAuditDetails(ew, c, r, code, "\n### ", "- ", "  - ")
	return ew.err
}
