package handler_test

import (
	"net/http"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

type sessionBody struct {
	ID              string    `json:"id"`
	Current         bool      `json:"current"`
	Method          string    `json:"method"`
	Device          string    `json:"device"`
	IP              string    `json:"ip"`
	CreatedAt       time.Time `json:"created_at"`
	LastSeenAt      time.Time `json:"last_seen_at"`
	AuthenticatedAt time.Time `json:"authenticated_at"`
}

const firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

// loginFrom signs in as an API client with the User-Agent.
func (e *env) loginFrom(email, userAgent string) user {
	e.t.Helper()
	r := e.do("POST", "/v1/sessions", map[string]any{"email": email, "password": pw, "session_in_body": true}, "User-Agent", userAgent)
	want(e.t, "login "+email, r, 201, "")
	m := r.obj(e.t)
	return user{email: email, session: m["session"].(string), sessionID: m["session_id"].(string), csrf: m["csrf_token"].(string),
		accountID: m["account_id"].(string), profileID: m["profile_id"].(string)}
}

func TestSessions(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.clock.Advance(time.Minute)
	other := e.loginFrom("ada@example.com", firefoxUA)
	bob := e.signUp("bob@example.com")
	e.clock.Advance(2 * time.Minute)
	want(t, "use the first session", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "") // seen last

	var list []sessionBody
	e.do("GET", "/v1/me/sessions", nil, u.auth()...).items(t, &list)
	if len(list) != 2 || !list[0].Current || list[1].Current || list[0].ID != u.sessionID || list[1].ID != other.sessionID {
		t.Fatalf("sessions = %+v, want ada's two, this one current and first (seen last)", list)
	}
	if s := list[1]; s.Device != "Firefox on Linux" || s.IP != "127.0.0.1" || s.Method != "password" ||
		s.CreatedAt.IsZero() || !s.LastSeenAt.Equal(s.CreatedAt) || !s.AuthenticatedAt.Equal(s.CreatedAt) {
		t.Errorf("the Firefox session = %+v", s)
	}
	if s := list[0]; s.Device != "Go HTTP client" || !s.LastSeenAt.After(s.CreatedAt) {
		t.Errorf("the current session = %+v, want the Go client, seen after sign-in", s)
	}
	want(t, "bob's session", e.do("DELETE", "/v1/me/sessions/"+bob.sessionID, nil, u.auth()...), 404, "not_found")
	want(t, "unknown session", e.do("DELETE", "/v1/me/sessions/ses_nope", nil, u.auth()...), 404, "not_found")
	want(t, "bob still signed in", e.do("GET", "/v1/me/profile", nil, bob.auth()...), 200, "")

	want(t, "end the other", e.do("DELETE", "/v1/me/sessions/"+other.sessionID, nil, u.auth()...), 204, "")
	want(t, "other signed out", e.do("GET", "/v1/me/profile", nil, other.auth()...), 401, "unauthenticated")
	e.do("GET", "/v1/me/sessions", nil, u.auth()...).items(t, &list)
	if len(list) != 1 || list[0].ID != u.sessionID {
		t.Errorf("sessions after ending one = %+v", list)
	}
	r := e.do("DELETE", "/v1/me/sessions/"+u.sessionID, nil, u.auth()...)
	want(t, "end this one", r, 204, "")
	if c := cookieOf(t, r); c.MaxAge >= 0 {
		t.Errorf("ending the current session keeps the cookie: %+v", c)
	}
	want(t, "signed out", e.do("GET", "/v1/me/sessions", nil, u.auth()...), 401, "unauthenticated")
}

// TestEndOtherSessions checks DELETE /v1/me/sessions/others: refused to a
// stale session until it re-authenticates, then it ends every other
// session of the account and keeps the current one.
func TestEndOtherSessions(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	other := e.login("ada@example.com", pw)
	third := e.login("ada@example.com", pw)
	bob := e.signUp("bob@example.com")

	e.clock.Advance(61 * time.Minute) // past -fresh-for (1h)
	want(t, "stale session", e.do("DELETE", "/v1/me/sessions/others", nil, u.auth()...), 403, "reauthentication_required")
	want(t, "others untouched", e.do("GET", "/v1/me/profile", nil, other.auth()...), 200, "")
	want(t, "reauthenticate", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}, u.auth()...), 200, "")
	want(t, "end others", e.do("DELETE", "/v1/me/sessions/others", nil, u.auth()...), 204, "")
	for name, s := range map[string]user{"other": other, "third": third} {
		want(t, name+" signed out", e.do("GET", "/v1/me/profile", nil, s.auth()...), 401, "unauthenticated")
	}
	want(t, "current kept", e.do("GET", "/v1/me/profile", nil, u.auth()...), 200, "")
	want(t, "bob kept", e.do("GET", "/v1/me/profile", nil, bob.auth()...), 200, "")
	var list []sessionBody
	e.do("GET", "/v1/me/sessions", nil, u.auth()...).items(t, &list)
	if len(list) != 1 || list[0].ID != u.sessionID || !list[0].Current {
		t.Errorf("sessions after ending the others = %+v", list)
	}
}

