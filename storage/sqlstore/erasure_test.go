package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// dumpStore is a Store with storagetest.Dumper.
type dumpStore struct {
	*sqlstore.Store
	db     *sql.DB
	d      sqlstore.Dialect
	path   string // SQLite file
	dsn    string // PostgreSQL server
	schema string // PostgreSQL schema
}

func (s *dumpStore) Dump(ctx context.Context) ([]byte, error) {
	var buf bytes.Buffer
	if err := dumpTables(ctx, &buf, s.db, s.d); err != nil {
		return nil, err
	}
	if s.path != "" {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(s.path + suffix)
			if err != nil && !os.IsNotExist(err) {
				return nil, err
			}
			buf.Write(b)
		}
	}
	if s.dsn != "" {
		if bin, err := exec.LookPath("pg_dump"); err == nil {
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, bin, "--dbname="+s.dsn, "--schema="+s.schema).Output()
			if err != nil {
				return nil, fmt.Errorf("pg_dump: %w", err)
			}
			buf.Write(out)
		}
	}
	return buf.Bytes(), nil
}

// dumpTables writes every row of every table as text, byte values both
// raw and in lower-case hex.
func dumpTables(ctx context.Context, buf *bytes.Buffer, db *sql.DB, d sqlstore.Dialect) error {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if d == sqlstore.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		if err := dumpTable(ctx, buf, db, table); err != nil {
			return fmt.Errorf("dump %s: %w", table, err)
		}
	}
	return nil
}

func dumpTable(ctx context.Context, buf *bytes.Buffer, db *sql.DB, table string) error {
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fmt.Fprintf(buf, "%s:", table)
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				fmt.Fprintf(buf, " %s %s", b, hex.EncodeToString(b))
				continue
			}
			fmt.Fprintf(buf, " %v", v)
		}
		buf.WriteByte('\n')
	}
	return rows.Err()
}

// Replica implements storagetest.Replicated: a second Store on the same
// database through a pool of its own, as another process would open it.
func (s *dumpStore) Replica(t *testing.T) ratelimit.Limiter {
	t.Helper()
	if s.path != "" {
		return sqlstore.New(openSQLiteFile(t, s.path), s.d)
	}
	return sqlstore.New(openPostgresSchema(t, s.schema), s.d)
}
