package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// AccountStore is what TestAccountStore needs: accounts belong to
// profiles, which the suite creates first.
type AccountStore interface {
	storage.Transactor
	Fixture
	account.Store
}

// acNow is a fixed instant with no sub-microsecond part, so every adapter
// stores it exactly.
var acNow = time.Date(2024, 2, 3, 4, 5, 6, 789012000, time.UTC)

// TestAccountStore checks an adapter's account.Store: account CRUD, the
// case-insensitive unique email (on create and update), the order of a
// profile's accounts, moving every account of a profile to another (and
// its rollback), pending requests and their expiry, transaction rollback,
// a change of login email (its pending request, the address moving),
// and 16 goroutines creating accounts with one email.
func TestAccountStore(t *testing.T, newStore func(t *testing.T) AccountStore) {
	t.Run("CreateGet", func(t *testing.T) { testAccountCreateGet(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testAccountNotFound(t, newStore(t)) })
	t.Run("EmailUnique", func(t *testing.T) { testAccountEmailUnique(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testAccountUpdate(t, newStore(t)) })
	t.Run("UpdateEmailConflict", func(t *testing.T) { testAccountUpdateConflict(t, newStore(t)) })
	t.Run("EmailChange", func(t *testing.T) { testAccountEmailChange(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testAccountDelete(t, newStore(t)) })
	t.Run("AccountsOfProfile", func(t *testing.T) { testAccountsOfProfile(t, newStore(t)) })
	t.Run("MoveAccounts", func(t *testing.T) { testAccountMove(t, newStore(t)) })
	t.Run("MoveAccountsRollback", func(t *testing.T) { testAccountMoveRollback(t, newStore(t)) })
	t.Run("Pending", func(t *testing.T) { testAccountPending(t, newStore(t)) })
	t.Run("PendingExpiry", func(t *testing.T) { testAccountPendingExpiry(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testAccountRollback(t, newStore(t)) })
	t.Run("EmailRace", func(t *testing.T) { testAccountEmailRace(t, newStore(t)) })
}

func acProfile(t *testing.T, st AccountStore, id string) {
	t.Helper()
	p := profile.Profile{ID: id, CreatedAt: acNow, UpdatedAt: acNow}
	if err := st.CreateProfile(context.Background(), p); err != nil {
		t.Fatalf("CreateProfile(%s): %v", id, err)
	}
}

func acAccount(id, profileID, email string) account.Account {
	return account.Account{
		ID: id, ProfileID: profileID, Email: email,
		PasswordHash:      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
		PasswordChangedAt: acNow.Add(-time.Hour), Status: account.StatusActive,
		Marketing: true, Credits: 42, CreatedAt: acNow,
	}
}

func acCreate(t *testing.T, st AccountStore, a account.Account) {
	t.Helper()
	if err := st.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("CreateAccount(%s): %v", a.ID, err)
	}
}

func testAccountCreateGet(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	want := acAccount("acc_1", "prf_1", "ada@example.com")
	acCreate(t, st, want)
	got, err := st.Account(ctx, "acc_1")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Account mismatch (-want +got):\n%s", diff)
	}
	got, err = st.AccountByEmail(ctx, "ada@example.com")
	if err != nil {
		t.Fatalf("AccountByEmail: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccountByEmail mismatch (-want +got):\n%s", diff)
	}
	got, err = st.AccountByEmail(ctx, "ADA@Example.com")
	if err != nil || got.ID != "acc_1" {
		t.Errorf("AccountByEmail(upper case) = %v, %v; want acc_1", got.ID, err)
	}
	wantErr(t, "CreateAccount(same id)", st.CreateAccount(ctx, acAccount("acc_1", "prf_1", "other@example.com")), storage.ErrConflict)
}

func testAccountNotFound(t *testing.T, st AccountStore) {
	ctx := context.Background()
	_, err := st.Account(ctx, "acc_missing")
	wantErr(t, "Account", err, storage.ErrNotFound)
	_, err = st.AccountByEmail(ctx, "nobody@example.com")
	wantErr(t, "AccountByEmail", err, storage.ErrNotFound)
	wantErr(t, "UpdateAccount", st.UpdateAccount(ctx, acAccount("acc_missing", "prf_1", "x@example.com")), storage.ErrNotFound)
	wantErr(t, "DeleteAccount", st.DeleteAccount(ctx, "acc_missing"), storage.ErrNotFound)
	_, err = st.Pending(ctx, "pnd_missing")
	wantErr(t, "Pending", err, storage.ErrNotFound)
	wantErr(t, "DeletePending", st.DeletePending(ctx, "pnd_missing"), storage.ErrNotFound)
	got, err := st.AccountsOfProfile(ctx, "prf_missing")
	if err != nil || len(got) != 0 {
		t.Errorf("AccountsOfProfile(unknown) = %v, %v; want none, nil", got, err)
	}
}

func testAccountEmailUnique(t *testing.T, st AccountStore) {
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "A@x.com"))
	err := st.CreateAccount(context.Background(), acAccount("acc_2", "prf_1", "a@x.com"))
	wantErr(t, "CreateAccount(a@x.com after A@x.com)", err, storage.ErrConflict)
	if _, err := st.Account(context.Background(), "acc_2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Account(acc_2) after conflict: got %v, want ErrNotFound", err)
	}
}

