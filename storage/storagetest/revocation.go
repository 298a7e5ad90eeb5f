package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
)

// RevocationStore is what TestRevocations needs: the revocation sequence
// and transactions.
type RevocationStore interface {
	storage.Transactor
	token.Revocations
}

// TestRevocations checks an adapter's token.Revocations: a bump advances
// the sequence, a bump in a transaction is seen only once it commits and
// never when it rolls back, and concurrent bumps are each counted.
func TestRevocations(t *testing.T, newStore func(t *testing.T) RevocationStore) {
	ctx := context.Background()
	seq := func(t *testing.T, st RevocationStore) int64 {
		t.Helper()
		n, err := st.RevocationSeq(ctx)
		if err != nil {
			t.Fatalf("RevocationSeq: %v", err)
		}
		return n
	}
	t.Run("OK", func(t *testing.T) {
		st := newStore(t)
		before := seq(t, st)
		if err := st.BumpRevocations(ctx); err != nil {
			t.Fatalf("BumpRevocations: %v", err)
		}
		if got := seq(t, st); got != before+1 {
			t.Errorf("after one bump: %d, want %d", got, before+1)
		}
	})
	t.Run("Transaction", func(t *testing.T) {
		st := newStore(t)
		before := seq(t, st)
		errBoom := errors.New("boom")
		err := st.InTx(ctx, func(ctx context.Context) error {
			if err := st.BumpRevocations(ctx); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx: %v, want the function's error", err)
		}
		if got := seq(t, st); got != before {
			t.Errorf("after a rolled-back bump: %d, want %d", got, before)
		}
		err = st.InTx(ctx, func(ctx context.Context) error { return st.BumpRevocations(ctx) })
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		if got := seq(t, st); got != before+1 {
			t.Errorf("after a committed bump: %d, want %d", got, before+1)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		st := newStore(t)
		before := seq(t, st)
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				errs <- st.InTx(ctx, func(ctx context.Context) error { return st.BumpRevocations(ctx) })
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent bump: %v", err)
			}
		}
		if got := seq(t, st); got != before+n {
			t.Errorf("after %d concurrent bumps: %d, want %d", n, got, before+n)
		}
	})
}
