package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// expiringSubject is the subject of the password-expiry warning.
const expiringSubject = "Your password expires soon"

// TestPasswordExpiryWarnings shows, on every backend with the fake
// clock, that Cleanup mails the password-expiry warning 14 days and
// again 3 days before the password expires (the Mendix policy: 90 days),
// each exactly once however often it runs and however many replicas run
// it at once, and that a new password starts the warnings over.
func TestPasswordExpiryWarnings(t *testing.T) {
	for _, b := range backends {
		t.Run("db="+b.name, func(t *testing.T) {
			st := b.open(t)
			ctx := context.Background()
			clock := fakeclock.New(time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC))
			replica := func(box *notify.Outbox) *usersettings.Settings {
				o := usersettings.Options{
					Hasher: fastHasher(), Now: clock.Now, // the replicas share their keys
					CodeKeys:      usersettings.KeyRing{bytes.Repeat([]byte{2}, 32)},
					TwoFactorKeys: usersettings.KeyRing{bytes.Repeat([]byte{3}, 32)},
				}
				if box != nil {
					o.Mailer = box
				}
				s, err := usersettings.New(st, o)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			s := replica(nil)
			box := s.Outbox
			other := replica(box) // a second replica on the same store and mail
			a := signUp(t, s, "ada@example.com")
			warnings := func(t *testing.T) []string {
				t.Helper()
				var out []string
				for _, m := range box.Messages() {
					if m.To == a.Email && m.Subject == expiringSubject {
						out = append(out, m.Body)
					}
				}
				return out
			}
			cleanup := func(t *testing.T, want int) {
				t.Helper()
				r, err := s.Cleanup(ctx)
				if err != nil || r.PasswordWarnings != want {
					t.Fatalf("Cleanup: %d warnings, %v; want %d", r.PasswordWarnings, err, want)
				}
			}
			expires := clock.Now().Add(90 * 24 * time.Hour)
			setClock := func(at time.Time) { clock.Advance(at.Sub(clock.Now())) }

			setClock(expires.Add(-15 * 24 * time.Hour))
			cleanup(t, 0)
			// Within 14 days: one warning, however often and wherever
			// the job runs, even at once on two replicas without the lock.
			setClock(expires.Add(-14*24*time.Hour + time.Hour))
			var wg sync.WaitGroup
			var mu sync.Mutex
			sent := 0
			for _, r := range []*usersettings.Settings{s, other, s, other} {
				wg.Go(func() {
					n, err := r.Accounts.WarnPasswordExpiry(ctx)
					if err != nil {
						t.Errorf("WarnPasswordExpiry: %v", err)
					}
					mu.Lock()
					sent += n
					mu.Unlock()
				})
			}
			wg.Wait()
			cleanup(t, 0)
			if got := warnings(t); sent != 1 || len(got) != 1 || !strings.Contains(got[0], "expires soon: in 14 days, on Monday 4 May 2026, 10:00 UTC.") {
				t.Fatalf("warnings 14 days before (%d queued) = %q, want one saying in 14 days", sent, got)
			}
			clock.Advance(7 * 24 * time.Hour)
			cleanup(t, 0)
			// Within 3 days: the second and last.
			setClock(expires.Add(-3 * 24 * time.Hour))
			cleanup(t, 1)
			cleanup(t, 0)
			if got := warnings(t); len(got) != 2 || !strings.Contains(got[1], "in 3 days") {
				t.Fatalf("warnings 3 days before = %q, want a second saying in 3 days", got)
			}
			setClock(expires.Add(time.Hour))
			cleanup(t, 0) // expired: the pages and the sign-in say so

			// A new password starts over: 76 days later, the 14-day one.
			c := auth.New(a.ID, auth.MethodPassword, clock.Now(), "")
			if err := s.Accounts.ChangePassword(ctx, c, pw, "Brand-New-Pass-42"); err != nil {
				t.Fatalf("ChangePassword: %v", err)
			}
			clock.Advance(76*24*time.Hour + time.Hour)
			cleanup(t, 1)
			if got := warnings(t); len(got) != 3 || !strings.Contains(got[2], "in 14 days") {
				t.Errorf("warnings after a new password = %q, want a third, in 14 days", got)
			}
		})
	}
}

// Options.SupportURL takes an absolute http, https or mailto URL, or
// nothing; Settings.SupportURL passes it to the front ends.
func TestSupportURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"": true, "https://support.example.com/new": true, "http://help.example/x?y=1": true, "mailto:help@example.com": true,
		"/support": false, "javascript:alert(1)": false, "https://": false, "mailto:": false, "https://ex ample.com/\n": false,
	} {
		s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, SupportURL: u})
		if ok && (err != nil || s.SupportURL != u) {
			t.Errorf("SupportURL %q: %v", u, err)
		}
		if !ok && !errors.Is(err, usersettings.ErrInvalidSupportURL) {
			t.Errorf("SupportURL %q = %v, want ErrInvalidSupportURL", u, err)
		}
	}
}
