package verification_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// lastKey returns the key in the newest mail to addr, or "".
func (e *env) lastKey(addr string) string {
	e.t.Helper()
	m, ok := e.out.Last(addr)
	if !ok {
		e.t.Fatalf("no mail to %s", addr)
	}
	key, _ := usersettingstest.FindMailKey(m.Body)
	return key
}

// checkOf checks code against the reset flow.
func checkOf(e *env, purpose verification.Purpose, code string) error {
	_, err := e.svc.Check(e.ctx, purpose, flow, code)
	return err
}

// A stranger who can name a flow (a password reset is asked for by
// address) kills its code with five wrong guesses; the key in the same
// mail still works, once, until the code expires.
func TestKeyOutlivesAKilledCode(t *testing.T) {
	for _, p := range []verification.Purpose{verification.PurposePasswordReset, verification.PurposeRecoveryReset, verification.PurposeUnlock} {
		t.Run(string(p), func(t *testing.T) {
			e := newEnv(t)
			code := e.issue(p, flow, ada)
			key := e.lastKey(ada)
			if len(strings.ReplaceAll(key, "-", "")) != verification.KeyLen {
				t.Fatalf("mail key %q, want %d characters", key, verification.KeyLen)
			}
			for range 5 {
				_ = checkOf(e, p, wrong(code))
			}
			if err := checkOf(e, p, code); !errors.Is(err, verification.ErrTooManyAttempts) {
				t.Fatalf("the code after five wrong guesses: %v, want it dead", err)
			}
			// Dashes, spaces and case do not matter.
			typed := " " + strings.ToUpper(strings.ReplaceAll(key, "-", " ")) + " "
			err := e.svc.Redeem(e.ctx, p, flow, typed, func(context.Context) error { return nil })
			if err != nil {
				t.Fatalf("the key after the code was killed: %v", err)
			}
			if err := checkOf(e, p, key); !errors.Is(err, verification.ErrCodeUsed) {
				t.Errorf("the key a second time: %v, want ErrCodeUsed", err)
			}
		})
	}
}

func TestKeyRules(t *testing.T) {
	const p = verification.PurposePasswordReset
	t.Run("Expired", func(t *testing.T) {
		e := newEnv(t)
		e.issue(p, flow, ada)
		key := e.lastKey(ada)
		e.clock.Advance(10 * time.Minute)
		if err := checkOf(e, p, key); !errors.Is(err, verification.ErrCodeExpired) {
			t.Errorf("an expired key: %v, want ErrCodeExpired", err)
		}
	})
	t.Run("ReplacedByANewCode", func(t *testing.T) {
		e := newEnv(t)
		e.issue(p, flow, ada)
		key := e.lastKey(ada)
		e.clock.Advance(time.Minute)
		e.issue(p, flow, ada)
		if err := checkOf(e, p, key); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("the key of a replaced code: %v, want ErrInvalidCode", err)
		}
		if err := checkOf(e, p, e.lastKey(ada)); err != nil {
			t.Errorf("the key of the new code: %v", err)
		}
	})
	t.Run("WrongKeysAreNotCounted", func(t *testing.T) {
		e := newEnv(t)
		code := e.issue(p, flow, ada)
		key := e.lastKey(ada)
		bad := strings.Repeat("a", verification.KeyLen)
		for range 20 {
			if err := checkOf(e, p, bad); !errors.Is(err, errs.ErrInvalidCode) {
				t.Fatalf("a wrong key: %v, want ErrInvalidCode", err)
			}
		}
		if c, _ := e.st.CodeOfFlow(e.ctx, p, flow); c.Attempts != 0 {
			t.Errorf("attempts after wrong keys = %d, want 0", c.Attempts)
		}
		if err := checkOf(e, p, code); err != nil {
			t.Errorf("the code after wrong keys: %v", err)
		}
		if err := checkOf(e, p, key); err != nil {
			t.Errorf("the key: %v", err)
		}
	})
	t.Run("OtherFlow", func(t *testing.T) {
		e := newEnv(t)
		e.issue(p, "pnd_2", "bob@example.com")
		key := e.lastKey("bob@example.com")
		e.issue(p, flow, ada)
		if err := checkOf(e, p, key); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("another flow's key: %v, want ErrInvalidCode", err)
		}
	})
	t.Run("NotKeyed", func(t *testing.T) {
		// A sign-up's flow is named by an id only its starter holds: its
		// mail has no key, and no key-shaped input confirms it.
		e := newEnv(t)
		e.issue(verification.PurposeSignUp, flow, ada)
		if key := e.lastKey(ada); key != "" {
			t.Fatalf("a sign-up mail holds a key %q", key)
		}
		if err := checkOf(e, verification.PurposeSignUp, strings.Repeat("a", verification.KeyLen)); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("a key-shaped sign-up code: %v, want ErrInvalidCode", err)
		}
	})
}

// With Config.Link the mail gives the link instead of the key; with the
// key rotated, a key mailed under the old one still works.
func TestKeyLinkAndRotation(t *testing.T) {
	st, out := memory.New(), notify.NewOutbox()
	oldKey, newKey := []byte("old key, 32 bytes long.........."), []byte("new key, 32 bytes long..........")
	link := func(p verification.Purpose, key string) string {
		return "https://settings.example/reset?key=" + key
	}
	svc := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out, Key: oldKey, Link: link})
	ctx := context.Background()
	if err := svc.Issue(ctx, verification.PurposePasswordReset, flow, ada); err != nil {
		t.Fatal(err)
	}
	m, _ := out.Last(ada)
	key := usersettingstest.MailKey(t, "reset mail", m.Body)
	if !strings.Contains(m.Body, "https://settings.example/reset?key="+key+"\n") || strings.Count(m.Body, key) != 1 {
		t.Fatalf("the mail does not give the link, once:\n%s", m.Body)
	}
	rotated := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out, Key: newKey, OldKeys: [][]byte{oldKey}})
	if _, err := rotated.Check(ctx, verification.PurposePasswordReset, flow, key); err != nil {
		t.Errorf("a key mailed under the old key, after rotation: %v", err)
	}
	other := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out, Key: newKey})
	if _, err := other.Check(ctx, verification.PurposePasswordReset, flow, key); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("the key under another key without the old one: %v, want ErrInvalidCode", err)
	}
}
