package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

func TestPersonalData(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		storagetest.TestPersonalData(t, func(t *testing.T) storagetest.ErasureStore { return newStore(t) })
	})
}

// notPersonalTables hold no personal data, so no personaldata source
// needs to cover them.
var notPersonalTables = []string{sqlstore.DefaultMigrationsTable}

// TestPersonalDataCoverage fails when a table of the schema is covered by
// no source of personaldata.DefaultSources: a new table must be wired
// into export and erasure (or, holding no personal data, listed in
// notPersonalTables).
func TestPersonalDataCoverage(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			st := migrated(t, db, d)
			w := storagetest.NewWorld(t, st, session.Source(session.NewService(session.Config{Store: st, Accounts: st})), merge.Source(st))
			covered := personaldata.Covers(w.PersonalData.Sources())
			tables := listTables(t, db, d)
			// Sources name the tables without the prefix.
			for _, table := range tables {
				if slices.Contains(notPersonalTables, table) ||
					slices.Contains(covered, strings.TrimPrefix(table, sqlstore.DefaultTablePrefix)) {
					continue
				}
				cols := idColumns(t, db, d, table)
				t.Errorf("table %s (id columns %v) is covered by no personaldata source: add it to a source's Covers and erase it there",
					table, cols)
			}
			for _, name := range covered {
				if !strings.HasPrefix(name, "memory.") && !slices.Contains(tables, sqlstore.DefaultTablePrefix+name) {
					t.Errorf("a source covers table %s, which the schema does not have", name)
				}
			}
		})
	}
}

// listTables returns the tables of the database, sorted.
func listTables(t *testing.T, db *sql.DB, d sqlstore.Dialect) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return queryStrings(t, db, q)
}

// idColumns returns the columns of table that hold a profile or account
// id (or an address), for the coverage message.
func idColumns(t *testing.T, db *sql.DB, d sqlstore.Dialect, table string) []string {
	t.Helper()
	q := `SELECT name FROM pragma_table_info(?)`
	if d == sqlstore.Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	var out []string
	for _, c := range queryStrings(t, db, q, table) {
		if strings.Contains(c, "profile") || strings.Contains(c, "account") || c == "requested_by" ||
			strings.Contains(c, "email") || strings.Contains(c, "address") {
			out = append(out, c)
		}
	}
	return out
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("scan: %v", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}
