package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// testAccountEmailChange checks what a change of login email needs of an
// account.Store: a pending change (account.PendingEmailChange, with no
// password hash) round-trips and goes with its account; UpdateAccount
// moves the address, so the new one finds the account and the old one is
// free again; an update to a taken address is refused and changes
// nothing, inside a transaction too.
func testAccountEmailChange(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "ada@example.com"))
	acCreate(t, st, acAccount("acc_2", "prf_1", "bob@example.com"))

	want := account.Pending{
		ID: "pnd_1", Kind: account.PendingEmailChange, Email: "ada@new.example", ProfileID: "prf_1",
		RequestedBy: "acc_1", CreatedAt: acNow, ExpiresAt: acNow.Add(time.Hour),
	}
	if err := st.CreatePending(ctx, want); err != nil {
		t.Fatalf("CreatePending(email change): %v", err)
	}
	got, err := st.Pending(ctx, "pnd_1")
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Pending (-want +got):\n%s", diff)
	}

	a, _ := st.Account(ctx, "acc_1")
	a.Email = "ada@new.example"
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Fatalf("UpdateAccount(new email): %v", err)
	}
	if got, err := st.AccountByEmail(ctx, "ada@new.example"); err != nil || got.ID != "acc_1" {
		t.Errorf("AccountByEmail(new) = %v, %v; want acc_1", got, err)
	}
	_, err = st.AccountByEmail(ctx, "ada@example.com")
	wantErr(t, "AccountByEmail(old)", err, storage.ErrNotFound)
	acCreate(t, st, acAccount("acc_3", "prf_1", "ada@example.com"))

	// A taken address, in a transaction: refused, nothing changes.
	err = st.InTx(ctx, func(ctx context.Context) error {
		b, err := st.Account(ctx, "acc_2")
		if err != nil {
			return err
		}
		b.Email = "ADA@new.example"
		return st.UpdateAccount(ctx, b)
	})
	wantErr(t, "UpdateAccount(taken email) in a transaction", err, storage.ErrConflict)
	if b, _ := st.Account(ctx, "acc_2"); b.Email != "bob@example.com" {
		t.Errorf("email after a refused change = %q, want bob@example.com", b.Email)
	}

	if n, err := st.DeletePendingRequestedBy(ctx, "acc_1"); err != nil || n != 1 {
		t.Errorf("DeletePendingRequestedBy = %d, %v; want 1, nil", n, err)
	}
	_, err = st.Pending(ctx, "pnd_1")
	wantErr(t, "Pending after DeletePendingRequestedBy", err, storage.ErrNotFound)
}
