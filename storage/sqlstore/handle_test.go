package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// TestMigrateRefusesUnsafeSQLiteHandles reproduces a host that opens its
// own SQLite handle: with a plain DSN foreign_keys is off and erasure
// leaves rows behind, so Migrate refuses it and names sqlite.DSN. Each
// missing setting is refused on its own, and nothing is migrated.
func TestMigrateRefusesUnsafeSQLiteHandles(t *testing.T) {
	ctx := context.Background()
	good, err := sqlite.DSN(filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	without := func(drop string) string {
		u, _ := url.Parse(good)
		q := u.Query()
		var keep []string
		for _, p := range q["_pragma"] {
			if !strings.HasPrefix(p, drop) {
				keep = append(keep, p)
			}
		}
		q["_pragma"] = keep
		if drop == "_txlock" {
			q.Del("_txlock")
		}
		u.Path = filepath.ToSlash(filepath.Join(t.TempDir(), "h.db"))
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, tc := range []struct{ name, dsn, want string }{
		{"plain sql.Open", "file:" + filepath.Join(t.TempDir(), "plain.db"), "foreign_keys"},
		{"no foreign_keys", without("foreign_keys"), "foreign_keys"},
		{"no busy_timeout", without("busy_timeout"), "busy_timeout"},
		{"no _txlock=immediate", without("_txlock"), "_txlock=immediate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sql.Open("sqlite", tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			st := sqlstore.New(db, sqlstore.SQLite)
			err = st.Migrate(ctx)
			if !errors.Is(err, sqlstore.ErrUnsafeHandle) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "sqlite.DSN") {
				t.Fatalf("Migrate = %v; want ErrUnsafeHandle naming %s and sqlite.DSN", err, tc.want)
			}
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("tables after a refused Migrate: %d, %v; want none", n, err)
			}
		})
	}
	db, err := sql.Open("sqlite", good)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.New(db, sqlstore.SQLite).Migrate(ctx); err != nil {
		t.Fatalf("Migrate on a handle opened with sqlite.DSN: %v", err)
	}
}

// TestCheck runs Check on the handles the tests open: both pass.
func TestCheck(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			if err := sqlstore.New(db, d).Check(context.Background()); err != nil {
				t.Fatalf("Check: %v", err)
			}
		})
	}
}

// TestNotMigrated reproduces a host that forgot Migrate: the first call
// names the fix instead of a bare "no such table".
func TestNotMigrated(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			st := sqlstore.New(db, d)
			_, err := st.Account(context.Background(), "acc_1")
			if !errors.Is(err, sqlstore.ErrNotMigrated) || !strings.Contains(err.Error(), "Migrate") {
				t.Fatalf("Account on an empty database = %v; want ErrNotMigrated saying to call Migrate", err)
			}
			err = st.CreateAccount(context.Background(), account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "a@example.com"})
			if !errors.Is(err, sqlstore.ErrNotMigrated) {
				t.Fatalf("CreateAccount on an empty database = %v; want ErrNotMigrated", err)
			}
		})
	}
}
