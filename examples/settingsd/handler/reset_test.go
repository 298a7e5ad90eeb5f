package handler_test

import (
	"strings"
	"testing"
	"time"
)

// TestPasswordResetRevokesTokensAndKeys: a password reset is an account
// recovery, so a personal access token and an API key created before it
// get 403 {"error":""} from /v1/api/apps right after it, the security log
// shows each revocation and the reset with the client's address, and the
// reset's notice lists them. A password change keeps them.
func TestPasswordResetRevokesTokensAndKeys(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	r := e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci deploy", "scopes": []string{"mx:app:read"}}, u.auth()...)
	want(t, "token", r, 201, "")
	pat := r.obj(t)["token"].(string)
	r = e.do("POST", "/v1/me/api-keys", map[string]string{"description": "build server"}, u.auth()...)
	want(t, "api key", r, 201, "")
	key := r.obj(t)["key"].(string)
	withPAT := []string{"Authorization", "mxtoken " + pat}
	withKey := []string{"Mendix-Username", "ada@example.com", "Mendix-ApiKey", key}

	want(t, "PAT before the change", e.do("GET", "/v1/api/apps", nil, withPAT...), 200, "")
	want(t, "API key before the change", e.do("GET", "/v1/api/apps", nil, withKey...), 200, "")
	const changed = "Changed-Good-Pass-8"
	want(t, "password change", e.do("PUT", "/v1/me/password", map[string]string{"current": pw, "new": changed}, u.auth()...), 204, "")
	want(t, "PAT after a password change", e.do("GET", "/v1/api/apps", nil, withPAT...), 200, "")
	want(t, "API key after a password change", e.do("GET", "/v1/api/apps", nil, withKey...), 200, "")

	e.clock.Advance(2 * time.Minute)
	want(t, "request", e.do("POST", "/v1/password-resets", map[string]string{"email": "ada@example.com"}), 202, "")
	r = e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ada@example.com", "code": e.code("ada@example.com"), "new": "Another-Good-Pass-7"})
	want(t, "reset", r, 204, "")
	for name, hd := range map[string][]string{"PAT": withPAT, "API key": withKey} {
		r := e.do("GET", "/v1/api/apps", nil, hd...)
		if r.status != 403 || string(r.body) != `{"error":""}` {
			t.Errorf("%s after the reset: %d %s, want 403 {\"error\":\"\"}", name, r.status, r.body)
		}
	}

	var outbox struct {
		Items []struct{ To, Subject, Body string }
	}
	e.do("GET", "/v1/dev/outbox", nil).into(t, &outbox)
	var m struct{ To, Subject, Body string }
	for _, it := range outbox.Items {
		if it.To == "ada@example.com" {
			m = it
		}
	}
	if m.Subject != "Your password was reset" ||
		!strings.Contains(m.Body, "- personal access token \"ci deploy\"\n") || !strings.Contains(m.Body, "- API key \"build server\"\n") {
		t.Errorf("reset notice %q:\n%s\nwant the revoked token and key listed", m.Subject, m.Body)
	}

	after := e.login("ada@example.com", "Another-Good-Pass-7")
	var page securityPage
	e.do("GET", "/v1/me/security-log", nil, after.auth()...).into(t, &page)
	seen := map[string]bool{}
	for _, ev := range page.Events {
		switch ev.Kind {
		case "password_reset", "token_deleted", "api_key_deleted", "token_first_used":
			seen[ev.Kind+" "+ev.Detail] = true
			if ev.IP == "" || ev.Device == "" {
				t.Errorf("%s event without a client: %+v", ev.Kind, ev)
			}
		}
	}
	for _, k := range []string{"password_reset through an emailed code", "token_deleted ci deploy", "api_key_deleted build server"} {
		if !seen[k] {
			t.Errorf("security log lacks %q: %v", k, seen)
		}
	}
}
