package handler_test

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
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
