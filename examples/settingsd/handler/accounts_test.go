package handler_test

import (
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

type accountBody struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Status   string `json:"status"`
	SignedIn bool   `json:"signed_in"`
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	var list []accountBody
	r := e.do("GET", "/v1/me/accounts", nil, u.auth()...)
	want(t, "list", r, 200, "")
	r.items(t, &list)
	if len(list) != 1 || list[0].Email != "ada@example.com" || !list[0].SignedIn || list[0].Status != "active" {
		t.Fatalf("accounts = %+v", list)
	}

	r = e.do("POST", "/v1/me/accounts", map[string]any{"email": "ada@work.example", "password": "weak"}, u.auth()...)
	want(t, "weak password", r, 422, "password_policy")
	e.clock.Advance(time.Minute) // so the accounts list in creation order
	r = e.do("POST", "/v1/me/accounts", map[string]any{"email": "ada@work.example", "password": pw, "marketing": true}, u.auth()...)
	want(t, "add", r, 202, "")
	pending := r.obj(t)["pending_id"].(string)
	path := "/v1/me/accounts/pending/" + pending + "/verify"
	want(t, "wrong code", e.do("POST", path, map[string]string{"code": "123456"}, u.auth()...), 422, "invalid_code")
	r = e.do("POST", path, map[string]string{"code": e.code("ada@work.example")}, u.auth()...)
	want(t, "verify", r, 201, "")
	if got := r.obj(t)["profile_id"]; got != u.profileID {
		t.Errorf("new account's profile = %v, want %s", got, u.profileID)
	}
	e.do("GET", "/v1/me/accounts", nil, u.auth()...).items(t, &list)
	if len(list) != 2 || list[1].Email != "ada@work.example" || list[1].SignedIn {
		t.Fatalf("accounts after adding = %+v", list)
	}

	// The second account signs in to the same profile and deletes itself.
	w := e.login("ada@work.example", pw)
	if w.profileID != u.profileID {
		t.Errorf("second account's profile = %s, want %s", w.profileID, u.profileID)
	}
	want(t, "delete", e.do("DELETE", "/v1/me/accounts/current", nil, w.auth()...), 204, "")
	want(t, "deleted session", e.do("GET", "/v1/me/profile", nil, w.auth()...), 401, "unauthenticated")
	want(t, "deleted login", e.do("POST", "/v1/sessions", map[string]string{"email": "ada@work.example", "password": pw}), 401, "invalid_credentials")
	e.do("GET", "/v1/me/accounts", nil, u.auth()...).items(t, &list)
	if len(list) != 1 {
		t.Errorf("accounts after deletion = %+v", list)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	other := e.login("ada@example.com", pw)
	const next = "Second-Secret-Pass-8"
	r := e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": "weak"}, u.auth()...)
	want(t, "weak", r, 422, "password_policy")
	r = e.do("PUT", "/v1/me/password", map[string]string{"current": "Wrong-Current-1!", "new": next}, u.auth()...)
	want(t, "wrong current", r, 422, "invalid_credentials")
	r = e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": pw}, u.auth()...)
	want(t, "reused", r, 422, "password_reused")
	want(t, "change", e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": next}, u.auth()...), 204, "")
	want(t, "this session", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
	want(t, "other session ended", e.do("GET", "/v1/me/profile", nil, other.auth()...), 401, "unauthenticated")
	e.login("ada@example.com", next)
}

// TestReauthentication checks the sensitive routes on a session older
// than an hour, then after signing in again.
func TestReauthentication(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.clock.Advance(61 * time.Minute)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/v1/me/password", map[string]string{"current": pw, "new": "Second-Secret-Pass-8"}},
		{"POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}},
		{"POST", "/v1/me/api-keys", map[string]string{"description": "ci"}},
		{"DELETE", "/v1/me/2fa", map[string]string{"password": pw}},
		{"DELETE", "/v1/me/accounts/current", nil},
		{"POST", "/v1/me/merges", map[string]string{"email": "other@example.com"}},
		// The SDK itself refuses these from an old session.
		{"POST", "/v1/me/accounts", map[string]any{"email": "attacker@example.net", "password": pw, "marketing": false}},
		{"POST", "/v1/me/2fa/authenticator", nil},
		{"POST", "/v1/me/2fa/sms", map[string]string{"phone": "+31612345678"}},
		{"POST", "/v1/me/2fa/recovery-codes", map[string]string{"password": pw}},
		{"POST", "/v1/me/accounts/" + u.accountID + "/email", map[string]string{"email": "attacker@example.net"}},
		{"DELETE", "/v1/me/personal-data", nil},
		// The recovery email can receive merge codes and resets: the SDK
		// itself refuses to set it from an old session.
		{"PATCH", "/v1/me/profile", map[string]string{"recovery_email": "attacker@example.net"}},
	} {
		want(t, c.method+" "+c.path, e.do(c.method, c.path, c.body, u.auth()...), 403, "reauthentication_required")
	}
	want(t, "ordinary route", e.do("GET", "/v1/me/accounts", nil, u.auth()...), 200, "")
	want(t, "a profile field that is not sensitive", e.do("PATCH", "/v1/me/profile", map[string]string{"job_title": "Engineer"}, u.auth()...), 200, "")
	if p := e.do("GET", "/v1/me/profile", nil, u.auth()...).obj(t); p["recovery_email"] != "" {
		t.Errorf("recovery email after a refused PATCH = %v, want empty", p["recovery_email"])
	}
	u = e.login("ada@example.com", pw)
	want(t, "token after signing in again", e.do("POST", "/v1/me/tokens",
		map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, u.auth()...), 201, "")
	want(t, "delete after signing in again", e.do("DELETE", "/v1/me/accounts/current", nil, u.auth()...), 204, "")
}

// TestStaleSessionAttacks repeats the attacks of a stolen old session:
// adding the attacker's login account to the profile and enrolling the
// attacker's authenticator app. Both answer 403 reauthentication_required
// and change nothing; with a fresh sign-in both work.
func TestStaleSessionAttacks(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.clock.Advance(time.Hour + time.Second) // -fresh-for defaults to an hour
	want(t, "add an account", e.do("POST", "/v1/me/accounts",
		map[string]any{"email": "attacker@example.net", "password": pw, "marketing": false}, u.auth()...), 403, "reauthentication_required")
	if _, ok := e.settings.Mailer.(*notify.Outbox).Last("attacker@example.net"); ok {
		t.Error("a code went to the attacker's address")
	}
	want(t, "enrol an authenticator", e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...), 403, "reauthentication_required")
	var accounts struct {
		Items []map[string]any `json:"items"`
	}
	e.do("GET", "/v1/me/accounts", nil, u.auth()...).into(t, &accounts)
	if len(accounts.Items) != 1 {
		t.Errorf("accounts after the refused add = %d, want 1", len(accounts.Items))
	}
	if st := e.do("GET", "/v1/me/2fa", nil, u.auth()...).obj(t); st["method"] != "none" || st["pending"] != "none" {
		t.Errorf("two-factor after the refused enrolment = %v, want none and nothing pending", st)
	}
	u = e.login("ada@example.com", pw)
	want(t, "enrol after signing in again", e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...), 201, "")
	want(t, "add after signing in again", e.do("POST", "/v1/me/accounts",
		map[string]any{"email": "ada.work@example.com", "password": pw, "marketing": false}, u.auth()...), 202, "")
}
