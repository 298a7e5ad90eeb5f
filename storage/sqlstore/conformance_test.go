package sqlstore_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

// The conformance suites of package storagetest, on SQLite (a file in a
// temporary directory) and PostgreSQL (a fresh schema per test).

func TestProfileStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestProfileStore(t, func(t *testing.T) storagetest.ProfileStore { return newStore(t) })
	})
}

func TestAccountStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestAccountStore(t, func(t *testing.T) storagetest.AccountStore { return newStore(t) })
	})
}

func TestVerificationStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestVerificationStore(t, func(t *testing.T) storagetest.VerificationStore { return newStore(t) })
	})
}

func TestHistoryStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestHistoryStore(t, func(t *testing.T) storagetest.HistoryStore { return newStore(t) })
	})
}
