package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// PasskeyStore is what TestPasskeyStore needs: passkeys and ceremonies
// belong to accounts, which belong to profiles.
type PasskeyStore interface {
	storage.Transactor
	Fixture
	passkey.Store
}

// TestPasskeyStore checks an adapter's passkey.Store: passkeys round-trip
// with every field, are listed oldest first, found by credential ID and
// user handle, renamed and deleted only within their account; the sign
// count is a compare-and-set (16 goroutines racing for one count, one
// wins); a ceremony is consumed once (16 goroutines racing, one wins);
// expired ceremonies are deleted; a rollback undoes a passkey; and
// deleting an account deletes its passkeys.
func TestPasskeyStore(t *testing.T, newStore func(t *testing.T) PasskeyStore) {
	t.Run("RoundTrip", func(t *testing.T) { testPasskeyRoundTrip(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testPasskeyConflict(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testPasskeyNotFound(t, newStore(t)) })
	t.Run("UseRace", func(t *testing.T) { testPasskeyUseRace(t, newStore(t)) })
	t.Run("CeremonyOnce", func(t *testing.T) { testPasskeyCeremonyOnce(t, newStore(t)) })
	t.Run("CeremoniesExpire", func(t *testing.T) { testPasskeyCeremoniesExpire(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testPasskeyRollback(t, newStore(t)) })
	t.Run("AccountDeleted", func(t *testing.T) { testPasskeyAccountDeleted(t, newStore(t)) })
}

// pkAccount creates a profile and an account with the id and returns
// the account id.
func pkAccount(t *testing.T, st PasskeyStore, id string) string {
	t.Helper()
	ctx := context.Background()
	p := profile.Profile{ID: "prf_" + id, Name: "Ada", CreatedAt: tfNow, UpdatedAt: tfNow}
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	a := account.Account{ID: "acc_" + id, ProfileID: p.ID, Email: id + "@example.com", Status: account.StatusActive, CreatedAt: tfNow}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a.ID
}

// pkPasskey returns a passkey of the account with every field set.
func pkPasskey(id, accountID string, at time.Time) passkey.Passkey {
	return passkey.Passkey{
		ID: id, AccountID: accountID, Name: "Laptop " + id, CreatedAt: at, Transports: []string{"internal", "hybrid"},
		BackupEligible: true, BackupState: false, AAGUID: "70617373-6b65-7974-6573-740000000001",
		CredentialID: []byte("cred-" + id), PublicKey: []byte{0xa5, 0x01, 0x02, 0x03, 0x26}, SignCount: 7,
		UserHandle: []byte("handle-" + accountID), AttestationFormat: "none",
	}
}

func pkCreate(t *testing.T, st PasskeyStore, p passkey.Passkey) {
	t.Helper()
	if err := st.CreatePasskey(context.Background(), p); err != nil {
		t.Fatalf("CreatePasskey(%s): %v", p.ID, err)
	}
}

func testPasskeyRoundTrip(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada, bob := pkAccount(t, st, "ada"), pkAccount(t, st, "bob")
	second := pkPasskey("pk_2", ada, tfNow.Add(time.Minute))
	second.Transports = []string{}
	pkCreate(t, st, second)
	first := pkPasskey("pk_1", ada, tfNow)
	pkCreate(t, st, first)
	pkCreate(t, st, pkPasskey("pk_3", bob, tfNow))

	got, err := st.PasskeysOfAccount(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]passkey.Passkey{first, second}, got); diff != "" {
		t.Errorf("PasskeysOfAccount (-want +got):\n%s", diff)
	}
	byCred, err := st.PasskeyByCredentialID(ctx, []byte("cred-pk_3"))
	if err != nil || byCred.ID != "pk_3" || byCred.AccountID != bob {
		t.Errorf("PasskeyByCredentialID = %s of %s, %v; want pk_3 of %s", byCred.ID, byCred.AccountID, err, bob)
	}
	byHandle, err := st.PasskeysByUserHandle(ctx, []byte("handle-"+ada))
	if err != nil || len(byHandle) != 2 || byHandle[0].ID != "pk_1" {
		t.Errorf("PasskeysByUserHandle = %d passkeys, %v; want ada's two, oldest first", len(byHandle), err)
	}
	if none, err := st.PasskeysByUserHandle(ctx, []byte("nobody")); err != nil || len(none) != 0 {
		t.Errorf("PasskeysByUserHandle(unknown) = %d, %v; want none", len(none), err)
	}
	if err := st.RenamePasskey(ctx, ada, "pk_1", "Phone"); err != nil {
		t.Fatalf("RenamePasskey: %v", err)
	}
	used := tfNow.Add(time.Hour)
	if err := st.UsePasskey(ctx, "pk_1", 7, 8, true, used); err != nil {
		t.Fatalf("UsePasskey: %v", err)
	}
	got, _ = st.PasskeysOfAccount(ctx, ada)
	first.Name, first.SignCount, first.BackupState, first.LastUsedAt = "Phone", 8, true, used
	if diff := cmp.Diff(first, got[0]); diff != "" {
		t.Errorf("after rename and use (-want +got):\n%s", diff)
	}
	n, err := st.DeletePasskeysOfAccount(ctx, ada)
	if err != nil || n != 2 {
		t.Errorf("DeletePasskeysOfAccount = %d, %v; want 2", n, err)
	}
	if left, _ := st.PasskeysOfAccount(ctx, bob); len(left) != 1 {
		t.Errorf("bob has %d passkeys after ada's were deleted, want 1", len(left))
	}
}

func testPasskeyConflict(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada := pkAccount(t, st, "ada")
	pkCreate(t, st, pkPasskey("pk_1", ada, tfNow))
	wantErr(t, "CreatePasskey(same id)", st.CreatePasskey(ctx, pkPasskey("pk_1", ada, tfNow)), storage.ErrConflict)
	dup := pkPasskey("pk_2", ada, tfNow)
	dup.CredentialID = []byte("cred-pk_1")
	wantErr(t, "CreatePasskey(same credential id)", st.CreatePasskey(ctx, dup), storage.ErrConflict)
	wantErr(t, "UsePasskey(stale count)", st.UsePasskey(ctx, "pk_1", 6, 9, false, tfNow), storage.ErrConflict)
	c := passkey.CeremonyRecord{Digest: passkey.DigestOf("c1"), Kind: passkey.KindSignIn, Data: []byte("{}"), CreatedAt: tfNow, ExpiresAt: tfNow.Add(time.Minute)}
	if err := st.CreatePasskeyCeremony(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CreatePasskeyCeremony(same digest)", st.CreatePasskeyCeremony(ctx, c), storage.ErrConflict)
}

func testPasskeyNotFound(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada, bob := pkAccount(t, st, "ada"), pkAccount(t, st, "bob")
	pkCreate(t, st, pkPasskey("pk_1", ada, tfNow))
	wantErr(t, "CreatePasskey(unknown account)", st.CreatePasskey(ctx, pkPasskey("pk_9", "acc_nobody", tfNow)), storage.ErrNotFound)
	_, err := st.PasskeyByCredentialID(ctx, []byte("nothing"))
	wantErr(t, "PasskeyByCredentialID(unknown)", err, storage.ErrNotFound)
	wantErr(t, "RenamePasskey(another account's)", st.RenamePasskey(ctx, bob, "pk_1", "Mine"), storage.ErrNotFound)
	wantErr(t, "DeletePasskey(another account's)", st.DeletePasskey(ctx, bob, "pk_1"), storage.ErrNotFound)
	wantErr(t, "UsePasskey(unknown)", st.UsePasskey(ctx, "pk_9", 0, 1, false, tfNow), storage.ErrNotFound)
	_, err = st.ConsumePasskeyCeremony(ctx, passkey.DigestOf("never"))
	wantErr(t, "ConsumePasskeyCeremony(unknown)", err, storage.ErrNotFound)
	if err := st.DeletePasskey(ctx, ada, "pk_1"); err != nil {
		t.Errorf("DeletePasskey(own): %v", err)
	}
	wantErr(t, "DeletePasskey(again)", st.DeletePasskey(ctx, ada, "pk_1"), storage.ErrNotFound)
}

// testPasskeyUseRace has 16 goroutines record a use of the same sign
// count: exactly one may.
func testPasskeyUseRace(t *testing.T, st PasskeyStore) {
	ada := pkAccount(t, st, "ada")
	pkCreate(t, st, pkPasskey("pk_1", ada, tfNow))
	ok := race(t, func() error { return st.UsePasskey(context.Background(), "pk_1", 7, 8, false, tfNow) }, storage.ErrConflict)
	if ok != 1 {
		t.Errorf("%d uses of sign count 7 succeeded, want exactly 1", ok)
	}
}

// race runs f in 16 goroutines at once and returns how many succeeded;
// every failure must match lost.
func race(t *testing.T, f func() error, lost error) int {
	t.Helper()
	const n = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := f()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, lost):
				t.Errorf("racing call: %v, want nil or %v", err, lost)
			}
		}()
	}
	close(start)
	wg.Wait()
	return wins
}

