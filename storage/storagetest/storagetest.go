// Package storagetest holds the conformance suites that every storage
// adapter runs against itself, in the spirit of testing/fstest.TestFS.
//
// Each suite takes a function that returns a new, empty store for one test
// and checks the whole contract of one domain Store, including the
// transaction rules of package storage and concurrency:
//
//	func TestProfileStore(t *testing.T) {
//		storagetest.TestProfileStore(t, func(t *testing.T) storagetest.ProfileStore {
//			return memory.New()
//		})
//	}
//
// A host that writes its own adapter runs the same suites.
package storagetest
