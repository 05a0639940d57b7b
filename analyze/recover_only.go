package analyze

import (
	"slices"
	"time"

	"github.com/blastradius-go/blastradius/graph"
)

// onlyRows fills tl for RecoverOptions.Only: the rows keep selects, in the
// timeline's order (the order the failure reached them, region), and the
// totals of every affected node, equal to a full timeline's; down and up
// are the times of local, row builds one row.
//
// The user-hours are sums of floats, so they are summed in the timeline's
// order, as a full Recover sums them; the rest of the totals and each
// vertex's user-hours (Recovery.setHours, the full row's arithmetic) are
// computed first in the timer's order (local: by vertex), in which the
// timer's times and the graph's arrays are read nearly in order, so the
// pass in the timeline's order reads one pair of floats per vertex. A
// group and a replica add 0 there, which leaves a sum of non-negative
// floats as it was: the same sum as over the nodes alone.
func (tr *timer) onlyRows(tl *Timeline, region, local []int32, down, up []time.Duration, keep func(v int32) bool, row func(i, v int32) Recovery) {
	c := tr.c
	hours := slices.Grow(tr.hours[:0], len(local))[:len(local)]
	tr.hours = hours
	kept := fill(tr.kept, len(local), false)
	tr.kept = kept
	horizon := tl.Horizon
	for i, v := range local {
		hours[i] = [2]float64{}
		k := c.VertexKind(v)
		if k != graph.NodeVertex && k != graph.ReplicaVertex {
			continue
		}
		r := Recovery{
			Replica:       k == graph.ReplicaVertex,
			Users:         c.Users(v),
			DownUntil:     clip(down[i], horizon),
			DegradedUntil: clip(up[i], horizon),
		}
		tl.count(&r)
		if !r.Replica {
			r.setHours(horizon)
			hours[i] = [2]float64{r.DownUserHours, r.DegradedUserHours}
		}
		kept[i] = keep(v)
	}
	t := &tl.Totals
	for _, v := range region {
		i := tr.rank(v)
		t.DownUserHours += hours[i][0]
		t.DegradedUserHours += hours[i][1]
		if kept[i] {
			tl.Recoveries = append(tl.Recoveries, row(i, v))
		}
	}
}
