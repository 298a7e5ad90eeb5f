package session_test

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

// secondFactor is a second factor whose one right code is "123456"; it
// counts the codes it was asked about.
type secondFactor struct {
	on    map[string]bool
	tries int
}

func (f *secondFactor) Required(_ context.Context, accountID string) (bool, error) {
	return f.on[accountID], nil
}

func (f *secondFactor) Verify(_ context.Context, _, code string, _ auth.Client) error {
	f.tries++
	if code != "123456" {
		return errs.ErrInvalidCode
	}
	return nil
}

// selfFixture is a service over a memory store with the security log,
// real password checks (the password of every account is pw) and a fake
// second factor, on for acc_b.
type selfFixture struct {
	svc    *session.Service
	st     *memory.Store
	clock  *clock
	second *secondFactor
}

const pw = "Correct-Horse-9-Battery"

func newSelf(t *testing.T) selfFixture {
	t.Helper()
	_, st, c := fixture(t)
	ctx := context.Background()
	h := password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}})
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"acc_a", "acc_b"} {
		a, _ := st.Account(ctx, id)
		a.PasswordHash = hash
		if err := st.UpdateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	second := &secondFactor{on: map[string]bool{"acc_b": true}}
	svc := session.NewService(session.Config{
		Store: st, Accounts: st, Passwords: account.NewPasswords(st, h), SecondFactor: second,
		SecurityLog: securitylog.New(st, rand.Reader, c.Now, nil), FreshFor: time.Hour, Now: c.Now,
	})
	return selfFixture{svc: svc, st: st, clock: c, second: second}
}

