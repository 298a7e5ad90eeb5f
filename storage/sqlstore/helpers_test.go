package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// dbCase is one database the tests run against.
type dbCase struct {
	name string // "sqlite" or "postgres"
	// open returns a fresh, empty, migrated database for one test.
	open func(t *testing.T) (*sql.DB, sqlstore.Dialect)
}

var dbCases = []dbCase{
	{name: "sqlite", open: openSQLite},
	{name: "postgres", open: openPostgres},
}

// forEachDB runs f as the subtests db=sqlite and db=postgres. newStore
// returns a Store on a fresh migrated database each time it is called.
func forEachDB(t *testing.T, f func(t *testing.T, newStore func(t *testing.T) *sqlstore.Store)) {
	t.Helper()
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			f(t, func(t *testing.T) *sqlstore.Store {
				t.Helper()
				db, d := c.open(t)
				return migrated(t, db, d)
			})
		})
	}
}

// migrated returns a migrated Store on db, closed when the test ends.
func migrated(t *testing.T, db *sql.DB, d sqlstore.Dialect) *sqlstore.Store {
	t.Helper()
	st := sqlstore.New(db, d)
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// openSQLite opens a new database file in the test's temporary directory.
func openSQLite(t *testing.T) (*sql.DB, sqlstore.Dialect) {
	t.Helper()
	return openSQLiteFile(t, filepath.Join(t.TempDir(), "test.db")), sqlstore.SQLite
}

// openSQLiteFile opens the database file at path, closed when the test
// ends.
func openSQLiteFile(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// postgresDSN returns the DSN of the test server, or skips the test (fails
// it when USERSETTINGS_REQUIRE_POSTGRES=1) when none is configured.
func postgresDSN(t testing.TB) string {
	t.Helper()
	return pgtest.DSN(t)
}

// openPostgres creates a fresh schema for the test, dropped when it ends,
// and opens a pool whose search_path is that schema.
func openPostgres(t *testing.T) (*sql.DB, sqlstore.Dialect) {
	t.Helper()
	return openPostgresSchema(t, newSchema(t)), sqlstore.Postgres
}

// newSchema creates an empty schema with a random name, dropped when the
// test ends.
func newSchema(t testing.TB) string {
	t.Helper()
	_, schema := pgtest.Schema(t, "test")
	return schema
}

// openPostgresSchema opens a pool on the test server with search_path set
// to schema, closed when the test ends (before the schema is dropped).
func openPostgresSchema(t testing.TB, schema string) *sql.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.WithSearchPath(postgresDSN(t), schema))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
