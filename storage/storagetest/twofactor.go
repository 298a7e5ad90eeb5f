package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// TwoFactorStore is what TestTwoFactorStore needs: two-factor records
// belong to accounts, which belong to profiles.
type TwoFactorStore interface {
	storage.Transactor
	Fixture
	twofactor.Store
}

// tfNow is a fixed instant with no sub-microsecond part, so every adapter
// stores it exactly.
var tfNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

// TestTwoFactorStore checks an adapter's twofactor.Store: records, the
// atomic time-step, lockout compare-and-set, SMS-code and recovery-code
// operations (16 goroutines racing for one code), transactions and
// erasure.
func TestTwoFactorStore(t *testing.T, newStore func(t *testing.T) TwoFactorStore) {
	t.Run("Record", func(t *testing.T) { testTwoFactorRecord(t, newStore(t)) })
	t.Run("MethodsOfProfile", func(t *testing.T) { testTwoFactorMethodsOfProfile(t, newStore(t)) })
	t.Run("KeepsCounters", func(t *testing.T) { testTwoFactorKeepsCounters(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testTwoFactorDelete(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testTwoFactorNotFound(t, newStore(t)) })
	t.Run("TOTPStep", func(t *testing.T) { testTOTPStep(t, newStore(t)) })
	t.Run("TOTPStepRace", func(t *testing.T) { testTOTPStepRace(t, newStore(t)) })
	t.Run("Attempts", func(t *testing.T) { testTwoFactorAttempts(t, newStore(t)) })
	t.Run("AttemptsRace", func(t *testing.T) { testTwoFactorAttemptsRace(t, newStore(t)) })
	t.Run("SwapRace", func(t *testing.T) { testTwoFactorSwapRace(t, newStore(t)) })
	t.Run("SMSCode", func(t *testing.T) { testTFSMSCode(t, newStore(t)) })
	t.Run("RecoveryCodes", func(t *testing.T) { testTFRecoveryCodes(t, newStore(t)) })
	t.Run("RecoveryCodeRace", func(t *testing.T) { testTFRecoveryCodeRace(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testTwoFactorRollback(t, newStore(t)) })
}

// tfAccount creates a profile and an account with the id and returns the
// account id.
func tfAccount(t *testing.T, st TwoFactorStore, id string) string {
	t.Helper()
	ctx := context.Background()
	p := profile.Profile{ID: "prf_" + id, Name: "Ada", CreatedAt: tfNow, UpdatedAt: tfNow}
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	a := account.Account{
		ID: "acc_" + id, ProfileID: p.ID, Email: id + "@example.com",
		Status: account.StatusActive, CreatedAt: tfNow, PasswordChangedAt: tfNow,
	}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a.ID
}

// tfEnabled saves an active authenticator record for the account.
func tfEnabled(t *testing.T, st TwoFactorStore, accountID string) twofactor.Record {
	t.Helper()
	r := twofactor.Record{
		AccountID: accountID, Method: twofactor.MethodAuthenticator, EnabledAt: tfNow,
		Secret: []byte("sealed secret"), PendingMethod: twofactor.MethodNone,
	}
	if err := st.SaveTwoFactor(context.Background(), r); err != nil {
		t.Fatalf("SaveTwoFactor: %v", err)
	}
	return r
}

func tfGet(t *testing.T, st TwoFactorStore, accountID string) twofactor.Record {
	t.Helper()
	r, err := st.TwoFactor(context.Background(), accountID)
	if err != nil {
		t.Fatalf("TwoFactor(%s): %v", accountID, err)
	}
	return r
}

func testTwoFactorMethodsOfProfile(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	first := tfAccount(t, st, "one")
	second := account.Account{ID: "acc_two", ProfileID: "prf_one", Email: "two@example.com",
		Status: account.StatusActive, CreatedAt: tfNow, PasswordChangedAt: tfNow}
	if err := st.CreateAccount(ctx, second); err != nil {
		t.Fatal(err)
	}
	third := account.Account{ID: "acc_three", ProfileID: "prf_one", Email: "three@example.com",
		Status: account.StatusActive, CreatedAt: tfNow, PasswordChangedAt: tfNow}
	if err := st.CreateAccount(ctx, third); err != nil {
		t.Fatal(err)
	}
	other := tfAccount(t, st, "other")
	tfEnabled(t, st, first)
	tfEnabled(t, st, other)
	if err := st.SaveTwoFactor(ctx, twofactor.Record{AccountID: second.ID, Method: twofactor.MethodNone,
		PendingMethod: twofactor.MethodSMS, PendingPhone: "+31612345678", PendingAt: tfNow}); err != nil {
		t.Fatal(err)
	}
	got, err := st.TwoFactorMethodsOfProfile(ctx, "prf_one")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]twofactor.Method{first: twofactor.MethodAuthenticator, second.ID: twofactor.MethodNone}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TwoFactorMethodsOfProfile (-want +got):\n%s", diff)
	}
	if got, err := st.TwoFactorMethodsOfProfile(ctx, "prf_none"); err != nil || len(got) != 0 {
		t.Errorf("TwoFactorMethodsOfProfile(unknown) = %v, %v; want none", got, err)
	}
}

func testTwoFactorRecord(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "rec")
	_, err := st.TwoFactor(ctx, acc)
	wantErr(t, "TwoFactor before save", err, storage.ErrNotFound)

	pending := twofactor.Record{
		AccountID: acc, Method: twofactor.MethodNone, PendingMethod: twofactor.MethodSMS,
		PendingPhone: "+31612345678", PendingAt: tfNow,
	}
	if err := st.SaveTwoFactor(ctx, pending); err != nil {
		t.Fatalf("SaveTwoFactor: %v", err)
	}
	if diff := cmp.Diff(pending, tfGet(t, st, acc)); diff != "" {
		t.Errorf("TwoFactor after save (-want +got):\n%s", diff)
	}

	active := twofactor.Record{
		AccountID: acc, Method: twofactor.MethodAuthenticator, EnabledAt: tfNow.Add(time.Minute),
		Secret: []byte{0, 1, 2, 255}, PendingMethod: twofactor.MethodSMS,
		PendingSecret: []byte{9, 8}, PendingPhone: "+4412345678", PendingAt: tfNow,
	}
	if err := st.SaveTwoFactor(ctx, active); err != nil {
		t.Fatalf("SaveTwoFactor (replace): %v", err)
	}
	got := tfGet(t, st, acc)
	if diff := cmp.Diff(active, got); diff != "" {
		t.Errorf("TwoFactor after replace (-want +got):\n%s", diff)
	}
	got.Secret[0] = 42 // the stored record must not change
	if diff := cmp.Diff(active, tfGet(t, st, acc)); diff != "" {
		t.Errorf("stored record changed through a returned slice (-want +got):\n%s", diff)
	}
}

