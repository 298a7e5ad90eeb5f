package handler_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// codeWith reads the code of the newest mail to the address with the
// subject from GET /v1/dev/outbox.
func (e *env) codeWith(to, subject string) string {
	e.t.Helper()
	var outbox struct {
		Items []struct{ To, Subject, Body string }
	}
	r := e.do("GET", "/v1/dev/outbox", nil)
	want(e.t, "outbox", r, 200, "")
	r.into(e.t, &outbox)
	for i := len(outbox.Items) - 1; i >= 0; i-- {
		if m := outbox.Items[i]; m.To == to && m.Subject == subject {
			if c, ok := usersettingstest.FindMailCode(m.Body); ok {
				return c
			}
		}
	}
	e.t.Fatalf("no mail %q to %s", subject, to)
	return ""
}

// A stranger sends a thousand requests over an hour from rotating IP
// addresses against one address: wrong passwords, reset requests, unlock
// requests and sign-ups of the address with wrong codes. The owner's
// reset request and valid code still work, the owner's API client that
// signed in before keeps signing in with its device_token, and a new
// client gets in through the emailed unlock; the stranger's password
// checks stay bounded.
func TestStrangerCannotLockOwnerOutOverHTTP(t *testing.T) {
	e := newEnv(t, handler.WithClientIP(func(r *http.Request) string { return r.Header.Get("X-Test-IP") }))
	const addr = "owner@example.com"
	e.signUp(addr)
	ip := func(i int) []string { return []string{"X-Test-IP", fmt.Sprintf("198.51.%d.%d", i/250, i%250)} }
	owner := []string{"X-Test-IP", "192.0.2.1"}
	password := pw
	signIn := func(device string) resp {
		body := map[string]any{"email": addr, "password": password, "session_in_body": true}
		if device != "" {
			body["device_token"] = device
		}
		return e.do("POST", "/v1/sessions", body, owner...)
	}
	r := signIn("")
	want(t, "owner's API client signs in", r, 201, "")
	known, _ := r.obj(t)["device_token"].(string)
	if known == "" {
		t.Fatalf("a session_in_body sign-in has no device_token: %s", r.body)
	}

	checks := 0
	const requests = 1000
	for i := range requests {
		switch i % 5 {
		case 0, 1:
			r := e.do("POST", "/v1/sessions", map[string]any{"email": addr, "password": fmt.Sprintf("Guess-%d-pw!", i)}, ip(i)...)
			if r.status == 401 {
				checks++
			} else {
				want(t, "attack sign-in", r, 429, "rate_limited")
			}
		case 2:
			want(t, "attack reset request", e.do("POST", "/v1/password-resets", map[string]string{"email": addr}, ip(i)...), 202, "")
		case 3:
			want(t, "attack unlock request", e.do("POST", "/v1/sessions/unlock", map[string]string{"email": addr}, ip(i)...), 202, "")
		case 4:
			r := e.do("POST", "/v1/signup", map[string]any{"email": addr, "password": pw}, ip(i)...)
			if r.status == 202 {
				id := r.obj(t)["signup_id"].(string)
				want(t, "attack sign-up code", e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": "123456"}, ip(i)...), 422, "invalid_code")
			} else {
				want(t, "attack sign-up", r, 429, "rate_limited")
			}
		}
		e.clock.Advance(time.Hour / requests)

		switch i {
		case requests / 2:
			want(t, "owner's reset request", e.do("POST", "/v1/password-resets", map[string]string{"email": addr}, owner...), 202, "")
			next := "New-Owner-Pass-42"
			want(t, "owner's reset with the newest code mailed", e.do("POST", "/v1/password-resets/verify",
				map[string]string{"email": addr, "code": e.codeWith(addr, "Reset your password"), "new": next}, owner...), 204, "")
			password = next
		case requests * 3 / 4, requests - 1:
			want(t, "owner's API client with its device_token", signIn(known), 201, "")
			want(t, "owner's new client during the attack", signIn(""), 429, "rate_limited")
			want(t, "owner's unlock request", e.do("POST", "/v1/sessions/unlock", map[string]string{"email": addr}, owner...), 202, "")
			r := e.do("POST", "/v1/sessions/unlock/verify", map[string]string{"email": addr, "code": e.codeWith(addr, "Unlock your sign-in")}, owner...)
			want(t, "owner's unlock", r, 200, "")
			device, _ := r.obj(t)["device_token"].(string)
			r = signIn(device)
			want(t, "owner's new client after the unlock", r, 201, "")
			if d, _ := r.obj(t)["device_token"].(string); d == "" {
				t.Errorf("sign-in after the unlock has no device_token: %s", r.body)
			}
		}
	}
	// The address's counter lets 5 guesses through at once, then one per
	// back-off step (10 in 17 minutes), then one every 15 minutes.
	t.Logf("password checks the stranger got in an hour: %d", checks)
	if checks < 5 || checks > 19 {
		t.Errorf("the stranger got %d password checks in an hour, want 5 to 19", checks)
	}
	want(t, "a wrong unlock code", e.do("POST", "/v1/sessions/unlock/verify", map[string]string{"email": addr, "code": "000000"}, owner...), 422, "invalid_code")
}