// TestReauthenticate checks POST /v1/me/reauthenticate: a stale session
// is refused a sensitive route, proves the password (and code) again, and
// is fresh afterwards; wrong proofs change nothing.
func TestReauthenticate(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	e.clock.Advance(2 * time.Hour)
	token := map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}
	want(t, "stale token creation", e.do("POST", "/v1/me/tokens", token, u.auth()...), 403, "reauthentication_required")
	want(t, "wrong password", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": "Wrong-Password-1!"}, u.auth()...), 401, "invalid_credentials")
	want(t, "still stale", e.do("POST", "/v1/me/tokens", token, u.auth()...), 403, "reauthentication_required")
	want(t, "not signed in", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}), 401, "unauthenticated")

	r := e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}, append(u.auth(), "User-Agent", firefoxUA)...)
	want(t, "reauthenticate", r, 200, "")
	var got sessionBody
	r.into(t, &got)
	if got.ID != u.sessionID || !got.Current || got.Method != "password" || !got.AuthenticatedAt.Equal(e.clock.Now()) ||
		!got.CreatedAt.Equal(e.clock.Now().Add(-2*time.Hour)) || got.Device != "Firefox on Linux" {
		t.Errorf("reauthenticated session = %+v", got)
	}
	want(t, "fresh token creation", e.do("POST", "/v1/me/tokens", token, u.auth()...), 201, "")
	e.clock.Advance(61 * time.Minute)
	want(t, "stale again an hour later", e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot"}, u.auth()...), 403, "reauthentication_required")

	// With two-factor authentication on, the code is needed too.
	want(t, "reauthenticate again", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}, u.auth()...), 200, "")
	r = e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...)
	secret := r.obj(t)["secret"].(string)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	want(t, "enrol", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": code}, u.auth()...), 200, "")
	e.clock.Advance(2 * time.Hour)
	want(t, "no code", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}, u.auth()...), 401, "second_factor_required")
	want(t, "wrong code", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw, "otp": "000000"}, u.auth()...), 401, "invalid_credentials")
	code, _ = totp.GenerateCode(secret, e.clock.Now())
	r = e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw, "otp": code}, u.auth()...)
	want(t, "with the code", r, 200, "")
	if r.into(t, &got); got.Method != "password+second_factor" {
		t.Errorf("method after re-authentication with a code = %q", got.Method)
	}
	want(t, "fresh after the code", e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot"}, u.auth()...), 201, "")
}

// TestPasswordResetEndsSessions: a session from before a password reset
// gets 401 afterwards, on every account of the profile that was reset.
func TestPasswordResetEndsSessions(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	browser := e.loginFrom("ada@example.com", firefoxUA)
	bob := e.signUp("bob@example.com")
	e.clock.Advance(2 * time.Minute)
	want(t, "request", e.do("POST", "/v1/password-resets", map[string]string{"email": "ada@example.com"}), 202, "")
	r := e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ada@example.com", "code": e.code("ada@example.com"), "new": "Another-Good-Pass-7"})
	want(t, "reset", r, 204, "")
	want(t, "pre-reset session", e.do("GET", "/v1/me/profile", nil, u.auth()...), 401, "unauthenticated")
	want(t, "pre-reset browser session", e.do("GET", "/v1/me/sessions", nil, browser.auth()...), 401, "unauthenticated")
	want(t, "another person's session", e.do("GET", "/v1/me/profile", nil, bob.auth()...), 200, "")
	after := e.login("ada@example.com", "Another-Good-Pass-7")
	want(t, "a new sign-in", e.do("GET", "/v1/me/profile", nil, after.auth()...), 200, "")
}

