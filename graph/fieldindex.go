package graph

// The fields' numbers by name, for the decoder. TestFieldIndex holds them
// equal to the lists nodeFields and replicaFields, which stay the rule.

// nodeField is slices.Index(nodeFields, f): a switch, which finds a field in a few
// comparisons where the list compared it with every name before it
// (about 2% of a load's CPU, once per field of every node).
func nodeField(f string) int {
	switch f {
	case "kind":
		return 0
	case "description":
		return 1
	case "users":
		return 2
	case "tier":
		return 3
	case "labels":
		return 4
	case "region":
		return 5
	case "site":
		return 6
	case "replicas":
		return 7
	case "demand":
		return 8
	case "degraded_at":
		return 9
	case "requires":
		return 10
	case "uses":
		return 11
	case "restart":
		return 12
	case "rto":
		return 13
	case "availability":
		return 14
	case "mtbf":
		return 15
	case "mttr":
		return 16
	case "repair_requires":
		return 17
	case "on_site":
		return 18
	}
	return -1
}

// replicaField is slices.Index(replicaFields, f): a switch, which finds a field in a few
// comparisons where the list compared it with every name before it
// (once per field of every replica).
func replicaField(f string) int {
	switch f {
	case "site":
		return 0
	case "capacity":
		return 1
	case "standby":
		return 2
	case "recovery":
		return 3
	case "requires":
		return 4
	case "failover_requires":
		return 5
	}
	return -1
}
