// Package memory is an in-memory adapter for every Store of the SDK.
//
// It keeps records in maps behind one read-write mutex and copies every
// record on the way in and on the way out, so no caller can change stored
// data through a shared slice. Transactions (storage.Transactor) hold the
// write lock for their whole duration and undo their writes when the
// function fails. It is meant for tests, examples and single-process hosts
// that need no durability. Rate-limit buckets (Limiter) sit apart, in
// a bounded, sharded LRU with locks of their own.
//
//	st := memory.New()
//	err := st.InTx(ctx, func(ctx context.Context) error { … })
package memory

import (
	"context"
	"fmt"
	"sync"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// Store is the in-memory adapter. The zero value is not usable; call New.
type Store struct {
	mu sync.RWMutex

	profiles profileTables
	accounts accountTables
	codes    codeTables
	history  historyTables
	twoFA    twoFactorTables
	tokens   tokenTables
	notify   notifyTables
	sessions sessionTables
	merges   mergeTables
	sso      ssoTables
	mail     mailTables
	security securityTables
	logins   loginTables
	passkeys passkeyTables
	revSeq   int64 // the revocation sequence (token.Revocations)
	jobs     storage.Mutexes

	// Limiter keeps the rate-limit buckets, under locks of its own.
	*Limiter
}

var _ storage.Transactor = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithRateBuckets bounds the number of rate-limit buckets the Store keeps
// (see Limiter); the default is DefaultRateBuckets.
func WithRateBuckets(n int) Option {
	return func(s *Store) { s.Limiter = NewLimiter(n) }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{Limiter: NewLimiter(0)}
	for _, o := range opts {
		o(s)
	}
	s.profiles.init()
	s.accounts.init()
	s.codes.init()
	initHistory(&s.history)
	s.twoFA.init()
	s.tokens.init()
	s.notify.init()
	s.sessions.init()
	s.merges.init()
	s.sso.init()
	s.mail.init()
	initSecurity(&s.security)
	s.logins.init()
	s.passkeys.init()
	return s
}

type txKey struct{}

// tx is an open transaction: the write lock is held and undo records how
// to reverse every write made so far.
type tx struct {
	s    *Store
	undo []func()
}

func (t *tx) onUndo(f func()) { t.undo = append(t.undo, f) }

func (s *Store) txFrom(ctx context.Context) *tx {
	t, _ := ctx.Value(txKey{}).(*tx)
	if t != nil && t.s == s {
		return t
	}
	return nil
}

// InTx implements storage.Transactor. The function runs under the store's
// write lock, so it must not call the store with a context that is not
// derived from the one it was given.
//
// Functions registered with storage.AfterCommit run after the commit, once
// the lock is released.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.txFrom(ctx) != nil {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, hooks := storage.WithCommitHooks(ctx)
	if err := s.runTx(ctx, fn); err != nil {
		return err
	}
	hooks.Run()
	return nil
}

// runTx runs fn in a new transaction under the write lock.
func (s *Store) runTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s}
	defer func() {
		if r := recover(); r != nil {
			t.rollback()
			panic(r)
		}
		if err != nil {
			t.rollback()
		}
	}()
	return fn(context.WithValue(ctx, txKey{}, t))
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// write runs f with the write lock held: inside the caller's transaction
// when ctx carries one, else as its own atomic step. f's writes go through
// put and del so a failing transaction can undo them.
func (s *Store) write(ctx context.Context, f func(t *tx) error) error {
	if t := s.txFrom(ctx); t != nil {
		return f(t)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{s: s}
	if err := f(t); err != nil {
		t.rollback()
		return err
	}
	return nil
}

// read runs f with at least the read lock held.
func (s *Store) read(ctx context.Context, f func() error) error {
	if s.txFrom(ctx) != nil {
		return f()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return f()
}

// put sets m[k] = v and records how to undo it.
func put[K comparable, V any](t *tx, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	t.onUndo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// del deletes m[k] and records how to undo it.
func del[K comparable, V any](t *tx, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	t.onUndo(func() { m[k] = old })
}

func notFound(what, id string) error {
	return fmt.Errorf("memory: %s %q: %w", what, id, storage.ErrNotFound)
}

func conflict(what string) error {
	return fmt.Errorf("memory: %s: %w", what, storage.ErrConflict)
}
