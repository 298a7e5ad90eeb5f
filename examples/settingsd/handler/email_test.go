package handler_test

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// emailPath is the route that changes the login email of the account.
func emailPath(accountID string) string { return "/v1/me/accounts/" + accountID + "/email" }

// verifyEmailPath is the route that confirms the change pendingID.
func verifyEmailPath(pendingID string) string {
	return "/v1/me/accounts/email-changes/" + pendingID + "/verify"
}

// TestChangeEmail walks the login-email change: a code to the new
// address, a wrong code, the right one; the account's other sessions end,
// this one stays, the old address gets a notice and signs in no more.
func TestChangeEmail(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	other := e.login("ada@example.com", pw)
	const next = "ada.lovelace@example.org"

	r := e.do("POST", emailPath(u.accountID), map[string]string{"email": next}, u.auth()...)
	want(t, "request", r, 202, "")
	pending := r.obj(t)["pending_id"].(string)
	path := verifyEmailPath(pending)
	want(t, "wrong code", e.do("POST", path, map[string]string{"code": wrongCode(e.code(next))}, u.auth()...), 422, "invalid_code")

	r = e.do("POST", path, map[string]string{"code": e.code(next)}, u.auth()...)
	want(t, "verify", r, 200, "")
	var got accountBody
	r.into(t, &got)
	if got.ID != u.accountID || got.Email != next || !got.SignedIn || got.Status != "active" {
		t.Errorf("answer to the verification = %+v, want the account under %s", got, next)
	}
	g := e.do("GET", "/v1/me/accounts/"+u.accountID, nil, u.auth()...)
	if withoutRequestID(g.body) != withoutRequestID(r.body) {
		t.Errorf("answer %s, GET of the account %s: want the same", r.body, g.body)
	}
	want(t, "code again", e.do("POST", path, map[string]string{"code": e.code(next)}, u.auth()...), 422, "invalid_code")

	want(t, "this session", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
	want(t, "other session ended", e.do("GET", "/v1/me/profile", nil, other.auth()...), 401, "unauthenticated")
	want(t, "old address", e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw}), 401, "invalid_credentials")
	e.login(next, pw)
	if m, ok := e.settings.Mailer.(*notify.Outbox).Last("ada@example.com"); !ok || m.Subject != "Your login email was changed" {
		t.Errorf("last mail to the old address = %q (%v), want the notice of the change", m.Subject, ok)
	}
	var log struct {
		Events []struct {
			Kind      string `json:"kind"`
			AccountID string `json:"account_id"`
		} `json:"events"`
	}
	e.do("GET", "/v1/me/security-log", nil, u.auth()...).into(t, &log)
	changed := 0
	for _, ev := range log.Events {
		if ev.Kind == "email_changed" && ev.AccountID == u.accountID {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("security log = %+v, want one email_changed of the account", log.Events)
	}
}

// wrongCode returns a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestChangeEmailTakenAddress checks that an address with an account
// gets exactly the answer of a free one, that no code confirms it and
// that its owner gets a notice, not a code.
func TestChangeEmailTakenAddress(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.signUp("bob@example.com")
	free := e.do("POST", emailPath(u.accountID), map[string]string{"email": "ada.new@example.com"}, u.auth()...)
	taken := e.do("POST", emailPath(u.accountID), map[string]string{"email": "bob@example.com"}, u.auth()...)
	want(t, "free address", free, 202, "")
	want(t, "taken address", taken, 202, "")
	if !sameAnswer(free, taken) {
		t.Errorf("taken address: %d %s %v; free one: %d %s %v; want them alike",
			taken.status, taken.body, taken.header, free.status, free.body, free.header)
	}
	m, ok := e.settings.Mailer.(*notify.Outbox).Last("bob@example.com")
	if !ok || usersettingstest.HasMailCode(m.Body) || m.Subject != "Someone tried to use your address for another account" {
		t.Errorf("last mail to the taken address = %q, want the notice of the attempt without a code", m.Subject)
	}
	pending := taken.obj(t)["pending_id"].(string)
	for _, code := range []string{e.code("bob@example.com"), e.code("ada.new@example.com")} {
		want(t, "a code on the taken address", e.do("POST", verifyEmailPath(pending), map[string]string{"code": code}, u.auth()...), 422, "invalid_code")
	}
	var list []accountBody
	e.do("GET", "/v1/me/accounts", nil, u.auth()...).items(t, &list)
	if len(list) != 1 || list[0].Email != "ada@example.com" {
		t.Errorf("accounts after the refused change = %+v", list)
	}
	e.login("bob@example.com", pw)
}

var pendingIDRE = regexp.MustCompile(`"pnd_[^"]*"`)