func testTwoFactorKeepsCounters(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "keep")
	r := tfEnabled(t, st, acc)
	if err := st.UseTOTPStep(ctx, acc, 77); err != nil {
		t.Fatalf("UseTOTPStep: %v", err)
	}
	if err := st.SwapTwoFactorLock(ctx, acc, twofactor.LockState{}, twofactor.LockState{Attempts: 1}); err != nil {
		t.Fatalf("SwapTwoFactorLock: %v", err)
	}
	code := twofactor.SMSCode{Digest: []byte("digest"), SentAt: tfNow, ExpiresAt: tfNow.Add(time.Minute)}
	if err := st.PutSMSCode(ctx, acc, code); err != nil {
		t.Fatalf("PutSMSCode: %v", err)
	}
	r.LastStep, r.Attempts, r.LockedUntil, r.SMSCode = 1, 3, tfNow.Add(time.Hour), twofactor.SMSCode{}
	if err := st.SaveTwoFactor(ctx, r); err != nil {
		t.Fatalf("SaveTwoFactor: %v", err)
	}
	got := tfGet(t, st, acc)
	if got.LastStep != 77 || got.Attempts != 1 || !got.LockedUntil.IsZero() {
		t.Errorf("counters after save: got step=%d attempts=%d locked=%v, want 77, 1, zero", got.LastStep, got.Attempts, got.LockedUntil)
	}
	if diff := cmp.Diff(code, got.SMSCode); diff != "" {
		t.Errorf("SMS code after save (-want +got):\n%s", diff)
	}
}

