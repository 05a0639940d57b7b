// Package traces reads service graphs built from distributed traces into an
// importer.Result: the servicegraph metrics of the OpenTelemetry collector's
// servicegraph connector and of Grafana Tempo's metrics generator, in the
// Prometheus text exposition format, and Jaeger's dependencies JSON.
//
// # What an edge becomes
//
// Every client→server pair seen is one importer.Edge in Result.Observed (the
// requests and failed requests summed over every series of the pair: the
// same pair scraped from several collectors, or with other labels, is one
// edge) and one dependency of the client on the server. The dependency is
// hard (requires) unless Options.SoftAbove is set and the share of the
// pair's calls that failed reaches it: a caller that keeps being called
// while that share of its calls fail evidently serves without the callee,
// which is what a soft dependency (uses) means. Traces cannot tell this for
// sure, so it is an option, off by default, and the overlay of
// importer.Merge can say otherwise for any pair.
//
// connection_type="database" makes the server a datastore and
// connection_type="messaging_system" a queue; every other node is a
// service; a connection_type other than those, "virtual_node" and "" is
// read as a plain call, with a Finding (a misspelt "databse" must not
// leave a database a service unsaid). A name that is not a valid node id
// (upper case, a space, '@' or ':', as in a virtual node
// "db.internal:5432") is mapped by importer.MapName, as Merge maps every
// source's names, and a Finding says so. A call of a service to itself is left out (a node
// cannot require itself), with a Finding.
//
// # Bounded input
//
// Both readers stream: memory grows with the number of distinct
// client→server pairs, not with the number of series or records, and
// Options.MaxEdges bounds the pairs (an error beyond it). Lines of the
// metric file other than the two servicegraph counters (histograms,
// other metrics) are skipped before the parser sees them.
package traces
