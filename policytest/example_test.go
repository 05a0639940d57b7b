package policytest_test

import (
	"fmt"
	"testing"

	"github.com/blastradius-go/blastradius/analyze/policy"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/policytest"
)

// printT stands in for the *testing.T of a real test: it prints what the
// test would report. (testing.TB cannot be implemented outside package
// testing except by embedding it.)
type printT struct{ testing.TB }

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (printT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// In a test, the first argument is the test's *testing.T:
//
//	func TestResilience(t *testing.T) {
//		policytest.Check(t, model, lessons)
//	}
//
// Each violation is one error of the test, with its chain of causes.
func ExampleCheck() {
	model := new(graph.Model).Add(
		graph.Node{ID: "pangyo", Kind: graph.Site},
		graph.Node{ID: "gasan", Kind: graph.Site},
		graph.Node{ID: "talk", Kind: graph.Service, Users: 47_500_000, Tier: graph.TierOf(0), Site: "pangyo"},
		graph.Node{ID: "login", Kind: graph.Identity, Tier: graph.TierOf(0), Requires: graph.All("talk")},
		graph.Node{ID: "games", Kind: graph.Service, Users: 3_000_000, Tier: graph.TierOf(2), Site: "gasan",
			Requires: graph.All("login")},
	)
	model.Name = "mini-kakao"
	lessons := &policy.Policy{Rules: []policy.Rule{
		policy.SurviveSiteLoss(policy.Tier(0)),
		policy.NoSPOF(policy.ID("games")),
	}}
	policytest.Check(printT{}, model, lessons)
	// Output:
	// mini-kakao: rule survive_site_loss (nodes of tier 0 stay up when any one site is lost):
	//     talk: down when site pangyo is lost
	//     chain: talk → pangyo
	// mini-kakao: rule survive_site_loss (nodes of tier 0 stay up when any one site is lost):
	//     login: down when site pangyo is lost
	//     chain: login → talk → pangyo
	// mini-kakao: rule no_spof (no single node takes nodes games down):
	//     games: down when identity login fails
	//     chain: games → login
	// mini-kakao: rule no_spof (no single node takes nodes games down):
	//     games: down when service talk fails
	//     chain: games → login → talk
}
