package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// applyLegacy creates the schema of v0.1.0 up to version v with its own
// migration files (testdata/legacy), as v0.1.0's Migrate did, and records
// v in schema_migrations.
func applyLegacy(t testing.TB, db *sql.DB, d sqlstore.Dialect, v int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "legacy", d.String(), "*.up.sql"))
	if err != nil || len(files) != 6 {
		t.Fatalf("legacy migrations of %v: %d files, %v; want 6", d, len(files), err)
	}
	for _, f := range files[:v] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, string(b))
	}
	recordHostVersion(t, db, d, int64(v))
}

var legacyNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// legacyTime is a time as v0.1.0 stored it.
func legacyTime(d sqlstore.Dialect, t time.Time) any {
	if d == sqlstore.SQLite {
		return t.UnixMicro()
	}
	return t
}

// insertLegacy inserts, with SQL of v0.1.0, the profile prf_old, its
// account acc_old (old@example.com) and, when the schema has sessions,
// a session of the account.
func insertLegacy(t *testing.T, db *sql.DB, d sqlstore.Dialect, withSession bool) {
	t.Helper()
	at := legacyTime(d, legacyNow)
	mustExec(t, db, sqlstore.Rebind(d, `INSERT INTO profiles VALUES (?, 'Old', '', '', '', '', '[]', '[]', '', '', '', ?, ?, ?)`),
		"prf_old", false, at, at)
	mustExec(t, db, sqlstore.Rebind(d, `INSERT INTO accounts VALUES (?, ?, ?, 'hash', ?, 'active', ?, 0, ?)`),
		"acc_old", "prf_old", "old@example.com", at, false, at)
	if withSession {
		mustExec(t, db, sqlstore.Rebind(d, `INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)`),
			"ses_old", "acc_old", []byte("digest-of-the-old-session-secret"), at, at, false)
	}
}

// withoutLegacyBookkeeping drops from a list of objects the
// schema_migrations table of v0.1.0 (or the host) and its index.
func withoutLegacyBookkeeping(objs []string) []string {
	var out []string
	for _, o := range objs {
		_, name, _ := strings.Cut(o, " ")
		if !strings.HasPrefix(name, "schema_migrations") && name != "version_unique" {
			out = append(out, o)
		}
	}
	return out
}

// freshObjects returns the schema objects of a database migrated from
// empty.
func freshObjects(t *testing.T, c dbCase) []string {
	t.Helper()
	db, d := c.open(t)
	migrated(t, db, d)
	return objects(t, db, d)
}

// TestMigrateLegacy checks the upgrade of a database that v0.1.0
// migrated: unprefixed tables, versions in schema_migrations.
func TestMigrateLegacy(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			t.Run("Version6", func(t *testing.T) { testLegacyVersion6(t, c) })
			t.Run("Version5NextToHostSessions", func(t *testing.T) { testLegacyNextToHostSessions(t, c) })
			t.Run("Refused", func(t *testing.T) { testLegacyUnknownVersion(t, c) })
		})
	}
}

