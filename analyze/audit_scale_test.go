package analyze

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/synth"
)

func TestAuditScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("AUDIT_N"))
	if n == 0 {
		t.Skip()
	}
	for _, cat := range auditCatalogs[:1] {
		p := cat.p
		p.Nodes = n
		c, err := graph.Compile(synth.Services(p))
		if err != nil {
			t.Fatal(err)
		}
		claims, _ := findClaims(c, nil)
		orders := map[int]int{}
		for _, cl := range claims {
			orders[cl.searched(2)]++
		}
		start := time.Now()
		_, err = Audit(context.Background(), c, AuditOptions{MaxOrder: 1})
		t.Logf("order 1: %v", time.Since(start))
		if os.Getenv("AUDIT_ONLY1") != "" {
			continue
		}
		start = time.Now()
		_, err = Audit(context.Background(), c, AuditOptions{})
		t.Logf("%s: %d claims (by order searched %v): %v %v", cat.name, len(claims), orders, time.Since(start), err)
	}
}
