package twofactor_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
)

func wantOff(t *testing.T, e *env) {
	t.Helper()
	st := e.status()
	if st.Method != twofactor.MethodNone || st.RecoveryCodesLeft != 0 {
		t.Errorf("status after deactivation: got %+v, want none and no recovery codes", st)
	}
	if _, err := e.store.TwoFactor(e.ctx, testAccount); err == nil {
		t.Errorf("record after deactivation: still stored, want it deleted with its secret")
	}
	msg, ok := e.outbox.Last(testEmail)
	if !ok || !strings.Contains(strings.ToLower(msg.Subject+msg.Body), "two-factor") {
		t.Errorf("notice mail: got %+v, %v; want a two-factor notice to %s", msg, ok, testEmail)
	}
	wantHistory(t, e, history.ActionSet, history.ActionCleared)
}

func TestDeactivateWithPassword(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrolApp()
	err := e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: "Wrong-Password-1"})
	wantErr(t, "Deactivate with a wrong password", err, twofactor.ErrInvalidPassword)
	if got := e.status().Method; got != twofactor.MethodAuthenticator {
		t.Errorf("method after refused deactivation: got %s, want authenticator", got)
	}
	if len(e.outbox.Messages()) != 0 {
		t.Errorf("mail after refused deactivation: got %d messages, want none", len(e.outbox.Messages()))
	}
	wantErr(t, "Deactivate with the password", e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}), nil)
	wantOff(t, e)
	wantErr(t, "Verify after deactivation", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), twofactor.ErrNotEnabled)
	wantErr(t, "Deactivate again", e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}), twofactor.ErrNotEnabled)
	// Enrolling again works and starts afresh.
	e.enrolApp()
}

func TestDeactivateWithCode(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrolApp()
	wantErr(t, "Deactivate with a wrong code",
		e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Code: e.code(secret, time.Hour)}), errs.ErrInvalidCode)
	wantErr(t, "Deactivate with no proof", e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{}), errs.ErrInvalidCode)
	wantErr(t, "Deactivate with the code", e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Code: e.code(secret, 0)}), nil)
	wantOff(t, e)

	e2 := newEnv(t)
	_, recovery := e2.enrolApp()
	wantErr(t, "Deactivate with a recovery code", e2.svc.Deactivate(e2.ctx, e2.as(testAccount), twofactor.Proof{Code: recovery[3]}), nil)
}

func TestDeactivateLocked(t *testing.T) {
	e := newEnv(t)
	e.enrolApp()
	for range 5 {
		e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: "guess"})
	}
	wantErr(t, "Deactivate with the password when locked",
		e.svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}), twofactor.ErrLocked)
}

func TestDeactivateWithoutPasswordChecker(t *testing.T) {
	e := newEnv(t)
	e.enrolApp()
	svc := twofactor.NewService(twofactor.Config{Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey, Now: e.clock.Now})
	wantErr(t, "Deactivate by password without a checker",
		svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}), twofactor.ErrInvalidPassword)
}

type failingMailer struct{}

var errMailDown = errors.New("mail down")

func (failingMailer) Send(context.Context, notify.Message) error { return errMailDown }

func TestDeactivateNoticeFails(t *testing.T) {
	e := newEnv(t)
	e.enrolApp()
	var failed []*notify.NoticeError
	notices := &notify.Notifier{Mailer: failingMailer{}, Failed: func(_ context.Context, err *notify.NoticeError) { failed = append(failed, err) }}
	svc := twofactor.NewService(twofactor.Config{Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: testKey, Now: e.clock.Now, Notices: notices, Passwords: fakePasswords{testPassword}})
	if err := svc.Deactivate(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}); err != nil {
		t.Errorf("Deactivate with a failing mailer: got %v, want nil (a notice never fails the change)", err)
	}
	if len(failed) != 1 || failed[0].Kind != notify.NoticeTwoFactorDisabled || !errors.Is(failed[0], errMailDown) {
		t.Errorf("reported failures = %v, want one two_factor_disabled wrapping the mail error", failed)
	}
	if got := e.status().Method; got != twofactor.MethodNone {
		t.Errorf("method: got %s, want none (the deactivation committed)", got)
	}
}

