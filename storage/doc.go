// Package storage is the leaf contract between the usersettings domain
// packages and the adapters that persist their data.
//
// It holds no domain types. Each domain package declares the Store
// interface it needs (profile.Store, account.Store, verification.Store, …)
// next to the code that uses it; an adapter is one type that implements
// every one of them plus [Transactor]. The adapters shipped with the SDK are
// storage/memory (in-process maps) and storage/sqlstore (database/sql with a
// SQLite or PostgreSQL dialect). A host may write its own and check it with
// the suites in storage/storagetest.
//
// # The contract an adapter meets
//
//   - Every method takes a context.Context first and honours its
//     cancellation; a cancelled context surfaces as ctx.Err() (possibly
//     wrapped), never as ErrNotFound.
//   - A lookup that finds nothing returns an error wrapping [ErrNotFound].
//   - A write that would break a uniqueness rule (an email already taken, an
//     id or digest already stored) returns an error wrapping [ErrConflict]
//     and changes nothing.
//   - Records are values: what a caller passes in is copied, and what the
//     adapter returns is a fresh copy, so no caller can change stored data
//     through a shared slice or pointer.
//   - [Transactor.InTx] runs a function atomically. Store calls made with the
//     context handed to that function take part in the transaction; if the
//     function returns an error (or panics), none of its writes remain. A
//     nested InTx with a transactional context joins the outer transaction.
//     The adapter may run the function more than once when the database
//     asks for a retry (a serialization failure), so the function must not
//     have effects outside the store; services send mail only after the
//     transaction committed.
//   - When InTx begins an outermost transaction it gives the function a
//     context with [CommitHooks] ([WithCommitHooks], once per attempt) and
//     calls their Run after the commit succeeded, outside its locks, so
//     that work registered with [AfterCommit] (the security log's hook)
//     sees only committed changes. An adapter without them still works:
//     AfterCommit then runs its function at once.
//   - Store calls made with a context that carries no transaction are each
//     atomic on their own.
//
// Driver-specific errors never cross this boundary untranslated:
// adapters map "no rows" to ErrNotFound and unique violations to
// ErrConflict, and let context errors pass through.
package storage
