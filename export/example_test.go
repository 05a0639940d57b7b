package export_test

import (
	"log"
	"os"

	"github.com/blastradius-go/blastradius/export"
)

func ExampleTable() {
	o := twoSites() // an API at site a, its database at a and b; site a lost
	if err := export.Table(os.Stdout, o, export.TableOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// two-sites: remove site a
	//
	// STATE            NODE  KIND       USERS  WHY
	// down             api   service    1,200  requires a
	// down             a     site       -      removed
	// redundancy-lost  db    datastore  -      replicas 1 of 2 up (needs 1): db@a down
	//
	// 2 down (1 service, 1,200 user-services, at least 1,200 people), 0 degraded (0 services, 0 user-services), 1 up with redundancy lost
}
