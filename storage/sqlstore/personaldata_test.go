package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/storagetest"
)

// coveragePolicy exempts tables of the schema from parts of the coverage
// check, each with its reason.
var coveragePolicy = storagetest.CoveragePolicy{
	Unfilled: map[string]string{
		"us_sso_connections":            "single-sign-on connections: company configuration, no personal data",
		"us_sso_domains":                "the email domains of the connections: company configuration",
		"us_sso_flows":                  "sign-in flows of single sign-on: digests of state and nonce for ten minutes, no person yet",
		"us_revocations":                "one counter of revocations, no personal data",
		"us_rate_buckets":               "rate-limit buckets: digests of names and a time, kept while they refill",
		"us_login_failures":             "counters of failed sign-ins: digests of names, a count and times, forgotten after a day",
		sqlstore.DefaultMigrationsTable: "migration bookkeeping, no personal data",
	},
	NotExported: map[string]string{
		"us_passkey_ceremonies":        "passkey ceremonies: a challenge for a few minutes, used once, nothing to show (keyed by a digest)",
		"us_pending_accounts":          "sign-up and add-account requests live for an hour until their code is confirmed",
		"us_verification_codes":        "digests of live one-time codes; us_code_sends is the exported log",
		"us_two_factor_recovery_codes": "digests of recovery codes, secrets",
		"us_merge_flow_addresses":      "the other profile's addresses, never shown to this one",
	},
}

// policyFor is coveragePolicy with the tables of the dialect alone:
// SQLite keeps job locks in a table, PostgreSQL in advisory locks.
func policyFor(d sqlstore.Dialect) storagetest.CoveragePolicy {
	if d != sqlstore.SQLite {
		return coveragePolicy
	}
	p := storagetest.CoveragePolicy{Unfilled: maps.Clone(coveragePolicy.Unfilled), NotExported: coveragePolicy.NotExported}
	p.Unfilled["us_job_leases"] = "job locks of SQLite: a job name, a random holder and a time, no personal data"
	return p
}

// TestPersonalDataCoverage checks, against the tables of the database
// catalogue, that every table of the schema is exported and erased by
// the personal data catalogue: a new table that no personaldata source
// collects and erases fails it (see TestCoverageCatchesNewTable).
func TestPersonalDataCoverage(t *testing.T) {
	forEachCoverage(t, func(t *testing.T, c sqlCatalogue, st *sqlstore.Store, alice, bob storagetest.Person) {
		for _, p := range storagetest.CoverageProblems(t, st, c, policyFor(st.Dialect()), alice, bob) {
			t.Error(p)
		}
	})
}

// TestCoverageCatchesNewTable shows that the coverage check fails for a
// table that holds a person's rows but is wired into no personaldata
// source, and for a table the fixture does not fill.
func TestCoverageCatchesNewTable(t *testing.T) {
	forEachCoverage(t, func(t *testing.T, c sqlCatalogue, st *sqlstore.Store, alice, bob storagetest.Person) {
		for _, q := range []string{
			`CREATE TABLE gadgets (profile_id TEXT NOT NULL, name TEXT NOT NULL)`,
			`CREATE TABLE widgets (account_id TEXT NOT NULL)`,
			`INSERT INTO gadgets VALUES ('` + alice.ProfileID + `', 'gadget of alice'), ('` + bob.ProfileID + `', 'gadget of bob')`,
		} {
			if _, err := c.db.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		got := storagetest.CoverageProblems(t, st, c, policyFor(st.Dialect()), alice, bob)
		storagetest.WantNewKindsCaught(t, got, "gadgets", "widgets")
	})
}

// forEachCoverage runs f on each database, migrated and filled with two
// people.
func forEachCoverage(t *testing.T, f func(t *testing.T, c sqlCatalogue, st *sqlstore.Store, alice, bob storagetest.Person)) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			st := migrated(t, db, d)
			f(t, sqlCatalogue{db, d}, st, storagetest.FillPerson(t, st, "alice"), storagetest.FillPerson(t, st, "bob"))
		})
	}
}

// sqlCatalogue is a storagetest.Catalogue over the tables of a database,
// read from its catalogue: a row refers to a key when any of its columns,
// as text, equals the key (ignoring case). Hide renames the table away
// and puts in its place a copy without the rows, so foreign keys stay
// with the original; restore drops the copy and renames the table back.
// Each runs in one transaction, so a failure leaves the schema as it was.
type sqlCatalogue struct {
	db *sql.DB
	d  sqlstore.Dialect
}

func (c sqlCatalogue) Kinds(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if c.d == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return queryStrings(ctx, c.db, q)
}

// refers returns the condition that a row of table refers to one of keys,
// with its arguments.
func (c sqlCatalogue) refers(ctx context.Context, table string, keys []string) (string, []any, error) {
	q := `SELECT name FROM pragma_table_info(?)`
	if c.d == sqlstore.Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	cols, err := queryStrings(ctx, c.db, q, table)
	if err == nil && len(cols) == 0 {
		err = errors.New("none found")
	}
	if err != nil {
		return "", nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	in := "(" + strings.Repeat("?, ", len(keys)-1) + "?)"
	var conds []string
	var args []any
	for _, col := range cols {
		conds = append(conds, `COALESCE(lower(CAST("`+col+`" AS TEXT)), '') IN `+in)
		for _, k := range keys {
			args = append(args, strings.ToLower(k))
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

func (c sqlCatalogue) Count(ctx context.Context, table string, keys []string) (int, error) {
	cond, args, err := c.refers(ctx, table, keys)
	if err != nil {
		return 0, err
	}
	var n int
	err = c.db.QueryRowContext(ctx, sqlstore.Rebind(c.d, `SELECT count(*) FROM "`+table+`" WHERE `+cond), args...).Scan(&n)
	return n, err
}

func (c sqlCatalogue) Hide(ctx context.Context, table string, keys []string) (func() error, error) {
	cond, args, err := c.refers(ctx, table, keys)
	if err != nil {
		return nil, err
	}
	hidden := table + "_coverage_hidden"
	err = c.inTx(ctx, args, `ALTER TABLE "`+table+`" RENAME TO "`+hidden+`"`,
		sqlstore.Rebind(c.d, `CREATE TABLE "`+table+`" AS SELECT * FROM "`+hidden+`" WHERE NOT `+cond))
	if err != nil {
		return nil, err
	}
	return func() error {
		return c.inTx(ctx, nil, `DROP TABLE "`+table+`"`, `ALTER TABLE "`+hidden+`" RENAME TO "`+table+`"`)
	}, nil
}

// inTx runs the statements in one transaction, the last one with args.
func (c sqlCatalogue) inTx(ctx context.Context, args []any, stmts ...string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, q := range stmts {
		var a []any
		if i == len(stmts)-1 {
			a = args
		}
		if _, err := tx.ExecContext(ctx, q, a...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// queryStrings returns the first column of the rows of q.
func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
