package handler_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/v1/signup", map[string]any{"email": "ada@example.com", "password": "short"})
	want(t, "weak password", r, 422, "password_policy")
	var pol struct{ Violations []string }
	r.into(t, &pol)
	if w := []string{"too_short", "no_upper", "no_digit", "no_special"}; !slices.Equal(pol.Violations, w) {
		t.Errorf("violations = %v, want %v", pol.Violations, w)
	}
	want(t, "bad email", e.do("POST", "/v1/signup", map[string]any{"email": "not an email", "password": pw}), 422, "invalid_email")
	want(t, "bad json", e.do("POST", "/v1/signup", []byte(`{"email":`)), 400, "invalid_json")
	want(t, "unknown field", e.do("POST", "/v1/signup", map[string]any{"mail": "a@example.com"}), 400, "invalid_json")

	r = e.do("POST", "/v1/signup", map[string]any{"email": "ada@example.com", "password": pw, "marketing": true})
	want(t, "signup", r, 202, "")
	id := r.obj(t)["signup_id"].(string)
	want(t, "wrong code", e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": "000000"}), 422, "invalid_code")
	r = e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": e.code("ada@example.com")})
	want(t, "verify", r, 201, "")
	m := r.obj(t)
	if !strings.HasPrefix(m["account_id"].(string), "acc_") || !strings.HasPrefix(m["profile_id"].(string), "prf_") {
		t.Errorf("verify answer = %v, want account_id and profile_id", m)
	}
	want(t, "code used twice", e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": e.code("ada@example.com")}), 422, "invalid_code")
}

func TestLoginLogout(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	rid := []string{handler.RequestIDHeader, "same-id"} // so that the bodies may be compared
	wrong := e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw + "x"}, rid...)
	want(t, "wrong password", wrong, 401, "invalid_credentials")
	unknown := e.do("POST", "/v1/sessions", map[string]string{"email": "nobody@example.com", "password": pw}, rid...)
	want(t, "unknown email", unknown, 401, "invalid_credentials")
	if string(wrong.body) != string(unknown.body) {
		t.Errorf("wrong password %q and unknown email %q answers differ", wrong.body, unknown.body)
	}

	// A browser (no session_in_body) gets the secret only in the cookie.
	r := e.do("POST", "/v1/sessions", map[string]string{"email": "ADA@example.com ", "password": pw})
	want(t, "login", r, 201, "")
	m := r.obj(t)
	if _, ok := m["session"]; ok || m["password_expired"] != false || m["csrf_token"] == "" || m["session_id"] == "" {
		t.Errorf("browser login answer = %v, want no session secret", m)
	}
	c := cookieOf(t, r)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || len(c.Value) != 43 || bytes.Contains(r.body, []byte(c.Value)) {
		t.Errorf("cookie = %+v, want HttpOnly, SameSite=Strict, not Secure on plain HTTP, the session (and not in the body)", c)
	}
	cookie := []string{"Cookie", handler.CookieName + "=" + c.Value}
	want(t, "me by cookie", e.do("GET", "/v1/me/profile", nil, cookie...), 200, "")
	want(t, "logout by cookie without CSRF token", e.do("DELETE", "/v1/sessions/current", nil, cookie...), 403, "csrf_token_invalid")
	want(t, "logout by cookie", e.do("DELETE", "/v1/sessions/current", nil, append(cookie, handler.CSRFHeader, m["csrf_token"].(string))...), 204, "")
	want(t, "after cookie logout", e.do("GET", "/v1/me/profile", nil, cookie...), 401, "unauthenticated")

	// An API client asks for a header-style session: the secret in the
	// body, no cookie.
	r = e.do("POST", "/v1/sessions", map[string]any{"email": "ada@example.com", "password": pw, "session_in_body": true})
	want(t, "API login", r, 201, "")
	m = r.obj(t)
	if s, _ := m["session"].(string); len(s) != 43 || len(r.header.Values("Set-Cookie")) != 0 {
		t.Errorf("API login answer = %v, Set-Cookie %q; want the session in the body and no cookie", m, r.header.Values("Set-Cookie"))
	}
	u := user{session: m["session"].(string)}
	want(t, "me", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
	r = e.do("DELETE", "/v1/sessions/current", nil, u.auth()...)
	want(t, "logout", r, 204, "")
	if c := cookieOf(t, r); c.MaxAge >= 0 {
		t.Errorf("logout cookie MaxAge = %d, want it deleted", c.MaxAge)
	}
	want(t, "after logout", e.do("GET", "/v1/me/profile", nil, u.auth()...), 401, "unauthenticated")
	want(t, "no session", e.do("GET", "/v1/me/profile", nil), 401, "unauthenticated")
	want(t, "garbage session", e.do("GET", "/v1/me/profile", nil, "Authorization", "Session nope"), 401, "unauthenticated")
	want(t, "other scheme", e.do("GET", "/v1/me/profile", nil, "Authorization", "Bearer "+u.session), 401, "unauthenticated")
}

func cookieOf(t *testing.T, r resp) *http.Cookie {
	t.Helper()
	cs, err := http.ParseSetCookie(r.header.Get("Set-Cookie"))
	if err != nil {
		t.Fatalf("Set-Cookie %q: %v", r.header.Get("Set-Cookie"), err)
	}
	return cs
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.clock.Advance(11 * time.Hour)
	want(t, "after 11 idle hours", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
	e.clock.Advance(12*time.Hour + time.Second)
	want(t, "after 12 idle hours", e.do("GET", "/v1/me/profile", nil, u.auth()...), 401, "unauthenticated")
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	e.clock.Advance(2 * time.Minute) // past the per-address code interval
	want(t, "unknown address", e.do("POST", "/v1/password-resets", map[string]string{"email": "nobody@example.com"}), 202, "")
	want(t, "malformed address", e.do("POST", "/v1/password-resets", map[string]string{"email": "nope"}), 202, "")
	want(t, "request", e.do("POST", "/v1/password-resets", map[string]string{"email": "ada@example.com"}), 202, "")
	code := e.code("ada@example.com")
	const next = "Another-Good-Pass-7"
	r := e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ada@example.com", "code": code, "new": "weak"})
	want(t, "weak new password", r, 422, "password_policy")
	r = e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ada@example.com", "code": "999999", "new": next})
	want(t, "wrong code", r, 422, "invalid_code")
	r = e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ada@example.com", "code": code, "new": next})
	want(t, "reset", r, 204, "")
	want(t, "old password", e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw}), 401, "invalid_credentials")
	e.login("ada@example.com", next)
}

func TestPasswordExpired(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	e.clock.Advance(91 * 24 * time.Hour)
	r := e.do("POST", "/v1/sessions", map[string]any{"email": "ada@example.com", "password": pw, "session_in_body": true})
	want(t, "login", r, 201, "")
	if r.obj(t)["password_expired"] != true {
		t.Fatalf("password_expired = %v, want true", r.obj(t)["password_expired"])
	}
	u := user{session: r.obj(t)["session"].(string)}
	want(t, "profile with an expired password", e.do("GET", "/v1/me/profile", nil, u.auth()...), 403, "password_expired")
	r = e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": "Brand-New-Pass-42"}, u.auth()...)
	want(t, "change", r, 204, "")
	want(t, "profile after the change", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
}
