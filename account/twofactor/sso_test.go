package twofactor_test

import (
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

// An account that signs in through single sign-on cannot enrol a second
// factor: its identity provider owns them.
func TestEnrolmentRefusedForSSOAccount(t *testing.T) {
	e := newEnv(t)
	a := account.Account{ID: "acc_sso", ProfileID: testProfile, Email: "ann@acme.example", Status: account.StatusActive,
		CreatedAt: e.clock.Now(), SSOConnection: "acme", SSOSubject: "sub-ann"}
	if err := e.store.CreateAccount(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.BeginAuthenticator(e.ctx, e.as(a.ID), "Example", a.Email); !errors.Is(err, twofactor.ErrSSOManaged) {
		t.Errorf("BeginAuthenticator = %v, want ErrSSOManaged", err)
	}
	if err := e.svc.BeginSMS(e.ctx, e.as(a.ID), "+31612345678"); !errors.Is(err, twofactor.ErrSSOManaged) {
		t.Errorf("BeginSMS = %v, want ErrSSOManaged", err)
	}
	if _, err := e.store.TwoFactor(e.ctx, a.ID); err == nil {
		t.Error("a refused enrolment stored a record")
	}
}
