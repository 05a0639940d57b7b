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
