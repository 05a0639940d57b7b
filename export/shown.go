package export

import "github.com/blastradius-go/blastradius/analyze"

// shown is how a report shows a node: its analyze.State, with Up split by
// whether the node lost redundancy, which reports list, colour and count
// apart. The order is the reports' order, best to worst.
type shown uint8

const (
	shownUp shown = iota
	shownLost
	shownDegraded
	shownDown
)

// shownNames are the wire words: "redundancy-lost" is what JSON, tables
// and Markdown have always written for an Up node that lost redundancy.
var shownNames = [...]string{shownUp: "up", shownLost: "redundancy-lost", shownDegraded: "degraded", shownDown: "down"}

func (s shown) String() string { return shownNames[s] }

// shownOf is how a node in state st, lost telling whether it lost
// redundancy, is shown.
func shownOf(st analyze.State, lost bool) shown {
	switch {
	case st == analyze.Down:
		return shownDown
	case st == analyze.Degraded:
		return shownDegraded
	case lost:
		return shownLost
	}
	return shownUp
}

// shownEffect is how an effect is shown.
func shownEffect(e analyze.Effect) shown { return shownOf(e.State, e.LostRedundancy) }
