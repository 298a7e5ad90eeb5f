package handler_test

import (
	"testing"
	"time"
)

// TestResend checks the resend routes: a new code that voids the one
// before, where it went, the first code's throttle, the same answer for
// a decoy sign-up, and 409 pending_expired for an unknown id.
func TestResend(t *testing.T) {
	e := newEnv(t)
	e.signUp("taken@example.com")
	e.clock.Advance(time.Hour)
	r := e.do("POST", "/v1/signup", map[string]any{"email": "ada@example.com", "password": pw})
	id := r.obj(t)["signup_id"].(string)
	first := e.code("ada@example.com")
	e.clock.Advance(time.Second)
	r = e.do("POST", "/v1/signup/"+id+"/resend", nil)
	want(t, "resend", r, 202, "")
	if got := r.obj(t)["sent_to"]; got != "ada@example.com" {
		t.Errorf("sent_to = %v", got)
	}
	if second := e.code("ada@example.com"); second != first {
		want(t, "old code", e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": first}), 422, "invalid_code")
	}
	want(t, "third code", e.do("POST", "/v1/signup/"+id+"/resend", nil), 202, "")
	r = e.do("POST", "/v1/signup/"+id+"/resend", nil)
	want(t, "fourth code", r, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("a throttled resend has no Retry-After")
	}
	want(t, "unknown id", e.do("POST", "/v1/signup/pnd_nothing/resend", nil), 409, "pending_expired")

	// A sign-up of a registered address answers alike.
	r = e.do("POST", "/v1/signup", map[string]any{"email": "taken@example.com", "password": pw})
	decoy := r.obj(t)["signup_id"].(string)
	r = e.do("POST", "/v1/signup/"+decoy+"/resend", nil)
	want(t, "decoy resend", r, 202, "")
	if got := r.obj(t)["sent_to"]; got != "taken@example.com" {
		t.Errorf("decoy sent_to = %v", got)
	}

	// An added account and a login-email change, by their requester.
	u := e.signUp("me@example.com")
	r = e.do("POST", "/v1/me/accounts", map[string]any{"email": "me@work.example", "password": pw}, u.auth()...)
	pending := r.obj(t)["pending_id"].(string)
	r = e.do("POST", "/v1/me/accounts/pending/"+pending+"/resend", nil, u.auth()...)
	want(t, "add-account resend", r, 202, "")
	if got := r.obj(t)["sent_to"]; got != "me@work.example" {
		t.Errorf("add-account sent_to = %v", got)
	}
	r = e.do("POST", "/v1/me/accounts/"+u.accountID+"/email", map[string]any{"email": "me@home.example"}, u.auth()...)
	change := r.obj(t)["pending_id"].(string)
	want(t, "email-change resend", e.do("POST", "/v1/me/accounts/email-changes/"+change+"/resend", nil, u.auth()...), 202, "")
	other := e.signUp("other@example.com")
	want(t, "someone else's", e.do("POST", "/v1/me/accounts/email-changes/"+change+"/resend", nil, other.auth()...), 409, "pending_expired")
	want(t, "signed out", e.do("POST", "/v1/me/accounts/pending/"+pending+"/resend", nil), 401, "unauthenticated")
}