// sameAnswer reports whether two answers have the same status, the
// same headers but the request id, and the same body once the request
// and pending ids are blanked (each of the same length).
func sameAnswer(a, b resp) bool {
	blank := func(r resp) string {
		return pendingIDRE.ReplaceAllStringFunc(withoutRequestID(r.body), func(s string) string {
			return string(bytes.Repeat([]byte("x"), len(s)))
		})
	}
	if a.status != b.status || blank(a) != blank(b) || len(a.header) != len(b.header) {
		return false
	}
	for k := range a.header {
		if k != "X-Request-Id" && k != "Date" && a.header.Get(k) != b.header.Get(k) {
			return false
		}
	}
	return true
}

// TestChangeEmailRefusals checks the refusals of the request: a
// malformed, unchanged or another profile's address, and a stale
// session on both routes.
func TestChangeEmailRefusals(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	for _, c := range []struct {
		what, account, email string
		status               int
		code                 string
	}{
		{"malformed", u.accountID, "ada@", 422, "invalid_email"},
		{"unchanged", u.accountID, "ADA@example.com", 422, "email_unchanged"},
		{"another profile's account", bob.accountID, "ada.new@example.com", 404, "not_found"},
		{"unknown account", "acc_unknown", "ada.new@example.com", 404, "not_found"},
	} {
		want(t, c.what, e.do("POST", emailPath(c.account), map[string]string{"email": c.email}, u.auth()...), c.status, c.code)
	}
	want(t, "no session", e.do("POST", emailPath(u.accountID), map[string]string{"email": "ada.new@example.com"}), 401, "unauthenticated")

	// The change is asked 55 minutes after signing in; 6 minutes later
	// its code still works but the session is stale.
	e.clock.Advance(55 * time.Minute)
	r := e.do("POST", emailPath(u.accountID), map[string]string{"email": "ada.new@example.com"}, u.auth()...)
	want(t, "request", r, 202, "")
	pending := r.obj(t)["pending_id"].(string)
	code := e.code("ada.new@example.com")
	want(t, "another profile's change", e.do("POST", verifyEmailPath(pending), map[string]string{"code": code}, bob.auth()...), 422, "invalid_code")

	e.clock.Advance(6 * time.Minute)
	want(t, "stale request", e.do("POST", emailPath(u.accountID), map[string]string{"email": "attacker@example.net"}, u.auth()...), 403, "reauthentication_required")
	if _, ok := e.settings.Mailer.(*notify.Outbox).Last("attacker@example.net"); ok {
		t.Error("a code went to the attacker's address")
	}
	want(t, "stale verification", e.do("POST", verifyEmailPath(pending), map[string]string{"code": code}, u.auth()...), 403, "reauthentication_required")
	u = e.login("ada@example.com", pw)
	want(t, "verification after signing in again", e.do("POST", verifyEmailPath(pending), map[string]string{"code": code}, u.auth()...), 200, "")
}

// TestChangeEmailRateLimited checks the per-address bucket of the
// request and the per-change bucket of the verification.
func TestChangeEmailRateLimited(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	var last resp
	for range 11 {
		last = e.do("POST", emailPath(u.accountID), map[string]string{"email": "ada.new@example.com"}, u.auth()...)
		if last.status != 202 {
			break
		}
	}
	want(t, "requests past the address's bucket", last, 429, "rate_limited")
	if last.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	for range 11 {
		last = e.do("POST", verifyEmailPath("pnd_guess"), map[string]string{"code": "000000"}, u.auth()...)
		if last.status != 422 {
			break
		}
	}
	want(t, "guesses past the change's bucket", last, 429, "rate_limited")
}

// TestChangeEmailSSO checks that an account whose credentials belong to
// an identity provider keeps its address, and that no account moves to
// the domain of a single-sign-on company.
func TestChangeEmailSSO(t *testing.T) {
	e := newSSOEnv(t, "")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	var list []accountBody
	e.do("GET", "/v1/me/accounts", nil, ann.auth()...).items(t, &list)
	if len(list) != 1 {
		t.Fatalf("accounts of ann = %+v", list)
	}
	want(t, "SSO-managed account", e.do("POST", emailPath(list[0].ID), map[string]string{"email": "ann@example.com"}, ann.auth()...), 422, "sso_managed")
	bob := e.signUp("bob@example.com")
	want(t, "to an SSO company's domain", e.do("POST", emailPath(bob.accountID), map[string]string{"email": "bob@acme.example"}, bob.auth()...), 422, "sso_required")
	if _, ok := e.settings.Mailer.(*notify.Outbox).Last("ann@example.com"); ok {
		t.Error("a code went to the new address of an SSO-managed account")
	}
}
