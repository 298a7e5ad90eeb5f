package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// Store is the database/sql adapter for every Store of the SDK. It is safe
// for concurrent use. The zero value is not usable; call New.
type Store struct {
	db      *sql.DB
	d       Dialect
	retries int

	// wmu lets one write transaction at a time through on SQLite, so
	// writers of this process queue in Go instead of in SQLite's busy
	// handler. It is unused on PostgreSQL.
	wmu sync.Mutex

	stmts sync.Map // query text → *sql.Stmt
}

var _ storage.Transactor = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithRetries sets how many times InTx runs a transaction again after a
// serialization failure, deadlock or busy database before it gives up
// with storage.ErrConflict. The default is 20; n < 0 means 0.
func WithRetries(n int) Option {
	return func(s *Store) { s.retries = max(n, 0) }
}

// New returns a Store on db, which must have been opened for the dialect:
// with modernc.org/sqlite (driver "sqlite") for SQLite, with
// github.com/jackc/pgx/v5/stdlib (driver "pgx") for Postgres. The host
// keeps owning db; Close releases only the Store's prepared statements.
// Call Migrate before the first use. New panics on a nil db or an unknown
// dialect, which are programming errors.
//
// For SQLite, open db as package storage/sqlstore/sqlite does: WAL,
// busy_timeout, foreign_keys=ON and _txlock=immediate. Without
// foreign_keys the schema's ON DELETE rules do not run.
func New(db *sql.DB, d Dialect, opts ...Option) *Store {
	if db == nil {
		panic("sqlstore: New with a nil *sql.DB")
	}
	if !d.valid() {
		panic("sqlstore: New with an unknown dialect " + d.String())
	}
	s := &Store{db: db, d: d, retries: 20}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Dialect returns the dialect the Store was created with.
func (s *Store) Dialect() Dialect { return s.d }

// Close closes the prepared statements the Store cached. It does not
// close the *sql.DB, which belongs to the caller.
func (s *Store) Close() error {
	var errs []error
	s.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		s.stmts.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

type txKey struct{}

// txState is the open transaction carried in a context.
type txState struct {
	s  *Store
	tx *sql.Tx
}

func (s *Store) txFrom(ctx context.Context) *txState {
	t, _ := ctx.Value(txKey{}).(*txState)
	if t != nil && t.s == s {
		return t
	}
	return nil
}

// InTx implements storage.Transactor. On PostgreSQL the transaction runs
// at SERIALIZABLE isolation; on SQLite it takes the write lock when it
// begins (BEGIN IMMEDIATE, through the DSN) and the Store's writer mutex.
// A transaction that fails with a serialization failure, a deadlock or a
// busy database is run again, up to the configured number of retries,
// after a short random pause. While fn runs on SQLite the Store's writer
// mutex is held, so fn must only call the Store with the context it was
// given (or one derived from it).
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		err := s.runTx(ctx, fn)
		var re *retryError
		if err == nil || !errors.As(err, &re) || attempt >= s.retries {
			return err
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}

// pause waits a random time that grows with attempt, up to about 50ms.
func pause(ctx context.Context, attempt int) error {
	limit := time.Duration(200<<min(attempt, 8)) * time.Microsecond
	t := time.NewTimer(rand.N(limit) + 50*time.Microsecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// runTx runs fn once in a new transaction.
func (s *Store) runTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	var opts *sql.TxOptions
	if s.d == SQLite {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	} else {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return translate(ctx, "begin", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, &txState{s: s, tx: tx})); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return translate(ctx, "commit", err)
	}
	return nil
}

// stmt returns the prepared statement for query (written with ?
// placeholders), preparing and caching it on first use.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.d.rebind(query))
	if err != nil {
		return nil, err
	}
	if old, loaded := s.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return old.(*sql.Stmt), nil
	}
	return st, nil
}

// prepared returns the statement for query bound to the transaction in
// ctx, if any.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if t := s.txFrom(ctx); t != nil {
		return t.tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

// queryRow runs a query expected to return one row and scans it into
// dest. No row is storage.ErrNotFound.
func (s *Store) queryRow(ctx context.Context, what, query string, args []any, dest ...any) error {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return translate(ctx, what, err)
	}
	return translate(ctx, what, st.QueryRowContext(ctx, args...).Scan(dest...))
}

// query runs a query and calls each for every row; rows are closed before
// it returns.
func (s *Store) query(ctx context.Context, what, query string, args []any, each func(*sql.Rows) error) error {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return translate(ctx, what, err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return translate(ctx, what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return translate(ctx, what, err)
		}
	}
	return translate(ctx, what, rows.Err())
}

// exec runs one statement and returns the number of rows it changed. It
// must be called inside writeOne or writeTx (or InTx), which serialise
// SQLite writers.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return 0, translate(ctx, what, err)
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, translate(ctx, what, err)
	}
	n, err := res.RowsAffected()
	return n, translate(ctx, what, err)
}

// writeOne runs fn, which executes a single statement, as one atomic
// step: inside the caller's transaction when ctx carries one, otherwise
// on its own in autocommit mode (holding the writer mutex on SQLite).
func (s *Store) writeOne(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.d == SQLite {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	return fn(ctx)
}

// writeTx runs fn, which executes several statements, as one atomic
// step: inside the caller's transaction when ctx carries one, otherwise
// in a new transaction run through InTx.
func (s *Store) writeTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	return s.InTx(ctx, fn)
}

// errf wraps an unexpected condition found by the Store itself.
func errf(format string, args ...any) error {
	return fmt.Errorf("sqlstore: "+format, args...)
}
