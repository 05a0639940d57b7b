package graph

// SetInPlaceCSR makes Compile write its CSR arrays in place or collect the
// edges first (the way before), for the tests of package graph_test, and
// returns the function that restores the setting.
func SetInPlaceCSR(on bool) (restore func()) {
	saved := inPlaceCSR
	inPlaceCSR = on
	return func() { inPlaceCSR = saved }
}

// CompilesInPlace reports whether m, which must be valid, compiles in
// place without falling back to the edge lists.
func CompilesInPlace(m *Model) bool {
	_, res := m.validate()
	_, ok := compileWith(m, res, true)
	return ok
}

// Resolve validates m, checking its nodes on two cores (as a large model
// is) or on one, and returns its problems and the node of every reference.
func Resolve(m *Model, split bool) ([]int32, error) {
	saved := splitValidate
	splitValidate = split
	defer func() { splitValidate = saved }()
	ps, res := m.validate()
	return res.refs, ps.err()
}
