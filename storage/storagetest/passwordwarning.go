package storagetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// PasswordWarningsStore is what TestPasswordWarnings needs: accounts
// (made through the Fixture) and the record of their password-expiry
// warnings.
type PasswordWarningsStore interface {
	storage.Transactor
	Fixture
	account.PasswordWarnings
}

// pwNow is a fixed instant with no sub-microsecond part.
var pwNow = time.Date(2030, 7, 2, 9, 10, 11, 123456000, time.UTC)

// The leads of the suite's warnings.
const (
	pwEarly = 14 * 24 * time.Hour
	pwLate  = 3 * 24 * time.Hour
)

// TestPasswordWarnings checks an adapter's account.PasswordWarnings:
// PasswordAccounts lists only active password accounts, by ID, a page
// at a time, and leaves out those fully warned about their current
// password; MarkPasswordWarning records each lead of one password once,
// never an earlier lead after a later one, nothing for a password that
// changed since, starts over for a new password, is undone with its
// transaction, and of 16 concurrent marks of one warning exactly one
// succeeds. The record goes with the account.
func TestPasswordWarnings(t *testing.T, newStore func(t *testing.T) PasswordWarningsStore) {
	t.Run("List", func(t *testing.T) { testPasswordWarningsList(t, newStore(t)) })
	t.Run("Mark", func(t *testing.T) { testPasswordWarningsMark(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testPasswordWarningsRollback(t, newStore(t)) })
	t.Run("Concurrent", func(t *testing.T) { testPasswordWarningsConcurrent(t, newStore(t)) })
}

// pwAccounts makes profile prf_pw and the accounts, each with a password
// changed at pwNow unless the test changes it.
func pwAccounts(t *testing.T, st PasswordWarningsStore, as ...account.Account) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_pw", CreatedAt: pwNow, UpdatedAt: pwNow}); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	for _, a := range as {
		a.ProfileID, a.CreatedAt = "prf_pw", pwNow
		if a.Status == "" {
			a.Status = account.StatusActive
		}
		if a.PasswordChangedAt.IsZero() {
			a.PasswordChangedAt = pwNow
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%s): %v", a.ID, err)
		}
	}
}

// pwIDs lists the accounts PasswordAccounts returns after after.
func pwIDs(t *testing.T, st PasswordWarningsStore, after string, limit int) []string {
	t.Helper()
	ws, err := st.PasswordAccounts(context.Background(), after, pwLate, limit)
	if err != nil {
		t.Fatalf("PasswordAccounts: %v", err)
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.Account.ID
		if w.Account.PasswordHash == "" || w.Account.Email == "" || !w.Account.PasswordChangedAt.Equal(pwNow) {
			t.Errorf("PasswordAccounts returned %v without its stored fields", w.Account)
		}
	}
	return ids
}

// pwMark marks a warning and checks whether it was recorded.
func pwMark(t *testing.T, st PasswordWarningsStore, id string, changed time.Time, lead time.Duration, want bool) {
	t.Helper()
	got, err := st.MarkPasswordWarning(context.Background(), id, changed, lead)
	if err != nil {
		t.Fatalf("MarkPasswordWarning(%s, %v): %v", id, lead, err)
	}
	if got != want {
		t.Errorf("MarkPasswordWarning(%s, %v) = %v, want %v", id, lead, got, want)
	}
}