func testTwoFactorDelete(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "del")
	other := tfAccount(t, st, "other")
	tfEnabled(t, st, acc)
	tfEnabled(t, st, other)
	for _, a := range []string{acc, other} {
		if err := st.PutRecoveryCodes(ctx, a, [][]byte{[]byte("r1-" + a), []byte("r2-" + a)}); err != nil {
			t.Fatalf("PutRecoveryCodes: %v", err)
		}
	}
	if err := st.DeleteTwoFactor(ctx, acc); err != nil {
		t.Fatalf("DeleteTwoFactor: %v", err)
	}
	_, err := st.TwoFactor(ctx, acc)
	wantErr(t, "TwoFactor after delete", err, storage.ErrNotFound)
	wantErr(t, "DeleteTwoFactor again", st.DeleteTwoFactor(ctx, acc), storage.ErrNotFound)
	if n, err := st.RecoveryCodesLeft(ctx, acc); err != nil || n != 0 {
		t.Errorf("RecoveryCodesLeft after delete: got %d, %v; want 0, nil", n, err)
	}
	if n, err := st.RecoveryCodesLeft(ctx, other); err != nil || n != 2 {
		t.Errorf("RecoveryCodesLeft of another account: got %d, %v; want 2, nil", n, err)
	}
	// A new record starts from zero counters.
	if err := st.UseTOTPStep(ctx, other, 5); err != nil {
		t.Fatalf("UseTOTPStep: %v", err)
	}
	tfEnabled(t, st, acc)
	if got := tfGet(t, st, acc); got.LastStep != 0 || got.Attempts != 0 {
		t.Errorf("new record counters: got step=%d attempts=%d, want 0, 0", got.LastStep, got.Attempts)
	}
}

func testTwoFactorNotFound(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	const ghost = "acc_ghost"
	wantErr(t, "SaveTwoFactor for an unknown account",
		st.SaveTwoFactor(ctx, twofactor.Record{AccountID: ghost, Method: twofactor.MethodNone}), storage.ErrNotFound)
	acc := tfAccount(t, st, "nf") // an account without record
	for _, a := range []string{ghost, acc} {
		wantErr(t, "UseTOTPStep", st.UseTOTPStep(ctx, a, 1), storage.ErrNotFound)
		wantErr(t, "SwapTwoFactorLock", st.SwapTwoFactorLock(ctx, a, twofactor.LockState{}, twofactor.LockState{Attempts: 1}), storage.ErrNotFound)
		wantErr(t, "ResetTwoFactorAttempts", st.ResetTwoFactorAttempts(ctx, a), storage.ErrNotFound)
		wantErr(t, "PutSMSCode", st.PutSMSCode(ctx, a, twofactor.SMSCode{Digest: []byte("d")}), storage.ErrNotFound)
		wantErr(t, "ConsumeSMSCode", st.ConsumeSMSCode(ctx, a, []byte("d"), tfNow), storage.ErrNotFound)
		wantErr(t, "PutRecoveryCodes", st.PutRecoveryCodes(ctx, a, [][]byte{[]byte("d")}), storage.ErrNotFound)
		wantErr(t, "UseRecoveryCode", st.UseRecoveryCode(ctx, a, []byte("d"), tfNow), storage.ErrNotFound)
		if n, err := st.RecoveryCodesLeft(ctx, a); err != nil || n != 0 {
			t.Errorf("RecoveryCodesLeft: got %d, %v; want 0, nil", n, err)
		}
	}
}

