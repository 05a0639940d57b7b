//go:build !race

// Package race reports whether the race detector is on, so that tests can
// scale down work that the detector makes ten times slower.
package race

// Enabled is true when built with -race.
const Enabled = false