// testLegacyVersion6 upgrades a database at v0.1.0's last version, with
// migrators in two pools at once, and checks that the data is read
// through the Store and the schema equals a fresh one.
func testLegacyVersion6(t *testing.T, c dbCase) {
	ctx := context.Background()
	a, b, d := openTwice(t, c)
	applyLegacy(t, a, d, 6)
	insertLegacy(t, a, d, true)

	stores := []*sqlstore.Store{sqlstore.New(a, d), sqlstore.New(b, d)}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = stores[i%2].Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}
	st := stores[0]
	wantVersion(t, st, sqlstore.SchemaVersion(d))
	if got := hostVersion(t, a); got != 6 {
		t.Errorf("schema_migrations holds %d after the upgrade, want 6 (untouched)", got)
	}
	upgraded := objects(t, a, d)
	if diff := cmp.Diff(freshObjects(t, c), withoutLegacyBookkeeping(upgraded)); diff != "" {
		t.Errorf("upgraded schema differs from a fresh one (-fresh +upgraded):\n%s", diff)
	}

	acct, err := st.AccountByEmail(ctx, "OLD@example.com")
	if err != nil || acct.ID != "acc_old" || acct.ProfileID != "prf_old" || !acct.CreatedAt.Equal(legacyNow) {
		t.Fatalf("AccountByEmail after the upgrade = %v, %v; want acc_old of prf_old", acct, err)
	}
	if p, err := st.Profile(ctx, "prf_old"); err != nil || p.Name != "Old" {
		t.Errorf("Profile after the upgrade = %v, %v", p, err)
	}
	// The foreign keys follow the renamed tables: deleting the account
	// deletes its session.
	if err := st.DeleteAccount(ctx, "acc_old"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	var n int
	if err := a.QueryRow(`SELECT count(*) FROM us_sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("us_sessions holds %d rows (%v) after DeleteAccount, want 0 (ON DELETE CASCADE)", n, err)
	}
	useStore(t, st, "new")

	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if diff := cmp.Diff(upgraded, objects(t, a, d)); diff != "" {
		t.Errorf("Migrate again changed the schema (-before +after):\n%s", diff)
	}
}

// testLegacyNextToHostSessions upgrades a database at version 5, which
// had no sessions table, next to the host's own sessions table: only the
// tables of version 5 are renamed, and migration 6 creates us_sessions.
func testLegacyNextToHostSessions(t *testing.T, c dbCase) {
	ctx := context.Background()
	db, d := c.open(t)
	applyLegacy(t, db, d, 5)
	scs, err := os.ReadFile(filepath.Join("testdata", "host", d.String(), "0001_sessions.up.sql"))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, string(scs))
	insertLegacy(t, db, d, false)

	st := sqlstore.New(db, d)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	wantVersion(t, st, sqlstore.SchemaVersion(d))
	objs := objects(t, db, d)
	wantObjects(t, objs, "sessions", "sessions_expiry_idx", "us_sessions", "us_merge_flows", "us_accounts")
	for _, gone := range []string{"accounts", "merge_flows", "profiles"} {
		if containsName(objs, gone) {
			t.Errorf("table %s was not renamed", gone)
		}
	}
	if _, err := db.Exec(`SELECT token, data, expiry FROM sessions`); err != nil {
		t.Errorf("the host's sessions table changed: %v", err)
	}
	if _, err := st.Account(ctx, "acc_old"); err != nil {
		t.Errorf("Account after the upgrade: %v", err)
	}
}

// testLegacyUnknownVersion: tables of v0.1.0 whose version cannot be
// told, or a failed migration of v0.1.0. Migrate refuses and changes
// nothing.
func testLegacyUnknownVersion(t *testing.T, c dbCase) {
	cases := []struct {
		name  string
		query string
		args  []any
		want  error
	}{
		{"VersionUnknown", `UPDATE schema_migrations SET version = ?`, []any{12}, sqlstore.ErrLegacySchema},
		{"NoVersion", `DELETE FROM schema_migrations`, nil, sqlstore.ErrLegacySchema},
		{"NoVersionTable", `DROP TABLE schema_migrations`, nil, sqlstore.ErrLegacySchema},
		{"TableMissing", `DROP TABLE sessions`, nil, sqlstore.ErrLegacySchema},
		{"Dirty", `UPDATE schema_migrations SET dirty = ?`, []any{true}, sqlstore.ErrDirtySchema},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, d := c.open(t)
			applyLegacy(t, db, d, 6)
			mustExec(t, db, sqlstore.Rebind(d, tc.query), tc.args...)
			before := objects(t, db, d)
			err := sqlstore.New(db, d).Migrate(context.Background())
			if !errors.Is(err, tc.want) {
				t.Errorf("Migrate: %v, want %v", err, tc.want)
			}
			if diff := cmp.Diff(before, objects(t, db, d)); diff != "" {
				t.Errorf("the refused Migrate changed the schema (-before +after):\n%s", diff)
			}
		})
	}
}