func (f selfFixture) start(t *testing.T, accountID string, ua string) (session.Session, string) {
	t.Helper()
	ses, secret, err := f.svc.Start(context.Background(), session.Begin{
		AccountID: accountID, Method: auth.MethodPassword, Client: auth.Client{IP: "192.0.2.7", UserAgent: ua},
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return ses, secret.Reveal()
}

// events returns the kinds of the security-log events of prf_a, oldest
// first.
func (f selfFixture) events(t *testing.T) []securitylog.Event {
	t.Helper()
	var out []securitylog.Event
	if err := f.st.EachSecurityEvent(context.Background(), "prf_a", func(e securitylog.Event) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStartRecordsMethodAndClient(t *testing.T) {
	svc, _, c := fixture(t)
	ctx := context.Background()
	long := "\x00curl\x1b/" + strings.Repeat("é", session.MaxUserAgent) + "\xff"
	ses, secret, err := svc.Start(ctx, session.Begin{
		AccountID: "acc_a", Method: auth.MethodSecondFactor, Client: auth.Client{IP: " 2001:db8::1 ", UserAgent: long},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Validate(ctx, secret.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != auth.MethodSecondFactor || !got.AuthenticatedAt.Equal(c.Now()) || !got.CreatedAt.Equal(c.Now()) ||
		got.IP != "2001:db8::1" || len(got.UserAgent) != session.MaxUserAgent-1 || !strings.HasPrefix(got.UserAgent, "curl/é") ||
		!utf8.ValidString(got.UserAgent) || got.ID != ses.ID {
		t.Errorf("stored session = %+v", got)
	}
	caller := got.Caller()
	want := auth.Caller{AccountID: "acc_a", Method: auth.MethodSecondFactor, AuthenticatedAt: c.Now(), SessionID: ses.ID,
		Client: auth.Client{IP: "2001:db8::1", UserAgent: got.UserAgent}}
	if caller.String() != want.String() || caller.SessionID != want.SessionID || caller.Client != want.Client {
		t.Errorf("Caller() = %+v, want %+v", caller, want)
	}
	for _, m := range []auth.Method{"", auth.MethodToken, auth.MethodAPIKey, "magic"} {
		if _, _, err := svc.Start(ctx, session.Begin{AccountID: "acc_a", Method: m}); !errors.Is(err, session.ErrInvalidMethod) {
			t.Errorf("Start with method %q = %v, want ErrInvalidMethod", m, err)
		}
	}
}

func TestList(t *testing.T) {
	f := newSelf(t)
	ctx := context.Background()
	old, _ := f.start(t, "acc_a", "curl/8.0")
	f.clock.Advance(2 * time.Minute)
	cur, curSecret := f.start(t, "acc_a", firefox)
	f.start(t, "acc_b", firefox)
	f.clock.Advance(2 * time.Minute)
	if _, err := f.svc.Validate(ctx, curSecret); err != nil { // seen last
		t.Fatal(err)
	}
	list, err := f.svc.List(ctx, cur.Caller())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != cur.ID || !list[0].Current || list[1].ID != old.ID || list[1].Current {
		t.Fatalf("List = %+v, want the current session first, then the old one, only acc_a's", list)
	}
	if list[0].Device() != "Firefox on Linux" || list[1].Device() != "curl" || list[0].IP != "192.0.2.7" {
		t.Errorf("devices = %q, %q; ip %q", list[0].Device(), list[1].Device(), list[0].IP)
	}
	if _, err := f.svc.List(ctx, auth.Caller{AccountID: "acc_a", Method: auth.MethodToken}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("List by a token = %v, want auth.ErrForbidden", err)
	}
	f.clock.Advance(11*time.Hour + 59*time.Minute) // old: idle 12h03m; cur: 11h59m; not cleaned up yet
	list, _ = f.svc.List(ctx, cur.Caller())
	if len(list) != 1 || list[0].ID != cur.ID {
		t.Errorf("List after old idled out = %+v, want only the current session", list)
	}
}

func TestEndOwnSessionOnly(t *testing.T) {
	f := newSelf(t)
	ctx := context.Background()
	a1, sec1 := f.start(t, "acc_a", firefox)
	a2, sec2 := f.start(t, "acc_a", firefox)
	b, secB := f.start(t, "acc_b", firefox)
	for _, id := range []string{b.ID, "ses_unknown", ""} {
		if err := f.svc.End(ctx, a1.Caller(), id); !errors.Is(err, session.ErrNotFound) || !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("End(%q) by acc_a = %v, want ErrNotFound (and storage.ErrNotFound)", id, err)
		}
	}
	if _, err := f.svc.Validate(ctx, secB); err != nil {
		t.Errorf("acc_b's session ended by acc_a: %v", err)
	}
	if err := f.svc.End(ctx, a1.Caller(), a2.ID); err != nil {
		t.Fatalf("End(own other session): %v", err)
	}
	wantInvalid(t, f.svc, sec2, "ended")
	if err := f.svc.End(ctx, a1.Caller(), a2.ID); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("End twice = %v, want ErrNotFound", err)
	}
	if err := f.svc.End(ctx, auth.Caller{AccountID: "acc_a", Method: auth.MethodAPIKey}, a1.ID); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("End by an API key = %v, want auth.ErrForbidden", err)
	}
	if err := f.svc.End(ctx, a1.Caller(), a1.ID); err != nil { // sign out
		t.Fatalf("End(current): %v", err)
	}
	wantInvalid(t, f.svc, sec1, "signed out")
	if ev := f.events(t); len(ev) != 2 || ev[0].Kind != securitylog.SessionEnded || ev[0].AccountID != "acc_a" || ev[0].Device != "Firefox on Linux" {
		t.Errorf("security log = %+v, want two session_ended events of acc_a", ev)
	}
}

func TestEndOthersNeedsFreshCaller(t *testing.T) {
	f := newSelf(t)
	ctx := context.Background()
	_, curSecret := f.start(t, "acc_a", firefox)
	_, other := f.start(t, "acc_a", firefox)
	_, bob := f.start(t, "acc_b", firefox)
	f.clock.Advance(time.Hour)
	stale, err := f.svc.Validate(ctx, curSecret)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.EndOthers(ctx, stale.Caller()); n != 0 || !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Fatalf("EndOthers with an hour-old sign-in = %d, %v; want auth.ErrReauthenticationRequired", n, err)
	}
	if _, err := f.svc.Validate(ctx, other); err != nil {
		t.Fatalf("refused EndOthers ended a session: %v", err)
	}
	fresh, err := f.svc.Reauthenticate(ctx, stale.Caller(), pw, "")
	if err != nil {
		t.Fatalf("Reauthenticate: %v", err)
	}
	if n, err := f.svc.EndOthers(ctx, fresh.Caller()); n != 1 || err != nil {
		t.Fatalf("EndOthers after Reauthenticate = %d, %v; want 1, nil", n, err)
	}
	wantInvalid(t, f.svc, other, "ended by EndOthers")
	for name, secret := range map[string]string{"current": curSecret, "another account's": bob} {
		if _, err := f.svc.Validate(ctx, secret); err != nil {
			t.Errorf("%s session ended by EndOthers: %v", name, err)
		}
	}
	if _, err := f.svc.EndOthers(ctx, auth.Caller{AccountID: "acc_a", Method: auth.MethodToken, AuthenticatedAt: f.clock.Now()}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("EndOthers by a token = %v, want auth.ErrForbidden", err)
	}
	kinds := []securitylog.Kind{}
	for _, e := range f.events(t) {
		kinds = append(kinds, e.Kind)
	}
	got := kindStrings(kinds)
	slices.Sort(got) // both happened at the same instant
	if strings.Join(got, ",") != "reauthenticated,session_ended" {
		t.Errorf("security log = %v, want reauthenticated and session_ended", kinds)
	}
}

func kindStrings(ks []securitylog.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestReauthenticate(t *testing.T) {
	f := newSelf(t)
	ctx := context.Background()
	ses, secret := f.start(t, "acc_a", "curl/8.0")
	f.clock.Advance(2 * time.Hour)
	stale, err := f.svc.Validate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	c := stale.Caller()
	c.Client = auth.Client{IP: "198.51.100.4", UserAgent: firefox}
	if err := c.Fresh(f.clock.Now(), time.Hour); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Fatalf("two-hour-old caller Fresh = %v", err)
	}

	if _, err := f.svc.Reauthenticate(ctx, c, "Wrong-Password-1!", ""); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("wrong password = %v, want account.ErrInvalidCredentials", err)
	}
	if got, _ := f.svc.Validate(ctx, secret); !got.AuthenticatedAt.Equal(ses.AuthenticatedAt) || len(f.events(t)) != 0 {
		t.Fatalf("a wrong password changed the session (%v) or logged %d events", got.AuthenticatedAt, len(f.events(t)))
	}

	got, err := f.svc.Reauthenticate(ctx, c, pw, "")
	if err != nil {
		t.Fatalf("Reauthenticate: %v", err)
	}
	now := f.clock.Now()
	if !got.AuthenticatedAt.Equal(now) || got.Method != auth.MethodPassword || !got.Current || got.IP != "198.51.100.4" || got.Device() != "Firefox on Linux" {
		t.Errorf("refreshed session = %+v", got)
	}
	stored, err := f.svc.Validate(ctx, secret)
	if err != nil || !stored.AuthenticatedAt.Equal(now) || !stored.CreatedAt.Equal(ses.CreatedAt) || stored.UserAgent != firefox {
		t.Errorf("stored session after Reauthenticate = %+v, %v", stored, err)
	}
	if err := stored.Caller().Fresh(now, time.Hour); err != nil {
		t.Errorf("re-authenticated caller is not fresh: %v", err)
	}
	ev := f.events(t)
	if len(ev) != 1 || ev[0].Kind != securitylog.Reauthenticated || ev[0].AccountID != "acc_a" || ev[0].IP != "198.51.100.4" || ev[0].Device != "Firefox on Linux" {
		t.Errorf("security log = %+v, want one reauthenticated event with the new client", ev)
	}

	// Refused callers.
	for name, bad := range map[string]auth.Caller{
		"token":      {AccountID: "acc_a", Method: auth.MethodToken, SessionID: ses.ID},
		"api key":    {AccountID: "acc_a", Method: auth.MethodAPIKey, SessionID: ses.ID},
		"no session": {AccountID: "acc_a", Method: auth.MethodPassword},
	} {
		if _, err := f.svc.Reauthenticate(ctx, bad, pw, ""); !errors.Is(err, auth.ErrForbidden) && !errors.Is(err, auth.ErrInvalidCaller) {
			t.Errorf("Reauthenticate by %s = %v, want auth.ErrForbidden or auth.ErrInvalidCaller", name, err)
		}
	}
	bSes, _ := f.start(t, "acc_b", firefox)
	theirs := bSes.Caller()
	theirs.AccountID = "acc_a" // acc_a claiming acc_b's session
	if _, err := f.svc.Reauthenticate(ctx, theirs, pw, ""); !errors.Is(err, session.ErrInvalidSession) {
		t.Errorf("Reauthenticate of another account's session = %v, want ErrInvalidSession", err)
	}
}

func TestReauthenticateSecondFactor(t *testing.T) {
	f := newSelf(t)
	ctx := context.Background()
	ses, secret := f.start(t, "acc_b", firefox)
	f.clock.Advance(2 * time.Hour)
	c := ses.Caller()
	if _, err := f.svc.Reauthenticate(ctx, c, pw, ""); !errors.Is(err, session.ErrSecondFactorRequired) {
		t.Errorf("no code = %v, want ErrSecondFactorRequired", err)
	}
	if _, err := f.svc.Reauthenticate(ctx, c, pw, "000000"); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("wrong code = %v, want account.ErrInvalidCredentials", err)
	}
	if _, err := f.svc.Reauthenticate(ctx, c, "Wrong-Password-1!", "123456"); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("wrong password, right code = %v, want account.ErrInvalidCredentials", err)
	}
	if f.second.tries != 1 {
		t.Errorf("second factor asked %d times, want 1 (never without the right password)", f.second.tries)
	}
	if got, _ := f.svc.Validate(ctx, secret); !got.AuthenticatedAt.Equal(ses.AuthenticatedAt) {
		t.Fatalf("refused re-authentications changed AuthenticatedAt to %v", got.AuthenticatedAt)
	}
	got, err := f.svc.Reauthenticate(ctx, c, pw, "123456")
	if err != nil || got.Method != auth.MethodSecondFactor || !got.AuthenticatedAt.Equal(f.clock.Now()) {
		t.Errorf("Reauthenticate with the code = %+v, %v", got, err)
	}
}

