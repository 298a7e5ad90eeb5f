package storage

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Sentinel errors shared by every adapter. Check them with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errs.New(errs.NotFound, "not_found", "storage: not found")
	// ErrConflict means a write would break a uniqueness rule or lost a
	// race with a concurrent write; nothing was changed.
	ErrConflict = errs.New(errs.Conflict, "conflict", "storage: conflict")
)

// Transactor runs a unit of work atomically. Every adapter implements it.
type Transactor interface {
	// InTx calls fn with a context that carries one transaction. Store
	// calls made with that context are committed together when fn returns
	// nil and rolled back when it returns an error or panics; InTx then
	// returns fn's error. Calling InTx with a context that already carries
	// a transaction of the same adapter joins it. fn may be called more than
	// once if the adapter retries a serialization failure, so it must have
	// no side effects outside the store: work that must follow the
	// commit is registered with AfterCommit, which the SDK's adapters
	// run once the outermost transaction committed.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// NotFound returns an error with the message msg that matches ErrNotFound
// under errors.Is, of kind errs.NotFound and code "not_found". Domain
// packages use it for their own not-found errors ("profile: not found"),
// so that every not-found error of the SDK is told apart by one rule:
// errors.Is(err, storage.ErrNotFound).
func NotFound(msg string) error { return NotFoundCode("not_found", msg) }

// NotFoundCode is NotFound with a public code of its own
// ("sso_unknown_connection").
func NotFoundCode(code, msg string) error {
	return &notFoundError{errs.New(errs.NotFound, code, msg)}
}

// notFoundError is a not-found error of its own code and message that
// also matches ErrNotFound.
type notFoundError struct{ e *errs.Error }

func (e *notFoundError) Error() string   { return e.e.Msg }
func (e *notFoundError) Unwrap() []error { return []error{e.e, ErrNotFound} }
