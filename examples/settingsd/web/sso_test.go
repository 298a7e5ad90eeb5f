package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// TestSSOSignIn walks the pages' company sign-in against a real OpenID
// Provider on loopback: the sign-in page's form goes to the provider, the
// JSON API's callback starts the session and sends the browser to a page
// that moves on to next by itself (so the SameSite=Strict cookie goes
// with a navigation that starts on this site), and the profile page then
// shows the signed-in person. An address without a connection gets the
// reason next to the field.
func TestSSOSignIn(t *testing.T) {
	idp, err := ssotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	idp.AddClient("settingsd", "client-secret", base+"/v1/sso/callback")
	idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: "IdP-Password-1", EmailVerified: true, Name: "Ann"})
	s := testSettings(t, memory.New(), usersettings.Options{SSORedirectURL: base + "/v1/sso/callback"})
	if _, err := s.SSO.CreateConnection(context.Background(), sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: idp.Issuer,
		ClientID: "settingsd", ClientSecret: sso.NewSecret("client-secret"),
	}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", handler.New(s))
	mux.Handle("/", web.New(s))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		res, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(body)
	}

	_, page := get(srv.URL + "/signin?next=%2Fprofile")
	if !strings.Contains(page, `action="/signin/sso"`) || !strings.Contains(page, "Sign in with your company") {
		t.Fatal("the sign-in page offers no company sign-in")
	}
	res, _ := get(srv.URL + "/signin/sso?" + url.Values{"sso_email": {"ann@acme.example"}, "next": {"/profile"}}.Encode())
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), idp.Issuer) {
		t.Fatalf("company sign-in: %s to %q, want 302 to the provider", res.Status, res.Header.Get("Location"))
	}
	back, err := idp.Login(browser, res.Header.Get("Location"), "ann@acme.example", "IdP-Password-1")
	if err != nil {
		t.Fatal(err)
	}
	res, _ = get(back.String())
	done := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(done, "/signin/sso/done?") {
		t.Fatalf("callback: %s to %q, want 303 to the pages' landing", res.Status, done)
	}
	res, page = get(srv.URL + done)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `http-equiv="refresh" content="0; url=/profile"`) ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("landing: %s, Cache-Control %q, body %s; want a refresh to /profile", res.Status, res.Header.Get("Cache-Control"), page)
	}
	res, page = get(srv.URL + "/profile")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "ann@acme.example") {
		t.Fatalf("profile after company sign-in: %s; want the page of ann@acme.example", res.Status)
	}

	res, page = get(srv.URL + "/signin/sso?" + url.Values{"sso_email": {"bob@example.com"}, "next": {"/profile"}}.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "does not sign in through its own identity provider") ||
		!strings.Contains(page, `aria-invalid="true"`) {
		t.Errorf("address without a connection: %s; want 422 with the reason at the field", res.Status)
	}
	// An empty or malformed address is asked for again, by the field's
	// label in the summary, not told that its company has no connection.
	for email, want := range map[string]string{"": "Enter your work email address", "not an address": "Enter an email address"} {
		res, page := get(srv.URL + "/signin/sso?" + url.Values{"sso_email": {email}, "next": {"/profile"}}.Encode())
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, want) ||
			strings.Contains(page, "does not sign in") || strings.Contains(page, "sso_email:") ||
			!strings.Contains(page, "Work email address: "+want) {
			t.Errorf("company sign-in with %q: %s; want 422 saying %q under its label", email, res.Status, want)
		}
	}
	// A next that leaves the site is not followed.
	for _, foreign := range []string{"https://evil.example/", "//evil.example/"} {
		res, page := get(srv.URL + "/signin/sso/done?next=" + url.QueryEscape(foreign))
		if res.StatusCode != http.StatusOK || strings.Contains(page, "evil.example") {
			t.Errorf("landing with next=%s: %s, names it: %v", foreign, res.Status, strings.Contains(page, "evil.example"))
		}
	}
}
