package handler_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// TestMergeStartRevealsNothing checks that POST /v1/me/merges answers
// byte for byte the same, but for the flow's id, for an address of a
// registered profile with a verified recovery email and for an address
// of nobody.
func TestMergeStartRevealsNothing(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	want(t, "bob's recovery email", e.do("PATCH", "/v1/me/profile", map[string]string{"recovery_email": "bob@home.example"}, bob.auth()...), 200, "")
	want(t, "bob confirms it", e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": e.code("bob@home.example")}, bob.auth()...), 200, "")

	start := func(email string) (body []byte, location string) {
		r := e.do("POST", "/v1/me/merges", map[string]string{"email": email}, ada.auth()...)
		want(t, "start "+email, r, 201, "")
		id, _ := r.obj(t)["id"].(string)
		if id == "" {
			t.Fatalf("no id in %s", r.body)
		}
		return bytes.ReplaceAll(r.body, []byte(id), []byte("ID")), strings.ReplaceAll(r.header.Get("Location"), id, "ID")
	}
	known, knownLoc := start("bob@example.com")
	unknown, unknownLoc := start("bxx@example.com")
	if !bytes.Equal(known, unknown) || knownLoc != unknownLoc {
		t.Errorf("start answers differ:\nregistered %s (%s)\nunknown    %s (%s)", known, knownLoc, unknown, unknownLoc)
	}
	if !bytes.Contains(known, []byte(`"b***@example.com"`)) || bytes.Contains(known, []byte("home.example")) {
		t.Errorf("start answer %s: want the masked address typed and nothing of the recovery email", known)
	}
}

// TestRecoveryEmailFlow checks the recovery email over HTTP: a PATCH
// makes it pending (shown as such, mailed a code), a pending address gets
// no merge code, and confirming it makes it the recovery email and tells
// the old one.
func TestRecoveryEmailFlow(t *testing.T) {
	e := newEnv(t)
	ada := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")

	r := e.do("PATCH", "/v1/me/profile", map[string]string{"recovery_email": "bob@home.example"}, bob.auth()...)
	want(t, "set", r, 200, "")
	if p := r.obj(t); p["recovery_email"] != "" || p["pending_recovery_email"] != "bob@home.example" {
		t.Fatalf("after PATCH: recovery_email %v, pending_recovery_email %v", p["recovery_email"], p["pending_recovery_email"])
	}
	pending := e.code("bob@home.example")

	// A merge towards Bob cannot use the pending address.
	r = e.do("POST", "/v1/me/merges", map[string]string{"email": "bob@example.com"}, ada.auth()...)
	want(t, "start", r, 201, "")
	flow := r.obj(t)["id"].(string)
	want(t, "code to the recovery choice", e.do("POST", "/v1/me/merges/"+flow+"/code", map[string]int{"address": 1}, ada.auth()...), 202, "")
	if got := e.code("bob@home.example"); got != pending {
		t.Fatalf("a merge code went to the pending recovery email")
	}
	want(t, "no code to verify", e.do("POST", "/v1/me/merges/"+flow+"/verify", map[string]string{"code": pending}, ada.auth()...), 422, "invalid_code")

	want(t, "wrong code", e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": "000000"}, bob.auth()...), 422, "invalid_code")
	want(t, "someone else confirms", e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": pending}, ada.auth()...), 422, "invalid_code")
	r = e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": pending}, bob.auth()...)
	want(t, "confirm", r, 200, "")
	if p := r.obj(t); p["recovery_email"] != "bob@home.example" || p["pending_recovery_email"] != "" {
		t.Fatalf("after confirm: %v / %v", p["recovery_email"], p["pending_recovery_email"])
	}

	// A change: the old address keeps working until the new one is
	// confirmed, and then gets a notice.
	e.clock.Advance(2 * time.Minute)
	want(t, "change", e.do("PATCH", "/v1/me/profile", map[string]string{"recovery_email": "bob@new.example"}, bob.auth()...), 200, "")
	want(t, "confirm the change", e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": e.code("bob@new.example")}, bob.auth()...), 200, "")
	var outbox struct {
		Items []struct{ To, Subject, Body string }
	}
	e.do("GET", "/v1/dev/outbox", nil).into(t, &outbox)
	last := outbox.Items[len(outbox.Items)-1]
	if last.To != "bob@home.example" || !strings.Contains(last.Subject, "recovery email was changed") || usersettingstest.HasMailCode(last.Body) {
		t.Errorf("last mail = %+v, want a notice without code to the old recovery email", last)
	}
}

// TestRecoveryPasswordReset checks the reset through the verified
// recovery email: the same 202 for an address that is none, a mail that
// names the account, the reset by the account's address, and the end of
// the account's sessions.
func TestRecoveryPasswordReset(t *testing.T) {
	e := newEnv(t)
	bob := e.signUp("bob@example.com")
	want(t, "set", e.do("PATCH", "/v1/me/profile", map[string]string{"recovery_email": "bob@home.example"}, bob.auth()...), 200, "")
	pending := e.code("bob@home.example")
	want(t, "request through a pending address", e.do("POST", "/v1/password-resets/recovery", map[string]string{"email": "bob@home.example"}), 202, "")
	want(t, "request through nobody's address", e.do("POST", "/v1/password-resets/recovery", map[string]string{"email": "nobody@home.example"}), 202, "")
	if got := e.code("bob@home.example"); got != pending {
		t.Fatal("a reset code went to a pending recovery email")
	}
	want(t, "confirm", e.do("POST", "/v1/me/recovery-email/confirm", map[string]string{"code": pending}, bob.auth()...), 200, "")

	e.clock.Advance(2 * time.Minute)
	want(t, "request", e.do("POST", "/v1/password-resets/recovery", map[string]string{"email": "bob@home.example"}), 202, "")
	var outbox struct {
		Items []struct{ To, Subject, Body string }
	}
	e.do("GET", "/v1/dev/outbox", nil).into(t, &outbox)
	last := outbox.Items[len(outbox.Items)-1]
	if last.To != "bob@home.example" || !strings.Contains(last.Body, "bob@example.com") {
		t.Fatalf("reset mail = %+v, want one to the recovery email naming the account", last)
	}
	code := e.code("bob@home.example")
	const next = "Brand-New-Secret-42"
	body := map[string]string{"email": "bob@home.example", "account": "other@example.com", "code": code, "new": next}
	want(t, "another account", e.do("POST", "/v1/password-resets/recovery/verify", body), 422, "invalid_code")
	body["account"] = "bob@example.com"
	want(t, "reset", e.do("POST", "/v1/password-resets/recovery/verify", body), 204, "")
	want(t, "a session from before the reset", e.do("GET", "/v1/me/profile", nil, bob.auth()...), 401, "unauthenticated")
	e.login("bob@example.com", next)
}
