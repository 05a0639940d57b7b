// Package graph describes what runs where and what needs what, and compiles
// that description into the dense, immutable form the analyses run on.
//
// A Model is what the user wrote: nodes (services, identity providers,
// datastores, sites, regions, power feeds, ...) with hard dependencies
// (requires), soft dependencies (uses), redundant groups (any of, at least k
// of, capacity-weighted) and replicas placed at sites with standby tiers.
// Models come from YAML or JSON files (Load, Decode) or are built in Go
// (Model.Add and the dependency constructors On, AnyOf, AtLeast, Capacity).
//
// Compile validates a Model and turns it into a Compiled graph: every vertex
// is a gate (AND, or a weighted THRESHOLD) over its hard inputs, plus a list
// of soft inputs, stored as int32 CSR arrays. A Compiled graph is immutable,
// safe for concurrent use, keeps the mapping back to the user's names, and
// implements gonum's graph.Directed so gonum's algorithms run on it.
package graph
