package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

// A prefix of the longest length allowed, and a migrations table of the
// host's choice.
const (
	hostPrefix       = "acme_settings_of_the_host_app_1_"
	hostVersionTable = "acme_usersettings_version"
)

// TestTablePrefix runs the conformance suites on Stores created with
// WithTablePrefix and WithMigrationsTable: each statement of the Store
// and each migration finds its tables under the prefix, and the schema
// holds no object named otherwise. The statements are the same text on
// both dialects except the token lookups, so SQLite runs every suite
// (storagetest.TestAll) and PostgreSQL the migrations and the token suite.
func TestTablePrefix(t *testing.T) {
	if len(hostPrefix) != 32 {
		t.Fatalf("hostPrefix has %d characters, want the maximum, 32", len(hostPrefix))
	}
	opts := []sqlstore.Option{sqlstore.WithTablePrefix(hostPrefix), sqlstore.WithMigrationsTable(hostVersionTable)}
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			newStore := func(t *testing.T) *sqlstore.Store {
				t.Helper()
				db, d := c.open(t)
				st := sqlstore.New(db, d, opts...)
				t.Cleanup(func() { _ = st.Close() })
				if err := st.Migrate(context.Background()); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				wantVersion(t, st, sqlstore.SchemaVersion(d))
				return st
			}
			t.Run("Schema", func(t *testing.T) {
				db, d := c.open(t)
				if err := sqlstore.New(db, d, opts...).Migrate(context.Background()); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				checkPrefixed(t, db, d)
			})
			if c.name != "sqlite" {
				storagetest.TestTokenStore(t, func(t *testing.T) storagetest.TokenStore { return newStore(t) })
				return
			}
			storagetest.TestAll(t, func(t *testing.T) storagetest.Store { return newStore(t) })
		})
	}
}

// checkPrefixed fails the test for every schema object whose name does
// not start with the prefix or the migrations table's name.
func checkPrefixed(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
	t.Helper()
	objs := objects(t, db, d)
	if !containsName(objs, hostPrefix+"accounts") || !containsName(objs, hostVersionTable) {
		t.Fatalf("%saccounts or %s missing; the database has %v", hostPrefix, hostVersionTable, objs)
	}
	for _, o := range objs {
		_, name, _ := strings.Cut(o, " ")
		name = strings.TrimPrefix(name, "sqlite_autoindex_")
		if !strings.HasPrefix(name, hostPrefix) && !strings.HasPrefix(name, hostVersionTable) {
			t.Errorf("%s is named without the prefix", o)
		}
	}
}

// TestNewPanicsOnBadNames checks that New refuses a table prefix or a
// migrations table name that is not a plain lower-case identifier.
func TestNewPanicsOnBadNames(t *testing.T) {
	db, d := openSQLite(t)
	cases := []struct {
		opt   sqlstore.Option
		name  string
		panic bool
	}{
		{sqlstore.WithTablePrefix("a"), "prefix a", false},
		{sqlstore.WithTablePrefix("app2_"), "prefix app2_", false},
		{sqlstore.WithTablePrefix(strings.Repeat("a", 32)), "prefix of 32", false},
		{sqlstore.WithTablePrefix(""), "empty prefix", true},
		{sqlstore.WithTablePrefix("Us_"), "upper case", true},
		{sqlstore.WithTablePrefix("1us_"), "leading digit", true},
		{sqlstore.WithTablePrefix("_us"), "leading underscore", true},
		{sqlstore.WithTablePrefix("us-"), "hyphen", true},
		{sqlstore.WithTablePrefix("us_\""), "quote", true},
		{sqlstore.WithTablePrefix("us; DROP TABLE x; --"), "statement", true},
		{sqlstore.WithTablePrefix("üs_"), "non-ASCII", true},
		{sqlstore.WithTablePrefix(strings.Repeat("a", 33)), "prefix of 33", true},
		{sqlstore.WithMigrationsTable("app_versions"), "table app_versions", false},
		{sqlstore.WithMigrationsTable(""), "empty table", true},
		{sqlstore.WithMigrationsTable("public.versions"), "qualified table", true},
		{sqlstore.WithMigrationsTable(strings.Repeat("v", 64)), "table of 64", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := func() (p any) {
				defer func() { p = recover() }()
				sqlstore.New(db, d, tc.opt)
				return nil
			}()
			if (got != nil) != tc.panic {
				t.Errorf("New panicked: %v, want a panic: %v", got, tc.panic)
			}
			if got != nil && !strings.HasPrefix(fmt.Sprint(got), "sqlstore: New with the ") {
				t.Errorf("panic %q does not say what is wrong", got)
			}
		})
	}
}
