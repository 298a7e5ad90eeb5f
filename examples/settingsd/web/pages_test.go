package web_test

// Tests over plain HTTP of what the forms keep and say between steps.

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
)

var (
	totpKeyRE = regexp.MustCompile(`id="totp-key" class="secret-value">([A-Z2-7 ]+)<`)
	qrRE      = regexp.MustCompile(`<img class="qr" src="data:image/png;base64,iVBOR`)
)

// A wrong code during the authenticator set-up keeps the QR code and the
// key on the page, and the key shown again still turns the factor on.
func TestAuthenticatorWrongCodeKeepsTheKey(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, ada)
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	csrf := c.token("/developer")
	_, body := c.do(http.MethodPost, "/developer/2fa/authenticator", url.Values{"csrf": {csrf}})
	m := totpKeyRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no key on the set-up page")
	}
	key := m[1]
	code, err := totp.GenerateCode(strings.ReplaceAll(key, " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	confirm := func(code, key string) (*http.Response, string) {
		return c.do(http.MethodPost, "/developer/2fa/authenticator/confirm", url.Values{
			"csrf": {csrf}, "code": {code}, "key": {key},
		})
	}
	res, body := confirm(wrong, key)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not right") {
		t.Fatalf("wrong code: %d, want 422 saying the code is not right", res.StatusCode)
	}
	if m := totpKeyRE.FindStringSubmatch(body); m == nil || m[1] != key {
		t.Errorf("after a wrong code the key is %q, want %q", m, key)
	}
	if !qrRE.MatchString(body) {
		t.Error("after a wrong code the QR code is gone")
	}
	if strings.Contains(res.Request.URL.String(), strings.ReplaceAll(key, " ", "")) {
		t.Error("the key is in the URL")
	}
	// A key that is not a TOTP key is not drawn.
	_, body = confirm(wrong, "<b>not a key</b>")
	if totpKeyRE.MatchString(body) || qrRE.MatchString(body) || strings.Contains(html.UnescapeString(body), "<b>not a key") {
		t.Error("a made-up key was shown")
	}
	res, body = confirm(code, key)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="recovery-codes"`) {
		t.Errorf("right code after a wrong one: %d, want 200 with the recovery codes", res.StatusCode)
	}
}

// A sign-up with a bad address and no password flags both fields.
func TestSignUpFlagsEveryField(t *testing.T) {
	_, base := pagesOver(t, usersettings.Options{})
	c := newClient(t, base)
	for _, tc := range []struct{ password, want string }{
		{"", "Enter a password."},
		{"short", "Use at least"},
	} {
		res, body := c.do(http.MethodPost, "/signup", url.Values{
			"csrf": {c.token("/signup")}, "email": {"not an address"}, "password": {tc.password},
		})
		body = html.UnescapeString(body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("password %q: %d, want 422", tc.password, res.StatusCode)
		}
		for _, id := range []string{"f-email-error", "f-password-error"} {
			if !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("password %q: no %s", tc.password, id)
			}
		}
		if !strings.Contains(body, tc.want) {
			t.Errorf("password %q: the page does not say %q", tc.password, tc.want)
		}
	}
}

// The reset page fills in the address the code was asked for, from a
// cookie of that page: never from its URL.
func TestResetCarriesTheEmail(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, ada)
	for _, tc := range []struct{ from, to string }{
		{"/forgot", "/forgot/reset"},
		{"/forgot/recovery", "/forgot/recovery/reset"},
	} {
		c := newClient(t, base)
		res, _ := c.do(http.MethodPost, tc.from, url.Values{"csrf": {c.token(tc.from)}, "email": {ada}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != tc.to {
			t.Fatalf("POST %s: %d to %q, want 303 to %s", tc.from, res.StatusCode, loc, tc.to)
		}
		_, body := c.do(http.MethodGet, tc.to, nil)
		if !regexp.MustCompile(`name="email"[^>]*value="` + regexp.QuoteMeta(ada) + `"`).MatchString(body) {
			t.Errorf("%s does not fill in %s", tc.to, ada)
		}
		if _, body := newClient(t, base).do(http.MethodGet, tc.to, nil); strings.Contains(body, ada) {
			t.Errorf("%s shows the address to another browser", tc.to)
		}
	}
}

// The reset pages say where the code went (the address typed on the step
// before, and no other) and offer to send a new one through the same
// request, which comes back to the code page.
func TestResetPagesResend(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, ada)
	for _, tc := range []struct{ from, to string }{
		{"/forgot", "/forgot/reset"},
		{"/forgot/recovery", "/forgot/recovery/reset"},
	} {
		c := newClient(t, base)
		c.do(http.MethodPost, tc.from, url.Values{"csrf": {c.token(tc.from)}, "email": {ada}})
		_, body := c.do(http.MethodGet, tc.to, nil)
		if !strings.Contains(body, "We sent the code to <strong>"+ada+"</strong>") {
			t.Errorf("%s does not say the code went to %s", tc.to, ada)
		}
		resend := regexp.MustCompile(`<form method="post" action="` + regexp.QuoteMeta(tc.from) + `"[^>]*>[\s\S]*?name="email" value="` + regexp.QuoteMeta(ada) + `"[\s\S]*?Send a new code`)
		if !resend.MatchString(body) {
			t.Errorf("%s has no resend form for %s", tc.to, ada)
			continue
		}
		res, _ := c.do(http.MethodPost, tc.from, url.Values{"csrf": {c.token(tc.to)}, "email": {ada}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != tc.to {
			t.Errorf("resend from %s: %d to %q, want 303 to %s", tc.to, res.StatusCode, loc, tc.to)
		}
		if _, body := newClient(t, base).do(http.MethodGet, tc.to, nil); strings.Contains(body, "Send a new code") || strings.Contains(body, "code-sent-to") {
			t.Errorf("%s offers a resend without an address typed", tc.to)
		}
	}
}