func TestEncryptionAtRest(t *testing.T) {
	e := newEnv(t)
	secret, recovery := e.enrolApp()
	r, err := e.store.TwoFactor(e.ctx, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	dump := string(r.Secret) + string(r.PendingSecret) + r.String() + r.GoString()
	if strings.Contains(dump, secret) || strings.Contains(strings.ToLower(dump), strings.ToLower(secret)) {
		t.Errorf("stored record holds the TOTP secret in clear")
	}
	for _, c := range recovery {
		if strings.Contains(dump, c) {
			t.Errorf("stored record holds a recovery code in clear")
		}
	}
	otherKey := []byte(strings.Repeat("k", twofactor.KeySize))
	err = e.service(otherKey).Verify(e.ctx, testAccount, e.code(secret, 0), signInClient)
	if err == nil || errors.Is(err, errs.ErrInvalidCode) || strings.Contains(err.Error(), secret) {
		t.Errorf("Verify with another key: got %v, want a decryption error (not errs.ErrInvalidCode, no secret)", err)
	}
	// A sealed secret moved to another account does not open there.
	moved := twofactor.Record{AccountID: "acc_bob", Method: twofactor.MethodAuthenticator, Secret: r.Secret, EnabledAt: r.EnabledAt}
	addAccount(t, e, "acc_bob", "prf_bob", "bob@example.com")
	if err := e.store.SaveTwoFactor(e.ctx, moved); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Verify(e.ctx, "acc_bob", e.code(secret, 0), signInClient); err == nil || errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Verify of a secret sealed for another account: got %v, want a decryption error", err)
	}
}

func addAccount(t *testing.T, e *env, accountID, profileID, email string) {
	t.Helper()
	if err := e.store.CreateProfile(e.ctx, profile.Profile{ID: profileID, Name: "Bob", CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	a := account.Account{ID: accountID, ProfileID: profileID, Email: email, Status: account.StatusActive, CreatedAt: e.clock.Now()}
	if err := e.store.CreateAccount(e.ctx, a); err != nil {
		t.Fatal(err)
	}
}

func TestNoSecretInOutput(t *testing.T) {
	e := newEnv(t)
	enr, err := e.svc.BeginAuthenticator(e.ctx, e.as(testAccount), "Example", testEmail)
	if err != nil {
		t.Fatal(err)
	}
	secret := enr.Secret.Reveal()
	js, err := json.Marshal(enr)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{string(js)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		outputs = append(outputs, fmtAll(verb, enr, enr.Secret, enr.URL, &enr.Secret, twofactor.Proof{Password: secret}))
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(strings.ToUpper(out), strings.ToUpper(hexOf(secret))) {
			t.Errorf("output holds the secret: %.80s…", out)
		}
	}
}

func TestMetadataAndErase(t *testing.T) {
	e := newEnv(t)
	md, err := e.svc.Metadata(e.ctx, testAccount)
	if err != nil || md.Method != twofactor.MethodNone || !md.EnabledAt.IsZero() {
		t.Errorf("Metadata before enrolment: got %+v, %v; want method none", md, err)
	}
	e.enrolApp()
	md, err = e.svc.Metadata(e.ctx, testAccount)
	if err != nil || md.Method != twofactor.MethodAuthenticator || md.EnabledAt.IsZero() {
		t.Errorf("Metadata: got %+v, %v; want authenticator with its date", md, err)
	}
	js, _ := json.Marshal(md)
	if got := string(js); !strings.HasPrefix(got, `{"method":"authenticator","enabled_at":"`) {
		t.Errorf("Metadata JSON: got %s", got)
	}
	wantErr(t, "EraseProfile", e.svc.EraseProfile(e.ctx, testProfile), nil)
	if req, _ := e.svc.Required(e.ctx, testAccount); req {
		t.Errorf("Required after erasure: got true, want false")
	}
	if n, _ := e.store.RecoveryCodesLeft(e.ctx, testAccount); n != 0 {
		t.Errorf("recovery codes after erasure: got %d, want 0", n)
	}
	wantErr(t, "EraseAccount without record", e.svc.EraseAccount(e.ctx, testAccount), nil)
}

func TestNewServicePanics(t *testing.T) {
	st := newEnv(t).store
	for name, c := range map[string]twofactor.Config{
		"no store":  {Accounts: st, Tx: st, History: st, Key: testKey},
		"no tx":     {Store: st, Accounts: st, History: st, Key: testKey},
		"no key":    {Store: st, Accounts: st, Tx: st, History: st},
		"short key": {Store: st, Accounts: st, Tx: st, History: st, Key: testKey[:16]},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("NewService: did not panic")
				}
			}()
			twofactor.NewService(c)
		})
	}
}
