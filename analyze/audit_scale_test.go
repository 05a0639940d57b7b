package analyze

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// cpu is the process's user and system CPU time so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestAuditScale times Audit on a catalog of AUDIT_N nodes (skipped
// without it), wall clock and CPU time, at the orders in AUDIT_ORDERS
// ("1", "2", default both), on the catalogs of BenchmarkAudit (AUDIT_CATALOG
// names one): on a shared machine the CPU time is the steadier figure.
// AUDIT_CHAINS=shown times what the CLI does instead: the audit without
// chains, then Explain of 30 claims (the most its reports print: 10 per
// section with chains), timed apart. AUDIT_PROGRESS=1 also logs how far
// the audit's progress had counted at each tenth of its CPU time: a
// progress that tells the truth counts about a tenth more at each.
func TestAuditScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("AUDIT_N"))
	if n == 0 {
		t.Skip("set AUDIT_N")
	}
	orders := []int{1, 2}
	switch os.Getenv("AUDIT_ORDERS") {
	case "1":
		orders = orders[:1]
	case "2":
		orders = orders[1:]
	}
	for _, cat := range auditCatalogs {
		if name := os.Getenv("AUDIT_CATALOG"); name != "" && name != cat.name {
			continue
		}
		p := cat.p
		p.Nodes = n
		c, err := graph.Compile(synth.Services(p))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range orders {
			// AUDIT_BASELINE=1 also times the search of order 2 claim by
			// claim (CutSetsVertices, 64 claims at a time), after it.
			for _, byClaim := range []bool{false, true}[:1+boolInt(os.Getenv("AUDIT_BASELINE") == "1" && k == 2)] {
				shown := os.Getenv("AUDIT_CHAINS") == "shown"
				type call struct {
					at          time.Duration
					done, total int
				}
				var calls []call
				var progress func(done, total int)
				if os.Getenv("AUDIT_PROGRESS") == "1" {
					progress = func(done, total int) { calls = append(calls, call{cpu(), done, total}) }
				}
				start, c0 := time.Now(), cpu()
				res, err := Audit(context.Background(), c, AuditOptions{MaxOrder: k, claimByClaim: byClaim, NoChains: shown, Progress: progress})
				if err != nil {
					t.Fatal(err)
				}
				spent := cpu() - c0
				t.Logf("%s, %d nodes, order %d, claim by claim %v, chains %v: %d claims, %v wall, %v CPU", cat.name, n, k, byClaim, !shown, len(res.Claims), time.Since(start), spent)
				if len(calls) > 0 {
					line := "  progress at each tenth of the CPU time:"
					j := 0
					for tenth := 1; tenth <= 10; tenth++ {
						for j+1 < len(calls) && calls[j+1].at-c0 <= spent*time.Duration(tenth)/10 {
							j++
						}
						line += fmt.Sprintf(" %d%%", 100*calls[j].done/calls[j].total)
					}
					t.Log(line)
				}
				if shown {
					which := firstClaims(res, 30)
					start, c0 := time.Now(), cpu()
					if err := res.Explain(context.Background(), c, which...); err != nil {
						t.Fatal(err)
					}
					t.Logf("  then Explain of %d claims: %v wall, %v CPU", len(which), time.Since(start), cpu()-c0)
				}
			}
		}
	}
}
