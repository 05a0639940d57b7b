package graph

// SetFastRead turns the fast readers on or off for the tests of package
// graph_test, and returns the function that restores the setting.
func SetFastRead(on bool) (restore func()) {
	saved := fastRead
	fastRead = on
	return func() { fastRead = saved }
}
