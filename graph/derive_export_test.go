package graph

// SetSplitDerive makes finishCSR and derive work on two cores (from edges
// hard edges on) or on one, for the tests of package graph_test, and
// returns the function that restores the settings.
func SetSplitDerive(on bool, edges int) (restore func()) {
	saved, savedEdges := splitDerive, splitEdges
	splitDerive, splitEdges = on, edges
	return func() { splitDerive, splitEdges = saved, savedEdges }
}
