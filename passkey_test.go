package usersettings_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/passkey/passkeytest"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// The relying party of the passkey tests.
const (
	pkRPID   = "example.com"
	pkOrigin = "https://example.com"
)

// pkWorld is the SDK with passkeys on over one store, ada signed up, and
// her authenticator.
type pkWorld struct {
	t      *testing.T
	ctx    context.Context
	s      *usersettings.Settings
	clock  *fakeclock.Clock
	dev    *passkeytest.Authenticator
	ada    account.Account
	client auth.Client
	events []securitylog.Event
}

func newPKWorld(t *testing.T, st usersettings.Store, edit func(*usersettings.Options)) *pkWorld {
	t.Helper()
	w := &pkWorld{t: t, ctx: context.Background(), clock: fakeclock.New(time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)),
		dev: passkeytest.New(pkOrigin), client: auth.Client{IP: "203.0.113.9", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}}
	o := usersettings.Options{Dev: true, Hasher: fastHasher(), Now: w.clock.Now, CodeBurst: -1, CodeMaxPerHour: -1,
		PasskeyRPID: pkRPID, PasskeyOrigins: []string{pkOrigin},
		OnEvent: func(_ context.Context, e securitylog.Event) { w.events = append(w.events, e) }}
	if edit != nil {
		edit(&o)
	}
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	w.s = s
	w.ada = signUp(t, s, "ada@example.com")
	return w
}

// forEachBackend runs f on a new world over every backend.
func forEachBackend(t *testing.T, edit func(*usersettings.Options), f func(t *testing.T, w *pkWorld)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, newPKWorld(t, b.open(t), edit)) })
	}
}

// session starts a password session of the account and returns its
// caller, from w.client.
func (w *pkWorld) session(accountID string) auth.Caller {
	w.t.Helper()
	ses, _, err := w.s.Sessions.Start(w.ctx, session.Begin{AccountID: accountID, Method: auth.MethodPassword, Client: w.client})
	if err != nil {
		w.t.Fatalf("Sessions.Start: %v", err)
	}
	return ses.Caller()
}

// register registers a passkey of dev for the caller.
func (w *pkWorld) register(c auth.Caller, dev *passkeytest.Authenticator, name string) passkey.Passkey {
	w.t.Helper()
	p, err := w.tryRegister(c, dev, name)
	if err != nil {
		w.t.Fatalf("register: %v", err)
	}
	return p
}

func (w *pkWorld) tryRegister(c auth.Caller, dev *passkeytest.Authenticator, name string) (passkey.Passkey, error) {
	w.t.Helper()
	cer, err := w.s.Passkeys.BeginRegistration(w.ctx, c)
	if err != nil {
		return passkey.Passkey{}, err
	}
	resp, err := dev.Create(cer.Options)
	if err != nil {
		w.t.Fatalf("authenticator Create: %v", err)
	}
	return w.s.Passkeys.FinishRegistration(w.ctx, c, passkey.RegistrationFinish{CeremonyID: cer.ID, Response: resp, Name: name})
}

// beginSignIn begins a passwordless sign-in and returns the ceremony and
// dev's answer.
func (w *pkWorld) beginSignIn(dev *passkeytest.Authenticator) (passkey.Ceremony, []byte) {
	w.t.Helper()
	cer, err := w.s.Passkeys.BeginSignIn(w.ctx)
	if err != nil {
		w.t.Fatalf("BeginSignIn: %v", err)
	}
	resp, err := dev.Get(cer.Options)
	if err != nil {
		w.t.Fatalf("authenticator Get: %v", err)
	}
	return cer, resp
}

func (w *pkWorld) finishSignIn(cer passkey.Ceremony, resp []byte) (passkey.SignIn, error) {
	return w.s.Passkeys.FinishSignIn(w.ctx, passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: w.client})
}

func (w *pkWorld) signIn(dev *passkeytest.Authenticator) (passkey.SignIn, error) {
	w.t.Helper()
	cer, resp := w.beginSignIn(dev)
	return w.finishSignIn(cer, resp)
}

