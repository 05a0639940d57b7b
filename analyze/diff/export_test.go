package diff

// Smallest is smallest, for the tests.
var Smallest = smallest

// UsersOrder is usersOrder, for the tests.
var UsersOrder = usersOrder
