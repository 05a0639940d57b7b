package analyze

// VertexState returns the state of any vertex of the compiled graph: a
// node, a replica, or one of the redundant groups that Effects leaves out
// (a drawing colours a group by it). Unaffected vertices are Up.
func (o *Outcome) VertexState(v int32) State {
	if v < 0 || int(v) >= o.c.Len() {
		return Up
	}
	return o.stateOf(v)
}
