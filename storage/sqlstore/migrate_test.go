package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

func TestMigrate(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			t.Run("EmptyThenNoop", func(t *testing.T) { testMigrateEmptyThenNoop(t, c) })
			t.Run("Concurrent", func(t *testing.T) { testMigrateConcurrent(t, c) })
			t.Run("ErrSchemaTooNew", func(t *testing.T) { testMigrateTooNew(t, c) })
			t.Run("ErrDirtySchema", func(t *testing.T) { testMigrateDirty(t, c) })
			t.Run("DownThenUp", func(t *testing.T) { testMigrateDownUp(t, c) })
		})
	}
}

// openTwice opens two pools on one fresh database, as two processes would.
func openTwice(t *testing.T, c dbCase) (a, b *sql.DB, d sqlstore.Dialect) {
	t.Helper()
	if c.name == "sqlite" {
		file := path.Join(t.TempDir(), "shared.db")
		return openSQLiteFile(t, file), openSQLiteFile(t, file), sqlstore.SQLite
	}
	schema := newSchema(t)
	return openPostgresSchema(t, schema), openPostgresSchema(t, schema), sqlstore.Postgres
}

// tables lists the tables of the Store's schema, sorted.
func tables(t *testing.T, db *sql.DB, d sqlstore.Dialect) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	return column(t, db, q)
}

func wantVersion(t *testing.T, st *sqlstore.Store, want int64) {
	t.Helper()
	got, err := st.Version(context.Background())
	if err != nil || got != want {
		t.Errorf("Version() = %d, %v; want %d", got, err, want)
	}
}

