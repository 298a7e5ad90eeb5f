package web_test

// The login-email change and the erasure of the personal data, over
// plain HTTP: forms, field errors, the code page and re-authentication.

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

var emailVerifyRE = regexp.MustCompile(`^/accounts/email-changes/(pnd_[^/]+)/verify$`)

// post sends the form of the page with its CSRF token and the values,
// name, value pairs.
func (c *client) post(page, action string, values ...string) (*http.Response, string) {
	c.t.Helper()
	form := url.Values{"csrf": {c.token(page)}}
	for i := 0; i+1 < len(values); i += 2 {
		form.Set(values[i], values[i+1])
	}
	return c.do(http.MethodPost, action, form)
}

// wantAnswer checks the status and, for a redirect, its Location, and
// that the page contains every one of contains.
func wantAnswer(t *testing.T, what string, res *http.Response, body string, status int, location string, contains ...string) {
	t.Helper()
	if res.StatusCode != status || res.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want %d to %q", what, res.StatusCode, res.Header.Get("Location"), status, location)
	}
	for _, s := range contains {
		if !strings.Contains(html.UnescapeString(body), s) {
			t.Fatalf("%s: the page does not say %q", what, s)
		}
	}
}

func TestEmailChangePages(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	a, b := e.account(ada), e.account(bob)
	c := newClient(t, e.srv.URL)
	c.signIn(ada, pw, "")
	page := "/accounts/" + a.ID + "/email"

	res, body := c.do(http.MethodGet, "/accounts", nil)
	wantAnswer(t, "accounts", res, body, 200, "", `href="`+page+`"`, "Change email")
	res, body = c.do(http.MethodGet, page, nil)
	wantAnswer(t, "change email page", res, body, 200, "", `action="`+page+`"`, ada)
	res, body = c.do(http.MethodGet, "/accounts/"+b.ID+"/email", nil)
	wantAnswer(t, "another person's account", res, body, 404, "")

	for _, tc := range []struct{ email, msg string }{
		{"ada@", "Enter an email address"},
		{"ADA@example.com", "already the login email"},
	} {
		res, body = c.post(page, page, "email", tc.email)
		wantAnswer(t, "new address "+tc.email, res, body, 422, "", tc.msg, `aria-invalid="true"`, `href="#f-email"`)
	}

	// A taken address leads to a code page like a free one; its owner
	// gets a notice, and no code makes it ada's.
	res, _ = c.post(page, page, "email", bob)
	if res.StatusCode != http.StatusSeeOther || !emailVerifyRE.MatchString(res.Header.Get("Location")) {
		t.Fatalf("taken address: %d to %q, want 303 to a code page", res.StatusCode, res.Header.Get("Location"))
	}
	if m, ok := e.outbox.Last(bob); !ok || usersettingstest.HasMailCode(m.Body) || m.Subject != "Someone tried to use your address for another account" {
		t.Errorf("the owner of the taken address got %q, want a notice without a code", m.Subject)
	}

	const next = "ada.lovelace@example.org"
	res, _ = c.post(page, page, "email", next)
	verify := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !emailVerifyRE.MatchString(verify) {
		t.Fatalf("new address: %d to %q, want 303 to the code page", res.StatusCode, verify)
	}
	res, body = c.do(http.MethodGet, verify, nil)
	wantAnswer(t, "code page", res, body, 200, "", `action="`+verify+`"`, "Check your email")
	res, body = c.post(verify, verify, "code", wrongCode(e.code(next)))
	wantAnswer(t, "wrong code", res, body, 422, "", "The code is not right", `aria-invalid="true"`)
	res, body = c.post(verify, verify, "code", e.code(next))
	wantAnswer(t, "right code", res, body, 303, "/accounts")
	res, body = c.do(http.MethodGet, "/accounts", nil)
	wantAnswer(t, "accounts after the change", res, body, 200, "", "The login email is changed.", next)
	if got, err := e.settings.Accounts.Get(context.Background(), a.ID); err != nil || got.Email != next {
		t.Errorf("account after the change = %q, %v; want %s", got.Email, err, next)
	}
	res, body = c.do(http.MethodGet, "/security-log", nil)
	wantAnswer(t, "security log", res, body, 200, "", "Login email changed")
}

// TestEmailChangeReauthenticates: from a stale sign-in the change leads
// to the password prompt, sending nothing; the password confirmed, the
// change goes on to its code page without typing the address again.
func TestEmailChangeReauthenticates(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	a := e.account(ada)
	c := newClient(t, e.srv.URL)
	c.signIn(ada, pw, "")
	page := "/accounts/" + a.ID + "/email"
	csrf := c.token(page)
	e.clock.Advance(time.Hour + time.Second)
	const next = "ada.new@example.com"
	res, _ := c.do(http.MethodPost, page, url.Values{"csrf": {csrf}, "email": {next}})
	reauth := "/reauth?next=" + url.QueryEscape(page)
	wantAnswer(t, "stale change", res, "", 303, reauth)
	if _, ok := e.outbox.Last(next); ok {
		t.Error("a code went out from a stale sign-in")
	}
	res, body := c.do(http.MethodGet, reauth, nil)
	wantAnswer(t, "password prompt", res, body, 200, "", "change the login email")
	res, _ = c.post(reauth, "/reauth", "password", pw, "next", page)
	if res.StatusCode != http.StatusSeeOther || !emailVerifyRE.MatchString(res.Header.Get("Location")) {
		t.Fatalf("password confirmed: %d to %q, want 303 to the code page of the change", res.StatusCode, res.Header.Get("Location"))
	}
	if _, ok := e.outbox.Last(next); !ok {
		t.Error("no code went to the new address once the password was confirmed")
	}
}

