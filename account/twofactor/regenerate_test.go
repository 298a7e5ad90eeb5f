package twofactor_test

import (
	"slices"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/history"
)

func TestRegenerateRecoveryCodes(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword})
	wantErr(t, "RegenerateRecoveryCodes without 2FA", err, twofactor.ErrNotEnabled)

	secret, old := e.enrolApp()
	if err := e.svc.Verify(e.ctx, testAccount, old[0], signInClient); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Password: "Wrong-Password-1"})
	wantErr(t, "RegenerateRecoveryCodes with a wrong password", err, twofactor.ErrInvalidPassword)
	_, err = e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{})
	wantErr(t, "RegenerateRecoveryCodes without proof", err, errs.ErrInvalidCode)
	if left := e.status().RecoveryCodesLeft; left != twofactor.RecoveryCodeCount-1 {
		t.Fatalf("codes left after refused regenerations: got %d, want %d", left, twofactor.RecoveryCodeCount-1)
	}

	fresh, err := e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Code: e.code(secret, 0)})
	if err != nil {
		t.Fatalf("RegenerateRecoveryCodes with a current code: %v", err)
	}
	if len(fresh) != twofactor.RecoveryCodeCount || slices.ContainsFunc(fresh, func(c string) bool { return slices.Contains(old, c) }) {
		t.Fatalf("new codes %v: want %d codes, none of the old ones", fresh, twofactor.RecoveryCodeCount)
	}
	if left := e.status().RecoveryCodesLeft; left != twofactor.RecoveryCodeCount {
		t.Errorf("codes left: got %d, want %d (the used one replaced too)", left, twofactor.RecoveryCodeCount)
	}
	wantErr(t, "Verify with an old code", e.svc.Verify(e.ctx, testAccount, old[1], signInClient), errs.ErrInvalidCode)
	wantErr(t, "Verify with a new code", e.svc.Verify(e.ctx, testAccount, fresh[0], signInClient), nil)

	entries, err := e.store.History(e.ctx, testProfile, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Item != "two_factor_recovery_codes" || entries[0].Action != history.ActionSet ||
		entries[0].Detail != string(twofactor.MethodAuthenticator) {
		t.Errorf("newest history entry: got %+v, want two_factor_recovery_codes set (authenticator)", entries[0])
	}
	if _, err := e.svc.RegenerateRecoveryCodes(e.ctx, e.as(testAccount), twofactor.Proof{Password: testPassword}); err != nil {
		t.Errorf("RegenerateRecoveryCodes with the password: %v", err)
	}
}

func TestSMSAvailable(t *testing.T) {
	e := newEnv(t)
	if !e.svc.SMSAvailable() {
		t.Error("SMSAvailable with an SMSSender = false")
	}
	st := e.store
	none := twofactor.NewService(twofactor.Config{Store: st, Accounts: st, Tx: st, History: st, Key: testKey})
	if none.SMSAvailable() {
		t.Error("SMSAvailable without an SMSSender = true")
	}
}