// eventDetails returns the details of the recorded events of kind.
func (w *pkWorld) eventDetails(kind securitylog.Kind) []string {
	var out []string
	for _, e := range w.events {
		if e.Kind == kind {
			out = append(out, e.Detail)
		}
	}
	return out
}

// TestPasskeyRegisterAndSignIn registers a passkey for ada and signs in
// with it without a password, on every backend: the account is found
// from the user handle, the session's method is passkey, the passkey's
// last use is recorded, and the security log and mail tell of it.
func TestPasskeyRegisterAndSignIn(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		me := w.session(w.ada.ID)
		p := w.register(me, w.dev, "  My laptop ")
		if p.Name != "My laptop" || p.AccountID != w.ada.ID || p.AAGUID != "70617373-6b65-7974-6573-740000000001" || !slices.Contains(p.Transports, "internal") {
			t.Errorf("registered %+v", p)
		}
		if m, ok := w.s.Outbox.Last("ada@example.com"); !ok || !strings.Contains(m.Subject, "passkey was added") {
			t.Errorf("last mail to ada = %q, want the passkey-added notice", m.Subject)
		}
		w.clock.Advance(time.Minute)
		res, err := w.signIn(w.dev)
		if err != nil {
			t.Fatalf("FinishSignIn: %v", err)
		}
		if res.Account.ID != w.ada.ID || res.Method != auth.MethodPasskey || !res.UserVerified || res.SecondFactorRequired || res.Device == "" {
			t.Errorf("sign-in = %v (device %t)", res, res.Device != "")
		}
		ses, _, err := w.s.Sessions.Start(w.ctx, session.Begin{AccountID: res.Account.ID, Method: res.Method, Client: w.client})
		if err != nil || ses.Method != auth.MethodPasskey {
			t.Fatalf("Sessions.Start(passkey) = %v, %v", ses.Method, err)
		}
		list, err := w.s.Passkeys.List(w.ctx, ses.Caller())
		if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(w.clock.Now()) || list[0].SignCount != 1 {
			t.Errorf("List after sign-in = %+v, %v; want last used now, sign count 1", list, err)
		}
		if got := w.eventDetails(securitylog.PasskeyAdded); !slices.Equal(got, []string{"My laptop"}) {
			t.Errorf("passkey_added events %q", got)
		}
		if got := w.eventDetails(securitylog.SignedIn); !slices.Contains(got, "passkey") {
			t.Errorf("signed_in events %q, want one with Detail passkey", got)
		}
		if got := w.eventDetails(securitylog.PasskeyUsed); len(got) != 1 {
			t.Errorf("passkey_used events %q, want one", got)
		}
	})
}

// TestPasskeyWrongOriginOrRPID refuses responses from another origin or
// for another relying party, at registration and at sign-in.
func TestPasskeyWrongOriginOrRPID(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		me := w.session(w.ada.ID)
		evil := passkeytest.New("https://evil.example")
		_, err := w.tryRegister(me, evil, "phish")
		usersettingstest.WantErr(t, "registration from another origin", err, passkey.ErrInvalidResponse)
		otherRP := passkeytest.New(pkOrigin)
		otherRP.RPID = "evil.example"
		_, err = w.tryRegister(me, otherRP, "phish")
		usersettingstest.WantErr(t, "registration for another RP ID", err, passkey.ErrInvalidResponse)

		w.register(me, w.dev, "laptop")
		moved := w.dev.Clone()
		moved.Origin = "https://evil.example"
		_, err = w.signIn(moved)
		usersettingstest.WantErr(t, "sign-in from another origin", err, account.ErrInvalidCredentials)
		moved.Origin, moved.RPID = pkOrigin, "evil.example"
		_, err = w.signIn(moved)
		usersettingstest.WantErr(t, "sign-in for another RP ID", err, account.ErrInvalidCredentials)
		if got := w.eventDetails(securitylog.PasskeyFailed); len(got) != 2 {
			t.Errorf("passkey_failed events %q, want 2", got)
		}
	})
}

