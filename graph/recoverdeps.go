package graph

import (
	"maps"
	"slices"
	"time"
)

// Recovery dependencies: what a standby's takeover (Replica.FailoverRequires)
// and a node's repair (Node.RepairRequires, Node.OnSite) need. They change
// nothing at the moment of failure (a standby carries nothing then and a
// repair is in the future), so only recovery timelines read them. The
// compiled graph keeps them sparse: most models have none.
type recoveryDeps struct {
	failover map[int32][]int32       // standby replica vertex → the nodes its takeover needs
	repair   map[int32][]int32       // model node → the nodes its repair needs
	onSite   map[int32]time.Duration // model node → the on-site repair's extra time
}

// FailoverRequires is what the takeover of the standby replica vertex v
// needs (node vertices), or nil.
func (c *Compiled) FailoverRequires(v int32) []int32 { return c.rdeps.failover[v] }

// RepairRequires is what the repair of node vertex v needs (node
// vertices), or nil.
func (c *Compiled) RepairRequires(v int32) []int32 { return c.rdeps.repair[v] }

// OnSite is how much longer than its repair time the repair of node vertex
// v takes when it goes ahead on site without its RepairRequires; 0 when it
// cannot.
func (c *Compiled) OnSite(v int32) time.Duration { return c.rdeps.onSite[v] }

// HasFailoverRequires reports whether some standby's takeover has
// requirements, so that callers can skip looking for them.
func (c *Compiled) HasFailoverRequires() bool { return len(c.rdeps.failover) > 0 }

// HasRepairRequires reports whether some node's repair has requirements.
func (c *Compiled) HasRepairRequires() bool { return len(c.rdeps.repair) > 0 }

