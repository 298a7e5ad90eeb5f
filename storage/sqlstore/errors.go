package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Errors of the package itself. Store methods otherwise return the storage
// sentinels (storage.ErrNotFound, storage.ErrConflict), context errors, or
// a wrapped driver error for anything unexpected.
var (
	// ErrSchemaTooNew means the database was migrated by a newer version
	// of this package: it records a schema version this package does not
	// know, so Migrate refuses to touch it.
	ErrSchemaTooNew = errs.New(errs.Internal, "schema_too_new", "sqlstore: database schema is newer than this version knows")
	// ErrDirtySchema means a migration tool recorded a failed migration
	// (golang-migrate's dirty flag); a person must repair the database.
	ErrDirtySchema = errs.New(errs.Internal, "dirty_schema", "sqlstore: database schema is marked dirty by a failed migration")

	errBadTime   = errors.New("sqlstore: unexpected type in a time column")
	errBadString = errors.New("sqlstore: unexpected type in a text column")
)

// sqlStater is implemented by pgx's *pgconn.PgError (and by any driver
// error that reports a PostgreSQL SQLSTATE the same way). The package
// imports no driver, so it looks for the method.
type sqlStater interface{ SQLState() string }

// sqliteCoder is implemented by modernc.org/sqlite's *sqlite.Error; Code
// returns the extended result code.
type sqliteCoder interface{ Code() int }

// errKind classifies a driver error.
type errKind int

const (
	kindOther errKind = iota
	kindUnique
	kindForeignKey
	kindRetry   // serialization failure, deadlock, busy: the transaction may be retried
	kindNoTable // a table is missing: the schema was not migrated
	kindDown    // the database cannot be reached or is shutting down, or its disk is full
)

// SQLite extended result codes and PostgreSQL SQLSTATEs that matter here.
const (
	sqliteError          = 1
	sqliteBusy           = 5
	sqliteLocked         = 6
	sqliteConstraintPK   = 1555
	sqliteConstraintUniq = 2067
	sqliteConstraintFK   = 787
	sqliteIOErr          = 10
	sqliteFull           = 13
	sqliteCantOpen       = 14

	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	// pgInFailedTransaction: an earlier statement of the transaction
	// failed and its error was handled (a lost serialization race read as
	// a taken key and tried again, say); only a new run of the whole
	// transaction can go on.
	pgInFailedTransaction = "25P02"
	pgUndefinedTable      = "42P01"
	pgConnectionException = "08"    // class 08: the connection failed or was refused
	pgAdminShutdown       = "57P01" // the server is shutting down (pg_ctl stop/restart -m fast)
	pgCrashShutdown       = "57P02"
	pgCannotConnectNow    = "57P03" // the server is starting up or shutting down
	pgTooManyConnections  = "53300"
	pgDiskFull            = "53100"
)

// classify reports what kind of driver error err is.
func classify(err error) errKind {
	var st sqlStater
	if errors.As(err, &st) {
		switch st.SQLState() {
		case pgUniqueViolation:
			return kindUnique
		case pgForeignKeyViolation:
			return kindForeignKey
		case pgSerializationFailure, pgDeadlockDetected, pgInFailedTransaction:
			return kindRetry
		case pgUndefinedTable:
			return kindNoTable
		case pgAdminShutdown, pgCrashShutdown, pgCannotConnectNow, pgTooManyConnections, pgDiskFull:
			return kindDown
		}
		if strings.HasPrefix(st.SQLState(), pgConnectionException) {
			return kindDown
		}
		return kindOther
	}
	var c sqliteCoder
	if errors.As(err, &c) {
		switch code := c.Code(); {
		case code == sqliteConstraintPK || code == sqliteConstraintUniq:
			return kindUnique
		case code == sqliteConstraintFK:
			return kindForeignKey
		case code&0xff == sqliteBusy || code&0xff == sqliteLocked:
			return kindRetry
		case code&0xff == sqliteError && strings.Contains(err.Error(), "no such table"):
			return kindNoTable
		case code&0xff == sqliteFull || code&0xff == sqliteIOErr || code&0xff == sqliteCantOpen:
			return kindDown
		}
		return kindOther
	}
	if err != nil && connectionLost(err) {
		return kindDown
	}
	return kindOther
}

// connectionLost reports whether err says the connection to the database
// failed: refused, reset, closed under a statement, or dropped by the
// pool as bad. Such an error says nothing about the statement, only that
// the database cannot be reached now.
func connectionLost(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // a context error is a net.Error too, but says nothing about the database
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &ne) ||
		strings.Contains(err.Error(), "conn closed") // pgconn's closed-connection error has no type of its own
}

// retryError marks an error after which the whole transaction may be run
// again. It matches storage.ErrConflict, which is what the caller sees
// once the retries are used up.
type retryError struct{ err error }

func (e *retryError) Error() string {
	return "sqlstore: concurrent update, transaction may be retried: " + e.err.Error()
}

func (e *retryError) Unwrap() []error { return []error{storage.ErrConflict, e.err} }

// translate turns a driver error into the storage contract's errors: what
// it says about a missing row, a broken uniqueness rule, a lost race, or a
// cancelled context. A database that cannot be reached (connection
// refused or lost, the server shutting down or starting up) or whose disk
// is full gives errs.ErrUnavailable (kind Unavailable, HTTP 503), never an
// internal error: the caller may retry later. what names the operation
// for the message.
func translate(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return err
		}
		return fmt.Errorf("sqlstore: %s: %w", what, cerr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: %s: %w", what, storage.ErrNotFound)
	}
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return err
	}
	switch classify(err) {
	case kindUnique:
		return fmt.Errorf("sqlstore: %s: %w", what, storage.ErrConflict)
	case kindForeignKey:
		// A missing parent on insert, or a parent still referenced on
		// delete: either way the write breaks a rule of the schema.
		return fmt.Errorf("sqlstore: %s: foreign key: %w", what, storage.ErrConflict)
	case kindRetry:
		re := &retryError{err: fmt.Errorf("%s: %w", what, err)}
		if t, _ := ctx.Value(txKey{}).(*txState); t != nil {
			t.doom(re)
		}
		return re
	case kindNoTable:
		return fmt.Errorf("sqlstore: %s: %w: %w", what, ErrNotMigrated, err)
	case kindDown:
		// The statement's fate is the transaction's: a transaction that
		// lost its connection is rolled back by the server, so nothing
		// of it was written.
		return fmt.Errorf("sqlstore: %s: %w: %w", what, errs.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}

// notFound is the error of a lookup or write that matched no row.
func notFound(what string) error {
	return fmt.Errorf("sqlstore: %s: %w", what, storage.ErrNotFound)
}

// conflict is the error of a write that broke a uniqueness rule.
func conflict(what string) error {
	return fmt.Errorf("sqlstore: %s: %w", what, storage.ErrConflict)
}