// TestPasskeyReplayAndExpiry refuses a replayed assertion (the ceremony
// is used up) and a ceremony past its lifetime.
func TestPasskeyReplayAndExpiry(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		w.register(w.session(w.ada.ID), w.dev, "laptop")
		cer, resp := w.beginSignIn(w.dev)
		if _, err := w.finishSignIn(cer, resp); err != nil {
			t.Fatalf("first finish: %v", err)
		}
		_, err := w.finishSignIn(cer, resp)
		usersettingstest.WantErr(t, "replayed assertion", err, passkey.ErrCeremonyExpired)
		if errs.KindOf(err) != errs.Expired {
			t.Errorf("replay kind %v, want expired", errs.KindOf(err))
		}

		cer, resp = w.beginSignIn(w.dev)
		w.clock.Advance(passkey.DefaultCeremonyTTL)
		_, err = w.finishSignIn(cer, resp)
		usersettingstest.WantErr(t, "finish at the ceremony's expiry", err, passkey.ErrCeremonyExpired)
		if n, err := w.s.Passkeys.DeleteExpiredCeremonies(w.ctx); err != nil || n != 0 {
			t.Errorf("DeleteExpiredCeremonies = %d, %v; the expired one was consumed already", n, err)
		}
		w.beginSignIn(w.dev)
		w.clock.Advance(passkey.DefaultCeremonyTTL + time.Second)
		if r, err := w.s.Cleanup(w.ctx); err != nil || r.PasskeyCeremonies != 1 {
			t.Errorf("Cleanup = %d passkey ceremonies, %v; want 1", r.PasskeyCeremonies, err)
		}
	})
}

// TestPasskeySignCountBackwards refuses, and logs, an assertion whose
// sign count is not above the last one: a cloned authenticator.
func TestPasskeySignCountBackwards(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		w.register(w.session(w.ada.ID), w.dev, "laptop")
		clone := w.dev.Clone()
		for range 2 {
			if _, err := w.signIn(w.dev); err != nil {
				t.Fatalf("sign-in: %v", err)
			}
		}
		_, err := w.signIn(clone) // reports count 1; 2 was seen
		usersettingstest.WantErr(t, "sign-in with a count gone backwards", err, account.ErrInvalidCredentials)
		got := w.eventDetails(securitylog.PasskeyFailed)
		if len(got) != 1 || !strings.Contains(got[0], "sign count went backwards") {
			t.Errorf("passkey_failed events %q, want the sign count", got)
		}
		if !slices.Contains(w.eventDetails(securitylog.SignInFailed), "passkey") {
			t.Error("no sign_in_failed event for the refused passkey")
		}
		if _, err := w.signIn(w.dev); err != nil {
			t.Errorf("the genuine authenticator, counting on: %v", err)
		}
	})
}

