// Package export writes analysis results as reports: a text table for
// terminals, versioned JSON for machines (with its JSON Schema), Markdown
// for postmortems and pull requests, and drawings of the blast radius as
// Graphviz DOT (rendered to SVG or PNG by Graphviz's dot) and Mermaid.
package export