func testAccountUpdate(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acProfile(t, st, "prf_2")
	acCreate(t, st, acAccount("acc_1", "prf_1", "ada@example.com"))
	want := account.Account{
		ID: "acc_1", ProfileID: "prf_2", Email: "ada@example.org", PasswordHash: "$2b$10$new",
		PasswordChangedAt: acNow.Add(time.Minute), Status: account.StatusDeactivated,
		Credits: 7, CreatedAt: acNow,
	}
	changed := want
	changed.CreatedAt = acNow.Add(time.Hour) // ignored
	if err := st.UpdateAccount(ctx, changed); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	got, err := st.Account(ctx, "acc_1")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after UpdateAccount (-want +got):\n%s", diff)
	}
	if _, err := st.AccountByEmail(ctx, "ada@example.com"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AccountByEmail(old email): got %v, want ErrNotFound", err)
	}
	acCreate(t, st, acAccount("acc_2", "prf_1", "ada@example.com")) // the old email is free
}

func testAccountUpdateConflict(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "one@example.com"))
	acCreate(t, st, acAccount("acc_2", "prf_1", "two@example.com"))
	a := acAccount("acc_2", "prf_1", "ONE@example.com")
	wantErr(t, "UpdateAccount(taken email)", st.UpdateAccount(ctx, a), storage.ErrConflict)
	got, _ := st.Account(ctx, "acc_2")
	if got.Email != "two@example.com" {
		t.Errorf("email after refused update = %q, want two@example.com", got.Email)
	}
	// Changing only the case of one's own email is not a conflict.
	a = acAccount("acc_2", "prf_1", "Two@example.com")
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Errorf("UpdateAccount(own email, other case): %v", err)
	}
}

func testAccountDelete(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "ada@example.com"))
	if err := st.DeleteAccount(ctx, "acc_1"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	_, err := st.Account(ctx, "acc_1")
	wantErr(t, "Account after delete", err, storage.ErrNotFound)
	_, err = st.AccountByEmail(ctx, "ada@example.com")
	wantErr(t, "AccountByEmail after delete", err, storage.ErrNotFound)
	acCreate(t, st, acAccount("acc_2", "prf_1", "ada@example.com"))
}

func testAccountsOfProfile(t *testing.T, st AccountStore) {
	acProfile(t, st, "prf_1")
	acProfile(t, st, "prf_2")
	mk := func(id, email string, created time.Time) {
		a := acAccount(id, "prf_1", email)
		a.CreatedAt = created
		acCreate(t, st, a)
	}
	mk("acc_c", "c@example.com", acNow)
	mk("acc_a", "a@example.com", acNow.Add(time.Hour))
	mk("acc_b", "b@example.com", acNow)
	other := acAccount("acc_z", "prf_2", "z@example.com")
	acCreate(t, st, other)
	got, err := st.AccountsOfProfile(context.Background(), "prf_1")
	if err != nil {
		t.Fatalf("AccountsOfProfile: %v", err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"acc_b", "acc_c", "acc_a"}, ids); diff != "" {
		t.Errorf("AccountsOfProfile order (-want +got):\n%s", diff)
	}
}