// TestPasskeySecondFactor lets an account with a password and an
// authenticator app prove the second step with its passkey, and refuses
// another account's passkey there.
func TestPasskeySecondFactor(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		me := w.session(w.ada.ID)
		enr, err := w.s.TwoFactor.BeginAuthenticator(w.ctx, me, "Example", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.TwoFactor.ConfirmAuthenticator(w.ctx, me, totpNowOrEmpty(enr.Secret.Reveal(), w.clock.Now())); err != nil {
			t.Fatalf("ConfirmAuthenticator: %v", err)
		}
		me = w.session(w.ada.ID)
		w.register(me, w.dev, "laptop")
		bob := signUp(t, w.s, "bob@example.com")
		bobDev := passkeytest.New(pkOrigin)
		w.register(w.session(bob.ID), bobDev, "bob's")

		res, err := w.s.Accounts.Authenticate(w.ctx, account.Login{Email: "ada@example.com", Password: pw, Client: w.client})
		if err != nil || !res.SecondFactorRequired {
			t.Fatalf("password step = %v, %v; want a second factor due", res, err)
		}
		if has, err := w.s.Passkeys.HasPasskeys(w.ctx, res.Account.ID); !has || err != nil {
			t.Errorf("HasPasskeys = %t, %v", has, err)
		}
		cer, err := w.s.Passkeys.BeginSecondFactor(w.ctx, res.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		// bob's authenticator answers ada's challenge with bob's passkey.
		resp, err := bobDev.Assert(bobDev.Credentials()[0], challengeOf(t, cer))
		if err != nil {
			t.Fatal(err)
		}
		err = w.s.Passkeys.FinishSecondFactor(w.ctx, res.Account.ID, passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: w.client})
		usersettingstest.WantErr(t, "another account's passkey as the second factor", err, account.ErrInvalidCredentials)

		cer, _ = w.s.Passkeys.BeginSecondFactor(w.ctx, res.Account.ID)
		resp, err = w.dev.Get(cer.Options)
		if err != nil {
			t.Fatal(err)
		}
		err = w.s.Passkeys.FinishSecondFactor(w.ctx, bob.ID, passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: w.client})
		usersettingstest.WantErr(t, "ada's ceremony finished for bob", err, passkey.ErrCeremonyExpired)

		cer, _ = w.s.Passkeys.BeginSecondFactor(w.ctx, res.Account.ID)
		resp, _ = w.dev.Get(cer.Options)
		if err := w.s.Passkeys.FinishSecondFactor(w.ctx, res.Account.ID, passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: w.client}); err != nil {
			t.Fatalf("FinishSecondFactor(own passkey): %v", err)
		}
		if !slices.Contains(w.eventDetails(securitylog.SignedIn), "second factor (passkey)") {
			t.Errorf("signed_in events %q, want the passkey's second step", w.eventDetails(securitylog.SignedIn))
		}
		_, err = w.s.Passkeys.BeginSecondFactor(w.ctx, signUp(t, w.s, "carol@example.com").ID)
		usersettingstest.WantErr(t, "BeginSecondFactor without passkeys", err, passkey.ErrNoPasskey)
	})
}

// challengeOf returns the challenge of a ceremony's options.
func challengeOf(t *testing.T, c passkey.Ceremony) string {
	t.Helper()
	s := string(c.Options)
	i := strings.Index(s, `"challenge":"`)
	if i < 0 {
		t.Fatalf("no challenge in %s", s)
	}
	s = s[i+len(`"challenge":"`):]
	return s[:strings.IndexByte(s, '"')]
}

// TestPasskeyReauthenticate refreshes a stale session with a passkey
// (sudo mode), and refuses a ceremony begun in another session.
func TestPasskeyReauthenticate(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		me := w.session(w.ada.ID)
		w.register(me, w.dev, "laptop")
		w.clock.Advance(2 * time.Hour)
		_, err := w.tryRegister(me, passkeytest.New(pkOrigin), "another")
		usersettingstest.WantErr(t, "registration by a stale caller", err, auth.ErrReauthenticationRequired)

		other := w.session(w.ada.ID)
		cer, err := w.s.Passkeys.BeginReauthentication(w.ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := w.dev.Get(cer.Options)
		_, err = w.s.Sessions.ReauthenticatePasskey(w.ctx, me, cer.ID, resp)
		usersettingstest.WantErr(t, "a ceremony of another session", err, passkey.ErrCeremonyExpired)

		cer, _ = w.s.Passkeys.BeginReauthentication(w.ctx, me)
		resp, _ = w.dev.Get(cer.Options)
		ses, err := w.s.Sessions.ReauthenticatePasskey(w.ctx, me, cer.ID, resp)
		if err != nil {
			t.Fatalf("ReauthenticatePasskey: %v", err)
		}
		if ses.Method != auth.MethodPasskey || !ses.AuthenticatedAt.Equal(w.clock.Now()) {
			t.Errorf("session after re-authentication: method %s at %s", ses.Method, ses.AuthenticatedAt)
		}
		if _, err := w.tryRegister(ses.Caller(), passkeytest.New(pkOrigin), "another"); err != nil {
			t.Errorf("registration after re-authentication: %v", err)
		}
		if !slices.Contains(w.eventDetails(securitylog.Reauthenticated), "passkey") {
			t.Errorf("reauthenticated events %q", w.eventDetails(securitylog.Reauthenticated))
		}
	})
}

