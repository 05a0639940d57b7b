// Package analyze computes what fails when parts of a compiled model are
// removed: failure propagation with causes (Simulate) and the analyses built
// on the same engine.
//
// Every analysis shares one contract. A node is Up, Degraded or Down; an Up
// node is reported as having lost redundancy (Effect.LostRedundancy,
// Outcome.RedundancyLost; its State stays Up) when a member of one of its redundant
// constructs (Constructs: a group in its requires or uses, its replicas,
// standbys included, a group in a replica's requires) is Down or Degraded,
// and the lost member is its cause. An And
// gate is Down when a hard input is Down and Degraded when one is Degraded; a
// Threshold gate (any of, at least k of, capacity) is Down when the weight of
// its live (not Down) inputs falls below its floor, and Degraded when the
// weight of its Up inputs falls below its demand: a Degraded member counts
// toward staying alive but not toward full service. (Counting "any member
// Degraded" as Degraded instead would make losing that member improve the
// gate, and results would not be monotone.) A soft input that is not Up
// makes a node at most Degraded. Dependency cycles are allowed: the result is the least set of
// failures consistent with these rules, so a cycle stays up unless something
// outside breaks it. Removing more never brings anything back.
//
// Users are counted once per node: totals over several services count a
// person once per service they use ("user-services"); the largest single
// node's users is a lower bound on the people affected.
//
// Recover adds time. A failure may have a repair time (Failure.For; 0 is
// never): the removed node is Down until then. A standby replica that is
// not a mirror carries nothing before its recovery time and its full
// capacity from then on; active replicas and mirrors carry theirs
// throughout. At every time t the state is the least fixpoint above under
// the conditions of t. Nothing fails after t=0, so every node is Down on
// [0, DownUntil), Degraded on [DownUntil, DegradedUntil) and Up from then
// on, and the user-hours lost are its users times those spans. A node with
// a restart time (graph.Node.Restart) that went Down or Degraded comes back
// that long after its inputs and its own repair allow it; the members of a
// dependency cycle among the affected nodes come back together, when what
// the cycle needs from outside allows it, plus the longest restart among
// them: for the end of Down, cycles of hard dependencies only (a soft one
// never holds a node Down); for the end of Degraded, cycles through soft
// dependencies too. WhatIf compares
// two variants of a model on one scenario. A caller that reads only the
// totals and a few nodes of a timeline names them (RecoverOptions.Only,
// and NoReasons to skip the explanations): the other rows are never built,
// and the totals are a full timeline's.
//
// Availability adds probability: each node fails by itself with its own
// unavailability (graph.Compiled.Unavailability), independently, and the
// target's unavailability is the probability that it is Down at t=0 under
// the rules above, computed exactly with a BDD of its Down structure
// function, with the importance of every node as SCRAM defines it; beyond
// a node budget it gives proven bounds from the minimal cut sets.
package analyze