func acPending(id string, kind account.PendingKind, expires time.Time) account.Pending {
	p := account.Pending{
		ID: id, Kind: kind, Email: id + "@example.com", PasswordHash: "$argon2id$hash",
		Marketing: true, CreatedAt: acNow, ExpiresAt: expires,
	}
	if kind == account.PendingAddAccount {
		p.ProfileID, p.RequestedBy = "prf_1", "acc_1"
	}
	return p
}

func testAccountPending(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "ada@example.com"))
	for _, want := range []account.Pending{
		acPending("pnd_1", account.PendingSignUp, acNow.Add(time.Hour)),
		acPending("pnd_2", account.PendingAddAccount, acNow.Add(time.Hour)),
	} {
		if err := st.CreatePending(ctx, want); err != nil {
			t.Fatalf("CreatePending(%s): %v", want.ID, err)
		}
		got, err := st.Pending(ctx, want.ID)
		if err != nil {
			t.Fatalf("Pending(%s): %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Pending(%s) (-want +got):\n%s", want.ID, diff)
		}
	}
	wantErr(t, "CreatePending(same id)", st.CreatePending(ctx, acPending("pnd_1", account.PendingSignUp, acNow)), storage.ErrConflict)
	if err := st.DeletePending(ctx, "pnd_1"); err != nil {
		t.Fatalf("DeletePending: %v", err)
	}
	_, err := st.Pending(ctx, "pnd_1")
	wantErr(t, "Pending after delete", err, storage.ErrNotFound)
	n, err := st.DeletePendingRequestedBy(ctx, "acc_1")
	if err != nil || n != 1 {
		t.Errorf("DeletePendingRequestedBy = %d, %v; want 1, nil", n, err)
	}
	_, err = st.Pending(ctx, "pnd_2")
	wantErr(t, "Pending after DeletePendingRequestedBy", err, storage.ErrNotFound)
}

func testAccountPendingExpiry(t *testing.T, st AccountStore) {
	ctx := context.Background()
	for i, exp := range []time.Duration{-2 * time.Hour, -time.Second, 0, time.Hour} {
		p := acPending(fmt.Sprintf("pnd_%d", i), account.PendingSignUp, acNow.Add(exp))
		if err := st.CreatePending(ctx, p); err != nil {
			t.Fatalf("CreatePending: %v", err)
		}
	}
	n, err := st.DeletePendingBefore(ctx, acNow)
	if err != nil || n != 2 {
		t.Errorf("DeletePendingBefore = %d, %v; want 2, nil", n, err)
	}
	for i, want := range []error{storage.ErrNotFound, storage.ErrNotFound, nil, nil} {
		_, err := st.Pending(ctx, fmt.Sprintf("pnd_%d", i))
		if !errors.Is(err, want) {
			t.Errorf("Pending(pnd_%d) = %v, want %v", i, err, want)
		}
	}
}

func testAccountRollback(t *testing.T, st AccountStore) {
	ctx := context.Background()
	acProfile(t, st, "prf_1")
	acCreate(t, st, acAccount("acc_1", "prf_1", "ada@example.com"))
	boom := errors.New("storagetest: boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreateAccount(ctx, acAccount("acc_2", "prf_1", "bob@example.com")); err != nil {
			return err
		}
		a := acAccount("acc_1", "prf_1", "ada@example.org")
		a.Status = account.StatusDeactivated
		if err := st.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := st.CreatePending(ctx, acPending("pnd_1", account.PendingSignUp, acNow)); err != nil {
			return err
		}
		if got, err := st.Account(ctx, "acc_2"); err != nil || got.Email != "bob@example.com" {
			return fmt.Errorf("read inside tx = %v, %w", got, err)
		}
		return boom
	})
	wantErr(t, "InTx", err, boom)
	if _, err := st.Account(ctx, "acc_2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Account(acc_2) after rollback: got %v, want ErrNotFound", err)
	}
	if _, err := st.AccountByEmail(ctx, "bob@example.com"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("AccountByEmail(bob) after rollback: got %v, want ErrNotFound", err)
	}
	got, err := st.Account(ctx, "acc_1")
	if diff := cmp.Diff(acAccount("acc_1", "prf_1", "ada@example.com"), got); err != nil || diff != "" {
		t.Errorf("acc_1 after rollback (%v) (-want +got):\n%s", err, diff)
	}
	if _, err := st.Pending(ctx, "pnd_1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Pending after rollback: got %v, want ErrNotFound", err)
	}
	acCreate(t, st, acAccount("acc_3", "prf_1", "bob@example.com"))
}

