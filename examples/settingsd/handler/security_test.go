package handler_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	cookie := "Cookie"
	jar := handler.CookieName + "=" + u.session
	want(t, "cookie GET", e.do("GET", "/v1/me/profile", nil, cookie, jar), 200, "")
	patch := map[string]string{"name": "Ada"}
	want(t, "cookie PATCH without token", e.do("PATCH", "/v1/me/profile", patch, cookie, jar), 403, "csrf_token_invalid")
	want(t, "cookie PATCH with a wrong token", e.do("PATCH", "/v1/me/profile", patch, cookie, jar,
		handler.CSRFHeader, "forged"), 403, "csrf_token_invalid")
	want(t, "cookie logout without token", e.do("DELETE", "/v1/sessions/current", nil, cookie, jar), 403, "csrf_token_invalid")
	want(t, "cookie PATCH with the token", e.do("PATCH", "/v1/me/profile", patch, cookie, jar,
		handler.CSRFHeader, u.csrf), 200, "")
	want(t, "header PATCH needs no token", e.do("PATCH", "/v1/me/profile", patch, u.auth()...), 200, "")
	other := e.signUp("bob@example.com")
	want(t, "another session's token", e.do("PATCH", "/v1/me/profile", patch, cookie, jar,
		handler.CSRFHeader, other.csrf), 403, "csrf_token_invalid")
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, handler.WithRateLimits(handler.Limit{Burst: 3, Every: time.Minute}, handler.Limit{Burst: 5, Every: time.Minute}))
	e.signUp("ada@example.com") // one login
	bad := map[string]string{"email": "ada@example.com", "password": "Wrong-Password-1!"}
	for range 2 {
		want(t, "wrong password", e.do("POST", "/v1/sessions", bad), 401, "invalid_credentials")
	}
	r := e.do("POST", "/v1/sessions", bad)
	want(t, "fourth login of the address", r, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	want(t, "another address", e.do("POST", "/v1/sessions", map[string]string{"email": "bob@example.com", "password": pw}), 401, "invalid_credentials")
	want(t, "case and spaces do not help", e.do("POST", "/v1/sessions", map[string]string{"email": " ADA@example.com", "password": pw}), 429, "rate_limited")
	e.clock.Advance(time.Minute)
	want(t, "a minute later", e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw}), 201, "")

	// Per client: the code routes of one client, whatever the address.
	e.clock.Advance(10 * time.Minute)
	for i := range 5 {
		r := e.do("POST", "/v1/password-resets", map[string]string{"email": "p" + strings.Repeat("x", i) + "@example.com"})
		want(t, "reset request", r, 202, "")
	}
	want(t, "sixth code request of the client", e.do("POST", "/v1/password-resets", map[string]string{"email": "q@example.com"}), 429, "rate_limited")
}

func TestLimitsAndRoutes(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	big := []byte(`{"name":"` + strings.Repeat("a", 2<<20) + `"}`)
	want(t, "2 MB JSON", e.do("PATCH", "/v1/me/profile", big, u.auth()...), 413, "request_too_large")
	want(t, "trailing JSON", e.do("PATCH", "/v1/me/profile", []byte(`{"name":"a"} {}`), u.auth()...), 400, "invalid_json")
	want(t, "unknown route", e.do("GET", "/v1/nope", nil), 404, "not_found")
	r := e.do("GET", "/v1/me/profile", nil, u.auth()...)
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", r.header)
	}

	// Without WithDevOutbox there is no outbox route.
	plain := httpServe(t, contract(t, handler.New(e.settings)))
	res, err := http.Get(plain + "/v1/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("outbox without -dev: status %d, want 404", res.StatusCode)
	}
}

// TestLogsNoSecrets checks that the access log names routes and statuses
// but never a password, session or token.
func TestLogsNoSecrets(t *testing.T) {
	logw := &syncWriter{b: &bytes.Buffer{}}
	e := newEnv(t, handler.WithLogger(slog.New(slog.NewTextHandler(logw, nil))))
	u := e.signUp("ada@example.com")
	r := e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, u.auth()...)
	tok := r.obj(t)["token"].(string)
	e.do("GET", "/v1/api/whoami", nil, "Authorization", "mxtoken "+tok)
	e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": "Wrong-Password-1!"})
	// The access log line is written just after the answer: wait for it.
	var logs string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if logs = logw.String(); strings.Contains(logs, "status=401") {
			break
		}
	}
	for _, secret := range []string{pw, "Wrong-Password-1!", u.session, u.csrf, tok, "ada@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret or an address: %q", secret)
		}
	}
	if !strings.Contains(logs, `route="POST /v1/sessions"`) || !strings.Contains(logs, "status=401") {
		t.Errorf("the log lacks route or status:\n%s", logs)
	}
}

func httpServe(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	ln := listen(t)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

// TestSecureCookieOverTLS checks that the session cookie is Secure when the
// request came over TLS.
func TestSecureCookieOverTLS(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	srv := httptest.NewTLSServer(contract(t, handler.New(e.settings)))
	defer srv.Close()
	res, err := srv.Client().Post(srv.URL+"/v1/sessions", "application/json",
		strings.NewReader(`{"email":"ada@example.com","password":"`+pw+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("login over TLS: status %d", res.StatusCode)
	}
	c, err := http.ParseSetCookie(res.Header.Get("Set-Cookie"))
	if err != nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie over TLS = %+v, %v; want Secure, HttpOnly, SameSite=Strict", c, err)
	}
}
