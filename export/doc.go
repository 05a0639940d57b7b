// Package export writes analysis results as reports: a text table for
// terminals and versioned JSON for machines.
package export