func TestReauthenticateNotConfigured(t *testing.T) {
	svc, _, _ := fixture(t)
	ses, _ := start(t, svc, "acc_a")
	if _, err := svc.Reauthenticate(context.Background(), ses.Caller(), pw, ""); !errors.Is(err, session.ErrNotConfigured) {
		t.Errorf("Reauthenticate without Passwords = %v, want ErrNotConfigured", err)
	}
}

// TestRevokeAccount checks which sessions each credential change ends.
func TestRevokeAccount(t *testing.T) {
	for _, tc := range []struct {
		change   account.Change
		keep     bool // the change names the current session to keep
		wantKept bool // the current session survives
	}{
		{account.ChangePasswordReset, true, false},
		{account.ChangePasswordReset, false, false},
		{account.ChangeDeactivated, true, false},
		{account.ChangeLinked, true, false},
		{account.ChangePasswordChanged, true, true},
		{account.ChangePasswordChanged, false, false},
		{account.ChangeSecondFactor, true, true},
		{account.ChangeSecondFactor, false, false},
		{account.ChangeAccountAdded, true, true},
		{account.ChangeAccountAdded, false, false},
	} {
		t.Run(string(tc.change), func(t *testing.T) {
			svc, _, _ := fixture(t)
			ctx := context.Background()
			cur, curSecret := start(t, svc, "acc_a")
			_, other := start(t, svc, "acc_a")
			_, sibling := start(t, svc, "acc_b")
			r := account.Revocation{AccountID: "acc_a", Change: tc.change}
			if tc.keep {
				r.KeepSession = cur.ID
			}
			if err := svc.RevokeAccount(ctx, r); err != nil {
				t.Fatal(err)
			}
			wantInvalid(t, svc, other, "another session of the account")
			_, err := svc.Validate(ctx, curSecret)
			if kept := err == nil; kept != tc.wantKept {
				t.Errorf("keep=%v: current session kept = %v, want %v", tc.keep, kept, tc.wantKept)
			}
			if _, err := svc.Validate(ctx, sibling); err != nil {
				t.Errorf("a session of another account ended: %v", err)
			}
		})
	}
}
