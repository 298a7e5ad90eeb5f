package sqlstore

import (
	"context"
	"database/sql/driver"
	"hash/fnv"
	"sync"
	"time"

	"github.com/seed-a97ca23f/usersettings/storage"
)

var _ storage.JobLocker = (*Store)(nil)

// DefaultDeleteBatch is how many rows one statement of a cleanup deletes
// (WithDeleteBatch).
const DefaultDeleteBatch = 500

// WithDeleteBatch sets how many rows one statement of a cleanup (the
// deletion of expired sessions, codes, sign-ups, flows, rate-limit buckets
// and old mail) deletes; the default is DefaultDeleteBatch (500), n <= 0
// means the default. Outside a transaction each batch commits on its own,
// so a cleanup never holds a long transaction or many row locks.
func WithDeleteBatch(n int) Option {
	return func(s *Store) {
		if n > 0 {
			s.batch = n
		}
	}
}

// jobLockKey is the PostgreSQL advisory lock key of a job: an FNV-1a hash
// of the table prefix and the name, so that two installations of the SDK
// with different prefixes on one database do not block each other.
func (s *Store) jobLockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("usersettings/job/" + s.prefix + "/" + name))
	return int64(h.Sum64())
}

// TryJobLock implements storage.JobLocker. On PostgreSQL it takes a
// session-level advisory lock (pg_try_advisory_lock) on a connection of
// its own, held until release, which unlocks it and returns the
// connection; a connection whose unlock fails is discarded, which ends
// its session and so the lock. A replica that dies loses its session and
// the lock with it. On SQLite it takes a lock of this process: the
// batches of a job each run as a write transaction, which SQLite runs one
// at a time across processes, so two processes on one file interleave
// their batches without deleting a row twice.
func (s *Store) TryJobLock(ctx context.Context, name string) (func(), bool, error) {
	if s.d != Postgres {
		return s.jobs.TryJobLock(ctx, name)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, translate(ctx, "job lock: connect", err)
	}
	key := s.jobLockKey(name)
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		_ = conn.Close()
		return nil, false, translate(ctx, "job lock", err)
	}
	if !ok {
		_ = conn.Close()
		return nil, false, nil
	}
	release := func() {
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var unlocked bool
		if err := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&unlocked); err != nil || !unlocked {
			// Discard the connection: its session, and the lock, end.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}
	return sync.OnceFunc(release), true, nil
}

// deleteBatched deletes the rows of table that match where (written with
// ? placeholders for args), at most s.batch per statement, until a
// statement deletes fewer, and returns how many it deleted. key is a
// unique column of the table. Outside a transaction each statement
// commits on its own (on SQLite as one write of the writer lock); on
// PostgreSQL the rows of a batch are taken with SKIP LOCKED, so a
// concurrent cleanup never waits for them.
func (s *Store) deleteBatched(ctx context.Context, what, table, key, where string, args ...any) (int, error) {
	lock := ""
	if s.d == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `DELETE FROM ` + table + ` WHERE ` + key + ` IN (SELECT ` + key + ` FROM ` + table +
		` WHERE ` + where + ` LIMIT ?` + lock + `)`
	args = append(args[:len(args):len(args)], s.batch)
	total := 0
	for {
		var n int64
		err := s.writeOne(ctx, func(ctx context.Context) error {
			var err error
			n, err = s.exec(ctx, what, q, args...)
			return err
		})
		total += int(n)
		if err != nil {
			return total, err
		}
		if s.batchHook != nil {
			s.batchHook(n)
		}
		if n < int64(s.batch) {
			return total, nil
		}
	}
}
