// Package synth generates synthetic, always valid models for tests and benchmarks.
package synth
