package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// TestRecoveryEmailPage checks the profile page's recovery email: a new
// one is shown as not verified with a code form until its code is
// confirmed, and saving the other fields neither sends a new code nor
// drops the address.
func TestRecoveryEmailPage(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	a := confirmedAccount(t, s, ada)
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	save := func(fields url.Values) *http.Response {
		t.Helper()
		fields.Set("csrf", c.token("/profile"))
		res, _ := c.do(http.MethodPost, "/profile", fields)
		return res
	}
	if res := save(url.Values{"recovery_email": {"ada@home.example"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	_, body := c.do(http.MethodGet, "/profile", nil)
	if !strings.Contains(body, "is not verified yet") || !strings.Contains(body, `action="/profile/recovery-email/confirm"`) {
		t.Fatalf("profile page does not show the unverified address and its code form")
	}
	sent := func() int {
		n := 0
		for _, m := range s.Outbox.Messages() {
			if m.To == "ada@home.example" {
				n++
			}
		}
		return n
	}
	if n := sent(); n != 1 {
		t.Fatalf("%d mails to the new address, want 1", n)
	}
	// Saving other fields keeps the pending address and sends nothing.
	if res := save(url.Values{"recovery_email": {"ada@home.example"}, "job_title": {"Engineer"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.StatusCode)
	}
	if n := sent(); n != 1 {
		t.Errorf("%d mails to the new address after saving other fields, want still 1", n)
	}

	res, body := c.do(http.MethodPost, "/profile/recovery-email/confirm", url.Values{"csrf": {c.token("/profile")}, "recovery_code": {"000000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not verified yet") {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	m, _ := s.Outbox.Last("ada@home.example")
	code := usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)
	res, _ = c.do(http.MethodPost, "/profile/recovery-email/confirm", url.Values{"csrf": {c.token("/profile")}, "recovery_code": {code}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	_, body = c.do(http.MethodGet, "/profile", nil)
	if !strings.Contains(body, "Your recovery email is confirmed.") || strings.Contains(body, "is not verified yet") {
		t.Errorf("profile page after confirming still shows the address as unverified")
	}
	p, err := s.Profiles.Get(t.Context(), auth.New(a.ID, auth.MethodPassword, s.Now(), ""))
	if err != nil || p.RecoveryEmail != "ada@home.example" || p.PendingRecoveryEmail != "" || p.JobTitle != "Engineer" {
		t.Errorf("stored profile = %+v, %v", p, err)
	}
}

// TestRecoveryResetPages checks the reset through the recovery email in
// the pages: the request page answers the same for any address, and the
// reset names the account.
func TestRecoveryResetPages(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{CodeBurst: -1}) // the reset code follows the confirmation code
	a := confirmedAccount(t, s, ada)
	ctx := t.Context()
	me := auth.New(a.ID, auth.MethodPassword, s.Now(), "")
	if _, err := s.Profiles.Update(ctx, me, profile.Update{RecoveryEmail: new("ada@home.example")}); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last("ada@home.example")
	if _, err := s.Profiles.ConfirmRecoveryEmail(ctx, me, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	for _, addr := range []string{"nobody@home.example", "ada@home.example"} {
		res, _ := c.do(http.MethodPost, "/forgot/recovery", url.Values{"csrf": {c.token("/forgot/recovery")}, "email": {addr}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/forgot/recovery/reset" {
			t.Fatalf("request for %s: %d to %q", addr, res.StatusCode, res.Header.Get("Location"))
		}
	}
	m, _ = s.Outbox.Last("ada@home.example")
	if !strings.Contains(m.Body, ada) {
		t.Fatalf("reset mail does not name the account: %q", m.Body)
	}
	code := usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)
	const next = "Brand-New-Secret-42"
	form := url.Values{"email": {"ada@home.example"}, "account": {"bob@example.com"}, "code": {code}, "password": {next}}
	form.Set("csrf", c.token("/forgot/recovery/reset"))
	if res, body := c.do(http.MethodPost, "/forgot/recovery/reset", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("another account: %d, want 422", res.StatusCode)
	} else if !strings.Contains(body, `value="bob@example.com"`) || !strings.Contains(body, `value="ada@home.example"`) {
		t.Error("the refused form does not keep the typed account and address")
	}
	form.Set("account", ada)
	form.Set("csrf", c.token("/forgot/recovery/reset"))
	if res, _ := c.do(http.MethodPost, "/forgot/recovery/reset", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if res := c.signIn(ada, next, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the new password: %d", res.StatusCode)
	}
}
