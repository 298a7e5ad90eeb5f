package profile_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// TestTrustBoundary checks the rules the Service applies to its caller,
// with the owners of package account over real accounts: a caller acts on
// its own profile and no other; a token or API key never reaches the
// profile; the recovery email needs a fresh sign-in; a deactivated
// account is refused.
func TestTrustBoundary(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := memory.New()
	svc := profile.NewService(profile.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st),
		Codes: testCodes(st, func() time.Time { return now }, &notify.Outbox{}), Now: func() time.Time { return now }})
	person := func(id string) profile.Profile {
		p, err := svc.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := account.Account{ID: id, ProfileID: p.ID, Email: id + "@example.com", Status: account.StatusActive}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return p
	}
	alice, bob := person("acc_alice"), person("acc_bob")
	bobNow := auth.New("acc_bob", auth.MethodPassword, now, "")

	got, err := svc.Update(ctx, bobNow, profile.Update{JobTitle: new("Thief")})
	if err != nil || got.ID != bob.ID {
		t.Fatalf("Bob's Update = %s, %v; want his own profile %s", got.ID, err, bob.ID)
	}
	if a, _ := st.Profile(ctx, alice.ID); a.JobTitle != "" {
		t.Errorf("Alice's profile changed through Bob's caller: %+v", a)
	}

	for _, m := range []auth.Method{auth.MethodToken, auth.MethodAPIKey} {
		c := auth.New("acc_bob", m, now, "")
		if _, err := svc.Update(ctx, c, profile.Update{Name: new("x")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Update = %v, want auth.ErrForbidden", m, err)
		}
		if _, err := svc.Get(ctx, c); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Get = %v, want auth.ErrForbidden", m, err)
		}
		if _, err := svc.SetAvatar(ctx, c, pngBytes(t)); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s SetAvatar = %v, want auth.ErrForbidden", m, err)
		}
	}

	stale := auth.New("acc_bob", auth.MethodPassword, now.Add(-2*time.Hour), "")
	if _, err := svc.Update(ctx, stale, profile.Update{RecoveryEmail: new("attacker@example.com")}); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("stale recovery email Update = %v, want ErrReauthenticationRequired", err)
	}
	if _, err := svc.Update(ctx, stale, profile.Update{Name: new("Bob")}); err != nil {
		t.Errorf("stale Update of the name = %v, want nil (not sensitive)", err)
	}
	if b, _ := st.Profile(ctx, bob.ID); b.RecoveryEmail != "" || b.PendingRecoveryEmail != "" {
		t.Errorf("recovery email set by a stale caller: %q, pending %q", b.RecoveryEmail, b.PendingRecoveryEmail)
	}
	if _, err := svc.Update(ctx, bobNow, profile.Update{RecoveryEmail: new("bob@home.example")}); err != nil {
		t.Errorf("fresh recovery email Update = %v, want nil", err)
	}

	b, _ := st.Account(ctx, "acc_bob")
	b.Status = account.StatusDeactivated
	if err := st.UpdateAccount(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, bobNow); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("deactivated account Get = %v, want auth.ErrForbidden", err)
	}
	if _, err := svc.Get(ctx, auth.New("acc_nobody", auth.MethodPassword, now, "")); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("unknown account Get = %v, want auth.ErrForbidden", err)
	}
}
