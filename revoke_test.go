package usersettings_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// TestRevocation checks what New wires between the account service and
// the services that hold what credentials started: a password reset ends
// every session; deactivation ends every session and stops a cached API
// key at once; a password change drops the cached key validation, so the
// next use is checked against the store again.
func TestRevocation(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	s, err := usersettings.New(memory.New(), usersettings.Options{
		Dev: true, Hasher: fastHasher(), Now: func() time.Time { return now }, APIKeyCacheTTL: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "ada@example.com")
	_, before, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // past the one-code-a-minute throttle
	if err := s.Accounts.RequestPasswordReset(ctx, a.Email); err != nil {
		t.Fatal(err)
	}
	const next = "Another-Horse-7-Battery"
	reset, err := s.Accounts.ResetPassword(ctx, a.Email, lastCode(t, s.Outbox, a.Email), next, auth.Client{})
	if err != nil || reset.ID != a.ID {
		t.Fatalf("ResetPassword = %v, %v; want account %s", reset.ID, err, a.ID)
	}
	if _, err := s.Sessions.Validate(ctx, before.Reveal()); err == nil {
		t.Error("a session from before the password reset is still valid")
	}

	_, key, err := s.Tokens.CreateAPIKey(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), "ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tokens.ValidateAPIKey(ctx, a.Email, key.Reveal()); err != nil {
		t.Fatalf("ValidateAPIKey: %v", err) // now cached for an hour
	}
	_, after, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accounts.AdminDeactivate(ctx, auth.Admin{ID: "support", Reason: "test"}, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tokens.ValidateAPIKey(ctx, a.Email, key.Reveal()); err == nil {
		t.Error("the API key of a deactivated account is still accepted from the cache")
	}
	if _, err := s.Sessions.Validate(ctx, after.Reveal()); err == nil {
		t.Error("a session of a deactivated account is still valid")
	}
}
