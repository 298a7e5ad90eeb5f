package usersettings_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/postgres"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/pgtest"
)

// backends are the stores the trust-boundary tests run on; open returns
// a fresh, empty, migrated one.
var backends = []struct {
	name string
	open func(t *testing.T) usersettings.Store
}{
	{"memory", func(*testing.T) usersettings.Store { return memory.New() }},
	{"sqlite", openSQLiteStore},
	{"postgres", openPostgresStore},
}

func openSQLiteStore(t *testing.T) usersettings.Store {
	t.Helper()
	st, db, err := sqlite.OpenStore(context.Background(), filepath.Join(t.TempDir(), "trust.db"))
	if err != nil {
		t.Fatalf("sqlite.OpenStore: %v", err)
	}
	t.Cleanup(func() { _ = st.Close(); _ = db.Close() })
	return st
}

// openPostgresStore opens a store in a fresh schema of the server named
// by USERSETTINGS_POSTGRES_DSN, dropped when the test ends. Without the
// variable it skips the test, or fails it when
// USERSETTINGS_REQUIRE_POSTGRES=1.
func openPostgresStore(t *testing.T) usersettings.Store {
	t.Helper()
	dsn, _ := pgtest.Schema(t, "trust")
	st, db, err := postgres.OpenStore(context.Background(), dsn)
	if err != nil {
		t.Fatalf("postgres.OpenStore: %v", err)
	}
	t.Cleanup(func() { _ = st.Close(); _ = db.Close() }) // before the schema is dropped
	return st
}

// victim is what the tests try to reach: the person ada, with two login
// accounts, a pending add-account request, a token, an API key, an
// authenticator app, notification settings and a watched app.
type victim struct {
	email, pending, pendingCode      string
	accountID, secondID, profileID   string
	tokenID, keyID, token, key, totp string
	flowID                           string // a merge flow ada started
	sessionID                        string // a session of ada's
}

// trustWorld is the SDK over one store, with ada (the victim); every
// attack comes from a new person who signs in to the same host.
type trustWorld struct {
	s     *usersettings.Settings
	clock *fakeclock.Clock
	ada   victim
}

