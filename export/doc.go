// Package export writes analysis results as reports: a text table for
// terminals, versioned JSON for machines (with a JSON Schema for every
// document, JSONSchema), Markdown for postmortems and pull requests, and
// drawings of the blast radius as Graphviz DOT (rendered to SVG or PNG by
// Graphviz's dot, or built as a *dot.Graph by DOTGraph) and Mermaid.
//
// Export owns the words and the wire format: analysis results are plain
// data, and every sentence, number format and JSON field is made here.
// Writers are named <Subject><Format> (the simulation outcome keeps the
// bare Table, JSON, Markdown, DOT and Mermaid), JSON documents are
// <Subject>Doc built by New<Subject>Doc of records ending in Record.
// Why a node is in its state is worded from analyze's Outcome.Explain in
// one place for every format, and chains of causes are cut after
// ChainLinks links (the FullChains options print them whole), so every
// report is linear in the outcome.
package export
