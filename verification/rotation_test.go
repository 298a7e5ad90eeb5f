package verification_test

import (
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// TestKeyRotation issues a code under one key and checks it in a service
// whose Key is new and whose OldKeys hold the first: codes in flight
// survive a rotation, and a service without the old key refuses them.
func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	oldKey := []byte("test key, 32 bytes long........")
	newKey := []byte("the next key, also 32 bytes long")
	code := e.issue(verification.PurposeSignUp, "flow_1", "ada@example.com")

	without := verification.NewService(verification.Config{Store: e.st, Tx: e.st, Mailer: e.out, Key: newKey, Now: e.clock.Now})
	if _, err := without.Check(e.ctx, verification.PurposeSignUp, "flow_1", code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Fatalf("Check under a new key alone = %v, want errs.ErrInvalidCode", err)
	}
	with := verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Key: newKey, OldKeys: [][]byte{oldKey}, Now: e.clock.Now,
	})
	if _, err := with.Check(e.ctx, verification.PurposeSignUp, "flow_1", code); err != nil {
		t.Fatalf("Check with the old key in OldKeys = %v, want nil", err)
	}
	// New codes are written under the new key: the new key alone checks them.
	e.svc = with
	code = e.issue(verification.PurposeSignUp, "flow_2", "bob@example.com")
	if _, err := without.Check(e.ctx, verification.PurposeSignUp, "flow_2", code); err != nil {
		t.Fatalf("code issued after the rotation, checked under the new key: %v", err)
	}
}