func newTrustWorld(t *testing.T, st usersettings.Store) *trustWorld {
	t.Helper()
	clock := fakeclock.New(time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC))
	s, err := usersettings.New(st, usersettings.Options{
		Dev: true, Hasher: fastHasher(), Now: clock.Now, CodeBurst: -1, CodeMaxPerHour: -1,
		Scopes: []token.Scope{{Name: "mx:app:read", Description: "read apps"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &trustWorld{s: s, clock: clock}
	ctx := context.Background()
	a := signUp(t, s, "ada@example.com")
	w.ada = victim{email: a.Email, accountID: a.ID, profileID: a.ProfileID}
	c := w.fresh(a.ID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pending, err := s.Accounts.AddAccount(ctx, c, "ada.work@example.com", pw, false)
	must(err)
	second, err := s.Accounts.ConfirmAddAccount(ctx, c, pending, lastCode(t, s.Outbox, "ada.work@example.com"))
	must(err)
	w.ada.secondID = second.ID
	w.ada.pending, err = s.Accounts.AddAccount(ctx, c, "ada.home@example.com", pw, false)
	must(err)
	w.ada.pendingCode = lastCode(t, s.Outbox, "ada.home@example.com")
	tok, secret, err := s.Tokens.Create(ctx, c, "ci", []string{"mx:app:read"})
	must(err)
	w.ada.tokenID, w.ada.token = tok.ID, secret.Reveal()
	key, ksecret, err := s.Tokens.CreateAPIKey(ctx, c, "deploy")
	must(err)
	w.ada.keyID, w.ada.key = key.ID, ksecret.Reveal()
	enr, err := s.TwoFactor.BeginAuthenticator(ctx, c, s.Issuer, a.Email)
	must(err)
	w.ada.totp = enr.Secret.Reveal()
	_, err = s.TwoFactor.ConfirmAuthenticator(ctx, c, totpNow(t, w.ada.totp, clock.Now()))
	must(err)
	_, err = s.Notifications.Update(ctx, c, notify.Update{DailyDigest: new(true)})
	must(err)
	must(s.Notifications.Watch(ctx, c, "app_ada", "Ada's app"))
	_, err = s.Profiles.Update(ctx, c, profile.Update{JobTitle: new("Engineer")})
	must(err)
	flow, err := s.Merges.Start(ctx, c, "ada.old@example.com")
	must(err)
	w.ada.flowID = flow.ID
	ses, _, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword,
		Client: auth.Client{IP: "192.0.2.7", UserAgent: "curl/8.5.0"}})
	must(err)
	w.ada.sessionID = ses.ID
	clock.Advance(time.Minute) // past the confirming TOTP step
	return w
}

// fresh returns the caller of the account, signed in just now.
func (w *trustWorld) fresh(accountID string) auth.Caller {
	return auth.Caller{AccountID: accountID, Method: auth.MethodPassword, AuthenticatedAt: w.clock.Now(), SessionID: "ses_" + accountID,
		Client: auth.Client{IP: "192.0.2.1", UserAgent: "curl/8.5.0"}}
}

// snapshot is everything the SDK shows of ada, read as ada.
func (w *trustWorld) snapshot(t *testing.T) any {
	t.Helper()
	ctx := context.Background()
	c := w.fresh(w.ada.accountID)
	v, err := w.s.PersonalData.Collect(ctx, c)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	v.ExportedAt = time.Time{}
	st, err := w.s.TwoFactor.Status(ctx, c)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return struct {
		View      personaldata.View
		TwoFactor twofactor.Status
	}{v, st}
}

// trustCase is one self-service operation of the SDK, done by caller c
// on the items of v, the victim. Other packages' operations join the
// table by adding a row.
type trustCase struct {
	name string
	// sensitive operations also need a fresh sign-in.
	sensitive bool
	// targets is set when the operation names one of the victim's items
	// (an account, a token, …): another person must get an error, not
	// act on their own data.
	targets bool
	do      func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error
}

func second[T any](_ T, err error) error { return err }

var trustCases = []trustCase{
	{name: "Sessions.List", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Sessions.List(ctx, c))
	}},
	{name: "Sessions.End", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Sessions.End(ctx, c, v.sessionID)
	}},
	{name: "Sessions.EndOthers", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Sessions.EndOthers(ctx, c))
	}},
	{name: "Sessions.Reauthenticate", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Sessions.Reauthenticate(ctx, c, pw, ""))
	}},
	{name: "SecurityEvents.Page", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.SecurityEvents.Page(ctx, c, "", 10))
	}},
	// Profiles.
	{name: "Profiles.Get", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.Get(ctx, c))
	}},
	{name: "Profiles.Update", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.Update(ctx, c, profile.Update{JobTitle: new("Attacker")}))
	}},
	{name: "Profiles.Avatar", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.Avatar(ctx, c))
	}},
	{name: "Profiles.DeleteAvatar", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.DeleteAvatar(ctx, c))
	}},
	{name: "Profiles.Update recovery email", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.Update(ctx, c, profile.Update{RecoveryEmail: new("intruder@example.net")}))
	}},
	{name: "Profiles.ConfirmRecoveryEmail", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Profiles.ConfirmRecoveryEmail(ctx, c, "123456"))
	}},
	// Merges.
	{name: "Merges.Start", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Merges.Start(ctx, c, "nobody@example.com"))
	}},
	{name: "Merges.SendCode", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Merges.SendCode(ctx, c, v.flowID, merge.ChoiceTyped)
	}},
	{name: "Merges.Verify", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.Merges.Verify(ctx, c, v.flowID, "123456"))
	}},
	{name: "Merges.Preview", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.Merges.Preview(ctx, c, v.flowID))
	}},
	{name: "Merges.Commit", sensitive: true, targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.Merges.Commit(ctx, c, v.flowID))
	}},
	{name: "Merges.Cancel", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Merges.Cancel(ctx, c, v.flowID)
	}},
	// Accounts.
	{name: "Accounts.Accounts", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Accounts.Accounts(ctx, c))
	}},
	{name: "Accounts.AddAccount", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Accounts.AddAccount(ctx, c, "intruder@example.com", pw, false))
	}},
	{name: "Accounts.ConfirmAddAccount", sensitive: true, targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.Accounts.ConfirmAddAccount(ctx, c, v.pending, v.pendingCode))
	}},
	{name: "Accounts.ChangePassword", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.Accounts.ChangePassword(ctx, c, pw, "Brand-New-Pass-42")
	}},
	{name: "Accounts.Delete", sensitive: true, targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Accounts.Delete(ctx, c, v.secondID)
	}},
	// Tokens and API keys.
	{name: "Tokens.Create", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		_, _, err := w.s.Tokens.Create(ctx, c, "intruder", []string{"mx:app:read"})
		return err
	}},
	{name: "Tokens.CreateAPIKey", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		_, _, err := w.s.Tokens.CreateAPIKey(ctx, c, "intruder")
		return err
	}},
	{name: "Tokens.List", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Tokens.List(ctx, c))
	}},
	{name: "Tokens.ListAPIKeys", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Tokens.ListAPIKeys(ctx, c))
	}},
	{name: "Tokens.Get", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.Tokens.Get(ctx, c, v.tokenID))
	}},
	{name: "Tokens.Delete", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Tokens.Delete(ctx, c, v.tokenID)
	}},
	{name: "Tokens.RevokeAPIKey", targets: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return w.s.Tokens.RevokeAPIKey(ctx, c, v.keyID)
	}},
	// Two-factor authentication.
	{name: "TwoFactor.Status", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.TwoFactor.Status(ctx, c))
	}},
	{name: "TwoFactor.BeginAuthenticator", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.TwoFactor.BeginAuthenticator(ctx, c, "intruder", "intruder"))
	}},
	{name: "TwoFactor.ConfirmAuthenticator", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, v victim) error {
		return second(w.s.TwoFactor.ConfirmAuthenticator(ctx, c, totpNowOrEmpty(v.totp, w.clock.Now())))
	}},
	{name: "TwoFactor.BeginSMS", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.TwoFactor.BeginSMS(ctx, c, "+31612345678")
	}},
	{name: "TwoFactor.ConfirmSMS", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.TwoFactor.ConfirmSMS(ctx, c, "123456"))
	}},
	{name: "TwoFactor.Deactivate", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.TwoFactor.Deactivate(ctx, c, twofactor.Proof{Password: pw})
	}},
	{name: "TwoFactor.RegenerateRecoveryCodes", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.TwoFactor.RegenerateRecoveryCodes(ctx, c, twofactor.Proof{Password: pw}))
	}},
	// Notifications.
	{name: "Notifications.Settings", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Notifications.Settings(ctx, c))
	}},
	{name: "Notifications.Update", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Notifications.Update(ctx, c, notify.Update{DailyDigest: new(false), ThreadUpdates: new(false)}))
	}},
	{name: "Notifications.Watch", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.Notifications.Watch(ctx, c, "app_intruder", "Intruder")
	}},
	{name: "Notifications.StopWatching", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.Notifications.StopWatching(ctx, c, "app_ada")
	}},
	{name: "Notifications.WatchedApps", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.Notifications.WatchedApps(ctx, c))
	}},
	// Personal data.
	{name: "PersonalData.Collect", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.PersonalData.Collect(ctx, c))
	}},
	{name: "PersonalData.ExportJSON", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.PersonalData.ExportJSON(ctx, c, io.Discard)
	}},
	{name: "PersonalData.ExportZIP", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.PersonalData.ExportZIP(ctx, c, io.Discard)
	}},
	{name: "PersonalData.History", do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return second(w.s.PersonalData.History(ctx, c, 1, 10))
	}},
	{name: "PersonalData.Erase", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.PersonalData.Erase(ctx, c)
	}},
	{name: "PersonalData.EraseKeepingAccounts", sensitive: true, do: func(ctx context.Context, w *trustWorld, c auth.Caller, _ victim) error {
		return w.s.PersonalData.EraseKeepingAccounts(ctx, c)
	}},
}

