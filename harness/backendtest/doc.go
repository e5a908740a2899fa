// Package backendtest checks that a harness.Backend behaves as the harness expects, the way
// testing/fstest checks an fs.FS: every backend, present and future (plib-pku, plib-nopku), runs
// the same conformance suite from its own tests:
//
//	func TestConformance(t *testing.T) {
//		b, err := harness.Open("plib-nopku", harness.Config{RecordCount: 1000, MaxKeySize: 64, MaxValueSize: 8192, Workers: 4})
//		...
//		backendtest.TestBackend(t, b)
//	}
package backendtest
