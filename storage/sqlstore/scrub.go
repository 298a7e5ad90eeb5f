package sqlstore

import (
	"context"
	"errors"
)

// errScrubInTx is returned by Scrub when called inside a transaction.
var errScrubInTx = errors.New("sqlstore: scrub: cannot run inside a transaction")

// Scrub removes what the database keeps of deleted rows outside its live
// pages, after personal data was erased (it implements
// personaldata.Scrubber). On SQLite, deleted content is already
// overwritten in the database file (secure_delete=ON); Scrub checkpoints
// the write-ahead log into the database and truncates it, so no earlier
// version of an erased page stays in the -wal file. It waits for the
// process's writers and, through busy_timeout, for other processes; it
// reports an error when readers kept the checkpoint from completing.
// On PostgreSQL it does nothing: dead rows are reclaimed by autovacuum.
// Scrub must be called outside a transaction.
func (s *Store) Scrub(ctx context.Context) error {
	if s.txFrom(ctx) != nil {
		return errScrubInTx
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.d != SQLite {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var busy, logFrames, checkpointed int
	err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
	if err != nil {
		return translate(ctx, "scrub: checkpoint", err)
	}
	if busy != 0 {
		return errf("scrub: the write-ahead log is in use; checkpoint incomplete")
	}
	return nil
}