func testPasswordWarningsList(t *testing.T, st PasswordWarningsStore) {
	pwAccounts(t, st,
		account.Account{ID: "acc_c", Email: "c@example.com", PasswordHash: "$hash"},
		account.Account{ID: "acc_a", Email: "a@example.com", PasswordHash: "$hash"},
		account.Account{ID: "acc_b", Email: "b@example.com", PasswordHash: "$hash"},
		account.Account{ID: "acc_d", Email: "d@example.com", PasswordHash: "$hash", Status: account.StatusDeactivated},
		account.Account{ID: "acc_e", Email: "e@example.com", SSOConnection: "acme", SSOSubject: "e"},
		account.Account{ID: "acc_f", Email: "f@example.com"}, // no password
	)
	if got := pwIDs(t, st, "", 10); !slices.Equal(got, []string{"acc_a", "acc_b", "acc_c"}) {
		t.Errorf("PasswordAccounts = %v, want the active password accounts by ID", got)
	}
	if got := pwIDs(t, st, "", 2); !slices.Equal(got, []string{"acc_a", "acc_b"}) {
		t.Errorf("first page of 2 = %v", got)
	}
	if got := pwIDs(t, st, "acc_b", 2); !slices.Equal(got, []string{"acc_c"}) {
		t.Errorf("page after acc_b = %v", got)
	}
	// A warning at the early lead keeps the account listed, with it; one
	// at the last lead leaves it out.
	pwMark(t, st, "acc_a", pwNow, pwEarly, true)
	pwMark(t, st, "acc_b", pwNow, pwLate, true)
	ws, err := st.PasswordAccounts(context.Background(), "", pwLate, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].Account.ID != "acc_a" || !ws[0].For.Equal(pwNow) || ws[0].Lead != pwEarly || ws[1].Account.ID != "acc_c" || !ws[1].For.IsZero() {
		t.Errorf("PasswordAccounts after the marks = %+v, want acc_a with its early warning, acc_c with none", ws)
	}
}

func testPasswordWarningsMark(t *testing.T, st PasswordWarningsStore) {
	ctx := context.Background()
	pwAccounts(t, st, account.Account{ID: "acc_a", Email: "a@example.com", PasswordHash: "$hash"})
	pwMark(t, st, "acc_a", pwNow.Add(-time.Hour), pwEarly, false) // not the current password
	pwMark(t, st, "acc_nobody", pwNow, pwEarly, false)
	pwMark(t, st, "acc_a", pwNow, pwEarly, true)
	pwMark(t, st, "acc_a", pwNow, pwEarly, false) // once
	pwMark(t, st, "acc_a", pwNow, pwLate, true)
	pwMark(t, st, "acc_a", pwNow, pwEarly, false) // never back to the earlier lead
	pwMark(t, st, "acc_a", pwNow, pwLate, false)
	// A new password starts the warnings over.
	a, err := st.(interface {
		Account(context.Context, string) (account.Account, error)
	}).Account(ctx, "acc_a")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	a.PasswordChangedAt = pwNow.Add(24 * time.Hour)
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	if got := pwListed(t, st); len(got) != 1 || !got[0].For.Equal(pwNow) {
		t.Errorf("after a new password: %+v, want acc_a listed with its stale warning", got)
	}
	pwMark(t, st, "acc_a", pwNow, pwLate, false) // the old password
	pwMark(t, st, "acc_a", a.PasswordChangedAt, pwEarly, true)
	// The record goes with the account.
	if err := st.DeleteAccount(ctx, "acc_a"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	pwMark(t, st, "acc_a", a.PasswordChangedAt, pwLate, false)
}

// pwListed returns every listed warning of the store.
func pwListed(t *testing.T, st PasswordWarningsStore) []account.PasswordWarning {
	t.Helper()
	ws, err := st.PasswordAccounts(context.Background(), "", pwLate, 10)
	if err != nil {
		t.Fatalf("PasswordAccounts: %v", err)
	}
	return ws
}

func testPasswordWarningsRollback(t *testing.T, st PasswordWarningsStore) {
	pwAccounts(t, st, account.Account{ID: "acc_a", Email: "a@example.com", PasswordHash: "$hash"})
	boom := errors.New("boom")
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		ok, err := st.MarkPasswordWarning(ctx, "acc_a", pwNow, pwLate)
		if err != nil || !ok {
			t.Errorf("MarkPasswordWarning in a transaction = %v, %v", ok, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	pwMark(t, st, "acc_a", pwNow, pwLate, true) // the rolled-back mark is gone
}

func testPasswordWarningsConcurrent(t *testing.T, st PasswordWarningsStore) {
	pwAccounts(t, st, account.Account{ID: "acc_a", Email: "a@example.com", PasswordHash: "$hash"})
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			var won bool
			err := st.InTx(context.Background(), func(ctx context.Context) error {
				var err error
				won, err = st.MarkPasswordWarning(ctx, "acc_a", pwNow, pwEarly)
				return err
			})
			switch {
			case err == nil && won:
				wins.Add(1)
			case err != nil && !errors.Is(err, storage.ErrConflict):
				t.Errorf("MarkPasswordWarning: %v", err)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("%d of 16 concurrent marks recorded the warning, want exactly 1", n)
	}
}
