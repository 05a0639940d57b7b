package diff

// Smallest is smallest, for the tests.
var Smallest = smallest
