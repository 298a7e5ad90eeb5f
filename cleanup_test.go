package usersettings_test

import (
	"context"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// TestCleanup lets sessions, codes, mail, a rate-limit bucket and a
// security event grow old, and checks that Cleanup deletes each and
// counts it, that a second run finds nothing, and that a run while
// another holds the job lock does nothing.
func TestCleanup(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	st := memory.New()
	s, err := usersettings.New(st, usersettings.Options{
		Dev: true, Hasher: fastHasher(), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "ada@example.com") // one code, one sign-up mail
	if _, _, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword}); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := st.TakeRateToken(ctx, ratelimit.KeyOf("k"), ratelimit.Limit{Burst: 5, Every: time.Minute}, now); !ok || err != nil {
		t.Fatalf("TakeRateToken = %v, %v", ok, err)
	}
	old := securitylog.Event{ID: "sec_old", ProfileID: a.ProfileID, AccountID: a.ID, Kind: securitylog.SignedIn, At: now}
	if err := st.AppendSecurityEvents(ctx, old); err != nil {
		t.Fatal(err)
	}
	s.Outbox.Messages() // delivers the queued mail
	now = now.Add(securitylog.DefaultRetention + time.Hour)

	held, ok, err := st.TryJobLock(ctx, "cleanup")
	if err != nil || !ok {
		t.Fatalf("TryJobLock = %v, %v", ok, err)
	}
	if r, err := s.Cleanup(ctx); err != nil || r != (usersettings.CleanupReport{}) {
		t.Errorf("Cleanup while another holds the lock = %+v, %v; want nothing done", r, err)
	}
	held()

	r, err := s.Cleanup(ctx)
	if err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if !r.Ran || r.Sessions != 1 || r.Mail < 1 || r.RateBuckets != 1 || r.SecurityEvents != 1 {
		t.Errorf("Cleanup = %+v; want ran, 1 session, the mail, 1 rate bucket, 1 security event", r)
	}
	if r, err := s.Cleanup(ctx); err != nil || r != (usersettings.CleanupReport{Ran: true}) {
		t.Errorf("second Cleanup = %+v, %v; want nothing left to delete", r, err)
	}
}
