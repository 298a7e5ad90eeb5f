package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // pgx5:// URLs
	_ "github.com/golang-migrate/migrate/v4/database/sqlite" // sqlite:// URLs (modernc.org/sqlite)
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// toolDB is a fresh, empty database for one test, with the URL
// golang-migrate opens it by.
type toolDB struct {
	db  *sql.DB
	d   sqlstore.Dialect
	url string // without query parameters of golang-migrate
}

// newToolDB creates the database: an SQLite file, or a PostgreSQL schema
// that the URL selects with search_path.
func newToolDB(t *testing.T, c dbCase) toolDB {
	t.Helper()
	if c.name == "sqlite" {
		path := filepath.Join(t.TempDir(), "host.db")
		return toolDB{db: openSQLiteFile(t, path), d: sqlstore.SQLite, url: "sqlite://" + path}
	}
	schema := newSchema(t)
	u, err := url.Parse(pgtest.WithSearchPath(postgresDSN(t), schema))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL for golang-migrate", pgtest.EnvDSN)
	}
	u.Scheme = "pgx5"
	return toolDB{db: openPostgresSchema(t, schema), d: sqlstore.Postgres, url: u.String()}
}

// golangMigrate returns a golang-migrate instance applying the files of
// dir in fsys to the database, recording versions in table (its default
// schema_migrations when table is "").
func (h toolDB) golangMigrate(t *testing.T, fsys fs.FS, dir, table string) *migrate.Migrate {
	t.Helper()
	src, err := iofs.New(fsys, dir)
	if err != nil {
		t.Fatalf("iofs.New: %v", err)
	}
	dbURL := h.url
	if table != "" {
		sep := "?"
		if strings.Contains(dbURL, "?") {
			sep = "&"
		}
		dbURL += sep + "x-migrations-table=" + table
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, dbURL)
	if err != nil {
		t.Fatalf("migrate.NewWithSourceInstance: %v", err)
	}
	t.Cleanup(func() { _, _ = m.Close() })
	return m
}

// hostMigrations are the host application's own golang-migrate files.
var hostMigrations = os.DirFS("testdata/host")

// objects lists the schema objects of the database, sorted, as "kind
// name": on SQLite tables and indexes, on PostgreSQL tables (r), indexes
// (i), sequences (S) and constraints (c).
func objects(t *testing.T, db *sql.DB, d sqlstore.Dialect) []string {
	t.Helper()
	q := `SELECT type || ' ' || name FROM sqlite_schema
		WHERE name <> 'sqlite_sequence' AND name NOT LIKE 'sqlite_stat%' ORDER BY 1`
	if d == sqlstore.Postgres {
		q = `SELECT c.relkind::text || ' ' || c.relname FROM pg_catalog.pg_class c
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i', 'S')
			UNION ALL
			SELECT 'c ' || conname FROM pg_catalog.pg_constraint
			WHERE connamespace = current_schema()::regnamespace
			ORDER BY 1`
	}
	return column(t, db, q)
}

// column returns the first column of every row the query returns.
func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// wantObjects fails the test when one of the names is no table or index
// of the database.
func wantObjects(t *testing.T, have []string, names ...string) {
	t.Helper()
	for _, name := range names {
		if !containsName(have, name) {
			t.Errorf("%s missing; the database has %v", name, have)
		}
	}
}

// containsName reports whether a list of objects has one named name.
func containsName(objs []string, name string) bool {
	return slices.ContainsFunc(objs, func(o string) bool { return strings.HasSuffix(o, " "+name) })
}

