package storage

import (
	"context"
	"errors"
)

// Sentinel errors shared by every adapter. Check them with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict means a write would break a uniqueness rule or lost a
	// race with a concurrent write; nothing was changed.
	ErrConflict = errors.New("storage: conflict")
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
// under errors.Is. Domain packages use it for their own not-found errors
// ("profile: not found"), so that every not-found error of the SDK is
// told apart by one rule: errors.Is(err, storage.ErrNotFound).
func NotFound(msg string) error { return notFoundError(msg) }

type notFoundError string

func (e notFoundError) Error() string      { return string(e) }
func (notFoundError) Is(target error) bool { return target == ErrNotFound }
