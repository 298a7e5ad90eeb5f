package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
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
// of the schema, the table prefix and the name, so that two installations
// of the SDK on one database (in other schemas, or with other prefixes) do
// not block each other.
func (s *Store) jobLockKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("usersettings/job/" + schema + "/" + s.prefix + "/" + name))
	return int64(h.Sum64())
}

// jobLease is how long a job lock lasts on SQLite when its holder dies
// without releasing it.
const jobLease = 10 * time.Minute

// TryJobLock implements storage.JobLocker. On PostgreSQL it takes a
// session-level advisory lock (pg_try_advisory_lock) on a connection of
// its own, held until release, which unlocks it and returns the
// connection; a connection whose unlock fails is discarded, which ends
// its session and so the lock. A replica that dies loses its session and
// the lock with it. On SQLite, which has no advisory locks, it takes a
// lease row of us_job_leases in one write (SQLite's writer lock orders the
// takers of every process) that lasts until release, or 10 minutes after
// a holder that died.
func (s *Store) TryJobLock(ctx context.Context, name string) (func(), bool, error) {
	if s.d != Postgres {
		return s.tryJobLease(ctx, name)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, translate(ctx, "job lock: connect", err)
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		_ = conn.Close()
		return nil, false, translate(ctx, "job lock: schema", err)
	}
	key := s.jobLockKey(schema, name)
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

// tryJobLease takes the SQLite lease of the job, after a lock of this
// process (so that the Stores of one process do not race for the row).
func (s *Store) tryJobLease(ctx context.Context, name string) (func(), bool, error) {
	unlock, ok, err := s.jobs.TryJobLock(ctx, name)
	if err != nil || !ok {
		return nil, false, err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	now := time.Now()
	var n int64
	err = s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "job lease", `INSERT INTO us_job_leases (name, holder, lease_until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
			WHERE us_job_leases.lease_until <= ?`, name, holder, s.d.timeArg(now.Add(jobLease)), s.d.timeArg(now))
		return err
	})
	if err != nil || n == 0 {
		unlock()
		return nil, false, err
	}
	return sync.OnceFunc(func() {
		defer unlock()
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.writeOne(rctx, func(ctx context.Context) error {
			_, err := s.exec(ctx, "job lease release", `DELETE FROM us_job_leases WHERE name = ? AND holder = ?`, name, holder)
			return err
		})
	}), true, nil
}
