package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/yamltree"
)

// RecoverWithin demands that the selected nodes be back (Up: neither Down
// nor Degraded) within their recovery time objective (graph.Node.RTO)
// whichever one site is lost for repair (0: for good): the timeline of
// each loss is analyze.Recover's, standbys taking over and restarts
// included. Options set a within for every node instead of their rto,
// and lose regions rather than sites.
//
// It fails closed: a selected node with no rto, when the rule gives no
// within, is a problem of the policy, and a model without sites (or
// regions) fails the rule.
func RecoverWithin(s Selector, repair time.Duration, opts RecoverWithinOptions) Rule {
	kind := graph.Site
	if opts.Region {
		kind = graph.Region
	}
	return &recoverWithin{sel: s, repair: repair, within: opts.Within, kind: kind}
}

// RecoverWithinOptions are the options of RecoverWithin.
type RecoverWithinOptions struct {
	// Within, when positive, is the time every selected node may be out,
	// instead of its rto.
	Within time.Duration
	// Region loses each region, with all its sites, instead of each site.
	Region bool
}

func init() {
	register("recover_within", decodeRecoverWithin, "select", "repair", "within", "by")
}

type recoverWithin struct {
	meta
	sel    Selector
	repair time.Duration // 0: lost for good
	within time.Duration // 0: each node's rto
	kind   graph.Kind    // Site or Region
}

func decodeRecoverWithin(f *ruleFields) Rule {
	r := &recoverWithin{kind: graph.Site}
	d := f.d
	if x := f.need("select", "which nodes must come back in time, e.g. {tier: 0}"); x != nil {
		r.sel = d.selector(x, f.field("select"))
	}
	if x := f.need("repair", "how long each site is out, e.g. 24h, or never"); x != nil {
		if x.Kind == yamltree.Scalar && x.Text == "never" {
			r.repair = 0
		} else {
			r.repair = f.positiveDuration(x, "repair", "or never for a site lost for good")
		}
	}
	if x := f.vals["within"]; x != nil {
		r.within = f.positiveDuration(x, "within", "leave it out to use each node's rto")
	}
	if x := f.vals["by"]; x != nil {
		if s, ok := d.String(x, f.field("by")); ok {
			switch s {
			case "site":
			case "region":
				r.kind = graph.Region
			default:
				d.Add(x.Line, f.field("by"), "unknown grouping %q: want site or region", yamltree.Clip(s))
			}
		}
	}
	return r
}

// positiveDuration reads a duration field that must be more than 0; hint
// says what to write instead of 0.
func (f *ruleFields) positiveDuration(x *val, key, hint string) time.Duration {
	t, ok := f.d.Duration(x, f.field(key))
	if !ok {
		return 0
	}
	if t <= 0 {
		f.d.Add(x.Line, f.field(key), "must be more than 0, got %s (%s)", x.Text, hint)
		return 0
	}
	if t > graph.MaxDuration {
		f.d.Add(x.Line, f.field(key), "must be at most %v (10 years), got %v", graph.MaxDuration, t)
		return 0
	}
	return t
}

func (r *recoverWithin) Name() string { return "recover_within" }

// Repair is how long each site or region is out (0: for good); Within
// the rule's limit (0: each node's rto); Kind what is lost (graph.Site
// or graph.Region).
func (r *recoverWithin) Repair() time.Duration { return r.repair }
func (r *recoverWithin) Within() time.Duration { return r.within }
func (r *recoverWithin) Kind() graph.Kind      { return r.kind }

func (r *recoverWithin) String() string {
	limit := "their rto"
	if r.within > 0 {
		limit = durationText(r.within)
	}
	out := "for good"
	if r.repair > 0 {
		out = "for " + durationText(r.repair)
	}
	return fmt.Sprintf("%s are back within %s when any one %s is lost %s", r.sel, limit, r.kind, out)
}

// durationText writes a duration as policy files do: 15m, 1h30m, 24h.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (r *recoverWithin) prepare(p *plan, path string) (evaluator, []graph.Problem) {
	sel, probs := p.selection(r.sel, path+".select", r.at("select"))
	if len(probs) == 0 && r.within <= 0 {
		// Fail closed: a node without an objective cannot be checked
		// against one, and passing it would make the gate vacuous.
		var none []string
		n := 0
		for v, s := range sel {
			if s && p.c.RTO(int32(v)) <= 0 {
				if n++; n <= 3 {
					none = append(none, fmt.Sprintf("%q", p.c.VertexName(int32(v))))
				}
			}
		}
		if n > 0 {
			list := strings.Join(none, ", ")
			if n > len(none) {
				list += fmt.Sprintf(" and %d more", n-len(none))
			}
			probs = append(probs, graph.Problem{Pos: r.at("select"), Field: path + ".select",
				Msg: fmt.Sprintf("%d selected %s no rto: %s (give them an rto in the model, or the rule a within)", n, pluralHave(n), list)})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return &recoverWithinEval{r: r, sel: sel, key: p.recoverLosses(r.kind, r.repair)}, nil
}

// pluralHave is "node has" or "nodes have".
func pluralHave(n int) string {
	if n == 1 {
		return "node has"
	}
	return "nodes have"
}

type recoverWithinEval struct {
	r   *recoverWithin
	sel []bool
	key recoverKey
}

func (ev *recoverWithinEval) eval(e *env) (RuleResult, error) {
	limit := func(v int32) (time.Duration, bool) {
		if ev.r.within > 0 {
			return ev.r.within, false
		}
		return e.c.RTO(v), true
	}
	return e.late(ev.key, ev.sel, limit)
}
