package analyze_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// messenger is the model of ExampleSimulate with a hot standby of half the
// capacity: the messenger runs in Pangyo, the login runs on it and takes
// 15 minutes to restart, and a game service elsewhere needs the login.
func messenger(standby int64) *graph.Compiled {
	var m graph.Model
	m.Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000,
			Demand: 100, DegradedAt: 30,
			Replicas: []graph.Replica{
				{Site: "pangyo", Capacity: 100},
				{Site: "gasan", Capacity: standby, Standby: graph.Hot}, // serves after 1h
			}},
		graph.Node{ID: "login", Kind: graph.Identity, Requires: graph.All("talk"), Restart: 15 * time.Minute},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3_000_000, Site: "gasan",
			Requires: graph.All("login")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// Pangyo burns and is back after 11 hours. The hot standby carries the
// messenger at reduced capacity from 1h on; the login restarts 15 minutes
// after what it needs is back.
func ExampleRecover() {
	c := messenger(50)
	sc := analyze.Scenario{Failures: []analyze.Failure{{ID: "pangyo", For: 11 * time.Hour}}}
	tl, err := analyze.Recover(context.Background(), c, sc, analyze.RecoverOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range tl.Sorted() {
		if !r.Replica {
			fmt.Printf("%-6s down until %-7v degraded until %v\n", r.ID, r.DownUntil, r.DegradedUntil)
		}
	}
	fmt.Printf("user-hours lost: %.0f down, %.0f degraded; all up at %v\n",
		tl.Totals.DownUserHours, tl.Totals.DegradedUserHours, tl.Totals.AllUp)
	// Output:
	// pangyo down until 11h0m0s degraded until 11h0m0s
	// games  down until 1h15m0s degraded until 11h15m0s
	// login  down until 1h15m0s degraded until 11h15m0s
	// talk   down until 1h0m0s  degraded until 11h0m0s
	// user-hours lost: 51250000 down, 505000000 degraded; all up at 11h15m0s
}

// The same fire with the standby at full capacity: what it saves.
func ExampleWhatIf() {
	sc := analyze.Scenario{Failures: []analyze.Failure{{ID: "pangyo", For: 11 * time.Hour}}}
	cmp, err := analyze.WhatIf(context.Background(), messenger(50), messenger(100), sc, analyze.RecoverOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range cmp.Rows {
		if r.ID == "talk" || r.ID == "games" {
			fmt.Printf("%-5s up at %-8v → %v\n", r.ID, r.Base.DegradedUntil, r.Variant.DegradedUntil)
		}
	}
	lost := func(tl *analyze.Timeline) float64 { return tl.Totals.DownUserHours + tl.Totals.DegradedUserHours }
	fmt.Printf("user-hours lost: %.0f → %.0f\n", lost(cmp.Base), lost(cmp.Variant))
	// Output:
	// games up at 11h15m0s → 1h15m0s
	// talk  up at 11h0m0s  → 1h0m0s
	// user-hours lost: 556250000 → 51250000
}
