package export

import (
	"strings"

	"github.com/blastradius-go/blastradius/analyze"
)

// ChainLinks is how many links of a chain of causes a report prints before
// "… N more", unless full chains are asked for. Each affected node names
// its cause, so a cut chain loses nothing a reader cannot follow row by
// row, and the report stays linear in the outcome: printing every chain
// in full costs the sum of their lengths, the square of the depth on a
// long chain of requires.
const ChainLinks = 8

// explainer words the explanation of each effect of one outcome (from
// analyze's Outcome.Explain) the same way for every report, sharing one
// index of its chains.
type explainer struct {
	o      *analyze.Outcome
	chains *analyze.Chains // nil: each chain walked on its own (Why)
	links  int             // links printed per chain; 0 prints them all
	// spans writes node ids and group labels as Markdown code spans.
	spans bool
	buf   []string // the links of the last chain, reused
	out   []byte   // the last explanation, reused by why
}

func newExplainer(o *analyze.Outcome, full bool) *explainer {
	x := &explainer{o: o, chains: o.Chains(), links: ChainLinks}
	if full {
		x.links = 0
	}
	return x
}

func plain(s string) string { return s }

// name is a node id or group label as the report writes it.
func (x *explainer) name(s string) string {
	if x.spans {
		return code(s)
	}
	return s
}

// appendName appends name(s) to b without building it.
func (x *explainer) appendName(b []byte, s string) []byte {
	if x.spans {
		b = append(b, '`')
		b = append(b, s...)
		return append(b, '`')
	}
	return append(b, s...)
}

// Why explains an effect in one line: "removed"; for a node that lost
// redundancy, the inputs it lost ("db@a down, cache degraded"); otherwise
// what was left of the redundant group its cause acted through, if any
// ("replica capacity left 1 of 3 (needs 2)", "at_least 2 of [a b c]:
// quorum lost, 1 of 3 left (needs 2)"), then "requires" or "uses" and the
// chain of causes after the node ("kakao-login → kakaotalk →
// kakaotalk@pangyo → pangyo"), cut after ChainLinks links with "… N more".
//
// Why costs the length of the chain it cuts; Table, JSON and Markdown,
// which explain every effect, index the chains once instead.
func Why(o *analyze.Outcome, e analyze.Effect) string {
	x := explainer{o: o, links: ChainLinks}
	return x.why(e)
}

// why is Why for effect e.
func (x *explainer) why(e analyze.Effect) string {
	x.out = x.appendWhy(x.out[:0], e)
	return string(x.out)
}

// appendWhy appends why(e) to b: reports that explain a million effects
// write each explanation straight into their line.
func (x *explainer) appendWhy(b []byte, e analyze.Effect) []byte {
	ex := x.o.ExplainEffect(e)
	switch {
	case ex.Removed:
		return append(b, "removed"...)
	case ex.LostRedundancy && ex.Group != nil:
		g := ex.Group
		if g.Replicas {
			b = append(b, "replicas"...)
		} else {
			b = append(x.appendName(b, g.Label), ':')
		}
		return append(b, " "+count(g.Up)+" of "+count(g.Base)+" up (needs "+count(g.Need)+"): "+x.lost(ex.Lost)...)
	case ex.LostRedundancy || ex.Cause == "":
		return append(b, x.lost(ex.Lost)...)
	}
	if g := ex.Group; g != nil {
		b = append(b, x.group(g, ex.State)...)
		b = append(b, ": "...)
	}
	switch {
	case ex.Soft:
		b = append(b, "uses "...)
	case ex.Group == nil:
		b = append(b, "requires "...)
	}
	return x.appendChain(b, e)
}

// appendChain appends the chain of causes after e, cut after x.links
// links.
func (x *explainer) appendChain(b []byte, e analyze.Effect) []byte {
	var links []string
	var more int
	if x.chains == nil {
		links, more = x.o.CutChain(e.ID, x.links)
	} else {
		links, more = x.chains.AppendCut(x.buf[:0], e, x.links)
		x.buf = links
	}
	for i, l := range links {
		if i > 0 {
			b = append(b, " → "...)
		}
		b = x.appendName(b, l)
	}
	if more > 0 {
		b = append(b, " → … "+count(more)+" more"...)
	}
	return b
}

// lost lists the inputs that are not Up: "db@a down, cache degraded".
func (x *explainer) lost(cs []analyze.Cause) string {
	var b strings.Builder
	for _, c := range cs {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x.name(c.ID))
		b.WriteString(" " + c.State.String())
	}
	return b.String()
}

// group says what was left of a redundant group, by the rule the group
// follows: a capacity falls below its demand, a quorum loses members, an
// any-of group loses all of them. A Down group is measured against its
// floor (the demand, unless degraded_at lowers it), a Degraded one
// against its demand.
func (x *explainer) group(g *analyze.GroupExplanation, st analyze.State) string {
	left, verb := g.Live, "left"
	if st != analyze.Down {
		left, verb = g.Up, "up"
	}
	needs := "(needs " + count(g.Need)
	if st == analyze.Down && g.Floor < g.Need {
		needs += ", down below " + count(g.Floor)
	}
	needs += ")"
	of := count(left) + " of " + count(g.Base) + " " + verb
	var s string
	switch g.Rule {
	case analyze.CapacityRule:
		s = "capacity " + verb + " " + count(left) + " of " + count(g.Base) + " " + needs
		if g.Replicas {
			s = "replica " + s
		}
	case analyze.QuorumRule:
		s = "quorum lost, " + of + " " + needs
		if st != analyze.Down {
			s = "quorum degraded, " + of + " " + needs
		}
		if g.Replicas {
			s = "replica " + s
		}
	default:
		switch {
		case st != analyze.Down && g.Replicas:
			s = "no replica fully up (" + of + ")"
		case st != analyze.Down:
			s = "none fully up (" + of + ")"
		case g.Replicas:
			s = "all replicas lost (" + of + ")"
		default:
			s = "all lost (" + of + ")"
		}
	}
	if !g.Replicas {
		s = x.name(g.Label) + ": " + s
	}
	return s
}
