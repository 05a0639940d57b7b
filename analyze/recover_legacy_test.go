package analyze

// The way Recover numbered a lost region and found its components before
// it took them from the graph's (recover_order.go): the region in the
// order the failure reached it, and Tarjan's algorithm over the whole
// region, twice per run. Only the tests and benchmarks that hold the two
// equal use it (recoverWith(..., legacyOrder)).
var legacyOrder = &regionOrder{
	number:     func(tr *timer, region []int32) []int32 { return region },
	components: legacyComponents,
}

// legacyComponents calls emit with each component of the region, inputs
// first, found by Tarjan's algorithm over the whole region (which emits a
// component after every component it reaches).
func legacyComponents(tr *timer, soft bool, emit func(members []int32) error) error {
	edge := func(i, j int32) (int32, bool) {
		v := tr.region[i]
		ins, _ := tr.c.Inputs(v)
		if int(j) < len(ins) {
			return tr.rank(ins[j]), true
		}
		if !soft {
			return 0, false
		}
		sins := tr.c.SoftInputs(v)
		if k := int(j) - len(ins); k < len(sins) {
			return tr.rank(sins[k]), true
		}
		return 0, false
	}
	return tr.sccs.run(len(tr.region), edge, emit)
}
