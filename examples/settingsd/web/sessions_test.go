package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
)

// startSessionFrom signs the account in through the SDK, from a client
// with the User-Agent, and returns the session's secret.
func (e *env) startSessionFrom(email, userAgent string) string {
	e.t.Helper()
	_, secret, err := e.settings.Sessions.Start(context.Background(), session.Begin{
		AccountID: e.account(email).ID, Method: auth.MethodPassword, Client: auth.Client{IP: "203.0.113.5", UserAgent: userAgent},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret.Reveal()
}

// wantEnded checks that the session of the secret no longer signs in.
func (e *env) wantEnded(secret, what string) {
	e.t.Helper()
	if _, err := e.settings.Sessions.Validate(context.Background(), secret); !errors.Is(err, session.ErrInvalidSession) {
		e.t.Errorf("%s: Validate = %v, want the session ended", what, err)
	}
}

// TestEndSessionOfAnotherAccount: the sign-out button of a session
// answers 404 for a session id that is not the person's, and ends
// nothing.
func TestEndSessionOfAnotherAccount(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	bobs := e.startSessionFrom(bob, "curl/8.0")
	bobSes, err := e.settings.Sessions.Validate(context.Background(), bobs)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e.srv.URL)
	c.signIn(ada, pw, "")
	tok := c.token("/sessions")
	for _, id := range []string{bobSes.ID, "ses_unknown"} {
		if res, _ := c.do(http.MethodPost, "/sessions/"+id+"/end", url.Values{"csrf": {tok}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("ending %s: %d, want 404", id, res.StatusCode)
		}
	}
	if _, err := e.settings.Sessions.Validate(context.Background(), bobs); err != nil {
		t.Errorf("bob's session ended by ada: %v", err)
	}
	if res, _ := c.do(http.MethodPost, "/sessions/others", url.Values{"csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign out others with a forged CSRF token: %d, want 403", res.StatusCode)
	}
}

// TestBrowserSessions walks the Sessions page: the devices, one sign-out,
// "Sign out all other sessions" through the password prompt when the
// sign-in is an hour old, and signing this device out.
func TestBrowserSessions(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	e.clock.Advance(time.Minute)
	phone := e.startSessionFrom(ada, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
	bobs := e.startSessionFrom(bob, "curl/8.0")

	res := b.visit("/sessions")
	b.wantPage(res, 200, "Sessions")
	if n := eval[int](b, `document.querySelectorAll("#sessions .rows li").length`); n != 2 {
		t.Fatalf("%d sessions listed, want ada's 2", n)
	}
	b.wantText("#sessions .rows li:first-child", "Safari on iPhone", "203.0.113.5")
	b.wantText("#sessions .rows li:last-child", "This device", "Chrome")
	b.page("sessions")

	res = b.load("sign the phone out", chromedp.Click(chromedp.CSS("#sessions .rows li:first-child button")))
	b.wantPage(res, 200, "Sessions")
	b.wantText(".notice", "That session is signed out.")
	b.wantText("#sessions", "You have no other sessions.")
	e.wantEnded(phone, "the phone signed out")

	laptop := e.startSessionFrom(ada, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	tablet := e.startSessionFrom(ada, "curl/8.0")
	e.clock.Advance(61 * time.Minute) // the sign-in is stale now
	b.visit("/sessions")
	res = b.load("sign out others", chromedp.Click(chromedp.CSS("form[action='/sessions/others'] button")))
	b.wantPage(res, 200, "Confirm it is you")
	if _, err := e.settings.Sessions.Validate(context.Background(), laptop); err != nil {
		t.Fatalf("a stale sign-in ended the other sessions: %v", err)
	}
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", "Wrong-Password-1!")
	b.wantPage(res, 401, "Confirm it is you")
	b.wantFieldError("f-password", "not right")
	b.wantText("#reauth-action", "sign out your other sessions")
	// The password confirmed, the action is done: no second click.
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw)
	b.wantPage(res, 200, "Sessions")
	b.wantText(".notice", "Your other sessions are signed out.")
	b.wantText("#sessions", "You have no other sessions.")
	e.wantEnded(laptop, "the laptop after sign out others")
	e.wantEnded(tablet, "the tablet after sign out others")
	if _, err := e.settings.Sessions.Validate(context.Background(), bobs); err != nil {
		t.Errorf("another person's session ended: %v", err)
	}

	res = b.load("sign this device out", chromedp.Click(chromedp.CSS("#sessions .rows li button")))
	b.wantPage(res, 200, "Sign in")
	b.wantText(".notice", "You are signed out.")
}