func testAccountEmailRace(t *testing.T, st AccountStore) {
	const n = 16
	acProfile(t, st, "prf_1")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			a := acAccount(fmt.Sprintf("acc_%02d", i), "prf_1", "Same@Example.com")
			if i%2 == 1 {
				a.Email = "same@example.com"
			}
			errs[i] = st.CreateAccount(context.Background(), a)
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, storage.ErrConflict):
			t.Errorf("goroutine %d: got %v, want nil or ErrConflict", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent CreateAccount calls succeeded, want exactly 1", ok, n)
	}
	accts, err := st.AccountsOfProfile(context.Background(), "prf_1")
	if err != nil || len(accts) != 1 {
		t.Errorf("AccountsOfProfile = %d accounts, %v; want 1", len(accts), err)
	}
}

// acMovePair makes prf_x with one account and prf_y with two, the second
// deactivated, and returns them (x's first).
func acMovePair(t *testing.T, st AccountStore) []account.Account {
	t.Helper()
	acProfile(t, st, "prf_x")
	acProfile(t, st, "prf_y")
	out := []account.Account{
		acAccount("acc_x", "prf_x", "x@example.com"),
		acAccount("acc_y1", "prf_y", "y1@example.com"),
		acAccount("acc_y2", "prf_y", "y2@example.com"),
	}
	out[1].CreatedAt, out[2].CreatedAt = acNow.Add(time.Second), acNow.Add(2*time.Second)
	out[2].Status, out[2].Credits = account.StatusDeactivated, 7
	for _, a := range out {
		acCreate(t, st, a)
	}
	return out
}

// acWantAccounts checks the accounts of the profile.
func acWantAccounts(t *testing.T, st AccountStore, profileID string, want []account.Account) {
	t.Helper()
	got, err := st.AccountsOfProfile(context.Background(), profileID)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); err != nil || diff != "" {
		t.Errorf("accounts of %s (%v) (-want +got):\n%s", profileID, err, diff)
	}
}

func testAccountMove(t *testing.T, st AccountStore) {
	ctx := context.Background()
	all := acMovePair(t, st)
	wantErr(t, "MoveAccounts(to unknown)", st.MoveAccounts(ctx, "prf_y", "prf_nope"), storage.ErrNotFound)
	acWantAccounts(t, st, "prf_y", all[1:])
	if err := st.MoveAccounts(ctx, "prf_y", "prf_y"); err != nil {
		t.Errorf("MoveAccounts(same profile): %v", err)
	}
	acWantAccounts(t, st, "prf_y", all[1:])
	if err := st.MoveAccounts(ctx, "prf_nobody", "prf_x"); err != nil {
		t.Errorf("MoveAccounts(from a profile without accounts): %v", err)
	}
	if err := st.MoveAccounts(ctx, "prf_y", "prf_x"); err != nil {
		t.Fatalf("MoveAccounts: %v", err)
	}
	var want []account.Account
	for _, a := range all {
		a.ProfileID = "prf_x" // status, credits and the rest stay
		want = append(want, a)
	}
	acWantAccounts(t, st, "prf_x", want)
	acWantAccounts(t, st, "prf_y", nil)
	if got, err := st.AccountByEmail(ctx, "y2@example.com"); err != nil || got.ProfileID != "prf_x" {
		t.Errorf("AccountByEmail(moved) = %v, %v; want it in prf_x", got, err)
	}
}

func testAccountMoveRollback(t *testing.T, st AccountStore) {
	ctx := context.Background()
	all := acMovePair(t, st)
	boom := errors.New("storagetest: boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.MoveAccounts(ctx, "prf_y", "prf_x"); err != nil {
			return err
		}
		if got, err := st.AccountsOfProfile(ctx, "prf_x"); err != nil || len(got) != 3 {
			return fmt.Errorf("accounts of prf_x inside tx = %d, %w", len(got), err)
		}
		return boom
	})
	wantErr(t, "InTx", err, boom)
	acWantAccounts(t, st, "prf_x", all[:1])
	acWantAccounts(t, st, "prf_y", all[1:])
}
