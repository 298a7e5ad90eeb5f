package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// ErrUnsafeHandle means the *sql.DB given to New lacks a setting the Store
// relies on: on SQLite foreign_keys=ON (without it erasure leaves rows
// behind), a busy timeout, or transactions that take the write lock when
// they begin (_txlock=immediate); on PostgreSQL serializable transactions.
// Migrate and Check return it; the error names what is missing.
var ErrUnsafeHandle = errs.New(errs.Internal, "unsafe_handle", "sqlstore: database handle is not configured as the Store needs")

// ErrNotMigrated means a table of the Store does not exist: the database
// was not migrated. Call Store.Migrate (or apply the exported migrations)
// before using the Store.
var ErrNotMigrated = errs.New(errs.Internal, "not_migrated", "sqlstore: schema missing: call Store.Migrate before using the Store")

// sqliteDSNHint is how every SQLite handle error says what to do.
const sqliteDSNHint = "open SQLite with the DSN of sqlite.DSN(path) (package storage/sqlstore/sqlite), or sqlite.Open"

// Check verifies that the database handle has the settings the Store
// relies on, and returns an error wrapping ErrUnsafeHandle that names the
// first one missing. Migrate calls it first; a host that applies the
// migrations with its own tool should call it at start-up.
func (s *Store) Check(ctx context.Context) error {
	if s.d == Postgres {
		return s.checkPostgres(ctx)
	}
	return s.checkSQLite(ctx)
}

func (s *Store) checkPostgres(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return fmt.Errorf("sqlstore: cannot begin a serializable transaction: %v: %w", err, ErrUnsafeHandle)
	}
	defer func() { _ = tx.Rollback() }()
	var level string
	if err := tx.QueryRowContext(ctx, "SHOW transaction_isolation").Scan(&level); err != nil {
		return translate(ctx, "checking isolation", err)
	}
	if level != "serializable" {
		return fmt.Errorf("sqlstore: transactions run at %q, want serializable (a pooler in statement mode?): %w", level, ErrUnsafeHandle)
	}
	return nil
}

func (s *Store) checkSQLite(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return translate(ctx, "checking handle", err)
	}
	defer conn.Close()
	var fk, busy int
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return translate(ctx, "checking foreign_keys", err)
	}
	if fk != 1 {
		return fmt.Errorf("sqlstore: foreign_keys is off, so erasure would leave rows behind; %s: %w", sqliteDSNHint, ErrUnsafeHandle)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return translate(ctx, "checking busy_timeout", err)
	}
	if busy <= 0 {
		return fmt.Errorf("sqlstore: busy_timeout is 0, so concurrent writers fail at once; %s: %w", sqliteDSNHint, ErrUnsafeHandle)
	}
	file, err := mainFile(ctx, conn)
	if err != nil || file == "" {
		return err // an in-memory database has one writer: no lock to check
	}
	return s.checkImmediate(ctx, conn, busy)
}

// mainFile returns the file of the main database, empty when in memory.
func mainFile(ctx context.Context, conn *sql.Conn) (string, error) {
	var seq int
	var name, file string
	if err := conn.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		return "", translate(ctx, "checking database file", err)
	}
	return file, nil
}

// checkImmediate checks that a transaction of the pool takes the write
// lock when it begins: while one is open, conn (with no busy wait) must
// fail to take it. When the pool has no second connection to spare, the
// check is skipped.
func (s *Store) checkImmediate(ctx context.Context, conn *sql.Conn, busy int) error {
	bctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	tx, err := s.db.BeginTx(bctx, nil)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil
	}
	if err != nil {
		return translate(ctx, "checking transactions", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return translate(ctx, "checking transactions", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", busy))
	}()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return fmt.Errorf("sqlstore: transactions do not take the write lock when they begin (_txlock=immediate), so they can fail half-way; %s: %w", sqliteDSNHint, ErrUnsafeHandle)
	}
	if classify(err) != kindRetry {
		return translate(ctx, "checking transactions", err)
	}
	return nil
}
