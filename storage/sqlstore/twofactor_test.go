package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
)

// Deleting an account deletes its two-factor record and recovery codes
// (ON DELETE CASCADE), so no secret outlives its account.
func TestTwoFactorGoesWithAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, newStore func(*testing.T) *sqlstore.Store) {
		ctx := context.Background()
		st := newStore(t)
		now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_1", CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		a := account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "a@example.com", Status: account.StatusActive, CreatedAt: now}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		r := twofactor.Record{AccountID: a.ID, Method: twofactor.MethodAuthenticator, Secret: []byte("sealed")}
		if err := st.SaveTwoFactor(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := st.PutRecoveryCodes(ctx, a.ID, [][]byte{[]byte("d1"), []byte("d2")}); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteAccount(ctx, a.ID); err != nil {
			t.Fatalf("DeleteAccount: %v", err)
		}
		if _, err := st.TwoFactor(ctx, a.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("TwoFactor after DeleteAccount: got %v, want storage.ErrNotFound", err)
		}
		if n, err := st.RecoveryCodesLeft(ctx, a.ID); n != 0 || err != nil {
			t.Errorf("RecoveryCodesLeft after DeleteAccount: got %d, %v; want 0, nil", n, err)
		}
	})
}
