package analyze_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
)

// campus is a shop replicated in two data centers of one campus that
// share a power supply, and a payment service in a third site.
func campus() *graph.Compiled {
	var m graph.Model
	m.Add(
		graph.Node{ID: "campus-power", Kind: graph.Power},
		graph.Node{ID: "sbg2", Kind: graph.Site, Requires: graph.All("campus-power")},
		graph.Node{ID: "sbg3", Kind: graph.Site, Requires: graph.All("campus-power")},
		graph.Node{ID: "rbx", Kind: graph.Site},
		graph.Node{ID: "pay", Kind: graph.Service, Users: 200_000,
			Replicas: []graph.Replica{{Site: "sbg2"}, {Site: "rbx"}}},
		graph.Node{ID: "shop", Kind: graph.Service, Users: 1_000_000,
			Replicas: []graph.Replica{{Site: "sbg2"}, {Site: "sbg3"}}, Requires: graph.All("pay")},
	)
	c, err := graph.Compile(&m)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// The shop runs in two data centers, but both require the campus power:
// a hidden common cause.
func ExampleAudit() {
	res, err := analyze.Audit(context.Background(), campus(), analyze.AuditOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, cl := range res.Claims {
		fmt.Printf("%s runs in %v, tolerance %d\n", cl.Owner, cl.Sites, cl.Tolerance)
		for _, d := range cl.Defeats {
			fmt.Printf("  defeated by %v (hidden: %v): %v\n", d.IDs, d.Hidden, d.MemberChains)
		}
	}
	// Output:
	// shop runs in [sbg2 sbg3], tolerance 2
	//   defeated by [campus-power] (hidden: true): [[shop@sbg2 sbg2 campus-power] [shop@sbg3 sbg3 campus-power]]
	// pay runs in [sbg2 rbx], tolerance 2
}

// On a large catalog, audit without the chains and explain only the
// claims a report shows: here the first one.
func ExampleAuditResult_Explain() {
	c := campus()
	ctx := context.Background()
	res, err := analyze.Audit(ctx, c, analyze.AuditOptions{NoChains: true})
	if err != nil {
		log.Fatal(err)
	}
	cl := &res.Claims[0]
	fmt.Println(cl.Defeats[0].IDs, cl.Explained, cl.Defeats[0].MemberChains)
	if err := res.Explain(ctx, c, 0); err != nil {
		log.Fatal(err)
	}
	fmt.Println(cl.Defeats[0].IDs, cl.Explained, cl.Defeats[0].MemberChains)
	// Output:
	// [campus-power] false []
	// [campus-power] true [[shop@sbg2 sbg2 campus-power] [shop@sbg3 sbg3 campus-power]]
}

// Which two sites take more together than either alone?
func ExampleRankPairs() {
	r, err := analyze.RankPairs(context.Background(), campus(), analyze.PairOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range r.Pairs {
		fmt.Printf("%s + %s: %d users down beyond each alone (%v)\n", p.A, p.B, p.Beyond.UsersDown, p.Named)
	}
	// Output:
	// rbx + sbg2: 1200000 users down beyond each alone ([shop pay])
	// sbg2 + sbg3: 1000000 users down beyond each alone ([shop])
}
