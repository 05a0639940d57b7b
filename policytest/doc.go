// Package policytest makes resilience policies Go tests: Check fails the
// test once per violation, with the chain of causes, so that a change that
// would repeat Kakao's October 2022 outage fails in review, not in
// production.
//
//	func TestResilience(t *testing.T) {
//		m, err := graph.Load("model.yaml")
//		require.NoError(t, err)
//		p, err := policy.Load("policy.yaml")
//		require.NoError(t, err)
//		policytest.Check(t, m, p)
//	}
package policytest
