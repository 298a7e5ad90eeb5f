package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

var recoveryCodeRE = regexp.MustCompile(`\b[A-Z2-7]{5}-[A-Z2-7]{5}\b`)

// The Developer Settings page warns at 3 or fewer recovery codes left,
// regenerates them with the password behind a fresh sign-in, shows the new
// ones once and offers them as a text file, from a POST.
func TestRegenerateRecoveryCodes(t *testing.T) {
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, base := pagesOver(t, usersettings.Options{Now: clock.Now})
	a := confirmedAccount(t, s, ada)
	ctx := context.Background()
	_, old := enrolAuthenticator(t, s, a.ID, clock.Now())
	_, secret, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	u, _ := url.Parse(base)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: handler.CookieName, Value: secret.Reveal(), Path: "/"}})

	_, body := c.do(http.MethodGet, "/developer", nil)
	if !strings.Contains(body, `action="/developer/2fa/recovery-codes"`) || !strings.Contains(body, "Regenerate recovery codes") {
		t.Fatal("no regenerate form on the Developer Settings page")
	}
	if strings.Contains(body, `id="few-codes"`) {
		t.Error("a warning with 10 recovery codes left")
	}
	for _, rc := range old[:7] {
		if err := s.TwoFactor.Verify(ctx, a.ID, rc, auth.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	_, body = c.do(http.MethodGet, "/developer", nil)
	if !strings.Contains(body, `id="few-codes"`) || !strings.Contains(body, "Only 3 recovery codes are left.") {
		t.Error("no warning with 3 recovery codes left")
	}

	csrf := c.token("/developer")
	regen := func(password string) (*http.Response, string) {
		return c.do(http.MethodPost, "/developer/2fa/recovery-codes", url.Values{"csrf": {csrf}, "regen_password": {password}})
	}
	if res, body := regen("wrong password"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The password is not right.") {
		t.Errorf("wrong password: %d, want 422 saying so", res.StatusCode)
	}
	res, body := regen(pw)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "You have new recovery codes") {
		t.Fatalf("regenerate: %d, want 200 with the new codes", res.StatusCode)
	}
	if recoveryCodeRE.MatchString(res.Request.URL.String()) {
		t.Errorf("codes in the URL %s", res.Request.URL)
	}
	fresh := recoveryCodeRE.FindAllString(html.UnescapeString(body), -1)
	if len(fresh) < 10 {
		t.Fatalf("the answer shows %d codes, want 10", len(fresh))
	}
	fresh = fresh[:10]
	if st, _ := s.TwoFactor.Status(ctx, signedIn(s, a.ID)); st.RecoveryCodesLeft != 10 {
		t.Errorf("codes left after regenerating: %d, want 10", st.RecoveryCodesLeft)
	}
	if err := s.TwoFactor.Verify(ctx, a.ID, old[9], auth.Client{}); err == nil {
		t.Error("an old code still works")
	}

	// The download: a POST answered with an attachment holding the codes.
	if !strings.Contains(body, `action="/developer/2fa/recovery-codes/download"`) {
		t.Fatal("no download form with the new codes")
	}
	res, file := c.do(http.MethodPost, "/developer/2fa/recovery-codes/download", url.Values{"csrf": {csrf}, "codes": {strings.Join(fresh, " ")}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("download: %d %q %q %q", res.StatusCode, res.Header.Get("Content-Disposition"), res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	for _, rc := range fresh {
		if !strings.Contains(file, rc+"\r\n") {
			t.Errorf("the file lacks %s", rc)
		}
	}
	if !strings.HasPrefix(file, "Recovery codes for ") {
		t.Errorf("the file begins %.40q, want its English heading", file)
	}
	// In the person's language: Dutch for a Dutch browser.
	if _, nl := c.do(http.MethodPost, "/developer/2fa/recovery-codes/download", url.Values{"csrf": {csrf}, "codes": {strings.Join(fresh, " ")}},
		"Accept-Language", "nl-NL,nl;q=0.9"); !strings.HasPrefix(nl, "Herstelcodes voor ") {
		t.Errorf("Dutch download begins %.40q, want its Dutch heading", nl)
	}
	for _, junk := range []string{"<script>alert(1)</script>", "", strings.Repeat("AAAAA-AAAAA ", 11)} {
		if res, _ := c.do(http.MethodPost, "/developer/2fa/recovery-codes/download", url.Values{"csrf": {csrf}, "codes": {junk}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("download of %.20q: %d, want 400", junk, res.StatusCode)
		}
	}
	if res, _ := c.do(http.MethodPost, "/developer/2fa/recovery-codes/download", url.Values{"codes": {fresh[0]}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("download without the CSRF token: %d, want 403", res.StatusCode)
	}

	// A stale sign-in confirms the password first and changes nothing.
	clock.Advance(time.Hour + time.Second)
	res, _ = regen(pw)
	if want := "/reauth?next=" + url.QueryEscape("/developer"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Errorf("stale regenerate: %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), want)
	}
	if err := s.TwoFactor.Verify(ctx, a.ID, fresh[0], auth.Client{}); err != nil {
		t.Errorf("a stale regenerate replaced the codes: %v", err)
	}
}
