package analyze

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// auditCatalogs are the catalogs the audit is measured on (at 100,000
// nodes, and smaller):
// the default service catalog, and one with redundancy everywhere (a third
// of the dependencies written as groups, a third of the services
// replicated at two or three sites).
var auditCatalogs = []struct {
	name string
	p    synth.Params
}{
	{"default", synth.Default(100_000, 1)},
	{"redundant", synth.Params{Nodes: 100_000, AvgDeps: 5, Sites: 8, Hubs: 50, CycleFrac: 0.02,
		GroupFrac: 0.3, SoftFrac: 0.2, ReplicaFrac: 0.3, Seed: 1}},
}

// The audit of every claim of a catalog of 20,000 and 100,000 nodes,
// after loading, at the default order 2: "shared" is Audit, which
// searches the defeats of order 2 of every claim at once (pairSets), with
// every chain; "claim-by-claim" the baseline, the same search by
// CutSetsVertices, 64 claims at a time (at 100,000 nodes only with
// AUDIT_BASELINE=1: it takes many minutes); "shown" the CLI's path, the
// audit without chains and Explain of 30 claims. The number of claims and of defeats found are reported
// beside the time.
func BenchmarkAudit(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		for _, cat := range auditCatalogs {
			p := cat.p
			p.Nodes = n
			c, err := graph.Compile(synth.Services(p))
			if err != nil {
				b.Fatal(err)
			}
			for _, mode := range []string{"shared", "claim-by-claim", "shown"} {
				byClaim := mode == "claim-by-claim"
				b.Run("n="+strconv.Itoa(n)+"/"+cat.name+"/"+mode, func(b *testing.B) {
					if byClaim && n > 20_000 && os.Getenv("AUDIT_BASELINE") != "1" {
						b.Skip("set AUDIT_BASELINE=1")
					}
					b.ReportAllocs()
					var res *AuditResult
					for b.Loop() {
						res, err = Audit(context.Background(), c, AuditOptions{claimByClaim: byClaim, NoChains: mode == "shown"})
						if err != nil {
							b.Fatal(err)
						}
						if mode == "shown" {
							// The CLI's path: chains for 30 claims, as many
							// as its reports print at most.
							if err := res.Explain(context.Background(), c, firstClaims(res, 30)...); err != nil {
								b.Fatal(err)
							}
						}
					}
					defeats, pairs, around, idle := 0, 0, 0, 0
					for _, cl := range res.Claims {
						defeats += len(cl.Defeats)
						for _, d := range cl.Defeats {
							pairs += boolInt(d.Order() == 2)
						}
						around += len(cl.Around)
						idle += len(cl.Idle)
					}
					b.ReportMetric(float64(len(res.Claims)), "claims")
					b.ReportMetric(float64(defeats), "defeats")
					b.ReportMetric(float64(pairs), "pairs")
					b.ReportMetric(float64(around), "around")
					b.ReportMetric(float64(idle), "idle")
				})
			}
		}
	}
}

// firstClaims returns the indices of the first n claims of res with a set
// to explain (a defeat or a set around).
func firstClaims(res *AuditResult, n int) []int {
	var which []int
	for i := range res.Claims {
		if cl := &res.Claims[i]; len(which) < n && (len(cl.Defeats) > 0 || len(cl.Around) > 0) {
			which = append(which, i)
		}
	}
	return which
}
