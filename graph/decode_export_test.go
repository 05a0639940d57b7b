package graph

// SetFastRead turns the fast readers on or off for the tests of package
// graph_test, and returns the function that restores the setting.
func SetFastRead(on bool) (restore func()) {
	saved := fastRead
	fastRead = on
	return func() { fastRead = saved }
}

// CompileByLookup compiles m as Compile does, except that every reference
// is looked up by its id instead of taken from what validation resolved:
// the tests hold the two equal.
func CompileByLookup(m *Model) (*Compiled, error) {
	ps, res := m.validate()
	if err := ps.err(); err != nil {
		return nil, err
	}
	res.refs = nil
	return compile(m, res)
}