// TestLocation checks the Location of the answers 201 that name a
// resource one can read back.
func TestLocation(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/v1/signup", map[string]any{"email": "ada@example.com", "password": pw})
	id := r.obj(t)["signup_id"].(string)
	r = e.do("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": e.code("ada@example.com")})
	want(t, "verify", r, 201, "")
	acct := r.obj(t)["account_id"].(string)
	if loc := r.header.Get("Location"); loc != "/v1/me/accounts/"+acct {
		t.Errorf("sign-up Location = %q", loc)
	}
	r = e.do("POST", "/v1/sessions", map[string]any{"email": "ada@example.com", "password": pw, "session_in_body": true})
	want(t, "login", r, 201, "")
	u := user{session: r.obj(t)["session"].(string)}
	if loc := r.header.Get("Location"); loc != "/v1/me/sessions/"+r.obj(t)["session_id"].(string) {
		t.Errorf("login Location = %q, session_id %v", loc, r.obj(t)["session_id"])
	}
	r = e.do("GET", "/v1/me/accounts/"+acct, nil, u.auth()...)
	want(t, "the account", r, 200, "")
	if r.obj(t)["email"] != "ada@example.com" || r.obj(t)["signed_in"] != true {
		t.Errorf("account = %s", r.body)
	}
	bob := e.signUp("bob@example.com")
	want(t, "another profile's account", e.do("GET", "/v1/me/accounts/"+bob.accountID, nil, u.auth()...), 404, "not_found")

	r = e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, u.auth()...)
	want(t, "token", r, 201, "")
	want(t, "token at its Location", e.do("GET", r.header.Get("Location"), nil, u.auth()...), 200, "")
	r = e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot"}, u.auth()...)
	want(t, "api key", r, 201, "")
	want(t, "api key at its Location", e.do("DELETE", r.header.Get("Location"), nil, u.auth()...), 204, "")
	r = e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...)
	want(t, "enrolment", r, 201, "")
	want(t, "enrolment at its Location", e.do("GET", r.header.Get("Location"), nil, u.auth()...), 200, "")
}

var smsCodeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastSMS returns the code of the last text to the phone, read from
// GET /v1/dev/sms.
func (e *env) lastSMS(phone string) string {
	e.t.Helper()
	var msgs []struct {
		To     string    `json:"to"`
		Text   string    `json:"text"`
		SentAt time.Time `json:"sent_at"`
	}
	e.do("GET", "/v1/dev/sms", nil).items(e.t, &msgs)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := smsCodeRE.FindStringSubmatch(msgs[i].Text); msgs[i].To == phone && m != nil && !msgs[i].SentAt.IsZero() {
			return m[1]
		}
	}
	e.t.Fatalf("no text to %s", phone)
	return ""
}

func TestSMSTwoFactor(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	if m := e.do("GET", "/v1/me/2fa", nil, u.auth()...).obj(t); m["sms_available"] != true {
		t.Errorf("status = %v, want sms_available", m)
	}
	want(t, "bad phone", e.do("POST", "/v1/me/2fa/sms", map[string]string{"phone": "0612345678"}, u.auth()...), 422, "invalid_phone")
	const phone = "+31612345678"
	want(t, "begin", e.do("POST", "/v1/me/2fa/sms", map[string]string{"phone": phone}, u.auth()...), 202, "")
	want(t, "again at once", e.do("POST", "/v1/me/2fa/sms", map[string]string{"phone": phone}, u.auth()...), 429, "too_soon")
	want(t, "wrong code", e.do("POST", "/v1/me/2fa/sms/confirm", map[string]string{"code": "000000"}, u.auth()...), 422, "invalid_code")
	r := e.do("POST", "/v1/me/2fa/sms/confirm", map[string]string{"code": e.lastSMS(phone)}, u.auth()...)
	want(t, "confirm", r, 200, "")
	var rec struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.into(t, &rec)
	if m := e.do("GET", "/v1/me/2fa", nil, u.auth()...).obj(t); m["method"] != "sms" || m["phone"] != "+31*******78" || len(rec.RecoveryCodes) != 10 {
		t.Errorf("status after SMS enrolment = %v, %d recovery codes", m, len(rec.RecoveryCodes))
	}

	// Sign in: password, then a texted code.
	creds := map[string]string{"email": "ada@example.com", "password": pw}
	want(t, "login without code", e.do("POST", "/v1/sessions", creds), 401, "second_factor_required")
	want(t, "text with a wrong password", e.do("POST", "/v1/sessions/sms",
		map[string]string{"email": "ada@example.com", "password": "Wrong-Password-1!"}), 401, "invalid_credentials")
	e.clock.Advance(time.Minute)
	want(t, "text a code", e.do("POST", "/v1/sessions/sms", creds), 202, "")
	code := e.lastSMS(phone)
	want(t, "login with the code", e.do("POST", "/v1/sessions",
		map[string]string{"email": "ada@example.com", "password": pw, "otp": code}), 201, "")
	want(t, "the code twice", e.do("POST", "/v1/sessions",
		map[string]string{"email": "ada@example.com", "password": pw, "otp": code}), 401, "invalid_credentials")

	e.signUp("bob@example.com")
	e.clock.Advance(time.Minute)
	want(t, "text to an account without SMS", e.do("POST", "/v1/sessions/sms",
		map[string]string{"email": "bob@example.com", "password": pw}), 409, "not_enabled")

	// Without an SMS sender the method is unavailable.
	noSMS := newEnvWithoutSMS(t)
	q := noSMS.signUp("ada@example.com")
	if m := noSMS.do("GET", "/v1/me/2fa", nil, q.auth()...).obj(t); m["sms_available"] != false {
		t.Errorf("status without SMS = %v", m)
	}
	want(t, "SMS unavailable", noSMS.do("POST", "/v1/me/2fa/sms", map[string]string{"phone": phone}, q.auth()...), 409, "sms_unavailable")
	want(t, "no dev SMS route", noSMS.do("GET", "/v1/dev/sms", nil), 404, "not_found")
}

