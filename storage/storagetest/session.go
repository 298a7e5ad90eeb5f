package storagetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SessionStore is what TestSessionStore needs: sessions belong to accounts,
// which belong to profiles (SQL adapters enforce both foreign keys).
type SessionStore interface {
	storage.Transactor
	Fixture
	session.Store
}

// TestSessionStore checks an adapter's session.Store: create and look up by
// digest (every field, Current never stored), conflicts and a missing
// account, listing order, the conditional touch, re-authentication, clearing the password-expired flag, deletion (one, of an account
// but one, expired), transaction rollback, a cancelled context and 16
// goroutines touching one session.
func TestSessionStore(t *testing.T, newStore func(t *testing.T) SessionStore) {
	t.Run("CreateGet", func(t *testing.T) { testSessionCreateGet(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testSessionConflict(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testSessionNotFound(t, newStore(t)) })
	t.Run("SessionsOfAccount", func(t *testing.T) { testSessionsOfAccount(t, newStore(t)) })
	t.Run("SessionsOfProviderSession", func(t *testing.T) { testSessionsOfProviderSession(t, newStore(t)) })
	t.Run("Touch", func(t *testing.T) { testSessionTouch(t, newStore(t)) })
	t.Run("Reauthenticate", func(t *testing.T) { testSessionReauthenticate(t, newStore(t)) })
	t.Run("Delete", func(t *testing.T) { testSessionDelete(t, newStore(t)) })
	t.Run("DeleteBefore", func(t *testing.T) { testSessionDeleteBefore(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testSessionRollback(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testSessionCanceled(t, newStore(t)) })
	t.Run("TouchRace", func(t *testing.T) { testSessionTouchRace(t, newStore(t)) })
}

// ssAccounts creates one profile with the accounts.
func ssAccounts(t *testing.T, st SessionStore, ids ...string) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_ses", CreatedAt: acNow, UpdatedAt: acNow}); err != nil {
		t.Fatalf("CreateProfile: %v", err)
	}
	for _, id := range ids {
		if err := st.CreateAccount(ctx, acAccount(id, "prf_ses", id+"@example.com")); err != nil {
			t.Fatalf("CreateAccount(%s): %v", id, err)
		}
	}
}

// ssSession returns a password session of the account created minutes
// after acNow from a Firefox on Linux.
func ssSession(id, accountID string, minutes int) session.Session {
	at := acNow.Add(time.Duration(minutes) * time.Minute)
	return session.Session{ID: id, AccountID: accountID, Method: auth.MethodPassword, CreatedAt: at, AuthenticatedAt: at, LastSeenAt: at,
		IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
}

func ssDigest(id string) session.Digest { return sha256.Sum256([]byte("secret of " + id)) }

func ssCreate(t *testing.T, st SessionStore, s session.Session) {
	t.Helper()
	if err := st.CreateSession(context.Background(), s, ssDigest(s.ID)); err != nil {
		t.Fatalf("CreateSession(%s): %v", s.ID, err)
	}
}

func ssList(t *testing.T, st SessionStore, accountID string) []session.Session {
	t.Helper()
	list, err := st.SessionsOfAccount(context.Background(), accountID)
	if err != nil {
		t.Fatalf("SessionsOfAccount(%s): %v", accountID, err)
	}
	return list
}

func ssGet(t *testing.T, st SessionStore, id string) *session.Session {
	t.Helper()
	s, err := st.SessionByDigest(context.Background(), ssDigest(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("SessionByDigest(%s): %v", id, err)
	}
	return &s
}

func testSessionCreateGet(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	want := ssSession("ses_1", "acc_a", 0)
	want.LastSeenAt = want.LastSeenAt.Add(time.Second)
	want.PasswordExpired = true
	want.Method, want.AuthenticatedAt = auth.MethodSSO, want.AuthenticatedAt.Add(123456*time.Microsecond)
	want.IP, want.UserAgent = "2001:db8::7", "curl/8.0 ünïcode"
	in := want
	in.Current = true // not stored
	ssCreate(t, st, in)
	pfDiff(t, "SessionByDigest", ssGet(t, st, "ses_1"), &want)
	pfDiff(t, "unknown digest", ssGet(t, st, "ses_other"), (*session.Session)(nil))
	if err := st.ClearSessionPasswordExpired(context.Background(), "ses_1"); err != nil {
		t.Fatalf("ClearSessionPasswordExpired: %v", err)
	}
	want.PasswordExpired = false
	pfDiff(t, "after ClearSessionPasswordExpired", ssGet(t, st, "ses_1"), &want)
}

func testSessionConflict(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ctx := context.Background()
	ssCreate(t, st, ssSession("ses_1", "acc_a", 0))
	wantErr(t, "same id", st.CreateSession(ctx, ssSession("ses_1", "acc_a", 1), ssDigest("ses_2")), storage.ErrConflict)
	wantErr(t, "same digest", st.CreateSession(ctx, ssSession("ses_2", "acc_a", 1), ssDigest("ses_1")), storage.ErrConflict)
	pfDiff(t, "sessions", len(ssList(t, st, "acc_a")), 1)
}

func testSessionNotFound(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ctx := context.Background()
	err := st.CreateSession(ctx, ssSession("ses_1", "acc_nobody", 0), ssDigest("ses_1"))
	wantErr(t, "CreateSession for a missing account", err, storage.ErrNotFound)
	_, err = st.SessionByDigest(ctx, ssDigest("ses_1"))
	wantErr(t, "SessionByDigest", err, storage.ErrNotFound)
	wantErr(t, "ClearSessionPasswordExpired", st.ClearSessionPasswordExpired(ctx, "ses_1"), storage.ErrNotFound)
	wantErr(t, "DeleteSession", st.DeleteSession(ctx, "ses_1"), storage.ErrNotFound)
	changed, err := st.TouchSession(ctx, "ses_1", acNow, acNow.Add(time.Hour))
	if changed || err != nil {
		t.Errorf("TouchSession(unknown) = %v, %v; want false, nil", changed, err)
	}
	pfDiff(t, "SessionsOfAccount(unknown)", len(ssList(t, st, "acc_nobody")), 0)
}

func testSessionsOfAccount(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a", "acc_b")
	for _, s := range []session.Session{
		ssSession("ses_3", "acc_a", 2), ssSession("ses_2", "acc_a", 1), ssSession("ses_1", "acc_a", 1),
		ssSession("ses_9", "acc_b", 0),
	} {
		ssCreate(t, st, s)
	}
	want := []session.Session{ssSession("ses_1", "acc_a", 1), ssSession("ses_2", "acc_a", 1), ssSession("ses_3", "acc_a", 2)}
	pfDiff(t, "sessions of acc_a", ssList(t, st, "acc_a"), want)
	pfDiff(t, "sessions of acc_b", ssList(t, st, "acc_b"), []session.Session{ssSession("ses_9", "acc_b", 0)})
}

func testSessionsOfProviderSession(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a", "acc_b")
	in := func(s session.Session, key string) session.Session { s.ProviderSession = key; return s }
	for _, s := range []session.Session{
		in(ssSession("ses_2", "acc_b", 1), "acme|sid-1"), in(ssSession("ses_1", "acc_a", 1), "acme|sid-1"),
		in(ssSession("ses_3", "acc_a", 2), "acme|sid-2"), ssSession("ses_4", "acc_a", 3),
	} {
		ssCreate(t, st, s)
	}
	got, err := st.SessionsOfProviderSession(context.Background(), "acme|sid-1")
	if err != nil {
		t.Fatal(err)
	}
	pfDiff(t, "sessions of acme|sid-1", got, []session.Session{in(ssSession("ses_1", "acc_a", 1), "acme|sid-1"), in(ssSession("ses_2", "acc_b", 1), "acme|sid-1")})
	if got, err := st.SessionsOfProviderSession(context.Background(), ""); err != nil || len(got) != 0 {
		t.Errorf("SessionsOfProviderSession(\"\") = %v, %v; want none", got, err)
	}
	want := in(ssSession("ses_3", "acc_a", 2), "acme|sid-2")
	pfDiff(t, "ProviderSession kept", ssGet(t, st, "ses_3"), &want)
}

func testSessionTouch(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ctx := context.Background()
	ssCreate(t, st, ssSession("ses_1", "acc_a", 0))
	later := acNow.Add(5 * time.Minute)
	if changed, err := st.TouchSession(ctx, "ses_1", later, acNow); changed || err != nil {
		t.Errorf("TouchSession(ifBefore = LastSeenAt) = %v, %v; want false, nil", changed, err)
	}
	if changed, err := st.TouchSession(ctx, "ses_1", later, later.Add(-time.Minute)); !changed || err != nil {
		t.Errorf("TouchSession(stale) = %v, %v; want true, nil", changed, err)
	}
	want := ssSession("ses_1", "acc_a", 0)
	want.LastSeenAt = later
	pfDiff(t, "after TouchSession", ssGet(t, st, "ses_1"), &want)
}

func testSessionReauthenticate(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ctx := context.Background()
	ssCreate(t, st, ssSession("ses_1", "acc_a", 0))
	ssCreate(t, st, ssSession("ses_2", "acc_a", 1))
	at := acNow.Add(90*time.Minute + 7*time.Microsecond)
	cl := auth.Client{IP: "198.51.100.9", UserAgent: "curl/8.0"}
	if err := st.ReauthenticateSession(ctx, "ses_1", auth.MethodSecondFactor, at, cl); err != nil {
		t.Fatalf("ReauthenticateSession: %v", err)
	}
	want := ssSession("ses_1", "acc_a", 0)
	want.Method, want.AuthenticatedAt, want.IP, want.UserAgent = auth.MethodSecondFactor, at, cl.IP, cl.UserAgent
	pfDiff(t, "after ReauthenticateSession", ssGet(t, st, "ses_1"), &want)
	pfDiff(t, "the other session", ssGet(t, st, "ses_2"), ptr(ssSession("ses_2", "acc_a", 1)))
	if _, err := st.TouchSession(ctx, "ses_1", at.Add(time.Hour), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	want.LastSeenAt = at.Add(time.Hour)
	pfDiff(t, "a touch changes only LastSeenAt", ssGet(t, st, "ses_1"), &want)
	wantErr(t, "ReauthenticateSession(unknown)", st.ReauthenticateSession(ctx, "ses_9", auth.MethodPassword, at, cl), storage.ErrNotFound)
}

func testSessionDelete(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a", "acc_b")
	ctx := context.Background()
	for _, s := range []session.Session{ssSession("ses_1", "acc_a", 0), ssSession("ses_2", "acc_a", 1),
		ssSession("ses_3", "acc_a", 2), ssSession("ses_4", "acc_b", 3)} {
		ssCreate(t, st, s)
	}
	if err := st.DeleteSession(ctx, "ses_1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	pfDiff(t, "deleted session", ssGet(t, st, "ses_1"), (*session.Session)(nil))
	n, err := st.DeleteSessionsOfAccount(ctx, "acc_a", "ses_3")
	if n != 1 || err != nil {
		t.Errorf("DeleteSessionsOfAccount(keep ses_3) = %d, %v; want 1, nil", n, err)
	}
	pfDiff(t, "kept session", ssList(t, st, "acc_a"), []session.Session{ssSession("ses_3", "acc_a", 2)})
	n, err = st.DeleteSessionsOfAccount(ctx, "acc_a", "")
	if n != 1 || err != nil {
		t.Errorf("DeleteSessionsOfAccount(keep none) = %d, %v; want 1, nil", n, err)
	}
	pfDiff(t, "other account's sessions", ssList(t, st, "acc_b"), []session.Session{ssSession("ses_4", "acc_b", 3)})
}

func testSessionDeleteBefore(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	idle := ssSession("ses_idle", "acc_a", 10) // last seen at +10
	old := ssSession("ses_old", "acc_a", 0)    // created at +0, seen at +60
	old.LastSeenAt = acNow.Add(time.Hour)
	fresh := ssSession("ses_fresh", "acc_a", 30)
	fresh.LastSeenAt = acNow.Add(time.Hour)
	for _, s := range []session.Session{idle, old, fresh} {
		ssCreate(t, st, s)
	}
	n, err := st.DeleteSessionsBefore(context.Background(), acNow.Add(20*time.Minute), acNow.Add(5*time.Minute))
	if n != 2 || err != nil {
		t.Errorf("DeleteSessionsBefore = %d, %v; want 2, nil", n, err)
	}
	pfDiff(t, "left", ssList(t, st, "acc_a"), []session.Session{fresh})
}

func testSessionRollback(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	before := ssSession("ses_1", "acc_a", 0)
	before.PasswordExpired = true
	ssCreate(t, st, before)
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		steps := []error{
			st.CreateSession(ctx, ssSession("ses_2", "acc_a", 1), ssDigest("ses_2")),
			st.ClearSessionPasswordExpired(ctx, "ses_1"),
			st.ReauthenticateSession(ctx, "ses_1", auth.MethodSecondFactor, acNow.Add(time.Hour), auth.Client{IP: "198.51.100.1"}),
			nsErr(st.TouchSession(ctx, "ses_1", acNow.Add(time.Hour), acNow.Add(time.Hour))),
			nsErr(st.DeleteSessionsOfAccount(ctx, "acc_a", "ses_2")),
		}
		if err := errors.Join(steps...); err != nil {
			t.Errorf("steps inside InTx: %v", err)
		}
		if got, err := st.SessionByDigest(ctx, ssDigest("ses_2")); err != nil || got.ID != "ses_2" {
			t.Errorf("inside InTx: SessionByDigest = %+v, %v; want ses_2", got, err)
		}
		return errPfBoom
	})
	wantErr(t, "InTx", err, errPfBoom)
	pfDiff(t, "after rollback", ssList(t, st, "acc_a"), []session.Session{before})
}

func testSessionCanceled(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantErr(t, "CreateSession", st.CreateSession(ctx, ssSession("ses_1", "acc_a", 0), ssDigest("ses_1")), context.Canceled)
	_, err := st.SessionByDigest(ctx, ssDigest("ses_1"))
	wantErr(t, "SessionByDigest", err, context.Canceled)
	_, err = st.TouchSession(ctx, "ses_1", acNow, acNow)
	wantErr(t, "TouchSession", err, context.Canceled)
}

func testSessionTouchRace(t *testing.T, st SessionStore) {
	ssAccounts(t, st, "acc_a")
	ssCreate(t, st, ssSession("ses_1", "acc_a", 0))
	const n = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changed int
	)
	at := acNow.Add(time.Hour)
	for range n {
		wg.Go(func() {
			ok, err := st.TouchSession(context.Background(), "ses_1", at, at)
			if err != nil {
				t.Errorf("TouchSession: %v", err)
			}
			if ok {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Errorf("%d of %d concurrent TouchSession calls changed the session, want exactly 1", changed, n)
	}
}

func ptr[T any](v T) *T { return &v }
