package sqlstore

import (
	"context"
	"errors"
)

// errScrubInTx is returned by Scrub when called inside a transaction.
var errScrubInTx = errors.New("sqlstore: scrub: cannot run inside a transaction")

// scrubAttempts is how often Scrub retries a checkpoint that readers
// blocked.
const scrubAttempts = 20

// Scrub removes from the database files what deleted rows left behind, so
// that erased personal data cannot be read from them; package
// personaldata calls it after an erasure committed.
//
// On SQLite, deleted cells and free pages are already overwritten because
// sqlite.Open turns secure_delete on; if a host opened the database
// without it, Scrub runs VACUUM, which rewrites the file without the free
// pages. Scrub then checkpoints the write-ahead log into the database
// file and truncates it (PRAGMA wal_checkpoint(TRUNCATE)), retrying for a
// while when readers hold it; the old page images in the WAL are gone
// afterwards.
//
// On PostgreSQL Scrub does nothing: deleted rows are dead tuples that no
// query or pg_dump shows, and VACUUM, which reclaims their space, cannot
// run inside a transaction and costs a table scan; hosts run VACUUM on
// their own schedule (autovacuum does by default).
//
// Scrub must be called outside a transaction (the deleted rows are not
// committed yet, and a checkpoint cannot run inside one): with a context
// that carries one it returns an error and does nothing.
func (s *Store) Scrub(ctx context.Context) error {
	if s.txFrom(ctx) != nil {
		return errScrubInTx
	}
	if s.d != SQLite {
		return ctx.Err()
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var secure int
	if err := s.db.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&secure); err != nil {
		return translate(ctx, "scrub: secure_delete", err)
	}
	if secure == 0 {
		if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
			return translate(ctx, "scrub: vacuum", err)
		}
	}
	for attempt := 0; ; attempt++ {
		var busy, logFrames, done int
		err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done)
		if err != nil {
			return translate(ctx, "scrub: checkpoint", err)
		}
		if busy == 0 {
			return nil
		}
		if attempt >= scrubAttempts {
			return conflict("scrub: readers keep the write-ahead log from being truncated")
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
}
