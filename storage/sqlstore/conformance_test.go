package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

// TestAll runs every conformance suite of package storagetest on SQLite
// (a file in a temporary directory) and PostgreSQL (a fresh schema per
// test), each store with the dump of everything its database holds for
// the erasure suite (see dumpStore).
func TestAll(t *testing.T) {
	t.Run("db=sqlite", func(t *testing.T) {
		storagetest.TestAll(t, func(t *testing.T) storagetest.Store {
			path := filepath.Join(t.TempDir(), "test.db")
			db := openSQLiteFile(t, path)
			return &dumpStore{Store: migrated(t, db, sqlstore.SQLite), db: db, d: sqlstore.SQLite, path: path}
		})
	})
	t.Run("db=postgres", func(t *testing.T) {
		storagetest.TestAll(t, func(t *testing.T) storagetest.Store {
			schema := newSchema(t)
			db := openPostgresSchema(t, schema)
			return &dumpStore{Store: migrated(t, db, sqlstore.Postgres), db: db, d: sqlstore.Postgres,
				dsn: postgresDSN(t), schema: schema}
		})
	})
}
