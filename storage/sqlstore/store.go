package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
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

	prefix     string // of every table and index name
	migrations string // the table Migrate records the version in

	// wmu lets one write transaction at a time through on SQLite, so
	// writers of this process queue in Go instead of in SQLite's busy
	// handler. It is unused on PostgreSQL.
	wmu sync.Mutex

	stmts sync.Map // query text → *sql.Stmt

	batch     int             // rows per statement of a cleanup (WithDeleteBatch)
	jobs      storage.Mutexes // the job locks of this process on SQLite
	batchHook func(int64)     // told the rows of each batch, for tests
}

var _ storage.Transactor = (*Store)(nil)

// DefaultTablePrefix starts the name of every table and index of the
// schema (us_accounts, us_sessions_digest_key, …) unless WithTablePrefix
// sets another, so that they do not collide with a host's own tables.
const DefaultTablePrefix = "us_"

// DefaultMigrationsTable is the table in which Migrate records the
// schema version unless WithMigrationsTable names another. It has
// golang-migrate's shape, and is not golang-migrate's default
// schema_migrations, which a host's own migrations may use.
const DefaultMigrationsTable = "usersettings_schema_migrations"

// maxPrefix is the longest table prefix. PostgreSQL truncates names to
// 63 bytes; with a prefix of 32 the names of the schema stay distinct
// within them (TestTablePrefix migrates with one that long).
const maxPrefix = 32

// Option configures a Store.
type Option func(*Store)

// WithRetries sets how many times InTx runs a transaction again after a
// serialization failure, deadlock or busy database before it gives up
// with storage.ErrConflict. The default is 20; n < 0 means 0.
func WithRetries(n int) Option {
	return func(s *Store) { s.retries = max(n, 0) }
}

// WithTablePrefix sets the prefix of every table and index name of the
// schema; the default is DefaultTablePrefix ("us_"). The prefix is 1 to
// 32 characters of lower-case ASCII letters, digits and underscores and
// starts with a letter; New panics on any other, as on its other
// programming errors. Migrate creates the tables with the Store's
// prefix, so a database must always be opened with the prefix it was
// migrated with. The exported Migrations and GooseMigrations carry the
// default prefix: with another one, run Migrate.
func WithTablePrefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// WithMigrationsTable sets the table in which Migrate records the schema
// version; the default is DefaultMigrationsTable. The name is 1 to 63
// characters of lower-case ASCII letters, digits and underscores and
// starts with a letter; New panics on any other. It must not be a table
// another migration tool keeps its own version in, and a database must
// always be opened with the name it was migrated with.
func WithMigrationsTable(name string) Option {
	return func(s *Store) { s.migrations = name }
}

// New returns a Store on db, which must have been opened for the dialect:
// with modernc.org/sqlite (driver "sqlite") for SQLite, with
// github.com/jackc/pgx/v5/stdlib (driver "pgx") for Postgres. The host
// keeps owning db; Close releases only the Store's prepared statements.
// Call Migrate before the first use. New panics on a nil db, an unknown
// dialect, or an invalid table prefix or migrations table name, which are
// programming errors.
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
	s := &Store{db: db, d: d, retries: 20, prefix: DefaultTablePrefix, migrations: DefaultMigrationsTable,
		batch: DefaultDeleteBatch}
	for _, o := range opts {
		o(s)
	}
	if !identifier(s.prefix, maxPrefix) {
		panic(fmt.Sprintf("sqlstore: New with the table prefix %q: want 1 to %d lower-case letters, digits or underscores, starting with a letter", s.prefix, maxPrefix))
	}
	if !identifier(s.migrations, 63) {
		panic(fmt.Sprintf("sqlstore: New with the migrations table %q: want 1 to 63 lower-case letters, digits or underscores, starting with a letter", s.migrations))
	}
	return s
}