func testMigrateEmptyThenNoop(t *testing.T, c dbCase) {
	ctx := context.Background()
	db, d := c.open(t)
	st := sqlstore.New(db, d)
	wantVersion(t, st, 0)
	latest := sqlstore.SchemaVersion(d)
	if latest < 1 {
		t.Fatalf("SchemaVersion(%v) = %d, want at least 1", d, latest)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate on an empty database: %v", err)
	}
	wantVersion(t, st, latest)
	before := tables(t, db, d)
	for _, want := range []string{"us_profiles", "us_accounts", "us_verification_codes", "us_history", sqlstore.DefaultMigrationsTable} {
		if !slices.Contains(before, want) {
			t.Errorf("table %s missing after Migrate; tables: %v", want, before)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	wantVersion(t, st, latest)
	if diff := cmp.Diff(before, tables(t, db, d)); diff != "" {
		t.Errorf("tables changed by the second Migrate (-before +after):\n%s", diff)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM ` + sqlstore.DefaultMigrationsTable).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%s has %d rows (%v), want 1 (golang-migrate's layout)", sqlstore.DefaultMigrationsTable, rows, err)
	}
	if slices.Contains(before, "schema_migrations") {
		t.Errorf("Migrate created schema_migrations, golang-migrate's default table, which is the host's")
	}
}

func testMigrateConcurrent(t *testing.T, c dbCase) {
	a, b, d := openTwice(t, c)
	stores := []*sqlstore.Store{sqlstore.New(a, d), sqlstore.New(b, d)}
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = stores[i%2].Migrate(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	wantVersion(t, stores[0], sqlstore.SchemaVersion(d))
	p := profile.Profile{ID: "prf_1", CreatedAt: time.Unix(0, 0).UTC(), UpdatedAt: time.Unix(0, 0).UTC()}
	if err := stores[0].CreateProfile(context.Background(), p); err != nil {
		t.Fatalf("CreateProfile after concurrent migrations: %v", err)
	}
	if _, err := stores[1].Profile(context.Background(), "prf_1"); err != nil {
		t.Errorf("Profile through the other pool: %v", err)
	}
}

func testMigrateTooNew(t *testing.T, c dbCase) {
	db, d := c.open(t)
	st := migrated(t, db, d)
	newer := sqlstore.SchemaVersion(d) + 1
	if _, err := db.Exec(sqlstore.Rebind(d, `UPDATE `+sqlstore.DefaultMigrationsTable+` SET version = ?`), newer); err != nil {
		t.Fatalf("recording a newer version: %v", err)
	}
	before := tables(t, db, d)
	err := st.Migrate(context.Background())
	if !errors.Is(err, sqlstore.ErrSchemaTooNew) {
		t.Errorf("Migrate on a newer schema: got %v, want ErrSchemaTooNew", err)
	}
	wantVersion(t, st, newer)
	if diff := cmp.Diff(before, tables(t, db, d)); diff != "" {
		t.Errorf("refused Migrate changed the tables (-before +after):\n%s", diff)
	}
}

func testMigrateDirty(t *testing.T, c dbCase) {
	db, d := c.open(t)
	st := migrated(t, db, d)
	if _, err := db.Exec(sqlstore.Rebind(d, `UPDATE `+sqlstore.DefaultMigrationsTable+` SET dirty = ?`), true); err != nil {
		t.Fatalf("marking the schema dirty: %v", err)
	}
	if err := st.Migrate(context.Background()); !errors.Is(err, sqlstore.ErrDirtySchema) {
		t.Errorf("Migrate on a dirty schema: got %v, want ErrDirtySchema", err)
	}
}

// testMigrateDownUp runs every down migration, newest first, as
// golang-migrate would, and migrates up again.
func testMigrateDownUp(t *testing.T, c dbCase) {
	db, d := c.open(t)
	st := migrated(t, db, d)
	files := migrationFiles(t, d)
	for i := len(files) - 1; i >= 0; i-- {
		down, err := fs.ReadFile(sqlstore.Migrations, path.Join(sqlstore.MigrationsDir(d), files[i]+".down.sql"))
		if err != nil {
			t.Fatalf("reading %s.down.sql: %v", files[i], err)
		}
		if _, err := db.Exec(string(down)); err != nil {
			t.Fatalf("%s.down.sql: %v", files[i], err)
		}
	}
	if got := tables(t, db, d); !cmp.Equal(got, []string{sqlstore.DefaultMigrationsTable}) {
		t.Errorf("tables after every down migration: %v, want only %s", got, sqlstore.DefaultMigrationsTable)
	}
	if _, err := db.Exec(`DELETE FROM ` + sqlstore.DefaultMigrationsTable); err != nil {
		t.Fatalf("resetting the version: %v", err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate after the down migrations: %v", err)
	}
	wantVersion(t, st, sqlstore.SchemaVersion(d))
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.(up|down)\.sql$`)

// migrationFiles returns the base names (NNNN_name) of the dialect's
// migrations in version order, checking the naming rules on the way.
func migrationFiles(t *testing.T, d sqlstore.Dialect) []string {
	t.Helper()
	entries, err := fs.ReadDir(sqlstore.Migrations, sqlstore.MigrationsDir(d))
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	var ups, downs []string
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%s: want NNNN_name.up.sql or NNNN_name.down.sql", e.Name())
			continue
		}
		base := strings.TrimSuffix(e.Name(), "."+m[2]+".sql")
		if m[2] == "up" {
			ups = append(ups, base)
		} else {
			downs = append(downs, base)
		}
	}
	if diff := cmp.Diff(ups, downs); diff != "" {
		t.Errorf("%v: every up migration needs a down migration (-up +down):\n%s", d, diff)
	}
	return ups
}

// TestMigrationFiles checks the layout hosts' migration tools rely on:
// zero-padded versions, an up and a down file for each, the same versions
// and names for both dialects, and the goose view of them.
func TestMigrationFiles(t *testing.T) {
	lite, pg := migrationFiles(t, sqlstore.SQLite), migrationFiles(t, sqlstore.Postgres)
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Errorf("sqlite and postgres migrations differ (-sqlite +postgres):\n%s", diff)
	}
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		goose := sqlstore.GooseMigrations(d)
		for _, base := range migrationFiles(t, d) {
			data, err := fs.ReadFile(goose, base+".sql")
			if err != nil {
				t.Errorf("GooseMigrations(%v): %v", d, err)
				continue
			}
			text := string(data)
			up, _ := fs.ReadFile(sqlstore.Migrations, path.Join(sqlstore.MigrationsDir(d), base+".up.sql"))
			down, _ := fs.ReadFile(sqlstore.Migrations, path.Join(sqlstore.MigrationsDir(d), base+".down.sql"))
			if !strings.HasPrefix(text, "-- +goose Up\n"+string(up)) || !strings.HasSuffix(text, "-- +goose Down\n"+string(down)) {
				t.Errorf("GooseMigrations(%v) %s.sql does not hold the up and down files in goose sections", d, base)
			}
		}
	}
}
