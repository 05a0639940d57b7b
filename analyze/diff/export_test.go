package diff

import "github.com/blastradius-go/blastradius/graph"

// Smallest is smallest, for the tests.
var Smallest = smallest

// UsersOrder is usersOrder, for the tests.
var UsersOrder = usersOrder

// Scoped reports whether a comparison of a and b ranks only some of their
// failures.
func Scoped(a, b *graph.Compiled) bool {
	m := matchModels(a, b)
	return !scopeOf(m, changesOf(m)).all
}
