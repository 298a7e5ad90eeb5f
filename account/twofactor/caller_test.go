package twofactor_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// revocations records what a Revoker is told.
type revocations []account.Revocation

func (r *revocations) RevokeAccount(_ context.Context, v account.Revocation) error {
	*r = append(*r, v)
	return nil
}

func TestCallerRefusals(t *testing.T) {
	e := newEnv(t)
	stale := e.as(testAccount)
	stale.AuthenticatedAt = e.clock.Now().Add(-time.Hour)
	tok := auth.Caller{AccountID: testAccount, Method: auth.MethodToken, Scopes: []string{"mx:app:read"}}
	for _, c := range []struct {
		name   string
		caller auth.Caller
		want   error
	}{
		{"stale", stale, auth.ErrReauthenticationRequired},
		{"token", tok, auth.ErrForbidden},
		{"api key", auth.Caller{AccountID: testAccount, Method: auth.MethodAPIKey}, auth.ErrForbidden},
	} {
		_, err := e.svc.BeginAuthenticator(e.ctx, c.caller, "Example", testEmail)
		wantErr(t, c.name+": BeginAuthenticator", err, c.want)
		wantErr(t, c.name+": BeginSMS", e.svc.BeginSMS(e.ctx, c.caller, "+31612345678"), c.want)
		_, err = e.svc.ConfirmAuthenticator(e.ctx, c.caller, "123456")
		wantErr(t, c.name+": ConfirmAuthenticator", err, c.want)
		_, err = e.svc.ConfirmSMS(e.ctx, c.caller, "123456")
		wantErr(t, c.name+": ConfirmSMS", err, c.want)
		wantErr(t, c.name+": Deactivate", e.svc.Deactivate(e.ctx, c.caller, twofactor.Proof{Password: testPassword}), c.want)
		_, err = e.svc.RegenerateRecoveryCodes(e.ctx, c.caller, twofactor.Proof{Password: testPassword})
		wantErr(t, c.name+": RegenerateRecoveryCodes", err, c.want)
	}
	_, err := e.svc.Status(e.ctx, tok)
	wantErr(t, "token: Status", err, auth.ErrForbidden)
	if st := e.status(); st.Method != twofactor.MethodNone || st.Pending != twofactor.MethodNone {
		t.Errorf("status after refusals = %+v, want nothing enrolled or pending", st)
	}
	if len(e.sms.sent) != 0 {
		t.Errorf("sms sent for refused callers: %d", len(e.sms.sent))
	}
}

func TestRevocationAndSecurityLog(t *testing.T) {
	e := newEnv(t)
	var got revocations
	e.svc = twofactor.NewService(twofactor.Config{
		Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey, Notices: &notify.Notifier{Mailer: e.outbox},
		SMS: e.sms, Passwords: fakePasswords{testPassword}, Now: e.clock.Now, Revokers: account.Revokers{&got},
		SecurityLog: securitylog.New(e.store, rand.Reader, e.clock.Now, nil),
	})
	_, recovery := e.enrolApp()
	if _, err := e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Verify(e.ctx, testAccount, recovery[0], signInClient); err == nil {
		t.Errorf("Verify with a replaced recovery code succeeded")
	}
	codes, err := e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Verify(e.ctx, testAccount, codes[0], signInClient); err != nil {
		t.Fatalf("Verify with a recovery code: %v", err)
	}
	if err := e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	want := revocations{
		{AccountID: testAccount, Change: account.ChangeSecondFactor, KeepSession: "ses_" + testAccount},
		{AccountID: testAccount, Change: account.ChangeSecondFactor, KeepSession: "ses_" + testAccount},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revocations (-want +got):\n%s", diff)
	}
	evs, err := e.store.SecurityEvents(e.ctx, testProfile, securitylog.Position{}, 20)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[securitylog.Kind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	wantKinds := map[securitylog.Kind]int{securitylog.TwoFactorEnrolled: 1, securitylog.RecoveryCodesRegenerated: 2,
		securitylog.RecoveryCodeUsed: 1, securitylog.TwoFactorDeactivated: 1}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("security events (-want +got):\n%s", diff)
	}
}
