package diff

// Smallest is smallest, for the tests.
var Smallest = smallest

// SetChunks sets how many old pairs a chunk keeps and how many parts the
// old model's candidates run in, for the tests, and returns what restores
// them.
func SetChunks(pairs, parts int) (restore func()) {
	p, q := chunkPairs, partOf
	chunkPairs, partOf = pairs, parts
	return func() { chunkPairs, partOf = p, q }
}