// TestPasskeyManage renames and removes passkeys (removal needs a fresh
// caller), holds the limit per account, and refuses a removed passkey.
func TestPasskeyManage(t *testing.T) {
	forEachBackend(t, func(o *usersettings.Options) { o.PasskeyMaxPerAccount = 2 }, func(t *testing.T, w *pkWorld) {
		me := w.session(w.ada.ID)
		p := w.register(me, w.dev, "")
		if p.Name != passkey.DefaultName {
			t.Errorf("unnamed passkey is %q", p.Name)
		}
		w.register(me, passkeytest.New(pkOrigin), "phone")
		_, err := w.tryRegister(me, passkeytest.New(pkOrigin), "third")
		var lim *passkey.LimitError
		if !errors.As(err, &lim) || lim.Max != 2 || !errors.Is(err, passkey.ErrLimitReached) {
			t.Errorf("third passkey = %v, want a LimitError of 2", err)
		}
		got, err := w.s.Passkeys.Rename(w.ctx, me, p.ID, "Work laptop")
		if err != nil || got.Name != "Work laptop" {
			t.Errorf("Rename = %q, %v", got.Name, err)
		}
		_, err = w.s.Passkeys.Rename(w.ctx, me, p.ID, " ")
		usersettingstest.WantErr(t, "Rename to blank", err, passkey.ErrInvalidName)
		bob := signUp(t, w.s, "bob@example.com")
		_, err = w.s.Passkeys.Rename(w.ctx, w.session(bob.ID), p.ID, "mine")
		usersettingstest.WantErr(t, "Rename of another account's passkey", err, passkey.ErrNotFound)
		usersettingstest.WantErr(t, "Remove of another account's passkey", w.s.Passkeys.Remove(w.ctx, w.session(bob.ID), p.ID), passkey.ErrNotFound)

		w.clock.Advance(2 * time.Hour)
		usersettingstest.WantErr(t, "Remove by a stale caller", w.s.Passkeys.Remove(w.ctx, me, p.ID), auth.ErrReauthenticationRequired)
		fresh := w.session(w.ada.ID)
		if err := w.s.Passkeys.Remove(w.ctx, fresh, p.ID); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if m, ok := w.s.Outbox.Last("ada@example.com"); !ok || !strings.Contains(m.Subject, "passkey was removed") || !strings.Contains(m.Body, "Work laptop") {
			t.Errorf("last mail to ada = %q, want the removal notice naming the passkey", m.Subject)
		}
		_, err = w.signIn(w.dev)
		usersettingstest.WantErr(t, "sign-in with the removed passkey", err, account.ErrInvalidCredentials)
		if got := w.eventDetails(securitylog.PasskeyRemoved); !slices.Equal(got, []string{"Work laptop"}) {
			t.Errorf("passkey_removed events %q", got)
		}
	})
}

