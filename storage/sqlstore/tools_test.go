package sqlstore_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// TestGolangMigrate applies Migrations with golang-migrate, pointed at the
// Store's migrations table as docs/schema.md shows, to an empty database:
// the Store then reads the version golang-migrate recorded and finds
// nothing to migrate; golang-migrate's second run changes nothing and its
// down migrations remove every table.
func TestGolangMigrate(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			ctx := context.Background()
			h := newToolDB(t, c)
			m := h.golangMigrate(t, sqlstore.Migrations, sqlstore.MigrationsDir(h.d), sqlstore.DefaultMigrationsTable)
			if err := m.Up(); err != nil {
				t.Fatalf("golang-migrate up: %v", err)
			}
			latest := sqlstore.SchemaVersion(h.d)
			if v, dirty, err := m.Version(); err != nil || int64(v) != latest || dirty {
				t.Errorf("golang-migrate version = %d (dirty %v), %v; want %d", v, dirty, err, latest)
			}
			st := sqlstore.New(h.db, h.d)
			wantVersion(t, st, latest)
			before := objects(t, h.db, h.d)
			wantObjects(t, before, "us_accounts", "us_sessions_digest_key", sqlstore.DefaultMigrationsTable)
			if err := st.Migrate(ctx); err != nil {
				t.Fatalf("Migrate after golang-migrate: %v", err)
			}
			if err := m.Up(); !errors.Is(err, migrate.ErrNoChange) {
				t.Errorf("golang-migrate up again: %v, want migrate.ErrNoChange", err)
			}
			if diff := cmp.Diff(before, objects(t, h.db, h.d)); diff != "" {
				t.Errorf("the second runs changed the schema (-before +after):\n%s", diff)
			}
			useStore(t, st, "ada")

			if err := m.Down(); err != nil {
				t.Fatalf("golang-migrate down: %v", err)
			}
			if got := tables(t, h.db, h.d); !cmp.Equal(got, []string{sqlstore.DefaultMigrationsTable}) {
				t.Errorf("tables after golang-migrate down: %v, want only %s", got, sqlstore.DefaultMigrationsTable)
			}
		})
	}
}

// gooseTable is where the goose test records versions: not goose's
// default goose_db_version, which the host's own goose migrations use.
const gooseTable = "usersettings_goose_db_version"

// TestGoose applies GooseMigrations with goose to an empty database and
// uses the Store on the result; goose's second run changes nothing and
// its down migrations remove every table.
func TestGoose(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			ctx := context.Background()
			db, d := c.open(t)
			dialect := goose.DialectSQLite3
			if d == sqlstore.Postgres {
				dialect = goose.DialectPostgres
			}
			p, err := goose.NewProvider(dialect, db, sqlstore.GooseMigrations(d), goose.WithTableName(gooseTable))
			if err != nil {
				t.Fatalf("goose.NewProvider: %v", err)
			}
			res, err := p.Up(ctx)
			if err != nil {
				t.Fatalf("goose up: %v", err)
			}
			latest := sqlstore.SchemaVersion(d)
			// Versions may have gaps (a number kept for another branch).
			ups, err := fs.Glob(sqlstore.Migrations, sqlstore.MigrationsDir(d)+"/*.up.sql")
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != len(ups) {
				t.Errorf("goose applied %d migrations, want %d", len(res), len(ups))
			}
			if v, err := p.GetDBVersion(ctx); err != nil || v != latest {
				t.Errorf("goose version = %d, %v; want %d", v, err, latest)
			}
			before := objects(t, db, d)
			wantObjects(t, before, "us_accounts", "us_sessions_digest_key", gooseTable)
			if res, err := p.Up(ctx); err != nil || len(res) != 0 {
				t.Errorf("goose up again: %d migrations, %v; want none", len(res), err)
			}
			if diff := cmp.Diff(before, objects(t, db, d)); diff != "" {
				t.Errorf("goose's second run changed the schema (-before +after):\n%s", diff)
			}
			useStore(t, sqlstore.New(db, d), "ada")

			if _, err := p.DownTo(ctx, 0); err != nil {
				t.Fatalf("goose down: %v", err)
			}
			if got := tables(t, db, d); !cmp.Equal(got, []string{gooseTable}) {
				t.Errorf("tables after goose down: %v, want only %s", got, gooseTable)
			}
		})
	}
}