func TestErasePersonalDataPage(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	ctx := context.Background()
	a := e.account(ada)
	const work = "ada@work.example"
	id, err := e.settings.Accounts.AddAccount(ctx, signedIn(e.settings, a.ID), work, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.settings.Accounts.ConfirmAddAccount(ctx, signedIn(e.settings, a.ID), id, e.code(work)); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e.srv.URL)
	c.signIn(ada, pw, "")
	res, body := c.do(http.MethodGet, "/personal-data", nil)
	wantAnswer(t, "personal data", res, body, 200, "", `action="/personal-data/erase"`, "every account", work, "This cannot be undone.")
	res, body = c.post("/personal-data", "/personal-data/erase", "confirm", work)
	wantAnswer(t, "wrong confirmation", res, body, 422, "", "Type "+ada+" to confirm.", `href="#f-confirm"`)

	csrf := c.token("/personal-data")
	e.clock.Advance(time.Hour + time.Second)
	res, _ = c.do(http.MethodPost, "/personal-data/erase", url.Values{"csrf": {csrf}, "confirm": {ada}})
	back := "/personal-data#erase"
	reauth := "/reauth?next=" + url.QueryEscape(back)
	wantAnswer(t, "stale erasure", res, "", 303, reauth)
	if _, err := e.settings.Accounts.Get(ctx, a.ID); err != nil {
		t.Fatalf("the account after a refused erasure: %v", err)
	}
	// The password confirmed, the erasure asked for is done.
	res, _ = c.post(reauth, "/reauth", "password", pw, "next", back)
	wantAnswer(t, "password confirmed: erasure", res, "", 303, "/signin")
	cleared := false
	for _, ck := range res.Cookies() {
		cleared = cleared || ck.Name == handler.CookieName && ck.MaxAge < 0
	}
	if !cleared {
		t.Error("the erasure did not clear the session cookie")
	}
	res, body = c.do(http.MethodGet, "/signin", nil)
	wantAnswer(t, "sign-in page", res, body, 200, "", "all your personal data are erased")
	for _, email := range []string{ada, work} {
		if _, err := e.settings.Accounts.Authenticate(ctx, account.Login{Email: email, Password: pw}); err == nil {
			t.Errorf("%s still signs in after the erasure", email)
		}
	}
	e.account(bob)
}

// The Personal Data page erases the data but the accounts: after typing
// the address (and the password again when the sign-in is old), the
// profile is empty and the person stays signed in with every account.
func TestErasePersonalDataKeepingAccountsPage(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	ctx := context.Background()
	a := e.account(ada)
	if _, err := e.settings.Profiles.Update(ctx, signedIn(e.settings, a.ID), profile.Update{JobTitle: new("Engineer")}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e.srv.URL)
	c.signIn(ada, pw, "")
	res, body := c.do(http.MethodGet, "/personal-data", nil)
	wantAnswer(t, "personal data", res, body, 200, "", `action="/personal-data/erase-profile"`, "keep your accounts")
	res, body = c.post("/personal-data", "/personal-data/erase-profile", "confirm_keep", "someone@example.com")
	wantAnswer(t, "wrong confirmation", res, body, 422, "", "Type "+ada+" to confirm.", `href="#f-confirm-keep"`)

	csrf := c.token("/personal-data")
	e.clock.Advance(time.Hour + time.Second)
	res, _ = c.do(http.MethodPost, "/personal-data/erase-profile", url.Values{"csrf": {csrf}, "confirm_keep": {ada}})
	back := "/personal-data#erase-profile"
	reauth := "/reauth?next=" + url.QueryEscape(back)
	wantAnswer(t, "stale erasure", res, "", 303, reauth)
	if p, _ := e.settings.Profiles.Get(ctx, signedIn(e.settings, a.ID)); p.JobTitle != "Engineer" {
		t.Fatalf("a refused erasure changed the profile: %+v", p)
	}
	// The password confirmed, the erasure asked for is done.
	res, _ = c.post(reauth, "/reauth", "password", pw, "next", back)
	wantAnswer(t, "password confirmed: erasure", res, "", 303, "/personal-data")
	res, body = c.do(http.MethodGet, "/personal-data", nil)
	wantAnswer(t, "after the erasure", res, body, 200, "", "Your personal data is erased. Your accounts stay")
	if p, _ := e.settings.Profiles.Get(ctx, signedIn(e.settings, a.ID)); p.JobTitle != "" {
		t.Errorf("job title after the erasure = %q, want empty", p.JobTitle)
	}
	if _, err := e.settings.Accounts.Authenticate(ctx, account.Login{Email: ada, Password: pw}); err != nil {
		t.Errorf("sign-in after the erasure: %v", err)
	}
}
