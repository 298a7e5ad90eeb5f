// Package pgtest gives a test a fresh, empty schema on the PostgreSQL
// server named by USERSETTINGS_POSTGRES_DSN, dropped when the test ends.
// Without the variable the test is skipped, with a message naming it, or
// fails when USERSETTINGS_REQUIRE_POSTGRES=1 (./scripts/test sets both,
// so PostgreSQL tests never pass by skipping there).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
)

// Environment variables that point the tests at a PostgreSQL server.
const (
	EnvDSN     = "USERSETTINGS_POSTGRES_DSN"
	EnvRequire = "USERSETTINGS_REQUIRE_POSTGRES"
)

// DSN returns the DSN of the test server. Without one it skips t, or
// fails it when USERSETTINGS_REQUIRE_POSTGRES=1.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests must run (./scripts/test starts a server)", EnvDSN, EnvRequire)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (./scripts/test starts a throwaway server)", EnvDSN)
	}
	return dsn
}

var (
	adminOnce sync.Once
	adminDB   *sql.DB
	adminErr  error
)

// admin returns the pool, shared by the tests of the process, that
// creates and drops schemas.
func admin(t testing.TB) *sql.DB {
	t.Helper()
	dsn := DSN(t)
	adminOnce.Do(func() { adminDB, adminErr = postgres.Open(context.Background(), dsn) })
	if adminErr != nil {
		t.Fatalf("postgres.Open: %v", adminErr)
	}
	return adminDB
}

// Schema creates an empty schema named prefix_ and 16 random hex digits
// on the test server, dropped with everything in it when t ends, and
// returns a DSN whose search_path is that schema, and its name. Close
// the pools opened on the DSN in a t.Cleanup registered after Schema
// returns, so they close before the schema is dropped.
func Schema(t testing.TB, prefix string) (dsn, schema string) {
	t.Helper()
	return schemaOn(t, admin(t), DSN(t), prefix)
}

// SchemaOn is Schema on the server of dsn, for a test that runs a
// server of its own; the pool that creates and drops the schema is
// closed when t ends.
func SchemaOn(t testing.TB, dsn, prefix string) (schemaDSN, schema string) {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() }) // after the drop, which was registered later
	return schemaOn(t, db, dsn, prefix)
}

// schemaOn creates the schema through db, on the server of dsn.
func schemaOn(t testing.TB, db *sql.DB, dsn, prefix string) (string, string) {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("CREATE SCHEMA: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("DROP SCHEMA: %v", err)
		}
	})
	return WithSearchPath(dsn, schema), schema
}

// WithSearchPath returns dsn, a URL (postgres://…) or key=value DSN, with
// its search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}
