// Package importer holds what every importer of blastradius returns and the
// one step that merges them: importers (graph/backstage, graph/k8s,
// graph/traces) read what a team already keeps (a catalog, manifests, a
// service graph from traces) and each returns a Result; Merge joins them by
// name and lays an overlay model over them, which wins.
//
// A source says what runs and what calls what; it cannot say what a
// dependency means (hard or soft, which replicas are redundant, how many
// users). What an importer could not decide is a Finding, never a silent
// default.
package importer

import "github.com/blastradius-go/blastradius/graph"

// Result is what one importer read.
type Result struct {
	// Source names the importer: "backstage", "k8s" or "traces".
	Source string
	// Nodes are the nodes the source describes, with the dependencies it
	// declares, in a deterministic order (the order read, files sorted).
	// Ids are the names the source uses, mapped (see Names in Merge).
	// Each node's Pos is where the source wrote it, when it has a file.
	Nodes []graph.Node
	// Observed are the dependencies the source saw happen rather than
	// declared (a trace service graph), with their evidence. Declared
	// dependencies are in Nodes' Requires and Uses.
	Observed []Edge
	// Findings are what the importer could not decide or had to assume.
	Findings []Finding
	// Aliases are the names other sources give this Result's nodes, when
	// the source says (Backstage's backstage.io/kubernetes-id): the key is
	// a name as another source writes it, "source:name" for one source
	// ("k8s:storefront") or "name" for all; the value is the name of a
	// node of this Result. Merge maps those names to that node's id;
	// MergeOptions.Names wins over them.
	Aliases map[string]string
}

// Edge is a dependency seen in traffic: From called To.
type Edge struct {
	From, To string
	// Calls and Failed count the requests seen and those that failed,
	// when the source says; ConnectionType is the source's word for the
	// link ("database", "messaging_system", "" for a plain call).
	Calls, Failed  int64
	ConnectionType string
	Pos            graph.Pos // the metric line or record it came from
}

// Finding is one thing an importer noticed: an assumption it made or a
// fact it could not decide, at a position of its input.
type Finding struct {
	Pos     graph.Pos
	Node    string // the node it is about, if any
	Message string
}
