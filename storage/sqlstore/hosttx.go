package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// WithTx returns a context that makes the Store, and every service of
// the SDK called with it, work inside tx, a transaction the host began
// on its own handle to the same database: the host's rows and the SDK's
// then commit or roll back together, when the host commits or rolls back
// tx. InTx called with the context joins tx instead of beginning a
// transaction, so a service call (account.Service.Provision, say) runs
// all its steps in it.
//
//	tx, err := db.BeginTx(ctx, nil)
//	// … the host inserts its own user …
//	txctx, committed := store.WithTx(ctx, tx)
//	res, err := accounts.Provision(txctx, account.ProvisionInput{Email: email})
//	if err != nil {
//		tx.Rollback()
//		return err
//	}
//	if err := tx.Commit(); err != nil {
//		return err
//	}
//	committed()
//
// The host calls committed once tx has committed: it runs the work the
// SDK registered with storage.AfterCommit (purging a cache, telling a
// hook), which must not happen for a change that may still roll back.
// After a rollback it simply does not call it.
//
// The rules of the host's transaction are the host's:
//
//   - tx must be on the database the Store was migrated on, through a
//     handle opened for the Store's dialect (for SQLite, with the
//     settings of package storage/sqlstore/sqlite); it may be another
//     *sql.DB than the Store's, since the Store prepares its statements
//     on tx itself.
//   - The Store does not retry: a serialization failure or a deadlock
//     inside tx is returned (matching storage.ErrConflict) and the host
//     rolls back and runs its whole transaction again. On PostgreSQL any
//     failed statement (a unique violation, say) aborts tx, so after an
//     error of the SDK the host can only roll back.
//   - The SDK's own isolation level is SERIALIZABLE on PostgreSQL; at a
//     weaker level of the host's choosing, the unique indexes still keep
//     addresses unique, and a lost race surfaces as a conflict error.
//   - On SQLite the Store's writer mutex is not taken: tx holds the
//     database's write lock itself (BEGIN IMMEDIATE), so other writers of
//     the process wait for it in SQLite's busy handler. While tx is open,
//     call the SDK only with the returned context, never with one that
//     carries no transaction: on SQLite that call would wait for tx's
//     lock, which is not released until the host's code goes on.
//   - Like a *sql.Tx, the context must not be used from two goroutines at
//     once.
//
// WithTx panics on a nil tx, a programming error.
func (s *Store) WithTx(ctx context.Context, tx *sql.Tx) (txctx context.Context, committed func()) {
	if tx == nil {
		panic("sqlstore: WithTx with a nil *sql.Tx")
	}
	hctx, hooks := storage.WithCommitHooks(ctx)
	return context.WithValue(hctx, txKey{}, &txState{s: s, tx: tx, host: &txStmts{}}), hooks.Run
}

// txStmts are the statements prepared on one transaction, which live
// until it ends: a host's (WithTx), or the Store's own for the queries
// its cache did not hold yet (txState.uncached).
type txStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// prepare returns the statement for query (as the Store writes it)
// prepared on tx, preparing it on first use.
func (h *txStmts) prepare(ctx context.Context, s *Store, tx *sql.Tx, query string) (*sql.Stmt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.stmts[query]; ok {
		return st, nil
	}
	st, err := tx.PrepareContext(ctx, s.rebind(query))
	if err != nil {
		return nil, err
	}
	if h.stmts == nil {
		h.stmts = make(map[string]*sql.Stmt)
	}
	h.stmts[query] = st
	return st, nil
}

// Tx returns the transaction ctx carries, the Store's own (inside InTx)
// or the host's (WithTx), and whether it carries one. A host's hook that
// the SDK calls in the transaction of a change (the revocation hook,
// usersettings.Options.Revoker) writes its own rows through it, so that
// they commit or roll back with the change; on SQLite a write through
// another handle would wait for the transaction's own lock.
func (s *Store) Tx(ctx context.Context) (*sql.Tx, bool) {
	if t := s.txFrom(ctx); t != nil {
		return t.tx, true
	}
	return nil, false
}
