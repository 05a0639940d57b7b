package analyze

import (
	"context"
	"fmt"

	"github.com/blastradius-go/blastradius/graph"
)

// Comparison puts two timelines of one scenario side by side: a model and a
// variant of it (a standby made hot, a login placed at a second site),
// matched by node id.
type Comparison struct {
	Scenario      Scenario
	Base, Variant *Timeline
	// Rows are the nodes and replicas affected in either timeline: those
	// of Base, sorted as Timeline.Sorted sorts them, then those affected
	// only in Variant, sorted likewise.
	Rows []ComparisonRow
}

// ComparisonRow is one node in both timelines. On a side where the node is
// Up throughout, its Recovery has zero times; on a side whose model has no
// such node, also Vertex -1, and BaseAbsent or VariantAbsent says so.
type ComparisonRow struct {
	ID                        string
	Kind                      graph.Kind
	Replica                   bool
	Base, Variant             Recovery
	BaseAbsent, VariantAbsent bool
}

// WhatIf runs Recover on a model and on a variant of it with the same
// scenario, and compares the two. The scenario's ids must exist in both.
func WhatIf(ctx context.Context, base, variant *graph.Compiled, sc Scenario, opts RecoverOptions) (*Comparison, error) {
	a, err := Recover(ctx, base, sc, opts)
	if err != nil {
		return nil, err
	}
	b, err := Recover(ctx, variant, sc, opts)
	if err != nil {
		return nil, fmt.Errorf("variant %s: %w", variant.Name(), err)
	}
	return CompareTimelines(a, b), nil
}

// CompareTimelines matches two timelines of one scenario, on a model and
// on a variant of it, by node id: the comparison WhatIf returns.
func CompareTimelines(base, variant *Timeline) *Comparison {
	cmp := &Comparison{Scenario: base.Scenario, Base: base, Variant: variant}
	for _, r := range base.Sorted() {
		v, ok := variant.Recovery(r.ID)
		if !ok {
			v = upThroughout(variant.c, r)
		}
		cmp.Rows = append(cmp.Rows, ComparisonRow{ID: r.ID, Kind: r.Kind, Replica: r.Replica, Base: r, Variant: v, VariantAbsent: v.Vertex < 0})
	}
	for _, r := range variant.Sorted() {
		if _, ok := base.Recovery(r.ID); !ok {
			b := upThroughout(base.c, r)
			cmp.Rows = append(cmp.Rows, ComparisonRow{ID: r.ID, Kind: r.Kind, Replica: r.Replica, Base: b, Variant: r, BaseAbsent: b.Vertex < 0})
		}
	}
	return cmp
}

// upThroughout is the Recovery of a node that is never affected in c,
// named like r.
func upThroughout(c *graph.Compiled, r Recovery) Recovery {
	up := Recovery{Vertex: -1, ID: r.ID, Kind: r.Kind, Replica: r.Replica, Tier: graph.NoTier}
	if v, ok := c.Lookup(r.ID); ok {
		up.Vertex, up.Kind, up.Users, up.Tier = v, c.Kind(v), c.Users(v), c.Tier(v)
	}
	return up
}