// totpNowOrEmpty is the victim's current authenticator code.
func totpNowOrEmpty(secret string, at time.Time) string {
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		return ""
	}
	return code
}

// TestTrustBoundary shows, on every backend, that the SDK itself refuses
// (1) every self-service operation on another person's data (IDOR): the
// operation either names the victim's item and fails, or acts on the
// caller's own data; (2) every sensitive operation with a caller who
// signed in longer ago than Options.FreshFor
// (auth.ErrReauthenticationRequired); and (3) every self-service
// operation with a personal access token or API key caller
// (auth.ErrForbidden), whatever its scopes. After each refusal nothing of
// the victim changed.
func TestTrustBoundary(t *testing.T) {
	for _, b := range backends {
		t.Run("db="+b.name, func(t *testing.T) {
			w := newTrustWorld(t, b.open(t))
			ctx := context.Background()
			before := w.snapshot(t)
			check := func(t *testing.T, what string) {
				t.Helper()
				if diff := cmp.Diff(before, w.snapshot(t)); diff != "" {
					t.Fatalf("%s changed the victim (-before +after):\n%s", what, diff)
				}
			}
			p, err := w.s.Tokens.Validate(ctx, w.ada.token)
			if err != nil {
				t.Fatal(err)
			}
			k, err := w.s.Tokens.ValidateAPIKey(ctx, w.ada.email, w.ada.key)
			if err != nil {
				t.Fatal(err)
			}
			before = w.snapshot(t) // the token's first use is recorded
			stale := w.fresh(w.ada.accountID)
			stale.AuthenticatedAt = w.clock.Now().Add(-auth.DefaultFreshFor - time.Second)
			for i, tc := range trustCases {
				t.Run(tc.name, func(t *testing.T) {
					// A new attacker for each operation, since some (Erase)
					// end the attacker's own profile.
					mallory := signUp(t, w.s, fmt.Sprintf("mallory.%d@example.com", i))
					before = w.snapshot(t)
					err := tc.do(ctx, w, w.fresh(mallory.ID), w.ada)
					if tc.targets && err == nil {
						t.Errorf("another person: %s succeeded on the victim's item", tc.name)
					}
					check(t, "another person")
					for _, cr := range []struct {
						name string
						c    auth.Caller
						want error
					}{
						{"token", p.Caller(), auth.ErrForbidden},
						{"api key", k.Caller(), auth.ErrForbidden},
						{"stale", stale, auth.ErrReauthenticationRequired},
					} {
						if cr.name == "stale" && !tc.sensitive {
							continue
						}
						if err := tc.do(ctx, w, cr.c, w.ada); !errors.Is(err, cr.want) {
							t.Errorf("%s caller: %s = %v, want %v", cr.name, tc.name, err, cr.want)
						}
						check(t, cr.name+" caller")
					}
				})
			}
		})
	}
}