// hostVersion returns the version recorded in schema_migrations.
func hostVersion(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(`SELECT version FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatalf("reading schema_migrations: %v", err)
	}
	return v
}

// recordHostVersion creates schema_migrations as golang-migrate does and
// records v in it.
func recordHostVersion(t testing.TB, db *sql.DB, d sqlstore.Dialect, v int64) {
	t.Helper()
	qs := []string{`CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`}
	if d == sqlstore.SQLite {
		qs = []string{
			`CREATE TABLE schema_migrations (version uint64, dirty bool)`,
			`CREATE UNIQUE INDEX version_unique ON schema_migrations (version)`,
		}
	}
	for _, q := range qs {
		mustExec(t, db, q)
	}
	mustExec(t, db, sqlstore.Rebind(d, `INSERT INTO schema_migrations (version, dirty) VALUES (?, ?)`), v, false)
}

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// useStore checks that the Store reads and writes its tables: it creates
// a profile and an account and reads the account back by email.
func useStore(t *testing.T, st *sqlstore.Store, id string) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := profile.Profile{ID: "prf_" + id, CreatedAt: now, UpdatedAt: now}
	a := account.Account{ID: "acc_" + id, ProfileID: p.ID, Email: id + "@example.com", Status: account.StatusActive, CreatedAt: now}
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if got, err := st.AccountByEmail(ctx, strings.ToUpper(a.Email)); err != nil || got.ID != a.ID {
		t.Errorf("AccountByEmail = %v, %v; want %s", got, err, a.ID)
	}
}

// TestMigrateNextToHost shows a host that runs its own migrations with
// golang-migrate (its default schema_migrations table) and has tables
// named as hosts name them (alexedwards/scs's sessions, users, tokens):
// Migrate creates the SDK's tables next to them, each tool records its
// own version, and a second run of either changes nothing.
func TestMigrateNextToHost(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			ctx := context.Background()
			h := newToolDB(t, c)
			host := h.golangMigrate(t, hostMigrations, h.d.String(), "")
			if err := host.Up(); err != nil {
				t.Fatalf("host migrations: %v", err)
			}
			st := sqlstore.New(h.db, h.d)
			if err := st.Migrate(ctx); err != nil {
				t.Fatalf("Migrate next to the host's schema: %v", err)
			}
			before := objects(t, h.db, h.d)
			wantObjects(t, before, "sessions", "sessions_expiry_idx", "users", "tokens", "schema_migrations",
				"us_sessions", "us_sessions_digest_key", "us_accounts", "us_tokens", sqlstore.DefaultMigrationsTable)
			wantHostVersion := func() {
				t.Helper()
				if v, dirty, err := host.Version(); err != nil || v != 3 || dirty {
					t.Errorf("host version = %d (dirty %v), %v; want 3", v, dirty, err)
				}
			}
			wantHostVersion()
			wantVersion(t, st, sqlstore.SchemaVersion(h.d))

			if err := host.Up(); !errors.Is(err, migrate.ErrNoChange) {
				t.Errorf("host migrations again: %v, want migrate.ErrNoChange", err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
			if diff := cmp.Diff(before, objects(t, h.db, h.d)); diff != "" {
				t.Errorf("the second runs changed the schema (-before +after):\n%s", diff)
			}
			wantHostVersion()
			wantVersion(t, st, sqlstore.SchemaVersion(h.d))

			expiry := any(time.Now().Add(time.Hour))
			if h.d == sqlstore.SQLite {
				expiry = 2461072.5 // scs stores a Julian day
			}
			mustExec(t, h.db, sqlstore.Rebind(h.d, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)`),
				"scs-token", []byte("data"), expiry)
			useStore(t, st, "ada")
		})
	}
}

// TestMigrateHostVersion runs Migrate on a database whose schema_migrations
// belongs to the host's golang-migrate, at a version below, at and above
// the SDK's own: Migrate neither reads nor changes it, and does not take
// host tables that share a name with tables of v0.1.0 for those.
func TestMigrateHostVersion(t *testing.T) {
	cases := []struct {
		name    string
		version int64
		host    []string // the host's own tables
	}{
		{"3", 3, nil},
		{"6", 6, nil},
		{"12", 12, nil},
		{"6/accounts", 6, []string{
			`CREATE TABLE accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL)`,
			`CREATE TABLE pending_accounts (id TEXT PRIMARY KEY)`,
		}},
	}
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run("host="+tc.name, func(t *testing.T) {
					db, d := c.open(t)
					recordHostVersion(t, db, d, tc.version)
					for _, q := range tc.host {
						mustExec(t, db, q)
					}
					st := sqlstore.New(db, d)
					if err := st.Migrate(context.Background()); err != nil {
						t.Fatalf("Migrate next to a host at version %d: %v", tc.version, err)
					}
					if got := hostVersion(t, db); got != tc.version {
						t.Errorf("host version = %d, want %d (unchanged)", got, tc.version)
					}
					wantVersion(t, st, sqlstore.SchemaVersion(d))
					wantObjects(t, objects(t, db, d), "us_accounts", "us_pending_accounts", "us_sessions")
					if len(tc.host) > 0 {
						wantObjects(t, objects(t, db, d), "accounts", "pending_accounts")
					}
					useStore(t, st, "ada")
				})
			}
		})
	}
}
