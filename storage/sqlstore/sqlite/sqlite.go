// Package sqlite opens an SQLite database file for storage/sqlstore with
// the pure-Go driver modernc.org/sqlite (no cgo).
//
//	db, err := sqlite.Open(ctx, "settings.db")
//	st := sqlstore.New(db, sqlstore.SQLite)
//	err = st.Migrate(ctx)
//
// or, in one step, st, err := sqlite.OpenStore(ctx, "settings.db").
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// BusyTimeout is how long, in milliseconds, a connection waits for another
// process's write lock before SQLite reports the database busy.
const BusyTimeout = 10000

// DSN returns the modernc.org/sqlite data source name Open uses for the
// file at path: a file: URI with
//
//   - journal_mode=WAL, so readers never wait for the writer;
//   - busy_timeout=10000, so a writer waits for another process's lock;
//   - foreign_keys=ON, so the schema's references and ON DELETE rules hold;
//   - secure_delete=ON, so erased personal data is overwritten, not left
//     readable in free pages;
//   - synchronous=NORMAL, durable across application crashes in WAL mode;
//   - _txlock=immediate, so a transaction takes the write lock when it
//     begins and never fails half-way upgrading a read lock.
func DSN(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "secure_delete(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// MaxIdleConns is how many idle connections Open keeps in the pool, so
// concurrent readers do not reopen the file (and re-prepare statements)
// on every burst; database/sql's default is 2.
const MaxIdleConns = 8

// Open opens (creating if needed) the SQLite database file at path with
// the settings DSN describes and checks that it can be read. The caller
// closes the returned *sql.DB and may tune its pool.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("sqlite: Open needs a file path (use storage/memory for a database in memory)")
	}
	dsn, err := DSN(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", filepath.Base(path), err)
	}
	db.SetMaxIdleConns(MaxIdleConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", filepath.Base(path), err)
	}
	return db, nil
}

// OpenStore opens the database file at path, migrates it and returns a
// Store on it, configured by opts (sqlstore.WithTablePrefix, …). Closing the Store does not close the database; call
// Close on the returned *sql.DB when done.
func OpenStore(ctx context.Context, path string, opts ...sqlstore.Option) (*sqlstore.Store, *sql.DB, error) {
	db, err := Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	st := sqlstore.New(db, sqlstore.SQLite, opts...)
	if err := st.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return st, db, nil
}