func testTOTPStep(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "step")
	tfEnabled(t, st, acc)
	steps := []struct {
		step int64
		want error
	}{{100, nil}, {100, storage.ErrConflict}, {99, storage.ErrConflict}, {101, nil}, {57000000, nil}, {101, storage.ErrConflict}}
	for _, s := range steps {
		err := st.UseTOTPStep(ctx, acc, s.step)
		if (s.want == nil) != (err == nil) || (s.want != nil && !errors.Is(err, s.want)) {
			t.Errorf("UseTOTPStep(%d): got %v, want %v", s.step, err, s.want)
		}
	}
	if got := tfGet(t, st, acc).LastStep; got != 57000000 {
		t.Errorf("LastStep: got %d, want 57000000", got)
	}
}

// tfRace runs f in 16 goroutines at once and returns how many returned nil;
// every other call must fail with storage.ErrConflict.
func tfRace(t *testing.T, f func() error) int {
	t.Helper()
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f()
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, storage.ErrConflict):
			t.Errorf("racing call: got %v, want nil or storage.ErrConflict", err)
		}
	}
	return ok
}

func testTOTPStepRace(t *testing.T, st TwoFactorStore) {
	acc := tfAccount(t, st, "steprace")
	tfEnabled(t, st, acc)
	if ok := tfRace(t, func() error { return st.UseTOTPStep(context.Background(), acc, 1000) }); ok != 1 {
		t.Errorf("16 goroutines using one time step: %d succeeded, want exactly 1", ok)
	}
}

// testTwoFactorAttempts checks SwapTwoFactorLock as a compare-and-set:
// it writes the new state only over the state it was given, and
// ResetTwoFactorAttempts clears whatever is stored.
func testTwoFactorAttempts(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "att")
	tfEnabled(t, st, acc)
	until := tfNow.Add(15 * time.Minute)
	steps := []struct {
		old, next twofactor.LockState
		want      error
	}{
		{twofactor.LockState{}, twofactor.LockState{Attempts: 1}, nil},
		{twofactor.LockState{}, twofactor.LockState{Attempts: 1}, storage.ErrConflict}, // stale: 1 is stored
		{twofactor.LockState{Attempts: 1}, twofactor.LockState{Attempts: 2}, nil},
		{twofactor.LockState{Attempts: 2}, twofactor.LockState{LockedUntil: until}, nil},
		{twofactor.LockState{}, twofactor.LockState{Attempts: 1}, storage.ErrConflict}, // the lock time differs
		{twofactor.LockState{LockedUntil: until.Add(time.Microsecond)}, twofactor.LockState{}, storage.ErrConflict},
		{twofactor.LockState{LockedUntil: until}, twofactor.LockState{Attempts: 1, LockedUntil: until}, nil},
	}
	for i, s := range steps {
		err := st.SwapTwoFactorLock(ctx, acc, s.old, s.next)
		if (s.want == nil) != (err == nil) || !errors.Is(err, s.want) {
			t.Fatalf("step %d: SwapTwoFactorLock(%+v, %+v): got %v, want %v", i, s.old, s.next, err, s.want)
		}
	}
	if got := tfGet(t, st, acc).LockState(); got.Attempts != 1 || !got.LockedUntil.Equal(until) {
		t.Errorf("after the swaps: got %+v, want 1 attempt locked until %v", got, until)
	}
	if err := st.ResetTwoFactorAttempts(ctx, acc); err != nil {
		t.Fatalf("ResetTwoFactorAttempts: %v", err)
	}
	if got := tfGet(t, st, acc); got.Attempts != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("after reset: got attempts=%d locked=%v, want 0, zero", got.Attempts, got.LockedUntil)
	}
}

