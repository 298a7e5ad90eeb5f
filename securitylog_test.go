package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// TestSecurityLogWiring checks what New builds for the security log on
// SQLite: Options.OnEvent gets a recorded event only after its
// transaction committed, Settings.SecurityEvents shows it to its owner,
// and the retention defaults to securitylog.DefaultRetention.
func TestSecurityLogWiring(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	st, db, err := sqlite.OpenStore(ctx, t.TempDir()+"/seclog.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(); _ = db.Close() })
	var seen []securitylog.Event
	s, err := usersettings.New(st, usersettings.Options{
		Now: func() time.Time { return now }, Hasher: fastHasher(),
		CodeKeys:      usersettings.KeyRing{bytes.Repeat([]byte{2}, 32)},
		TwoFactorKeys: usersettings.KeyRing{bytes.Repeat([]byte{1}, 32)},
		OnEvent:       func(_ context.Context, e securitylog.Event) { seen = append(seen, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.SecurityLogRetention != securitylog.DefaultRetention {
		t.Errorf("SecurityLogRetention = %v, want the default %v", s.SecurityLogRetention, securitylog.DefaultRetention)
	}
	a := signUp(t, s, "ada@example.com")
	seen = nil // whatever sign-up recorded
	c := auth.New(a.ID, auth.MethodPassword, now, "")
	c.Client = auth.Client{IP: "203.0.113.9"}
	fail := errors.New("fail")
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := s.SecurityLog.Record(ctx, securitylog.FromCaller(securitylog.PasswordChanged, a.ProfileID, c)); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) || len(seen) != 0 {
		t.Fatalf("rolled back: %v, OnEvent got %d events; want fail and none", err, len(seen))
	}
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := s.SecurityLog.Record(ctx, securitylog.FromCaller(securitylog.PasswordChanged, a.ProfileID, c)); err != nil {
			return err
		}
		if len(seen) != 0 {
			t.Error("OnEvent ran before the commit")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Kind != securitylog.PasswordChanged || seen[0].IP != "203.0.113.9" {
		t.Fatalf("OnEvent got %+v, want the password_changed event", seen)
	}
	p, err := s.SecurityEvents.Page(ctx, c, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) == 0 || p.Events[0].ID != seen[0].ID {
		t.Errorf("SecurityEvents.Page = %+v, want the recorded event first", p.Events)
	}
}