// identifier reports whether name is 1 to limit lower-case ASCII
// letters, digits and underscores starting with a letter: a name that
// needs no quoting in SQL and reads the same on every database.
func identifier(name string, limit int) bool {
	if name == "" || len(name) > limit || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// prefixWord finds the default prefix where a word starts: the
// statements of this package and its migrations name every table and
// index with it, and no column or literal starts with it.
var prefixWord = regexp.MustCompile(`\b` + regexp.QuoteMeta(DefaultTablePrefix))

// prefixed returns SQL written with the default table prefix with the
// Store's prefix instead.
func (s *Store) prefixed(query string) string {
	if s.prefix == DefaultTablePrefix {
		return query
	}
	return prefixWord.ReplaceAllLiteralString(query, s.prefix)
}

// rebind returns a query of this package (default prefix, ? placeholders)
// as it runs on the Store's database: with the Store's table prefix and
// the dialect's placeholders.
func (s *Store) rebind(query string) string { return s.d.rebind(s.prefixed(query)) }

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
	// host holds the statements prepared on a host's transaction
	// (WithTx); nil for the Store's own.
	host *txStmts
	// uncached holds, in the Store's own transaction, the statements of
	// the queries the Store's cache did not hold yet, prepared on the
	// transaction's connection (see prepared); InTx caches them once the
	// transaction has ended.
	uncached txStmts

	mu sync.Mutex
	// doomed is the first error of a statement of the transaction that
	// allows a retry (set by translate): the transaction must run again,
	// whatever the function made of the error.
	doomed *retryError
}

// cacheUncached prepares on the pool, now that no transaction holds a
// connection, the queries the transaction had to prepare on its own, so
// that later calls find them cached. A failure leaves the query to be
// prepared again when next used.
func (s *Store) cacheUncached(ctx context.Context, t *txState) {
	t.uncached.mu.Lock()
	queries := slices.Collect(maps.Keys(t.uncached.stmts))
	t.uncached.mu.Unlock()
	for _, q := range queries {
		if ctx.Err() != nil {
			return
		}
		_, _ = s.stmt(ctx, q)
	}
}

// doom records a statement's error after which the transaction must run
// again.
func (t *txState) doom(re *retryError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.doomed == nil {
		t.doomed = re
	}
}

// doomedBy returns the error that dooms the transaction, or nil.
func (t *txState) doomedBy() *retryError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.doomed
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
// after a short random pause: also when fn turned that error into
// another of its own (or into none), since the statement's failure
// dooms the transaction. While fn runs on SQLite the Store's writer
// mutex is held, so fn must only call the Store with the context it was
// given (or one derived from it).
//
// Functions registered with storage.AfterCommit run after the commit; those
// of an attempt that failed are dropped.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		tctx, hooks := storage.WithCommitHooks(ctx)
		t, err := s.runTx(tctx, fn)
		if t != nil {
			s.cacheUncached(ctx, t)
		}
		if err == nil {
			hooks.Run()
			return nil
		}
		var re *retryError
		if !errors.As(err, &re) || attempt >= s.retries {
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

// runTx runs fn once in a new transaction, and returns the state of the
// transaction, ended by then, when it began.
func (s *Store) runTx(ctx context.Context, fn func(ctx context.Context) error) (t *txState, err error) {
	var opts *sql.TxOptions
	if s.d == SQLite {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	} else {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, translate(ctx, "begin", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback()
		}
	}()
	t = &txState{s: s, tx: tx}
	err = fn(context.WithValue(ctx, txKey{}, t))
	if re := t.doomedBy(); re != nil {
		// A statement lost a race (a serialization failure, a deadlock,
		// a busy database): on PostgreSQL the transaction is aborted, and
		// whatever fn made of the error (a service may have read the
		// lost race as a conflict of its own, such as an address taken
		// or a step already done) rests on a read that no longer holds.
		// The transaction runs again.
		return t, re
	}
	if err != nil {
		return t, err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return t, translate(ctx, "commit", err)
	}
	return t, nil
}

// stmt returns the prepared statement for query (written with the
// default table prefix and ? placeholders), preparing it as rebind
// rewrites it and caching it on first use.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.rebind(query))
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
// ctx, if any: the cached one when there is one, otherwise prepared on
// the transaction's connection (txState.uncached; always so for a host's
// transaction, see WithTx).
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	t := s.txFrom(ctx)
	switch {
	case t != nil && t.host != nil:
		return t.host.prepare(ctx, s, t.tx, query)
	case t != nil:
		if st, ok := s.stmts.Load(query); ok {
			return t.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
		}
		// Not on the pool: that would wait for a second connection while
		// this one holds the transaction's locks, and when every other
		// connection of the pool waits for those locks (concurrent writes
		// of one row) the wait never ends.
		return t.uncached.prepare(ctx, s, t.tx, query)
	}
	return s.stmt(ctx, query)
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