func testPasskeyCeremonyOnce(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada := pkAccount(t, st, "ada")
	want := passkey.CeremonyRecord{Digest: passkey.DigestOf("c1"), Kind: passkey.KindReauthentication, AccountID: ada, SessionID: "ses_1",
		Data: []byte(`{"challenge":"x"}`), CreatedAt: tfNow, ExpiresAt: tfNow.Add(5 * time.Minute)}
	if err := st.CreatePasskeyCeremony(ctx, want); err != nil {
		t.Fatal(err)
	}
	var got passkey.CeremonyRecord
	var mu sync.Mutex
	wins := race(t, func() error {
		c, err := st.ConsumePasskeyCeremony(ctx, want.Digest)
		if err == nil {
			mu.Lock()
			got = c
			mu.Unlock()
		}
		return err
	}, storage.ErrNotFound)
	if wins != 1 {
		t.Fatalf("%d consumptions of one ceremony succeeded, want exactly 1", wins)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConsumePasskeyCeremony (-want +got):\n%s", diff)
	}
	signIn := passkey.CeremonyRecord{Digest: passkey.DigestOf("c2"), Kind: passkey.KindSignIn, Data: []byte("{}"), CreatedAt: tfNow, ExpiresAt: tfNow}
	if err := st.CreatePasskeyCeremony(ctx, signIn); err != nil {
		t.Fatal(err)
	}
	if c, err := st.ConsumePasskeyCeremony(ctx, signIn.Digest); err != nil || c.AccountID != "" || c.Kind != passkey.KindSignIn {
		t.Errorf("ConsumePasskeyCeremony(sign-in) = %+v, %v; want no account", c, err)
	}
}

