package sqlstore_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestSSOStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestSSOStore(t, func(t *testing.T) storagetest.SSOStore { return newStore(t) })
	})
}
