package sqlstore_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestNotifyStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestNotifyStore(t, func(t *testing.T) storagetest.NotifyStore { return newStore(t) })
	})
}