// tfAttempt counts one attempt the way twofactor.Service does: it reads
// the state, lets the Lockout rule decide and swaps the result in, again
// until no other attempt came in between. It returns storage.ErrConflict
// (wrapped) when the rule refuses the attempt.
func tfAttempt(ctx context.Context, st TwoFactorStore, acc string, l twofactor.Lockout, now time.Time) error {
	for {
		r, err := st.TwoFactor(ctx, acc)
		if err != nil {
			return err
		}
		next, ok := l.Attempt(r.LockState(), now)
		if !ok {
			return fmt.Errorf("locked: %w", storage.ErrConflict)
		}
		err = st.SwapTwoFactorLock(ctx, acc, r.LockState(), next)
		if !errors.Is(err, storage.ErrConflict) {
			return err
		}
	}
}

// testTwoFactorAttemptsRace checks that concurrent attempts, each a read,
// the Lockout rule and a swap, count every attempt once: of 16 at once
// under a limit of 5, exactly 5 go ahead and the state ends locked.
func testTwoFactorAttemptsRace(t *testing.T, st TwoFactorStore) {
	acc := tfAccount(t, st, "attrace")
	tfEnabled(t, st, acc)
	l := twofactor.Lockout{MaxAttempts: 5, LockFor: time.Hour}
	ok := tfRace(t, func() error { return tfAttempt(context.Background(), st, acc, l, tfNow) })
	if ok != 5 {
		t.Errorf("16 goroutines attempting with limit 5: %d allowed, want exactly 5", ok)
	}
	if got := tfGet(t, st, acc).LockState(); got.Attempts != 0 || !got.LockedUntil.Equal(tfNow.Add(time.Hour)) {
		t.Errorf("after the race: got %+v, want 0 attempts locked until %v", got, tfNow.Add(time.Hour))
	}
}

// testTwoFactorSwapRace checks the compare-and-set itself: of 16 swaps
// from the same state at once, exactly one succeeds.
func testTwoFactorSwapRace(t *testing.T, st TwoFactorStore) {
	acc := tfAccount(t, st, "swaprace")
	tfEnabled(t, st, acc)
	ok := tfRace(t, func() error {
		return st.SwapTwoFactorLock(context.Background(), acc, twofactor.LockState{}, twofactor.LockState{Attempts: 1})
	})
	if ok != 1 {
		t.Errorf("16 goroutines swapping from one state: %d succeeded, want exactly 1", ok)
	}
}

func testTFSMSCode(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "sms")
	tfEnabled(t, st, acc)
	code := twofactor.SMSCode{Digest: []byte("right"), SentAt: tfNow, ExpiresAt: tfNow.Add(10 * time.Minute)}
	if err := st.PutSMSCode(ctx, acc, code); err != nil {
		t.Fatalf("PutSMSCode: %v", err)
	}
	if diff := cmp.Diff(code, tfGet(t, st, acc).SMSCode); diff != "" {
		t.Errorf("stored SMS code (-want +got):\n%s", diff)
	}
	wantErr(t, "ConsumeSMSCode wrong digest", st.ConsumeSMSCode(ctx, acc, []byte("wrong"), tfNow), storage.ErrConflict)
	wantErr(t, "ConsumeSMSCode at expiry", st.ConsumeSMSCode(ctx, acc, []byte("right"), code.ExpiresAt), storage.ErrConflict)
	if ok := tfRace(t, func() error { return st.ConsumeSMSCode(ctx, acc, []byte("right"), tfNow) }); ok != 1 {
		t.Errorf("16 goroutines consuming one SMS code: %d succeeded, want exactly 1", ok)
	}
	if got := tfGet(t, st, acc).SMSCode; len(got.Digest) != 0 {
		t.Errorf("SMS code after consumption: got digest %x, want none", got.Digest)
	}
}

