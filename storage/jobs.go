package storage

import (
	"context"
	"sync"
)

// JobLocker lets one replica at a time run a background job (cleanup,
// retention) on a store shared by several processes, so that the work is
// done once and the replicas do not fight over the same rows. It is an
// optional capability: storage/sqlstore implements it with a PostgreSQL
// advisory lock (and, on SQLite, a lock of the process, the database's
// writer lock ordering the batches of several processes), storage/memory
// with a mutex; storagetest.TestJobLocker checks an implementation.
type JobLocker interface {
	// TryJobLock takes the lock of the named job when no holder, in any
	// process on the store, has it, and returns the function that
	// releases it; ok is false, with a nil release, when another holds
	// it. The lock is released when the holder's process ends, so a
	// crashed replica never blocks the job for good. release is safe to
	// call once, and the holder must call it.
	TryJobLock(ctx context.Context, name string) (release func(), ok bool, err error)
}

// Mutexes is a JobLocker for jobs of one process: a mutex per job name.
// The zero value is ready to use. storage/memory uses it; a host adapter
// for a database that several processes share must not.
type Mutexes struct {
	m sync.Map // name → *sync.Mutex
}

var _ JobLocker = (*Mutexes)(nil)

// TryJobLock implements JobLocker.
func (l *Mutexes) TryJobLock(ctx context.Context, name string) (func(), bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	v, _ := l.m.LoadOrStore(name, new(sync.Mutex))
	mu := v.(*sync.Mutex)
	if !mu.TryLock() {
		return nil, false, nil
	}
	var once sync.Once
	return func() { once.Do(mu.Unlock) }, true, nil
}
