package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// The change history and the security log say in words what changed:
// labels instead of keys, addresses and names instead of ids.
func TestHistoryAndSecurityLogInWords(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	a := confirmedAccount(t, s, ada)
	c := newClient(t, base)
	if res := c.signIn(ada, pw, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	ctx := context.Background()
	const work = "ada.work@example.com"
	id, err := s.Accounts.AddAccount(ctx, signedIn(s, a.ID), work, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last(work)
	if _, err := s.Accounts.ConfirmAddAccount(ctx, inBrowser(t, s, a.ID), id, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)); err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := s.Notifications.Update(ctx, signedIn(s, a.ID), notify.Update{DailyDigest: &on}); err != nil {
		t.Fatal(err)
	}
	if err := s.Notifications.Watch(ctx, signedIn(s, a.ID), "app_42", "Expense Tracker"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Tokens.Create(ctx, signedIn(s, a.ID), "CI deploy", []string{"mx:app:read"}); err != nil {
		t.Fatal(err)
	}

	res, body := c.do(http.MethodGet, "/personal-data", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/personal-data: %d", res.StatusCode)
	}
	history := html.UnescapeString(body[strings.Index(body, `id="history"`):])
	for _, want := range []string{"Daily digest emails", "Turned on", "Watched app", "Started watching: Expense Tracker",
		"Personal access token", "Added: CI deploy", "Account", "Added: " + work} {
		if !strings.Contains(history, want) {
			t.Errorf("the change history does not say %q", want)
		}
	}
	for _, raw := range []string{"buzz_daily_digest", "watched_app", "app_42", "acc_", "prf_", ">set", ">added"} {
		if strings.Contains(history, raw) {
			t.Errorf("the change history shows %q", raw)
		}
	}

	res, body = c.do(http.MethodGet, "/security-log", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/security-log: %d", res.StatusCode)
	}
	body = html.UnescapeString(body)
	if !strings.Contains(body, "Personal access token created (CI deploy)") {
		t.Errorf("the security log does not name the token")
	}
	for _, raw := range []string{"tok_", "acc_", "prf_"} {
		if strings.Contains(body, raw) {
			t.Errorf("the security log shows %q", raw)
		}
	}
}