// TestAdminOperations shows the admin operations: an admin without a
// reason is refused, and each use is in the person's change history.
func TestAdminOperations(t *testing.T) {
	for _, b := range backends {
		t.Run("db="+b.name, func(t *testing.T) {
			w := newTrustWorld(t, b.open(t))
			ctx := context.Background()
			admin := auth.Admin{ID: "support@example.com", Reason: "ticket 7"}
			if err := w.s.Accounts.AdminDelete(ctx, auth.Admin{ID: "x"}, w.ada.secondID); !errors.Is(err, auth.ErrInvalidCaller) {
				t.Errorf("AdminDelete without a reason = %v, want auth.ErrInvalidCaller", err)
			}
			for _, op := range []func() error{
				func() error { return w.s.Accounts.AdminDeactivate(ctx, admin, w.ada.secondID) },
				func() error { return w.s.Accounts.AdminReactivate(ctx, admin, w.ada.secondID) },
				func() error { return w.s.Accounts.AdminDelete(ctx, admin, w.ada.secondID) },
			} {
				w.clock.Advance(time.Second)
				if err := op(); err != nil {
					t.Fatal(err)
				}
			}
			page, err := w.s.PersonalData.History(ctx, w.fresh(w.ada.accountID), 1, 3)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range page.Entries {
				got = append(got, e.Item+" "+e.Action+" "+e.Detail)
			}
			by := w.ada.secondID + " by " + admin.String()
			want := []string{"account removed deleted " + by, "account_status set active " + by, "account_status set deactivated " + by}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}

			// Support sets the recovery email: verified at once, in the
			// history and the security log.
			if _, err := w.s.Profiles.SetRecoveryEmail(ctx, auth.Admin{ID: "x"}, w.ada.profileID, "ada@home.example"); !errors.Is(err, auth.ErrInvalidCaller) {
				t.Errorf("SetRecoveryEmail without a reason = %v, want auth.ErrInvalidCaller", err)
			}
			w.clock.Advance(time.Second)
			p, err := w.s.Profiles.SetRecoveryEmail(ctx, admin, w.ada.profileID, "ada@home.example")
			if err != nil || p.RecoveryEmail != "ada@home.example" {
				t.Fatalf("SetRecoveryEmail = %+v, %v", p, err)
			}
			page, err = w.s.PersonalData.History(ctx, w.fresh(w.ada.accountID), 1, 1)
			if err != nil || len(page.Entries) != 1 {
				t.Fatalf("History = %+v, %v", page, err)
			}
			if e := page.Entries[0]; e.Item+" "+e.Action+" "+e.Detail != "recovery_email set by "+admin.String() {
				t.Errorf("newest history entry = %+v, want the recovery email set by the admin", e)
			}
		})
	}
}