func testTFRecoveryCodes(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "recov")
	tfEnabled(t, st, acc)
	codes := [][]byte{[]byte("c1"), []byte("c2"), []byte("c3")}
	if err := st.PutRecoveryCodes(ctx, acc, codes); err != nil {
		t.Fatalf("PutRecoveryCodes: %v", err)
	}
	left := func(want int) {
		t.Helper()
		if n, err := st.RecoveryCodesLeft(ctx, acc); err != nil || n != want {
			t.Errorf("RecoveryCodesLeft: got %d, %v; want %d, nil", n, err, want)
		}
	}
	left(3)
	if err := st.UseRecoveryCode(ctx, acc, []byte("c2"), tfNow); err != nil {
		t.Fatalf("UseRecoveryCode: %v", err)
	}
	wantErr(t, "UseRecoveryCode again", st.UseRecoveryCode(ctx, acc, []byte("c2"), tfNow), storage.ErrConflict)
	wantErr(t, "UseRecoveryCode unknown", st.UseRecoveryCode(ctx, acc, []byte("c9"), tfNow), storage.ErrNotFound)
	left(2)

	other := tfAccount(t, st, "recov2")
	tfEnabled(t, st, other)
	wantErr(t, "UseRecoveryCode of another account", st.UseRecoveryCode(ctx, other, []byte("c1"), tfNow), storage.ErrNotFound)

	wantErr(t, "PutRecoveryCodes with a repeated digest",
		st.PutRecoveryCodes(ctx, acc, [][]byte{[]byte("d1"), []byte("d1")}), storage.ErrConflict)
	left(2)
	if err := st.PutRecoveryCodes(ctx, acc, [][]byte{[]byte("d1"), []byte("d2"), []byte("d3"), []byte("d4")}); err != nil {
		t.Fatalf("PutRecoveryCodes (replace): %v", err)
	}
	left(4)
	wantErr(t, "UseRecoveryCode of a replaced code", st.UseRecoveryCode(ctx, acc, []byte("c1"), tfNow), storage.ErrNotFound)
}

func testTFRecoveryCodeRace(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "recrace")
	tfEnabled(t, st, acc)
	if err := st.PutRecoveryCodes(ctx, acc, [][]byte{[]byte("only"), []byte("spare")}); err != nil {
		t.Fatalf("PutRecoveryCodes: %v", err)
	}
	if ok := tfRace(t, func() error { return st.UseRecoveryCode(ctx, acc, []byte("only"), tfNow) }); ok != 1 {
		t.Errorf("16 goroutines using one recovery code: %d succeeded, want exactly 1", ok)
	}
	if n, err := st.RecoveryCodesLeft(ctx, acc); err != nil || n != 1 {
		t.Errorf("RecoveryCodesLeft: got %d, %v; want 1, nil", n, err)
	}
}

func testTwoFactorRollback(t *testing.T, st TwoFactorStore) {
	ctx := context.Background()
	acc := tfAccount(t, st, "rb")
	before := tfEnabled(t, st, acc)
	if err := st.PutRecoveryCodes(ctx, acc, [][]byte{[]byte("keep")}); err != nil {
		t.Fatalf("PutRecoveryCodes: %v", err)
	}
	boom := errors.New("boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		changed := before
		changed.Method, changed.Phone, changed.Secret = twofactor.MethodSMS, "+31612345678", nil
		if err := st.SaveTwoFactor(ctx, changed); err != nil {
			return err
		}
		if err := st.UseTOTPStep(ctx, acc, 9); err != nil {
			return err
		}
		if err := st.UseRecoveryCode(ctx, acc, []byte("keep"), tfNow); err != nil {
			return err
		}
		if err := st.PutRecoveryCodes(ctx, acc, [][]byte{[]byte("new1"), []byte("new2")}); err != nil {
			return err
		}
		if err := st.DeleteTwoFactor(ctx, acc); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, "InTx", err, boom)
	if diff := cmp.Diff(before, tfGet(t, st, acc)); diff != "" {
		t.Errorf("record after rollback (-want +got):\n%s", diff)
	}
	wantErr(t, "UseRecoveryCode after rollback", st.UseRecoveryCode(ctx, acc, []byte("new1"), tfNow), storage.ErrNotFound)
	if err := st.UseRecoveryCode(ctx, acc, []byte("keep"), tfNow); err != nil {
		t.Errorf("UseRecoveryCode of the kept code after rollback: got %v, want nil", err)
	}
}
