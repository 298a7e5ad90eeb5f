package usersettings_test

import (
	"context"
	"slices"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// Erasing the personal data but the accounts empties the profile, its
// history, notification settings and merge flows, and leaves every
// account able to sign in with its password, second factor, tokens, API
// keys and sessions; the security log keeps its events and records the
// erasure with the client.
func TestEraseKeepingAccounts(t *testing.T) {
	for _, b := range backends {
		t.Run("db="+b.name, func(t *testing.T) {
			w := newTrustWorld(t, b.open(t))
			ctx := context.Background()
			c := w.fresh(w.ada.accountID)
			before, err := w.s.PersonalData.Collect(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if before.Profile.JobTitle == "" || len(before.History) == 0 || !before.Notifications.Saved ||
				len(before.Notifications.WatchedApps) == 0 || len(before.Merges) == 0 {
				t.Fatalf("the world lacks what the test erases: %+v", before)
			}
			if err := w.s.PersonalData.EraseKeepingAccounts(ctx, c); err != nil {
				t.Fatalf("EraseKeepingAccounts: %v", err)
			}
			after, err := w.s.PersonalData.Collect(ctx, c)
			if err != nil {
				t.Fatalf("Collect after the erasure: %v", err)
			}
			p := after.Profile
			if p.JobTitle != "" || p.Public || p.Avatar != nil || len(after.History) != 0 || after.Notifications.Saved ||
				len(after.Notifications.WatchedApps) != 0 || len(after.Merges) != 0 {
				t.Errorf("after the erasure: profile %+v, %d history entries, notifications %+v, %d merges; want them all gone",
					p, len(after.History), after.Notifications, len(after.Merges))
			}
			if len(after.Accounts) != 2 || len(after.Tokens) != 1 || len(after.APIKeys) != 1 || len(after.TwoFactor) != len(before.TwoFactor) ||
				len(after.Sessions) != len(before.Sessions) {
				t.Errorf("after the erasure: %d accounts, %d tokens, %d keys, %d second factors, %d sessions; want them kept",
					len(after.Accounts), len(after.Tokens), len(after.APIKeys), len(after.TwoFactor), len(after.Sessions))
			}
			if len(after.SecurityLog) != len(before.SecurityLog)+1 {
				t.Errorf("security log: %d events, want the %d before and the erasure", len(after.SecurityLog), len(before.SecurityLog))
			}
			i := slices.IndexFunc(after.SecurityLog, func(e personaldata.SecurityEvent) bool { return e.Kind == string(securitylog.PersonalDataErased) })
			if i < 0 || after.SecurityLog[i].IP != c.Client.IP {
				t.Errorf("the erasure in the security log: %+v", after.SecurityLog)
			}
			if _, err := w.s.Tokens.Validate(ctx, w.ada.token); err != nil {
				t.Errorf("the token after the erasure: %v", err)
			}
			if _, err := w.s.Tokens.ValidateAPIKey(ctx, w.ada.email, w.ada.key); err != nil {
				t.Errorf("the API key after the erasure: %v", err)
			}
			res, err := w.s.Accounts.Authenticate(ctx, account.Login{Email: w.ada.email, Password: pw, Client: auth.Client{IP: "192.0.2.9"}})
			if err != nil || !res.SecondFactorRequired {
				t.Errorf("sign-in after the erasure: %+v, %v; want the password right and the second factor asked", res, err)
			}
		})
	}
}
