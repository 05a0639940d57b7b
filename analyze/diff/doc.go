// Package diff says what a change to a model does to its resilience: the
// single points of failure it adds or removes, the blast radii that grow or
// shrink, the redundancy rate before and after, and the policy rules that
// newly fail. It is made for reviewing a pull request that edits a model:
// Models compares the model before the change with the one after it,
// ranking only the single failures the change can affect (see scope.go:
// a failure that reaches no changed node fails alike in both models).
package diff
