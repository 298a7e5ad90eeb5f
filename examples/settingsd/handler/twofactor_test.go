package handler_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

func TestTwoFactor(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	r := e.do("GET", "/v1/me/2fa", nil, u.auth()...)
	want(t, "status", r, 200, "")
	if m := r.obj(t); m["method"] != "none" {
		t.Errorf("status = %v, want method none", m)
	}
	want(t, "confirm before enrolling", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": "123456"}, u.auth()...), 409, "no_enrollment")

	r = e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...)
	want(t, "begin", r, 201, "")
	var enr struct{ Secret, OTPAuthURL, QRPNG string }
	m := r.obj(t)
	enr.Secret, enr.OTPAuthURL, enr.QRPNG = m["secret"].(string), m["otpauth_url"].(string), m["qr_png"].(string)
	if !strings.HasPrefix(enr.OTPAuthURL, "otpauth://totp/") || !strings.Contains(enr.OTPAuthURL, "settingsd-test") {
		t.Errorf("otpauth_url = %q", enr.OTPAuthURL)
	}
	qr, err := base64.StdEncoding.DecodeString(enr.QRPNG)
	if err != nil {
		t.Fatalf("qr_png: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(qr)); err != nil {
		t.Errorf("qr_png is not a PNG: %v", err)
	}
	code := func() string {
		c, err := totp.GenerateCode(enr.Secret, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	want(t, "wrong code", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": "000000"}, u.auth()...), 422, "invalid_code")
	r = e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": code()}, u.auth()...)
	want(t, "confirm", r, 200, "")
	var rec struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.into(t, &rec)
	if len(rec.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes = %v", rec.RecoveryCodes)
	}
	if m := e.do("GET", "/v1/me/2fa", nil, u.auth()...).obj(t); m["method"] != "authenticator" || m["recovery_codes_left"] != 10.0 {
		t.Errorf("status after confirm = %v", m)
	}

	login := func(otp string) resp {
		return e.do("POST", "/v1/sessions", map[string]any{"email": "ada@example.com", "password": pw, "otp": otp, "session_in_body": true})
	}
	want(t, "login without otp", login(""), 401, "second_factor_required")
	want(t, "login with a wrong otp", login("000000"), 401, "invalid_credentials")
	r = e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": "Wrong-Password-1!", "otp": code()})
	want(t, "wrong password, right otp", r, 401, "invalid_credentials")
	e.clock.Advance(30 * time.Second)
	want(t, "login with otp", login(code()), 201, "")
	r = login(rec.RecoveryCodes[0])
	want(t, "login with a recovery code", r, 201, "")
	u.session = r.obj(t)["session"].(string)
	want(t, "recovery code twice", login(rec.RecoveryCodes[0]), 401, "invalid_credentials")

	want(t, "deactivate, wrong password", e.do("DELETE", "/v1/me/2fa", map[string]string{"password": "Nope-nope-123!"}, u.auth()...), 422, "invalid_credentials")
	want(t, "deactivate, no proof", e.do("DELETE", "/v1/me/2fa", map[string]string{}, u.auth()...), 422, "invalid_credentials")
	want(t, "deactivate", e.do("DELETE", "/v1/me/2fa", map[string]string{"password": pw}, u.auth()...), 204, "")
	want(t, "deactivate again", e.do("DELETE", "/v1/me/2fa", map[string]string{"password": pw}, u.auth()...), 409, "not_enabled")
	want(t, "login after deactivation", login(""), 201, "")
}

// TestSecondFactorEndsOtherSessions checks that enrolling and turning off
// the second factor end every other session of the account (the SDK
// tells its Revokers), and adding an account does too; the session that
// made the change stays.
func TestSecondFactorEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	other := e.login("ada@example.com", pw)
	want(t, "other session before enrolling", e.do("GET", "/v1/me/2fa", nil, other.auth()...), 200, "")
	r := e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...)
	want(t, "begin", r, 201, "")
	code, err := totp.GenerateCode(r.obj(t)["secret"].(string), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	want(t, "confirm", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": code}, u.auth()...), 200, "")
	want(t, "this session after enrolling", e.do("GET", "/v1/me/2fa", nil, u.auth()...), 200, "")
	want(t, "other session after enrolling", e.do("GET", "/v1/me/2fa", nil, other.auth()...), 401, "unauthenticated")

	e.clock.Advance(30 * time.Second) // a new TOTP step for the next sign-in
	code, _ = totp.GenerateCode(r.obj(t)["secret"].(string), e.clock.Now())
	lr := e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw, "otp": code})
	want(t, "sign in with the second factor", lr, 201, "")
	var other2 string
	for _, ck := range (&http.Response{Header: lr.header}).Cookies() {
		if ck.Name == handler.CookieName {
			other2 = ck.Value
		}
	}
	want(t, "other session before deactivating", e.do("GET", "/v1/me/2fa", nil, "Authorization", "Session "+other2), 200, "")
	want(t, "other session before deactivating", e.do("GET", "/v1/me/2fa", nil, "Authorization", "Session "+other2), 200, "")
	want(t, "deactivate", e.do("DELETE", "/v1/me/2fa", map[string]string{"password": pw}, u.auth()...), 204, "")
	want(t, "other session after deactivating", e.do("GET", "/v1/me/2fa", nil, "Authorization", "Session "+other2), 401, "unauthenticated")

	other = e.login("ada@example.com", pw)
	want(t, "other session before adding", e.do("GET", "/v1/me/accounts", nil, other.auth()...), 200, "")
	r = e.do("POST", "/v1/me/accounts", map[string]any{"email": "ada.work@example.com", "password": pw, "marketing": false}, u.auth()...)
	want(t, "add", r, 202, "")
	want(t, "confirm the new account", e.do("POST", "/v1/me/accounts/pending/"+r.obj(t)["pending_id"].(string)+"/verify",
		map[string]string{"code": e.code("ada.work@example.com")}, u.auth()...), 201, "")
	want(t, "this session after adding", e.do("GET", "/v1/me/accounts", nil, u.auth()...), 200, "")
	want(t, "other session after adding", e.do("GET", "/v1/me/accounts", nil, other.auth()...), 401, "unauthenticated")
}
