package usersettings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

// expiredAllowed are the self-service operations a person whose
// password has expired may still do: change it, and what that needs.
var expiredAllowed = map[string]bool{
	"Sessions.List": true, "Sessions.End": true, "Sessions.Reauthenticate": true, "Accounts.ChangePassword": true,
}

// TestPasswordExpiry shows, on every backend, that a session opened
// before its password expired is refused every self-service operation
// (trustCases) but the password change with auth.ErrPasswordExpired once
// the password expires, changing nothing; that the change itself works
// (after a re-authentication, which is also open to it); and that the
// same session works again after the change.
func TestPasswordExpiry(t *testing.T) {
	for _, b := range backends {
		t.Run("db="+b.name, func(t *testing.T) {
			w := newTrustWorld(t, b.open(t))
			ctx := context.Background()
			// Mendix's policy: the password lasts 90 days. Sign in an
			// hour before it expires, then let it expire.
			w.clock.Advance(90*24*time.Hour - time.Hour)
			_, secret, err := w.s.Sessions.Start(ctx, session.Begin{AccountID: w.ada.accountID, Method: auth.MethodSecondFactor})
			if err != nil {
				t.Fatal(err)
			}
			validate := func(t *testing.T) auth.Caller {
				t.Helper()
				ses, err := w.s.Sessions.Validate(ctx, secret.Reveal())
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return ses.Caller()
			}
			if c := validate(t); c.PasswordExpired {
				t.Fatal("the password expired an hour early")
			}
			w.clock.Advance(2 * time.Hour)
			c := validate(t)
			if !c.PasswordExpired {
				t.Fatal("the session's caller does not say its password expired")
			}
			if expired, err := w.s.Accounts.PasswordExpired(ctx, w.ada.accountID); err != nil || !expired {
				t.Fatalf("Accounts.PasswordExpired = %t, %v; want true", expired, err)
			}
			before := w.snapshot(t)
			for _, tc := range trustCases {
				if expiredAllowed[tc.name] {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					if err := tc.do(ctx, w, c, w.ada); !errors.Is(err, auth.ErrPasswordExpired) {
						t.Errorf("%s with an expired password = %v, want auth.ErrPasswordExpired", tc.name, err)
					}
				})
			}
			if diff := cmp.Diff(before, w.snapshot(t)); diff != "" {
				t.Fatalf("refused operations changed the person's data (-before +after):\n%s", diff)
			}

			if _, err := w.s.Sessions.List(ctx, c); err != nil {
				t.Fatalf("Sessions.List with an expired password: %v", err)
			}
			// Two hours after sign-in the change needs a re-authentication.
			err = w.s.Accounts.ChangePassword(ctx, c, pw, "Brand-New-Pass-42")
			if !errors.Is(err, auth.ErrReauthenticationRequired) {
				t.Fatalf("ChangePassword on a stale session = %v, want auth.ErrReauthenticationRequired", err)
			}
			ses, err := w.s.Sessions.Reauthenticate(ctx, c, pw, totpNow(t, w.ada.totp, w.clock.Now()))
			if err != nil {
				t.Fatalf("Reauthenticate with an expired password: %v", err)
			}
			if !ses.PasswordExpired {
				t.Error("the re-authenticated session forgot the expired password")
			}
			if err := w.s.Accounts.ChangePassword(ctx, ses.Caller(), pw, "Brand-New-Pass-42"); err != nil {
				t.Fatalf("ChangePassword with an expired password: %v", err)
			}

			c = validate(t)
			if c.PasswordExpired {
				t.Fatal("the password is still expired after the change")
			}
			if _, err := w.s.Profiles.Get(ctx, c); err != nil {
				t.Errorf("Profiles.Get after the change: %v", err)
			}
			if _, err := w.s.Tokens.List(ctx, c); err != nil {
				t.Errorf("Tokens.List after the change: %v", err)
			}
			if _, err := w.s.PersonalData.Collect(ctx, c); err != nil {
				t.Errorf("PersonalData.Collect after the change: %v", err)
			}
			if _, err := w.s.Sessions.EndOthers(ctx, c); err != nil {
				t.Errorf("Sessions.EndOthers after the change: %v", err)
			}
		})
	}
}