func TestRecoveryCodesRoute(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	want(t, "without 2FA", e.do("POST", "/v1/me/2fa/recovery-codes", map[string]string{"password": pw}, u.auth()...), 409, "not_enabled")
	r := e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...)
	secret := r.obj(t)["secret"].(string)
	code, _ := totp.GenerateCode(secret, e.clock.Now())
	var first struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": code}, u.auth()...).into(t, &first)

	want(t, "no proof", e.do("POST", "/v1/me/2fa/recovery-codes", map[string]string{}, u.auth()...), 422, "invalid_credentials")
	want(t, "wrong password", e.do("POST", "/v1/me/2fa/recovery-codes", map[string]string{"password": "Wrong-Password-1!"}, u.auth()...), 422, "invalid_credentials")
	r = e.do("POST", "/v1/me/2fa/recovery-codes", map[string]string{"password": pw}, u.auth()...)
	want(t, "regenerate", r, 200, "")
	var fresh struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.into(t, &fresh)
	if len(fresh.RecoveryCodes) != 10 || fresh.RecoveryCodes[0] == first.RecoveryCodes[0] {
		t.Fatalf("new codes = %v", fresh.RecoveryCodes)
	}
	login := func(otp string) resp {
		return e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw, "otp": otp})
	}
	want(t, "an old code", login(first.RecoveryCodes[1]), 401, "invalid_credentials")
	want(t, "a new code", login(fresh.RecoveryCodes[1]), 201, "")
}

func TestClientIPBehind(t *testing.T) {
	f := handler.ClientIPBehind([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	for _, c := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.9:5000", nil, "203.0.113.9"},
		{"203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"}, // an untrusted peer cannot claim another address
		{"10.0.0.2:5000", nil, "10.0.0.2"},
		{"10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"10.0.0.2:5000", []string{"1.2.3.4, 198.51.100.1, 10.0.0.7"}, "198.51.100.1"}, // spoofed left part ignored
		{"10.0.0.2:5000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"10.0.0.2:5000", []string{"garbage, 10.0.0.9"}, "10.0.0.9"},
		{"10.0.0.2:5000", []string{"10.0.0.8, 10.0.0.9"}, "10.0.0.8"},
		{"[::1]:5000", []string{"2001:db8::5"}, "2001:db8::5"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := f(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: got %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

// TestReauthAfterSeconds ages a session in seconds with a short
// reauthentication age (settingsd -fresh-for 2s): sensitive operations
// are refused three seconds after sign-in, by the SDK (an API key, ending
// the other sessions) and by the handler (a merge), and allowed again
// right after re-authenticating.
func TestReauthAfterSeconds(t *testing.T) {
	e := newEnvFreshFor(t, 2*time.Second)
	u := e.signUp("ada@example.com")
	other := e.login("ada@example.com", pw)
	want(t, "fresh after sign-in", e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot"}, u.auth()...), 201, "")
	e.clock.Advance(3 * time.Second)
	want(t, "an API key three seconds later", e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot 2"}, u.auth()...), 403, "reauthentication_required")
	want(t, "end others three seconds later", e.do("DELETE", "/v1/me/sessions/others", nil, u.auth()...), 403, "reauthentication_required")
	want(t, "a merge three seconds later", e.do("POST", "/v1/me/merges", map[string]string{"email": "bob@example.com"}, u.auth()...), 403, "reauthentication_required")
	want(t, "not sensitive", e.do("GET", "/v1/me/api-keys", nil, u.auth()...), 200, "")
	want(t, "reauthenticate", e.do("POST", "/v1/me/reauthenticate", map[string]string{"password": pw}, u.auth()...), 200, "")
	want(t, "an API key, fresh again", e.do("POST", "/v1/me/api-keys", map[string]string{"description": "bot 2"}, u.auth()...), 201, "")
	want(t, "end others, fresh again", e.do("DELETE", "/v1/me/sessions/others", nil, u.auth()...), 204, "")
	want(t, "the other session ended", e.do("GET", "/v1/me/profile", nil, other.auth()...), 401, "unauthenticated")
}