// TestPasskeyRefusals covers the callers and accounts that may not use
// passkeys: a token, an account of single sign-on (at registration and
// at sign-in), and a service without a relying party.
func TestPasskeyRefusals(t *testing.T) {
	w := newPKWorld(t, memory.New(), nil)
	me := w.session(w.ada.ID)
	w.register(me, w.dev, "laptop")
	tok := me
	tok.Method = auth.MethodToken
	_, err := w.s.Passkeys.BeginRegistration(w.ctx, tok)
	usersettingstest.WantErr(t, "BeginRegistration by a token", err, auth.ErrForbidden)
	_, err = w.s.Passkeys.List(w.ctx, tok)
	usersettingstest.WantErr(t, "List by a token", err, auth.ErrForbidden)

	if _, err := w.s.Accounts.LinkFederated(w.ctx, w.ada.ID, account.SSOIdentity{Connection: "acme", Subject: "ada-1", Company: "Acme"}); err != nil {
		t.Fatal(err)
	}
	_, err = w.s.Passkeys.BeginRegistration(w.ctx, w.session(w.ada.ID))
	usersettingstest.WantErr(t, "BeginRegistration for an SSO account", err, account.ErrSSOManaged)
	_, err = w.signIn(w.dev)
	usersettingstest.WantErr(t, "passkey sign-in to an SSO account", err, account.ErrSSOManaged)

	off := newPKWorld(t, memory.New(), func(o *usersettings.Options) { o.PasskeyRPID, o.PasskeyOrigins = "", nil })
	if off.s.Passkeys.Enabled() {
		t.Error("Enabled without a relying party")
	}
	_, err = off.s.Passkeys.BeginSignIn(off.ctx)
	usersettingstest.WantErr(t, "BeginSignIn without a relying party", err, passkey.ErrUnavailable)
	if _, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, PasskeyRPID: pkRPID}); err == nil {
		t.Error("New with a relying party ID and no origins succeeded")
	}
}

// TestPasskeySignInThrottled counts refused passkey sign-ins on the
// password sign-in's counters: past the free failures the next attempt
// waits, the genuine passkey too.
func TestPasskeySignInThrottled(t *testing.T) {
	w := newPKWorld(t, memory.New(), nil)
	w.register(w.session(w.ada.ID), w.dev, "laptop")
	evil := w.dev.Clone()
	evil.Origin = "https://evil.example"
	for range account.DefaultAddressBackoff.Free {
		_, err := w.signIn(evil)
		usersettingstest.WantErr(t, "refused sign-in", err, account.ErrInvalidCredentials)
	}
	_, err := w.signIn(w.dev)
	usersettingstest.WantErr(t, "sign-in past the free failures", err, account.ErrThrottled)
	var re *errs.RetryError
	if !errors.As(err, &re) || re.After <= 0 {
		t.Errorf("throttled sign-in = %v, want a wait", err)
	}
	if !slices.Contains(w.eventDetails(securitylog.LockedOut), "passkey") {
		t.Errorf("locked_out events %q, want the passkey's", w.eventDetails(securitylog.LockedOut))
	}
}

// TestPasskeyPersonalDataMergeAndErase shows a passkey in the personal
// data export, moving with its account in a merge (it still signs in,
// now to the surviving profile), and erased with the person.
func TestPasskeyPersonalDataMergeAndErase(t *testing.T) {
	forEachBackend(t, nil, func(t *testing.T, w *pkWorld) {
		old := signUp(t, w.s, "ada.old@example.com")
		oldMe := w.session(old.ID)
		w.register(oldMe, w.dev, "old laptop")
		w.clock.Advance(time.Minute) // the notice goes out before the code
		me := w.session(w.ada.ID)
		f, err := w.s.Merges.Start(w.ctx, me, "ada.old@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.s.Merges.SendCode(w.ctx, me, f.ID, 0); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
		if _, err := w.s.Merges.Verify(w.ctx, me, f.ID, lastCode(t, w.s.Outbox, "ada.old@example.com")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Merges.Commit(w.ctx, me, f.ID); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		res, err := w.signIn(w.dev)
		if err != nil || res.Account.ID != old.ID || res.Account.ProfileID != w.ada.ProfileID {
			t.Fatalf("sign-in after the merge = %v (profile %s), %v; want the moved account in ada's profile", res, res.Account.ProfileID, err)
		}
		v, err := w.s.PersonalData.Collect(w.ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Passkeys) != 1 || v.Passkeys[0].Name != "old laptop" || v.Passkeys[0].AccountID != old.ID {
			t.Errorf("personal data passkeys = %+v", v.Passkeys)
		}
		if err := w.s.PersonalData.Erase(w.ctx, me); err != nil {
			t.Fatalf("Erase: %v", err)
		}
		_, err = w.signIn(w.dev)
		usersettingstest.WantErr(t, "sign-in after erasure", err, account.ErrInvalidCredentials)
	})
}
