// Package policy checks a compiled model against resilience rules (every
// tier-0 service survives the loss of any one site; no single node takes a
// user-facing service down; ...), so that a failure like Kakao's in October
// 2022 is a failing test long before it is a fire.
//
// Rules are values (SurviveSiteLoss, SurviveRegionLoss, NoSPOF,
// MaxBlastRadius, MinRedundancyRate, SitesAtLeast, NoUndeclared) that pick nodes with a
// Selector; a Policy is a list of them, written in Go or read from a YAML
// file with Load. Check evaluates every rule of a policy from one ranking
// pass over all single failures (an analyze.Ranker, whose hits each of its
// workers reads at once), one pass of the batch engine for the losses of
// every site and region (analyze.LoseEach, 64 losses a pass), from whose
// states the redundancy rate is counted, and, for the rules about recovery time
// (RecoverWithin, SurviveSiteLossWithin), one analyze.Recover per lost site
// per repair time, and returns each rule's
// violations as data: the node that breaks it, the scenario that breaks it
// and the chain of causes; package export words them. Prepare and
// Checker.Finish let a caller share its own ranking pass (package diff
// does).
//
// Gates fail closed: a rule's selector that picks no node is an error of
// Check, and a rule the model gives nothing to check (a site rule on a
// model without sites) fails.
//
// Each rule is one file (survive.go, nospof.go, maxradius.go, minrate.go,
// sites.go, declared.go, recoverwithin.go): its type, its decoding, registered with register, and its
// evaluation. The rest is shared: the plan of passes and their results
// (plan.go; the shared recovery timelines in recoveries.go), the top-k keeper (keeper.go), selectors (selector.go) and the
// policy file's reader with its typed-field helpers (decode.go).
package policy
