package analyze

import (
	"context"
	"testing"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

// auditCatalogs are the 100,000-node catalogs the audit is measured on:
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

// The audit of every claim of a 100,000-node catalog, after loading; the
// number of claims and of defeats found are reported beside the time.
func BenchmarkAudit100k(b *testing.B) {
	for _, cat := range auditCatalogs {
		b.Run(cat.name, func(b *testing.B) {
			c, err := graph.Compile(synth.Services(cat.p))
			if err != nil {
				b.Fatal(err)
			}
			var res *AuditResult
			for b.Loop() {
				if res, err = Audit(context.Background(), c, AuditOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			defeats, around, idle := 0, 0, 0
			for _, cl := range res.Claims {
				defeats += len(cl.Defeats)
				around += len(cl.Around)
				idle += len(cl.Idle)
			}
			b.ReportMetric(float64(len(res.Claims)), "claims")
			b.ReportMetric(float64(defeats), "defeats")
			b.ReportMetric(float64(around), "around")
			b.ReportMetric(float64(idle), "idle")
		})
	}
}