func testPasskeyCeremoniesExpire(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	for i, exp := range []time.Duration{-time.Minute, -time.Second, time.Minute} {
		c := passkey.CeremonyRecord{Digest: passkey.DigestOf(string(rune('a' + i))), Kind: passkey.KindSignIn, Data: []byte("{}"),
			CreatedAt: tfNow.Add(-time.Hour), ExpiresAt: tfNow.Add(exp)}
		if err := st.CreatePasskeyCeremony(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.DeletePasskeyCeremoniesBefore(ctx, tfNow)
	if err != nil || n != 2 {
		t.Errorf("DeletePasskeyCeremoniesBefore = %d, %v; want the 2 expired", n, err)
	}
	if _, err := st.ConsumePasskeyCeremony(ctx, passkey.DigestOf("c")); err != nil {
		t.Errorf("the live ceremony: %v", err)
	}
}

func testPasskeyRollback(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada := pkAccount(t, st, "ada")
	boom := errors.New("boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreatePasskey(ctx, pkPasskey("pk_1", ada, tfNow)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if got, _ := st.PasskeysOfAccount(ctx, ada); len(got) != 0 {
		t.Errorf("a rolled-back passkey is stored: %d", len(got))
	}
}

func testPasskeyAccountDeleted(t *testing.T, st PasskeyStore) {
	ctx := context.Background()
	ada := pkAccount(t, st, "ada")
	pkCreate(t, st, pkPasskey("pk_1", ada, tfNow))
	if _, err := st.DeletePasskeysOfAccount(ctx, ada); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteAccount(ctx, ada); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	if got, _ := st.PasskeysOfAccount(ctx, ada); len(got) != 0 {
		t.Errorf("the deleted account has %d passkeys", len(got))
	}
}
