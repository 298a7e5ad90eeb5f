package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// TestExplain checks that no hot lookup scans a table: on SQLite the plan
// of every step is a SEARCH through an index, on PostgreSQL (with
// sequential scans priced out, so an empty table does not hide a missing
// index) the plan has no Seq Scan.
func TestExplain(t *testing.T) {
	for _, c := range dbCases {
		t.Run("db="+c.name, func(t *testing.T) {
			db, d := c.open(t)
			migrated(t, db, d)
			for _, q := range sqlstore.HotQueries {
				t.Run(q.Name, func(t *testing.T) {
					plan := explain(t, db, d, q)
					t.Logf("plan: %q", plan)
					if p := planProblem(d, plan); p != "" {
						t.Errorf("%s %s\nplan: %q", q.Name, p, plan)
					}
				})
			}
			// The check itself notices a lookup without an index.
			noIndex := sqlstore.HotQuery{
				Name:  "account by password hash",
				Query: `SELECT id FROM us_accounts WHERE password_hash = ?`,
				Args:  func(sqlstore.Dialect) []any { return []any{"x"} },
			}
			if plan := explain(t, db, d, noIndex); planProblem(d, plan) == "" {
				t.Errorf("planProblem accepted an unindexed lookup: %q", plan)
			}
		})
	}
}

// explain returns the lines of the query's plan.
func explain(t *testing.T, db *sql.DB, d sqlstore.Dialect, q sqlstore.HotQuery) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("Conn: %v", err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if d == sqlstore.Postgres {
		prefix = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatalf("SET enable_seqscan: %v", err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan") //nolint:errcheck // best effort on a test connection
	}
	rows, err := conn.QueryContext(ctx, prefix+sqlstore.Rebind(d, q.Query), q.Args(d)...)
	if err != nil {
		t.Fatalf("%s: %v", prefix, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scanning the plan: %v", err)
		}
		line := vals[len(vals)-1] // SQLite: id, parent, notused, detail; PostgreSQL: one text column
		switch v := line.(type) {
		case string:
			plan = append(plan, v)
		case []byte:
			plan = append(plan, string(v))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("reading the plan: %v", err)
	}
	return plan
}

// planProblem describes why the plan is not an indexed lookup, or
// returns "".
func planProblem(d sqlstore.Dialect, plan []string) string {
	indexed := false
	for _, step := range plan {
		if d == sqlstore.SQLite {
			if strings.HasPrefix(step, "SCAN") {
				return "scans a table: " + step
			}
			indexed = indexed || strings.HasPrefix(step, "SEARCH") && strings.Contains(step, "USING")
			continue
		}
		if strings.Contains(step, "Seq Scan") {
			return "scans a table: " + strings.TrimSpace(step)
		}
		indexed = indexed || strings.Contains(step, "Index")
	}
	if !indexed {
		return "uses no index"
	}
	return ""
}