// resolveIDs maps validated node ids to their vertices (node i is vertex i).
func (c *Compiled) resolveIDs(ids []string) []int32 {
	vs := make([]int32, 0, len(ids))
	for _, id := range ids {
		if v, ok := c.index[id]; ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// addFailoverDeps records the takeover requirements of replica vertex rv.
func (c *Compiled) addFailoverDeps(rv int32, r *Replica) {
	if len(r.FailoverRequires) == 0 {
		return
	}
	if c.rdeps.failover == nil {
		c.rdeps.failover = make(map[int32][]int32)
	}
	c.rdeps.failover[rv] = c.resolveIDs(r.FailoverRequires)
}

// addRepairDeps records the repair requirements of model node v.
func (c *Compiled) addRepairDeps(v int32, nd *Node) {
	if len(nd.RepairRequires) == 0 {
		return
	}
	if c.rdeps.repair == nil {
		c.rdeps.repair = make(map[int32][]int32)
	}
	c.rdeps.repair[v] = c.resolveIDs(nd.RepairRequires)
	if nd.OnSite > 0 {
		if c.rdeps.onSite == nil {
			c.rdeps.onSite = make(map[int32]time.Duration)
		}
		c.rdeps.onSite[v] = nd.OnSite
	}
}

// idList reads a list of node ids (failover_requires, repair_requires).
func (d *decoder) idList(v *value, node, field string) []string {
	items, ok := d.list(v, node, field)
	if !ok {
		return nil
	}
	ids := make([]string, 0, len(items))
	for i, it := range items {
		if id, ok := d.id(it, node, index(field, i)); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// onSite reads on_site: a duration above 0.
func (d *decoder) onSite(v *value, node, field string) time.Duration {
	dur, ok := d.readers(node).Duration(v, field)
	if !ok {
		return 0
	}
	if dur <= 0 {
		d.add(v.Line, node, field, "must be more than 0, got %s (leave it out when the repair cannot go ahead on site)", clip(v.Text))
		return 0
	}
	return dur
}

// recoveryDeps checks a node's repair_requires and on_site and its
// replicas' failover_requires. It does not record the references in
// v.refs (compile resolves these few by id), so that the order compile
// reads the others in is unchanged.
func (v *validator) recoveryDeps(n *Node, name string) {
	v.idRefs(n, name, "repair_requires", n.FieldPos("repair_requires"), n.RepairRequires)
	switch {
	case n.OnSite < 0:
		v.ps.add(n.FieldPos("on_site"), name, "on_site", "must not be negative, got %v", n.OnSite)
	case n.OnSite > MaxDuration:
		v.ps.add(n.FieldPos("on_site"), name, "on_site", "must be at most %v (10 years), got %v", MaxDuration, n.OnSite)
	case n.OnSite > 0 && len(n.RepairRequires) == 0:
		v.ps.add(n.FieldPos("on_site"), name, "on_site", "is the extra time of a repair that goes ahead without its repair_requires: list them")
	}
	for i := range n.Replicas {
		r := &n.Replicas[i]
		if len(r.FailoverRequires) == 0 {
			continue
		}
		field := index("replicas", i) + ".failover_requires"
		pos := fieldPos(n, field, r.Pos)
		if r.Standby == Active || r.Standby == Mirror {
			v.ps.add(pos, name, field, "only a standby that takes time to take over (hot, warm or cold) has failover_requires: a %v replica serves at once", r.Standby)
			continue
		}
		v.idRefs(n, name, field, pos, r.FailoverRequires)
	}
}

// idRefs checks a list of node ids: known (with a suggestion), not the
// node itself, none twice.
func (v *validator) idRefs(n *Node, name, field string, pos Pos, ids []string) {
	for i, id := range ids {
		f := index(field, i)
		switch _, ok := v.index[id]; {
		case id == "":
			v.ps.add(pos, name, f, "empty node id")
		case !ok:
			v.ps.add(pos, name, f, "unknown node %q%s", clip(id), v.hint.didYouMean(id, v.m.Nodes))
		case id == n.ID:
			v.ps.add(pos, name, f, "the node itself: what it needs to come back cannot be itself")
		case slices.Contains(ids[:i], id):
			v.ps.add(pos, name, f, "%q is listed twice", clip(id))
		}
	}
}

// idField writes a list of node ids as a field of a node.
func (e *encoder) idField(name string, ids []string) {
	if ids == nil {
		return
	}
	e.field(name)
	e.strings(ids)
	e.end()
}

// writeRecoveryDeps appends the recovery dependencies to the binary form:
// three sorted lists, each a count then its entries.
func (e *binEncoder) writeRecoveryDeps(rd *recoveryDeps) {
	for _, m := range []map[int32][]int32{rd.failover, rd.repair} {
		keys := slices.Sorted(maps.Keys(m))
		e.uvarint(uint64(len(keys)))
		for _, k := range keys {
			e.uvarint(uint64(k))
			e.uvarint(uint64(len(m[k])))
			for _, u := range m[k] {
				e.uvarint(uint64(u))
			}
		}
	}
	keys := slices.Sorted(maps.Keys(rd.onSite))
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.uvarint(uint64(k))
		e.varint(int64(rd.onSite[k]))
	}
}

// readRecoveryDeps reads what writeRecoveryDeps wrote, checking that a
// failover entry is a standby replica's, a repair entry a node's, and every
// requirement a node.
func (d *binDecoder) readRecoveryDeps(c *Compiled) {
	rd := &c.rdeps
	nv := len(c.names)
	for pass := range 2 {
		n := d.count(3)
		if n == 0 {
			continue
		}
		m := make(map[int32][]int32, n)
		for range n {
			if d.err != nil {
				return
			}
			k := d.index(nv)
			if pass == 0 && d.err == nil && (c.vkind[k] != ReplicaVertex || c.rec[k] <= 0) {
				d.fail("vertex %d: failover requirements on what is not a standby", k)
			}
			if pass == 1 && d.err == nil && k >= int32(c.nodes) {
				d.fail("vertex %d: repair requirements on what is not a node", k)
			}
			us := make([]int32, d.count(1))
			for i := range us {
				us[i] = d.index(c.nodes)
			}
			m[k] = us
		}
		if d.err == nil && len(m) != n {
			d.fail("recovery requirements of a vertex twice")
		}
		if pass == 0 {
			rd.failover = m
		} else {
			rd.repair = m
		}
	}
	if n := d.count(2); n > 0 {
		rd.onSite = make(map[int32]time.Duration, n)
		for range n {
			k := d.index(c.nodes)
			t := time.Duration(d.varint())
			if d.err == nil && (t <= 0 || t > MaxDuration) {
				d.fail("node %d: on-site time %v", k, t)
			}
			rd.onSite[k] = t
		}
		if d.err == nil && len(rd.onSite) != n {
			d.fail("an on-site time twice")
		}
	}
}
