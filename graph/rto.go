package graph

import "time"

// RTO is the recovery time objective of a node vertex (Node.RTO): how
// long it may be out after a failure; 0 for replicas, groups and nodes
// without one.
func (c *Compiled) RTO(v int32) time.Duration {
	if c.rto == nil || v < 0 || v >= int32(c.nodes) {
		return 0
	}
	return c.rto[v]
}

// setRTO records node i's objective, allocating the array on the first
// node that has one: most models give none, and a million-node catalog
// need not carry eight megabytes of zeros.
func (c *Compiled) setRTO(i int32, d time.Duration) {
	if d == 0 {
		return
	}
	if c.rto == nil {
		c.rto = make([]time.Duration, c.nodes)
	}
	c.rto[i] = d
}

// rto writes the per-node objectives for the compiled-model cache: how
// many nodes have one, then each as its node and the duration (one byte
// when no node has one).
func (e *binEncoder) rto(q []time.Duration) {
	n := 0
	for _, d := range q {
		if d != 0 {
			n++
		}
	}
	e.uvarint(uint64(n))
	for i, d := range q {
		if d != 0 {
			e.uvarint(uint64(i))
			e.varint(int64(d))
		}
	}
}

// rto reads what binEncoder.rto wrote, for a graph of n nodes, refusing
// an objective that is not positive or a node twice.
func (d *binDecoder) rto(nodes int) []time.Duration {
	n := d.count(2)
	if n == 0 || d.err != nil {
		return nil
	}
	q := make([]time.Duration, nodes)
	for range n {
		i := d.index(nodes)
		t := time.Duration(d.varint())
		if d.err != nil {
			return nil
		}
		if t <= 0 || q[i] != 0 {
			d.fail("node %d: rto %v, or a node twice", i, t)
			return nil
		}
		q[i] = t
	}
	return q
}
