package memory

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/storage"
)

var _ storage.JobLocker = (*Store)(nil)

// TryJobLock implements storage.JobLocker with a mutex per job name: a
// memory store lives in one process.
func (s *Store) TryJobLock(ctx context.Context, name string) (func(), bool, error) {
	return s.jobs.TryJobLock(ctx, name)
}
