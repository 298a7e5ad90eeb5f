package storagetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// LoginFailuresStore is what TestLoginFailures needs: an adapter's
// counters of failed password checks and its transactions.
type LoginFailuresStore interface {
	storage.Transactor
	account.LoginFailures
}

// lfNow is a fixed instant with no sub-microsecond part.
var lfNow = time.Date(2030, 7, 8, 9, 10, 11, 123456000, time.UTC)

// TestLoginFailures checks an adapter's account.LoginFailures: counting
// returns the counter as it was, counters are independent, a counter
// whose latest failure is older than since starts again, a failure is
// taken back and a counter forgotten, old counters are deleted, a count
// in a rolled-back transaction is gone, and 16 attempts counted at once
// in their own transactions each see a different count.
func TestLoginFailures(t *testing.T, newStore func(t *testing.T) LoginFailuresStore) {
	t.Run("Count", func(t *testing.T) { testLoginFailuresCount(t, newStore(t)) })
	t.Run("Forget", func(t *testing.T) { testLoginFailuresForget(t, newStore(t)) })
	t.Run("TakeBack", func(t *testing.T) { testLoginFailuresTakeBack(t, newStore(t)) })
	t.Run("DeleteBefore", func(t *testing.T) { testLoginFailuresDeleteBefore(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testLoginFailuresRollback(t, newStore(t)) })
	t.Run("Concurrent", func(t *testing.T) { testLoginFailuresConcurrent(t, newStore(t)) })
}

// lfAdd counts a failure at lfNow+at, forgetting those before
// lfNow+since, and checks what the counter was.
func lfAdd(t *testing.T, st account.LoginFailures, key ratelimit.Key, at, since time.Duration, want account.Failures) {
	t.Helper()
	got, err := st.AddLoginFailure(context.Background(), key, lfNow.Add(at), lfNow.Add(since))
	if err != nil {
		t.Fatalf("AddLoginFailure: %v", err)
	}
	if got.Count != want.Count || !got.Last.Equal(want.Last) {
		t.Errorf("AddLoginFailure at +%v returned %+v, want %+v", at, got, want)
	}
}

func testLoginFailuresCount(t *testing.T, st LoginFailuresStore) {
	a, b := ratelimit.KeyOf("a"), ratelimit.KeyOf("b")
	lfAdd(t, st, a, 0, -time.Hour, account.Failures{})
	lfAdd(t, st, a, time.Second, -time.Hour, account.Failures{Count: 1, Last: lfNow})
	lfAdd(t, st, b, 2*time.Second, -time.Hour, account.Failures{})
	lfAdd(t, st, a, 3*time.Second, -time.Hour, account.Failures{Count: 2, Last: lfNow.Add(time.Second)})
	lfAdd(t, st, b, 4*time.Second, -time.Hour, account.Failures{Count: 1, Last: lfNow.Add(2 * time.Second)})
}

func testLoginFailuresForget(t *testing.T, st LoginFailuresStore) {
	ctx := context.Background()
	a := ratelimit.KeyOf("a")
	lfAdd(t, st, a, 0, -time.Hour, account.Failures{})
	lfAdd(t, st, a, time.Minute, -time.Hour, account.Failures{Count: 1, Last: lfNow})
	// since after the latest failure: the counter starts again.
	lfAdd(t, st, a, 3*time.Hour, 2*time.Hour, account.Failures{})
	lfAdd(t, st, a, 4*time.Hour, 2*time.Hour, account.Failures{Count: 1, Last: lfNow.Add(3 * time.Hour)})
	if err := st.ForgetLoginFailures(ctx, a); err != nil {
		t.Fatalf("ForgetLoginFailures: %v", err)
	}
	lfAdd(t, st, a, 5*time.Hour, 0, account.Failures{})
	if err := st.ForgetLoginFailures(ctx, ratelimit.KeyOf("never seen")); err != nil {
		t.Errorf("ForgetLoginFailures(unknown) = %v, want nil", err)
	}
}

func testLoginFailuresTakeBack(t *testing.T, st LoginFailuresStore) {
	ctx := context.Background()
	a := ratelimit.KeyOf("a")
	lfAdd(t, st, a, 0, -time.Hour, account.Failures{})
	lfAdd(t, st, a, time.Second, -time.Hour, account.Failures{Count: 1, Last: lfNow})
	if err := st.TakeBackLoginFailure(ctx, a); err != nil {
		t.Fatalf("TakeBackLoginFailure: %v", err)
	}
	lfAdd(t, st, a, 2*time.Second, -time.Hour, account.Failures{Count: 1, Last: lfNow.Add(time.Second)})
	for range 3 { // never below zero
		if err := st.TakeBackLoginFailure(ctx, a); err != nil {
			t.Fatalf("TakeBackLoginFailure: %v", err)
		}
	}
	lfAdd(t, st, a, 3*time.Second, -time.Hour, account.Failures{})
	if err := st.TakeBackLoginFailure(ctx, ratelimit.KeyOf("never seen")); err != nil {
		t.Errorf("TakeBackLoginFailure(unknown) = %v, want nil", err)
	}
}

func testLoginFailuresDeleteBefore(t *testing.T, st LoginFailuresStore) {
	ctx := context.Background()
	old, recent := ratelimit.KeyOf("old"), ratelimit.KeyOf("recent")
	lfAdd(t, st, old, 0, -time.Hour, account.Failures{})
	lfAdd(t, st, recent, time.Hour, -time.Hour, account.Failures{})
	n, err := st.DeleteLoginFailuresBefore(ctx, lfNow.Add(30*time.Minute))
	if n != 1 || err != nil {
		t.Errorf("DeleteLoginFailuresBefore = %d, %v; want 1", n, err)
	}
	// since far back: only a deleted counter returns the zero Failures.
	lfAdd(t, st, old, 2*time.Hour, -time.Hour, account.Failures{})
	lfAdd(t, st, recent, 2*time.Hour, -time.Hour, account.Failures{Count: 1, Last: lfNow.Add(time.Hour)})
}

func testLoginFailuresRollback(t *testing.T, st LoginFailuresStore) {
	a := ratelimit.KeyOf("a")
	lfAdd(t, st, a, 0, -time.Hour, account.Failures{})
	boom := errors.New("storagetest: boom")
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		if _, err := st.AddLoginFailure(ctx, a, lfNow.Add(time.Second), lfNow.Add(-time.Hour)); err != nil {
			return err
		}
		if err := st.TakeBackLoginFailure(ctx, a); err != nil {
			return err
		}
		if _, err := st.AddLoginFailure(ctx, ratelimit.KeyOf("b"), lfNow, lfNow.Add(-time.Hour)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	lfAdd(t, st, a, 2*time.Second, -time.Hour, account.Failures{Count: 1, Last: lfNow})
	lfAdd(t, st, ratelimit.KeyOf("b"), 2*time.Second, -time.Hour, account.Failures{})
}

func testLoginFailuresConcurrent(t *testing.T, st LoginFailuresStore) {
	const n = 16
	a := ratelimit.KeyOf("a")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seen []int
	for i := range n {
		wg.Go(func() {
			err := st.InTx(context.Background(), func(ctx context.Context) error {
				f, err := st.AddLoginFailure(ctx, a, lfNow.Add(time.Duration(i)*time.Microsecond), lfNow.Add(-time.Hour))
				if err == nil {
					mu.Lock()
					seen = append(seen, f.Count)
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Errorf("InTx: %v", err)
			}
		})
	}
	wg.Wait()
	slices.Sort(seen)
	for i, c := range seen {
		if c != i {
			t.Fatalf("counts seen by %d attempts at once = %v, want each of 0..%d once", n, seen, n-1)
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d attempts counted", len(seen), n)
	}
}
