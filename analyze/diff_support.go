package analyze

// RadiusOf returns the blast radius of candidate v as Radii lists it, and
// false when v is not a candidate or has not run yet. It reads that one
// candidate's sums: a caller that compares two rankings node by node
// (package diff) needs neither Radii's sort of every radius nor a lookup of
// each radius' id to find its node again.
func (r *Ranker) RadiusOf(v int32) (Radius, bool) {
	if v < 0 || int(v) >= len(r.index) || r.index[v] < 0 || !r.ran[r.index[v]] {
		return Radius{}, false
	}
	k := r.sums[r.index[v]]
	return Radius{ID: r.c.VertexName(k.v), Kind: r.c.Kind(k.v), Tier: r.c.Tier(k.v),
		Down: int(k.down), Degraded: int(k.degraded),
		UsersDown: k.usersDown, UsersDegraded: k.usersDegraded, Tier0: int(k.tier0)}, true
}

// Positions returns each vertex's place in the batch engine's layout of
// r's graph, the order a batch sweeps (HitBatch.Pos), made on the graph's
// first ranking; the caller must not change it. Package diff keeps what
// it compares per node by place, so that each batch's hits read it in
// order: by vertex, each hit was a cache miss.
func (r *Ranker) Positions() []int32 { return layoutFor(r.c).pos }
