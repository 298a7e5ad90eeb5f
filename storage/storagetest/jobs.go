package storagetest

import (
	"context"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// TestJobLocker checks an adapter's storage.JobLocker: a held lock is
// refused to a second taker until it is released, locks of other names
// are independent, a release is safe to call twice, and a cancelled
// context takes nothing.
func TestJobLocker(t *testing.T, newStore func(t *testing.T) storage.JobLocker) {
	ctx := context.Background()
	try := func(t *testing.T, l storage.JobLocker, name string) (func(), bool) {
		t.Helper()
		release, ok, err := l.TryJobLock(ctx, name)
		if err != nil {
			t.Fatalf("TryJobLock(%q): %v", name, err)
		}
		if ok == (release == nil) {
			t.Fatalf("TryJobLock(%q) = release %v, ok %v: want a release exactly when ok", name, release != nil, ok)
		}
		return release, ok
	}
	t.Run("OK", func(t *testing.T) {
		l := newStore(t)
		release, ok := try(t, l, "cleanup")
		if !ok {
			t.Fatal("first TryJobLock refused")
		}
		if _, ok := try(t, l, "cleanup"); ok {
			t.Error("a held lock was taken again")
		}
		other, ok := try(t, l, "other")
		if !ok {
			t.Error("a lock of another name was refused")
		} else {
			other()
		}
		release()
		release()
		again, ok := try(t, l, "cleanup")
		if !ok {
			t.Fatal("the lock was refused after its release")
		}
		again()
	})
	t.Run("CanceledContext", func(t *testing.T) {
		l := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if release, ok, err := l.TryJobLock(cctx, "cleanup"); err == nil || ok || release != nil {
			t.Errorf("TryJobLock(cancelled) = %v, %v, %v; want an error and nothing taken", release != nil, ok, err)
		}
		release, ok := try(t, l, "cleanup")
		if !ok {
			t.Fatal("lock refused after a cancelled attempt")
		}
		release()
	})
}
