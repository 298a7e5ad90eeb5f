package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// Two replicas on one store share the counters of failed sign-ins, and a
// device token one of them issued is known to the other: both derive the
// device keys from the same CodeKeys, and a rotation keeps old tokens.
func TestSignInThrottleAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	codeKey, newKey, twoFA := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{2}, 32)
	replica := func(codeKeys ...[]byte) *usersettings.Settings {
		s, err := usersettings.New(st, usersettings.Options{
			CodeKeys: codeKeys, TwoFactorKeys: usersettings.KeyRing{twoFA}, Hasher: fastHasher(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	one, two := replica(codeKey), replica(newKey, codeKey)
	a := signUp(t, one, "ada@example.com")
	client := auth.Client{IP: "192.0.2.7", UserAgent: "curl/8.5.0"}
	res, err := one.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: pw, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	for i := range account.DefaultAddressBackoff.Free {
		s := []*usersettings.Settings{one, two}[i%2]
		if _, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: "wrong", Client: client}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	for _, s := range []*usersettings.Settings{one, two} {
		if _, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: pw}); !errors.Is(err, account.ErrThrottled) {
			t.Errorf("right password from an unknown device after failures on both replicas: %v, want ErrThrottled", err)
		}
		if _, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: pw, Device: res.Device}); err != nil {
			t.Errorf("known device on a replica with the same (or rotated) keys: %v", err)
		}
	}
	evs, err := st.SecurityEvents(ctx, a.ProfileID, securitylog.Position{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[securitylog.Kind]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds[securitylog.SignedIn] != 3 || kinds[securitylog.SignInFailed] != account.DefaultAddressBackoff.Free || kinds[securitylog.LockedOut] != 1 {
		t.Errorf("security log kinds = %v, want 3 sign-ins, %d failures, 1 lockout", kinds, account.DefaultAddressBackoff.Free)
	}
	// Current-password checks are counted across replicas too.
	for range account.DefaultPasswordBackoff.Free {
		_ = one.Accounts.CheckPassword(ctx, a.ID, "wrong")
	}
	if err := two.Accounts.CheckPassword(ctx, a.ID, pw); !errors.Is(err, account.ErrThrottled) {
		t.Errorf("current password after failed checks on the other replica: %v, want ErrThrottled", err)
	}
}
