// Package storagetest holds the conformance suites that every storage
// adapter runs against itself, in the spirit of testing/fstest.TestFS.
//
// An adapter that implements every Store of the SDK runs them all with
// one call:
//
//	func TestAll(t *testing.T) {
//		storagetest.TestAll(t, func(t *testing.T) storagetest.Store { return memory.New() })
//	}
//
// Each suite also runs on its own and needs only the Store it checks, a
// storage.Transactor and, for records that hang on profiles and accounts,
// the four-method Fixture: a host can check its token.Store before it has
// written the merge store.
//
//	storagetest.TestTokenStore(t, func(t *testing.T) storagetest.TokenStore { return myAdapter(t) })
//
// Each suite takes a function that returns a new, empty store for one test
// and checks the whole contract of one domain Store, including the
// transaction rules of package storage and concurrency. CoverageProblems
// lets an adapter's own tests check that every kind of record it stores is
// exported and erased by the personal-data catalogue.
package storagetest

import "github.com/seed-a97ca23f/usersettings/usersettingstest"

// wantErr is the one error check of the suites (usersettingstest.WantErr).
var wantErr = usersettingstest.WantErr
