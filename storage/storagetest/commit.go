package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/storage"
)

// TestAfterCommit checks that an adapter's InTx runs the functions
// registered with storage.AfterCommit once the outermost transaction
// committed, in order, and never for a rolled-back one, and that they get
// a context without the transaction (they may start one of their own).
func TestAfterCommit(t *testing.T, newStore func(t *testing.T) storage.Transactor) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := newStore(t)
		var ran []string
		err := st.InTx(ctx, func(ctx context.Context) error {
			storage.AfterCommit(ctx, func(context.Context) { ran = append(ran, "outer") })
			err := st.InTx(ctx, func(ctx context.Context) error {
				storage.AfterCommit(ctx, func(context.Context) { ran = append(ran, "joined") })
				return nil
			})
			if len(ran) != 0 {
				t.Errorf("ran %q before the outermost transaction committed", ran)
			}
			return err
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		pfDiff(t, "functions run after the commit", ran, []string{"outer", "joined"})
	})
	t.Run("Rollback", func(t *testing.T) {
		st := newStore(t)
		fail := errors.New("storagetest: fail")
		ran := false
		err := st.InTx(ctx, func(ctx context.Context) error {
			storage.AfterCommit(ctx, func(context.Context) { ran = true })
			return fail
		})
		wantErr(t, "InTx", err, fail)
		if ran {
			t.Error("a function registered in a rolled-back transaction ran")
		}
	})
	t.Run("NoTransaction", func(t *testing.T) {
		ran := false
		storage.AfterCommit(ctx, func(context.Context) { ran = true })
		if !ran {
			t.Error("AfterCommit without a transaction did not run the function at once")
		}
	})
	t.Run("NewTransactionInHook", func(t *testing.T) {
		st := newStore(t)
		var ran []string
		err := st.InTx(ctx, func(ctx context.Context) error {
			storage.AfterCommit(ctx, func(ctx context.Context) {
				err := st.InTx(ctx, func(ctx context.Context) error {
					storage.AfterCommit(ctx, func(context.Context) { ran = append(ran, "second") })
					return nil
				})
				if err != nil {
					t.Errorf("InTx in a hook: %v", err)
				}
				ran = append(ran, "first")
			})
			return nil
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		pfDiff(t, "hooks", ran, []string{"second", "first"})
	})
}
