package handler_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
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
	// Per client: the code routes of one client, whatever the address.
	for i := range 5 {
		r := e.do("POST", "/v1/password-resets", map[string]string{"email": "p" + strings.Repeat("x", i) + "@example.com"})
		want(t, "reset request", r, 202, "")
	}
	want(t, "sixth code request of the client", e.do("POST", "/v1/password-resets", map[string]string{"email": "q@example.com"}), 429, "rate_limited")
	// Per address: three sign-ups of one address, whichever client.
	e.clock.Advance(time.Hour)
	signUp := func(email string) map[string]string { return map[string]string{"email": email, "password": pw} }
	for range 3 {
		want(t, "sign-up of one address", e.do("POST", "/v1/signup", signUp("r@example.com")), 202, "")
	}
	want(t, "fourth sign-up of the address", e.do("POST", "/v1/signup", signUp(" R@example.com")), 429, "rate_limited")
	// Each purpose has buckets of its own, and reset requests take none
	// of the address (the SDK limits its mails): they still go through.
	want(t, "reset request of the address", e.do("POST", "/v1/password-resets", map[string]string{"email": "r@example.com"}), 202, "")
}

// deviceCookie returns the device cookie a sign-in answer set.
func deviceCookie(t *testing.T, r resp) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == handler.DeviceCookieName {
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge < 300*24*3600 || c.Value == "" {
				t.Errorf("device cookie %+v: want HttpOnly, SameSite=Strict and a long life", c)
			}
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no device cookie in %v", r.header.Values("Set-Cookie"))
	return ""
}

// Ten failed sign-ins from a new device do not stop the owner's known
// device, while ten more from the new device are slowed.
func TestLoginThrottleSparesTheKnownDevice(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	good := map[string]string{"email": "ada@example.com", "password": pw}
	bad := map[string]string{"email": "ada@example.com", "password": "Wrong-Password-1!"}
	r := e.do("POST", "/v1/sessions", good)
	want(t, "owner's sign-in", r, 201, "")
	known := deviceCookie(t, r)

	// A patient attacker on a new device (no cookie) gets ten failures
	// checked, waiting whenever told to.
	for counted := 0; counted < 10; {
		r := e.do("POST", "/v1/sessions", bad)
		switch r.status {
		case 401:
			want(t, "wrong password", r, 401, "invalid_credentials")
			counted++
		case 429:
			want(t, "throttled", r, 429, "rate_limited")
			secs, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Fatalf("429 with Retry-After %q", r.header.Get("Retry-After"))
			}
			e.clock.Advance(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("wrong password: status %d (body %s)", r.status, r.body)
		}
	}
	// The owner's browser still signs in at once.
	r = e.do("POST", "/v1/sessions", good, "Cookie", known)
	want(t, "known device after ten failures elsewhere", r, 201, "")
	// Ten more from the new device are all slowed, the right password too.
	for i := range 10 {
		r := e.do("POST", "/v1/sessions", bad)
		want(t, fmt.Sprintf("attempt %d from the new device", 11+i), r, 429, "rate_limited")
		if r.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	want(t, "right password from the new device", e.do("POST", "/v1/sessions", good), 429, "rate_limited")
	want(t, "known device again", e.do("POST", "/v1/sessions", good, "Cookie", known), 201, "")
	// A forged cookie is just a new device.
	want(t, "forged device cookie", e.do("POST", "/v1/sessions", good, "Cookie", handler.DeviceCookieName+"=forged.token"), 429, "rate_limited")
}

// An unknown address, a wrong password and a throttled one answer alike.
func TestLoginAnswersRevealNoAccount(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	var got [2][]string
	for i, email := range []string{"ada@example.com", "nobody@example.com"} {
		for range 7 {
			r := e.do("POST", "/v1/sessions", map[string]string{"email": email, "password": "Wrong-Password-1!"})
			m := r.obj(t)
			got[i] = append(got[i], fmt.Sprint(r.status, " ", m["error"], " ", r.header.Get("Retry-After"), " ", len(r.header.Values("Set-Cookie"))))
		}
	}
	if !slices.Equal(got[0], got[1]) {
		t.Errorf("answers for a registered address %v, for an unknown one %v; want the same", got[0], got[1])
	}
	if !slices.Contains(got[0], "429 rate_limited 1 0") {
		t.Errorf("seven wrong passwords at once were not throttled: %v", got[0])
	}
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

// Wrong current passwords count as failed sign-ins: the password change
// is slowed after five, with 429 and Retry-After.
func TestCurrentPasswordThrottled(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	next := "Second-Secret-Pass-8"
	for range 5 {
		r := e.do("PUT", "/v1/me/password", map[string]string{"current": "Wrong-Current-1!", "new": next}, u.auth()...)
		want(t, "wrong current password", r, 422, "invalid_credentials")
	}
	r := e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": next}, u.auth()...)
	want(t, "right current password after five wrong ones", r, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	e.clock.Advance(time.Second)
	want(t, "after the wait", e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": next}, u.auth()...), 204, "")
}

// A header value with a control character (NUL, a bare CR, DEL …) is not
// HTTP: RFC 9110 §5.5 has the recipient reject the message, and Go's
// server answers 400 before any handler runs, so no token is looked up
// and nothing is logged by the handler. Every well-formed Authorization
// header that is not a valid token gets the token API's 403
// {"error":""}; this test pins both sides of that line.
func TestAuthorizationWithControlCharacters(t *testing.T) {
	logw := &syncWriter{b: &bytes.Buffer{}}
	e := newEnv(t, handler.WithLogger(slog.New(slog.NewTextHandler(logw, nil))))
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	raw := func(value string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "GET /v1/api/apps HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nConnection: close\r\n\r\n", addr, value)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("reading the answer to %q: %v", value, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for _, v := range []string{"mxtoken abc\x00def", "\x00", "mxtoken \x01", "mxtoken abc\x7f", "mxtoken a\rb"} {
		if status, body := raw(v); status != http.StatusBadRequest || strings.Contains(body, "mxtoken") {
			t.Errorf("Authorization %q: %d %q, want Go's 400 before any handler", v, status, body)
		}
	}
	if logs := logw.String(); strings.Contains(logs, "/v1/api/apps") {
		t.Errorf("a malformed request reached the handler:\n%s", logs)
	}
	for _, v := range []string{"mxtoken abc\tdef", "mxtoken ÿÿÿ", "mxtoken " + strings.Repeat("a", 300), "Bearer x"} {
		if status, body := raw(v); status != http.StatusForbidden || body != `{"error":""}` {
			t.Errorf("Authorization %q: %d %q, want 403 {\"error\":\"\"}", v, status, body)
		}
	}
}
