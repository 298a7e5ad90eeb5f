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
