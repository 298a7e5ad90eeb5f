package twofactor_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
)

var newKey = []byte("fedcba9876543210fedcba9876543210")

// rotated returns a service whose Key is newKey and whose old key is the
// one the env enrolled with.
func (e *env) rotated(old ...[]byte) *twofactor.Service {
	return twofactor.NewService(twofactor.Config{
		Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: newKey, OldKeys: old,
		Notices: &notify.Notifier{Mailer: e.outbox}, SMS: e.sms, Passwords: fakePasswords{testPassword}, Now: e.clock.Now,
	})
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	secret, recovery := e.enrolApp()
	before, err := e.store.TwoFactor(e.ctx, testAccount)
	if err != nil {
		t.Fatal(err)
	}

	// Without the old key, the enrolment cannot be read.
	if err := e.rotated().Verify(e.ctx, testAccount, e.code(secret, 0), signInClient); err == nil {
		t.Fatal("Verify under a new key alone succeeded; want a failure")
	}
	e.clock.Advance(30 * time.Second)

	// With it, the code and a recovery code of the old key work...
	svc := e.rotated(testKey)
	if err := svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient); err != nil {
		t.Fatalf("Verify with the old key in OldKeys: %v", err)
	}
	if err := svc.Verify(e.ctx, testAccount, recovery[0], signInClient); err != nil {
		t.Fatalf("recovery code of the old key: %v", err)
	}
	if err := svc.Verify(e.ctx, testAccount, recovery[0], signInClient); !errors.Is(err, errs.ErrInvalidCode) {
		t.Fatalf("recovery code used twice: %v, want errs.ErrInvalidCode", err)
	}

	// ...and the secret was sealed again under the new key, so the old
	// key can now be dropped.
	after, err := e.store.TwoFactor(e.ctx, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before.Secret, after.Secret) {
		t.Fatal("secret not sealed again after a use under the old key")
	}
	e.clock.Advance(30 * time.Second)
	if err := e.rotated().Verify(e.ctx, testAccount, e.code(secret, 0), signInClient); err != nil {
		t.Fatalf("Verify under the new key alone after re-sealing: %v", err)
	}
}
