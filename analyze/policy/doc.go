// Package policy checks a compiled model against resilience rules (every
// tier-0 service survives the loss of any one site; no single node takes a
// user-facing service down; ...), so that a failure like Kakao's in October
// 2022 is a failing test long before it is a fire.
//
// Rules are values (SurviveSiteLoss, SurviveRegionLoss, NoSPOF,
// MaxBlastRadius, MinRedundancyRate, SitesAtLeast) that pick nodes with a
// Selector; a Policy is a list of them, written in Go or read from a YAML
// file with Load. Check evaluates every rule of a policy from one ranking
// pass over all single failures (analyze.RankWatch) and one Simulate per
// site and per region, and returns each rule's violations: the node that
// breaks it, the scenario that breaks it and the chain of causes.
package policy
