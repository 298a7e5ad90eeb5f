package usersettings_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/passkey/passkeytest"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	sdktoken "github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// withoutClient are the kinds no request of the person causes, so they
// have no client to record.
var withoutClient = map[securitylog.Kind]string{
	securitylog.AccountProvisioned: "the host provisions an account it verified itself, outside any request of the person",
	securitylog.Admin:              "support staff act on the person's behalf; Event.Admin names them",
	securitylog.NoticeFailed:       "a failed notice is given to the hook only, never stored, and comes from the courier",
}

// clientWorld runs the actions of TestEveryEventHasAClient.
type clientWorld struct {
	t      *testing.T
	ctx    context.Context
	s      *usersettings.Settings
	clock  *fakeclock.Clock
	client auth.Client
	a      account.Account
	pw     string
	events []securitylog.Event
}

// caller is ada, signed in just now from the client.
func (w *clientWorld) caller() auth.Caller {
	c := auth.New(w.a.ID, auth.MethodPassword, w.clock.Now(), "")
	c.Client = w.client
	return c
}

func (w *clientWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// code returns the last code mailed to the address, a minute later (past
// the courier's pace).
func (w *clientWorld) code(to string) string {
	w.t.Helper()
	w.clock.Advance(time.Minute)
	return lastCode(w.t, w.s.Outbox, to)
}

// clientActions produce, in order, at least one event of each kind they
// name through the services, from w.client.
var clientActions = []struct {
	kinds []securitylog.Kind
	do    func(w *clientWorld)
}{
	{[]securitylog.Kind{securitylog.SignedIn}, func(w *clientWorld) {
		_, err := w.s.Accounts.Authenticate(w.ctx, account.Login{Email: w.a.Email, Password: w.pw, Client: w.client})
		w.must(err)
	}},
	{[]securitylog.Kind{securitylog.SignInFailed, securitylog.LockedOut}, func(w *clientWorld) {
		for range 6 {
			_, _ = w.s.Accounts.Authenticate(w.ctx, account.Login{Email: w.a.Email, Password: "wrong", Client: w.client})
		}
		w.clock.Advance(time.Hour)
	}},
	{[]securitylog.Kind{securitylog.Reauthenticated, securitylog.SessionEnded}, func(w *clientWorld) {
		ses, _, err := w.s.Sessions.Start(w.ctx, session.Begin{AccountID: w.a.ID, Method: auth.MethodPassword, Client: w.client})
		w.must(err)
		_, err = w.s.Sessions.Reauthenticate(w.ctx, ses.Caller(), w.pw, "")
		w.must(err)
		w.must(w.s.Sessions.End(w.ctx, w.caller(), ses.ID))
	}},
	{[]securitylog.Kind{securitylog.PasswordChanged}, func(w *clientWorld) {
		next := "Changed-Horse-8-Battery"
		w.must(w.s.Accounts.ChangePassword(w.ctx, w.caller(), w.pw, next))
		w.pw = next
	}},
	{[]securitylog.Kind{securitylog.TokenCreated, securitylog.TokenFirstUsed, securitylog.TokenDeleted}, func(w *clientWorld) {
		tok, secret, err := w.s.Tokens.Create(w.ctx, w.caller(), "ci", []string{"mx:app:read"})
		w.must(err)
		r := httptest.NewRequest("GET", "/api", nil)
		r.RemoteAddr = w.client.IP + ":52100"
		r.Header.Set("User-Agent", w.client.UserAgent)
		r.Header.Set("Authorization", "mxtoken "+secret.Reveal())
		rec := httptest.NewRecorder()
		sdktoken.Middleware(w.s.Tokens, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			w.t.Fatalf("token.Middleware: %d", rec.Code)
		}
		w.must(w.s.Tokens.Delete(w.ctx, w.caller(), tok.ID))
	}},
	{[]securitylog.Kind{securitylog.APIKeyCreated, securitylog.APIKeyDeleted}, func(w *clientWorld) {
		k, _, err := w.s.Tokens.CreateAPIKey(w.ctx, w.caller(), "deploy")
		w.must(err)
		w.must(w.s.Tokens.RevokeAPIKey(w.ctx, w.caller(), k.ID))
	}},
	{[]securitylog.Kind{securitylog.AccountAdded, securitylog.AccountDeleted}, func(w *clientWorld) {
		pending, err := w.s.Accounts.AddAccount(w.ctx, w.caller(), "ada.work@example.com", w.pw, false)
		w.must(err)
		added, err := w.s.Accounts.ConfirmAddAccount(w.ctx, w.caller(), pending, w.code("ada.work@example.com"))
		w.must(err)
		w.must(w.s.Accounts.Delete(w.ctx, w.caller(), added.ID))
	}},
	{[]securitylog.Kind{securitylog.RecoveryEmailChanged}, func(w *clientWorld) {
		home := "ada@home.example"
		_, err := w.s.Profiles.Update(w.ctx, w.caller(), profile.Update{RecoveryEmail: &home})
		w.must(err)
		_, err = w.s.Profiles.ConfirmRecoveryEmail(w.ctx, w.caller(), w.code(home))
		w.must(err)
	}},
	{[]securitylog.Kind{securitylog.TwoFactorEnrolled, securitylog.RecoveryCodesRegenerated, securitylog.RecoveryCodeUsed,
		securitylog.TwoFactorDeactivated}, func(w *clientWorld) {
		enr, err := w.s.TwoFactor.BeginAuthenticator(w.ctx, w.caller(), w.s.Issuer, w.a.Email)
		w.must(err)
		_, err = w.s.TwoFactor.ConfirmAuthenticator(w.ctx, w.caller(), totpNowOrEmpty(enr.Secret.Reveal(), w.clock.Now()))
		w.must(err)
		codes, err := w.s.TwoFactor.RegenerateRecoveryCodes(w.ctx, w.caller(), twofactor.Proof{Password: w.pw})
		w.must(err)
		w.must(w.s.TwoFactor.Verify(w.ctx, w.a.ID, codes[0], w.client))
		w.must(w.s.TwoFactor.Deactivate(w.ctx, w.caller(), twofactor.Proof{Password: w.pw}))
	}},
	{[]securitylog.Kind{securitylog.PasskeyAdded, securitylog.PasskeyUsed, securitylog.PasskeyFailed, securitylog.PasskeyRemoved}, func(w *clientWorld) {
		dev := passkeytest.New(pkOrigin)
		cer, err := w.s.Passkeys.BeginRegistration(w.ctx, w.caller())
		w.must(err)
		resp, err := dev.Create(cer.Options)
		w.must(err)
		p, err := w.s.Passkeys.FinishRegistration(w.ctx, w.caller(), passkey.RegistrationFinish{CeremonyID: cer.ID, Response: resp})
		w.must(err)
		for _, origin := range []string{pkOrigin, "https://evil.example"} {
			w.clock.Advance(time.Minute) // past the back-off of the failures before
			dev.Origin = origin
			cer, err := w.s.Passkeys.BeginSignIn(w.ctx)
			w.must(err)
			resp, err := dev.Get(cer.Options)
			w.must(err)
			_, err = w.s.Passkeys.FinishSignIn(w.ctx, passkey.SignInFinish{CeremonyID: cer.ID, Response: resp, Client: w.client})
			if (err == nil) != (origin == pkOrigin) {
				w.t.Fatalf("passkey sign-in from %s: %v", origin, err)
			}
		}
		w.must(w.s.Passkeys.Remove(w.ctx, w.caller(), p.ID))
	}},
	{[]securitylog.Kind{securitylog.Merged}, func(w *clientWorld) {
		signUp(w.t, w.s, "ada.old@example.com")
		f, err := w.s.Merges.Start(w.ctx, w.caller(), "ada.old@example.com")
		w.must(err)
		w.must(w.s.Merges.SendCode(w.ctx, w.caller(), f.ID, merge.ChoiceTyped))
		_, err = w.s.Merges.Verify(w.ctx, w.caller(), f.ID, w.code("ada.old@example.com"))
		w.must(err)
		_, err = w.s.Merges.Commit(w.ctx, w.caller(), f.ID)
		w.must(err)
	}},
	{[]securitylog.Kind{securitylog.EmailChanged}, func(w *clientWorld) {
		pending, err := w.s.Accounts.RequestEmailChange(w.ctx, w.caller(), w.a.ID, "ada.new@example.com")
		w.must(err)
		w.a, err = w.s.Accounts.ConfirmEmailChange(w.ctx, w.caller(), pending, w.code("ada.new@example.com"))
		w.must(err)
	}},
	{[]securitylog.Kind{securitylog.PasswordReset}, func(w *clientWorld) {
		w.clock.Advance(time.Minute)
		w.must(w.s.Accounts.RequestPasswordReset(w.ctx, w.a.Email))
		next := "Reset-Horse-9-Battery"
		_, err := w.s.Accounts.ResetPassword(w.ctx, w.a.Email, w.code(w.a.Email), next, w.client)
		w.must(err)
		w.pw = next
	}},
	{[]securitylog.Kind{securitylog.PersonalDataErased}, func(w *clientWorld) {
		w.must(w.s.PersonalData.EraseKeepingAccounts(w.ctx, w.caller()))
	}},
	{[]securitylog.Kind{securitylog.SSOLinked}, func(w *clientWorld) {
		_, err := w.s.Accounts.LinkFederated(w.ctx, w.a.ID, account.SSOIdentity{Connection: "acme", Subject: "ada-1",
			Company: "Acme", Client: w.client})
		w.must(err)
	}},
}

// TestEveryEventHasAClient walks every kind of the security log: each
// kind the SDK records because of a request is produced through the
// services from a client, and every such event carries the client's IP
// address and device; the others are listed in withoutClient with why.
func TestEveryEventHasAClient(t *testing.T) {
	clock := fakeclock.New(time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC))
	w := &clientWorld{t: t, ctx: context.Background(), clock: clock, pw: pw,
		client: auth.Client{IP: "203.0.113.77", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}}
	s, err := usersettings.New(memory.New(), usersettings.Options{
		Dev: true, Hasher: fastHasher(), Now: clock.Now, CodeBurst: -1, CodeMaxPerHour: -1,
		PasskeyRPID: pkRPID, PasskeyOrigins: []string{pkOrigin},
		Scopes:  []sdktoken.Scope{{Name: "mx:app:read", Description: "read apps"}},
		OnEvent: func(_ context.Context, e securitylog.Event) { w.events = append(w.events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	w.a = signUp(t, s, "ada@example.com")

	covered := map[securitylog.Kind]bool{}
	for _, act := range clientActions {
		w.events = nil
		act.do(w)
		for _, k := range act.kinds {
			covered[k] = true
			if !slices.ContainsFunc(w.events, func(e securitylog.Event) bool { return e.Kind == k }) {
				t.Errorf("%s: the action recorded none", k)
			}
		}
		for _, e := range w.events {
			if _, exempt := withoutClient[e.Kind]; exempt {
				continue
			}
			if e.IP != w.client.IP || e.Device != "Firefox on Linux" {
				t.Errorf("%s (%s): IP %q, device %q; want the client's", e.Kind, e.Detail, e.IP, e.Device)
			}
		}
	}
	for _, k := range securitylog.Kinds {
		if _, exempt := withoutClient[k]; exempt == covered[k] {
			t.Errorf("kind %s: covered by an action %t, listed without a client %t; want exactly one", k, covered[k], exempt)
		}
	}
}
