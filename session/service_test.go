package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// fixture returns a service over a memory store holding account acc_a of
// profile prf_a.
func fixture(t *testing.T) (*session.Service, *memory.Store, *clock) {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	c := fakeclock.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_a"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"acc_a", "acc_b"} {
		a := account.Account{ID: id, ProfileID: "prf_a", Email: id + "@example.com", Status: account.StatusActive}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return session.NewService(session.Config{Store: st, Accounts: st, Now: c.Now}), st, c
}

func start(t *testing.T, svc *session.Service, accountID string) (session.Session, string) {
	t.Helper()
	ses, secret, err := svc.Start(context.Background(), session.Begin{AccountID: accountID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return ses, secret.Reveal()
}

func wantInvalid(t *testing.T, svc *session.Service, secret, why string) {
	t.Helper()
	if _, err := svc.Validate(context.Background(), secret); !errors.Is(err, session.ErrInvalidSession) {
		t.Errorf("Validate (%s) = %v, want ErrInvalidSession", why, err)
	}
}

func TestValidate(t *testing.T) {
	svc, _, c := fixture(t)
	ses, secret := start(t, svc, "acc_a")
	if len(secret) != session.SecretLen {
		t.Errorf("secret length = %d, want %d", len(secret), session.SecretLen)
	}
	got, err := svc.Validate(context.Background(), secret)
	if err != nil || got.ID != ses.ID || got.AccountID != "acc_a" {
		t.Fatalf("Validate = %+v, %v; want session %s", got, err, ses.ID)
	}
	c.Advance(2 * time.Minute)
	got, _ = svc.Validate(context.Background(), secret)
	if !got.LastSeenAt.Equal(c.Now()) {
		t.Errorf("LastSeenAt = %v, want %v (touched)", got.LastSeenAt, c.Now())
	}
	if age := svc.Age(got); age != 2*time.Minute {
		t.Errorf("Age = %v, want 2m", age)
	}
	wantInvalid(t, svc, "", "empty")
	wantInvalid(t, svc, secret[:len(secret)-1], "short")
	wantInvalid(t, svc, strings.Repeat("A", session.SecretLen), "unknown")
	wantInvalid(t, svc, secret[:len(secret)-1]+"!", "bad alphabet")
}

func TestExpiry(t *testing.T) {
	svc, _, c := fixture(t)
	_, idle := start(t, svc, "acc_a")
	_, busy := start(t, svc, "acc_a")
	for range 11 { // 11 × 2h: busy is used every 2 hours, idle never
		c.Advance(2 * time.Hour)
		if _, err := svc.Validate(context.Background(), busy); err != nil {
			t.Fatalf("busy session refused after %v: %v", c.Now(), err)
		}
	}
	wantInvalid(t, svc, idle, "idle for 22h")
	c.Advance(2 * time.Hour)
	wantInvalid(t, svc, busy, "24h after sign-in")
}

func TestInactiveAccount(t *testing.T) {
	svc, st, _ := fixture(t)
	_, secret := start(t, svc, "acc_a")
	a, _ := st.Account(context.Background(), "acc_a")
	a.Status = account.StatusDeactivated
	if err := st.UpdateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, svc, secret, "deactivated account")
	if _, _, err := svc.Start(context.Background(), session.Begin{AccountID: "acc_nobody", Method: auth.MethodPassword}); err == nil {
		t.Error("Start for an unknown account succeeded")
	}
}

func TestEraseProfile(t *testing.T) {
	svc, _, _ := fixture(t)
	ctx := context.Background()
	_, sec1 := start(t, svc, "acc_a")
	_, sec2 := start(t, svc, "acc_b")
	if err := svc.EraseProfile(ctx, "prf_a"); err != nil {
		t.Fatalf("EraseProfile: %v", err)
	}
	wantInvalid(t, svc, sec1, "erased")
	wantInvalid(t, svc, sec2, "erased")
}

func TestPasswordExpired(t *testing.T) {
	svc, _, _ := fixture(t)
	ctx := context.Background()
	ses, secret, err := svc.Start(ctx, session.Begin{AccountID: "acc_a", Method: auth.MethodPassword, PasswordExpired: true})
	if err != nil || !ses.PasswordExpired {
		t.Fatalf("Start = %+v, %v; want PasswordExpired", ses, err)
	}
	got, err := svc.Validate(ctx, secret.Reveal())
	if err != nil || !got.PasswordExpired || !got.Caller().PasswordExpired {
		t.Fatalf("Validate = %+v, %v; want a session and a caller whose password expired", got, err)
	}
	c := got.Caller()
	if _, err := svc.List(ctx, c); err != nil {
		t.Errorf("List with an expired password: %v", err)
	}
	if _, err := svc.EndOthers(ctx, c); !errors.Is(err, auth.ErrPasswordExpired) {
		t.Errorf("EndOthers with an expired password = %v, want auth.ErrPasswordExpired", err)
	}
	// The password change tells the Revokers, keeping this session.
	if err := svc.RevokeAccount(ctx, account.Revocation{AccountID: "acc_a", Change: account.ChangePasswordChanged, KeepSession: ses.ID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Validate(ctx, secret.Reveal()); got.PasswordExpired {
		t.Error("PasswordExpired still set after the password change")
	}
}

// expiry is a Config.Expiry whose answer the test sets.
type expiry struct{ expired map[string]bool }

func (e *expiry) PasswordExpiresAtOf(_ context.Context, a account.Account) (time.Time, bool, error) {
	if e.expired[a.ID] {
		return time.Unix(0, 0), true, nil // long past
	}
	return time.Time{}, false, nil
}

// TestPasswordExpiresDuringSession: a session opened before the password
// expired reports it expired as soon as Config.Expiry says so, and no
// longer once it says otherwise.
func TestPasswordExpiresDuringSession(t *testing.T) {
	_, st, c := fixture(t)
	ex := &expiry{expired: map[string]bool{}}
	svc := session.NewService(session.Config{Store: st, Accounts: st, Expiry: ex, Now: c.Now})
	ctx := context.Background()
	_, secret := start(t, svc, "acc_a")
	for _, expired := range []bool{false, true, false} {
		ex.expired["acc_a"] = expired
		got, err := svc.Validate(ctx, secret)
		if err != nil || got.PasswordExpired != expired || got.Caller().PasswordExpired != expired {
			t.Fatalf("Validate = %+v, %v; want PasswordExpired %t", got, err, expired)
		}
	}
}

func TestDeleteExpired(t *testing.T) {
	svc, _, c := fixture(t)
	start(t, svc, "acc_a")
	c.Advance(13 * time.Hour)
	_, fresh := start(t, svc, "acc_b")
	if n, err := svc.DeleteExpired(context.Background()); n != 1 || err != nil {
		t.Errorf("DeleteExpired = %d, %v; want 1, nil", n, err)
	}
	if _, err := svc.Validate(context.Background(), fresh); err != nil {
		t.Errorf("fresh session refused: %v", err)
	}
}

func TestCSRF(t *testing.T) {
	a, b := strings.Repeat("a", session.SecretLen), strings.Repeat("b", session.SecretLen)
	if !session.CheckCSRF(a, session.CSRFToken(a)) {
		t.Error("CheckCSRF refused the token of its own secret")
	}
	if session.CheckCSRF(b, session.CSRFToken(a)) || session.CheckCSRF(a, "") {
		t.Error("CheckCSRF accepted a wrong token")
	}
	if strings.Contains(session.CSRFToken(a), a[:10]) {
		t.Error("CSRF token reveals the secret")
	}
}

func TestSecretRedacted(t *testing.T) {
	svc, _, _ := fixture(t)
	_, secret, _ := svc.Start(context.Background(), session.Begin{AccountID: "acc_a", Method: auth.MethodPassword})
	for _, s := range []string{fmt.Sprint(secret), fmt.Sprintf("%v %+v %#v %s %q", secret, secret, secret, secret, secret)} {
		if strings.Contains(s, secret.Reveal()) {
			t.Errorf("formatted secret %q leaks it", s)
		}
	}
}
