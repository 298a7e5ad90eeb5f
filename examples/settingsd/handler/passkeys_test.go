package handler_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/passkey/passkeytest"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// ceremonyAnswer is the answer of a route that begins a passkey
// ceremony.
type ceremonyAnswer struct {
	CeremonyID  string          `json:"ceremony_id"`
	Options     json.RawMessage `json:"options"`
	ExpiresAt   time.Time       `json:"expires_at"`
	AccountID   string          `json:"account_id"`
	DeviceToken string          `json:"device_token"`
}

// passkeyOf is a passkey as the routes show it.
type passkeyOf struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Transports []string  `json:"transports"`
	AAGUID     string    `json:"aaguid"`
}

// setCookie returns the cookie of the name that the answer set.
func setCookie(t *testing.T, r resp, name string) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cookie %s in %q", name, r.header.Values("Set-Cookie"))
	return nil
}

// currentSession returns how the user's session signed in.
func currentSession(t *testing.T, e *env, u user) string {
	t.Helper()
	var list []struct {
		Method  string
		Current bool
	}
	e.do("GET", "/v1/me/sessions", nil, u.auth()...).items(t, &list)
	for _, s := range list {
		if s.Current {
			return s.Method
		}
	}
	t.Fatalf("sessions %+v: none is current", list)
	return ""
}

// registerPasskey registers a passkey of the authenticator for the
// user through the API and returns it.
func (e *env) registerPasskey(u user, a *passkeytest.Authenticator, name string) passkeyOf {
	e.t.Helper()
	r := e.do("POST", "/v1/me/passkeys/begin", nil, u.auth()...)
	want(e.t, "begin registration", r, 200, "")
	var c ceremonyAnswer
	r.into(e.t, &c)
	cred, err := a.Create(c.Options)
	if err != nil {
		e.t.Fatal(err)
	}
	r = e.do("POST", "/v1/me/passkeys", map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(cred), "name": name}, u.auth()...)
	want(e.t, "finish registration", r, 201, "")
	var p passkeyOf
	r.into(e.t, &p)
	return p
}

// TestPasskeyManagement registers, lists, renames and removes a passkey
// over the JSON API: registering and removing need a fresh session,
// another account's passkey is not found, and a ceremony is used once.
func TestPasskeyManagement(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	a := passkeytest.New(passkeyOrigin)

	r := e.do("POST", "/v1/me/passkeys/begin", nil, u.auth()...)
	want(t, "begin", r, 200, "")
	var c ceremonyAnswer
	r.into(t, &c)
	var opts struct {
		PublicKey struct {
			RP struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				Name string `json:"name"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(c.Options, &opts); err != nil || opts.PublicKey.RP.ID != passkeyRPID || opts.PublicKey.User.Name != "ada@example.com" ||
		c.CeremonyID == "" || !c.ExpiresAt.After(e.clock.Now()) {
		t.Fatalf("begin = %s (%v); want the options for %s and the ceremony", r.body, err, passkeyRPID)
	}
	cred, err := a.Create(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	finish := map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(cred), "name": "Laptop"}
	want(t, "bob finishes ada's ceremony", e.do("POST", "/v1/me/passkeys", finish, bob.auth()...), 409, "ceremony_expired")
	r = e.do("POST", "/v1/me/passkeys/begin", nil, u.auth()...)
	r.into(t, &c)
	cred, _ = a.Create(c.Options)
	finish = map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(cred), "name": strings.Repeat("x", 65)}
	want(t, "a name too long", e.do("POST", "/v1/me/passkeys", finish, u.auth()...), 422, "invalid_passkey_name")
	p := e.registerPasskey(u, a, "Laptop")
	if p.Name != "Laptop" || p.ID == "" || !p.LastUsedAt.IsZero() || p.AAGUID == "" || len(p.Transports) == 0 {
		t.Errorf("registered passkey = %+v", p)
	}

	var list []passkeyOf
	e.do("GET", "/v1/me/passkeys", nil, u.auth()...).items(t, &list)
	if len(list) != 1 || list[0].ID != p.ID {
		t.Fatalf("passkeys = %+v, want the one registered", list)
	}
	e.do("GET", "/v1/me/passkeys", nil, bob.auth()...).items(t, &list)
	if len(list) != 0 {
		t.Fatalf("bob's passkeys = %+v, want none", list)
	}
	r = e.do("PATCH", "/v1/me/passkeys/"+p.ID, map[string]string{"name": "Work laptop"}, u.auth()...)
	want(t, "rename", r, 200, "")
	if r.into(t, &p); p.Name != "Work laptop" {
		t.Errorf("renamed = %+v", p)
	}
	want(t, "rename to nothing", e.do("PATCH", "/v1/me/passkeys/"+p.ID, map[string]string{"name": "  "}, u.auth()...), 422, "invalid_passkey_name")
	want(t, "bob renames it", e.do("PATCH", "/v1/me/passkeys/"+p.ID, map[string]string{"name": "Mine"}, bob.auth()...), 404, "not_found")
	want(t, "bob removes it", e.do("DELETE", "/v1/me/passkeys/"+p.ID, nil, bob.auth()...), 404, "not_found")

	// An hour later the session is stale: registering and removing need
	// a re-authentication, which the passkey itself gives.
	e.clock.Advance(2 * time.Hour)
	want(t, "stale begin", e.do("POST", "/v1/me/passkeys/begin", nil, u.auth()...), 403, "reauthentication_required")
	want(t, "stale remove", e.do("DELETE", "/v1/me/passkeys/"+p.ID, nil, u.auth()...), 403, "reauthentication_required")
	r = e.do("POST", "/v1/me/reauthenticate/passkey/begin", nil, u.auth()...)
	want(t, "begin re-authentication", r, 200, "")
	r.into(t, &c)
	assertion, err := a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	reauth := map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(assertion)}
	want(t, "bob uses ada's re-authentication", e.do("POST", "/v1/me/reauthenticate/passkey", reauth, bob.auth()...), 409, "ceremony_expired")
	r = e.do("POST", "/v1/me/reauthenticate/passkey/begin", nil, u.auth()...)
	r.into(t, &c)
	assertion, _ = a.Get(c.Options)
	reauth = map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(assertion)}
	r = e.do("POST", "/v1/me/reauthenticate/passkey", reauth, u.auth()...)
	want(t, "re-authenticate", r, 200, "")
	if m := r.obj(t); m["method"] != "passkey" {
		t.Errorf("re-authenticated session = %v, want method passkey", m)
	}
	want(t, "the same answer again", e.do("POST", "/v1/me/reauthenticate/passkey", reauth, u.auth()...), 409, "ceremony_expired")
	want(t, "bob has no passkey", e.do("POST", "/v1/me/reauthenticate/passkey/begin", nil, bob.auth()...), 409, "no_passkey")

	want(t, "remove", e.do("DELETE", "/v1/me/passkeys/"+p.ID, nil, u.auth()...), 204, "")
	e.do("GET", "/v1/me/passkeys", nil, u.auth()...).items(t, &list)
	if len(list) != 0 {
		t.Fatalf("passkeys after the removal = %+v", list)
	}
	want(t, "remove again", e.do("DELETE", "/v1/me/passkeys/"+p.ID, nil, u.auth()...), 404, "not_found")
}

// TestPasskeySignIn signs in without a password: a browser keeps the
// ceremony in the pre-authentication cookie and gets the session cookie,
// an API client keeps both in the body; a replayed answer, an answer from
// another origin and a removed passkey are refused.
func TestPasskeySignIn(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	a := passkeytest.New(passkeyOrigin)
	p := e.registerPasskey(u, a, "Phone")

	// A browser: the ceremony's ID only in the cookie.
	r := e.do("POST", "/v1/sessions/passkey/begin", nil)
	want(t, "begin", r, 200, "")
	var c ceremonyAnswer
	r.into(t, &c)
	ck := setCookie(t, r, handler.PasskeyCookieName)
	if c.CeremonyID != "" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge <= 0 || ck.MaxAge > 300 ||
		ck.Path != "/v1/sessions/passkey" || strings.Contains(string(r.body), ck.Value) {
		t.Fatalf("begin = %s, cookie %+v; want the ID only in a short HttpOnly, SameSite=Strict cookie", r.body, ck)
	}
	assertion, err := a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	answer := map[string]any{"response": json.RawMessage(assertion)}
	want(t, "finish without the cookie", e.do("POST", "/v1/sessions/passkey", answer), 409, "ceremony_expired")
	r = e.do("POST", "/v1/sessions/passkey/begin", nil)
	r.into(t, &c)
	cookie := []string{"Cookie", handler.PasskeyCookieName + "=" + setCookie(t, r, handler.PasskeyCookieName).Value}
	assertion, _ = a.Get(c.Options)
	answer = map[string]any{"response": json.RawMessage(assertion)}
	r = e.do("POST", "/v1/sessions/passkey", answer, cookie...)
	want(t, "finish", r, 201, "")
	if m := r.obj(t); m["account_id"] != u.accountID || m["session"] != nil {
		t.Errorf("sign-in answer = %v, want ada's session, its secret not in the body", m)
	}
	if s := setCookie(t, r, handler.CookieName); !s.HttpOnly || len(s.Value) != 43 {
		t.Errorf("session cookie = %+v", s)
	}
	if gone := setCookie(t, r, handler.PasskeyCookieName); gone.MaxAge >= 0 {
		t.Errorf("pre-authentication cookie after the sign-in = %+v, want it deleted", gone)
	}
	want(t, "a replay", e.do("POST", "/v1/sessions/passkey", answer, cookie...), 409, "ceremony_expired")

	// An API client: the ceremony and the session in the body.
	signIn := func(a *passkeytest.Authenticator) resp {
		r := e.do("POST", "/v1/sessions/passkey/begin", map[string]bool{"ceremony_in_body": true})
		want(t, "begin in body", r, 200, "")
		if len(r.header.Values("Set-Cookie")) != 0 {
			t.Fatalf("begin with ceremony_in_body set %q", r.header.Values("Set-Cookie"))
		}
		var c ceremonyAnswer
		r.into(t, &c)
		assertion, err := a.Get(c.Options)
		if err != nil {
			t.Fatal(err)
		}
		return e.do("POST", "/v1/sessions/passkey", map[string]any{"ceremony_id": c.CeremonyID, "response": json.RawMessage(assertion), "session_in_body": true})
	}
	r = signIn(a)
	want(t, "API sign-in", r, 201, "")
	m := r.obj(t)
	api := user{session: m["session"].(string)}
	if m := currentSession(t, e, api); m != "passkey" {
		t.Errorf("the session's method = %q, want passkey", m)
	}
	if m["device_token"] == nil {
		t.Errorf("API sign-in answer = %v, want a device token", m)
	}

	elsewhere := passkeytest.New("http://evil.example")
	for _, c := range a.Credentials() {
		elsewhere.Import(c)
	}
	want(t, "another origin", signIn(elsewhere), 401, "invalid_credentials")
	want(t, "remove", e.do("DELETE", "/v1/me/passkeys/"+p.ID, nil, u.auth()...), 204, "")
	want(t, "a removed passkey", signIn(a), 401, "invalid_credentials")
}

// TestPasskeySecondFactor signs in with the password and a passkey as the
// second factor of an account with an authenticator app; another
// account's passkey is refused at that step.
func TestPasskeySecondFactor(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	secret := e.do("POST", "/v1/me/2fa/authenticator", nil, u.auth()...).obj(t)["secret"].(string)
	want(t, "confirm", e.do("POST", "/v1/me/2fa/authenticator/confirm", map[string]string{"code": mustTOTP(t, secret, e.clock.Now())}, u.auth()...), 200, "")
	a := passkeytest.New(passkeyOrigin)
	e.registerPasskey(u, a, "Laptop")
	bobs := passkeytest.New(passkeyOrigin)
	e.registerPasskey(bob, bobs, "Bob's")

	begin := func(password string) resp {
		return e.do("POST", "/v1/sessions/passkey/second-factor/begin", map[string]any{"email": "ada@example.com", "password": password, "ceremony_in_body": true})
	}
	want(t, "a wrong password", begin("Wrong-Password-1!"), 401, "invalid_credentials")
	r := begin(pw)
	want(t, "begin", r, 200, "")
	var c ceremonyAnswer
	r.into(t, &c)
	if c.AccountID != u.accountID || c.CeremonyID == "" || c.DeviceToken == "" || !strings.Contains(string(c.Options), "allowCredentials") {
		t.Fatalf("begin = %s; want ada's account, the ceremony, a device token and her passkeys allowed", r.body)
	}
	// Bob's passkey answers ada's step: refused, and the ceremony is used.
	creds := bobs.Credentials()
	var ch struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(c.Options, &ch); err != nil {
		t.Fatal(err)
	}
	forged, err := bobs.Assert(creds[0], ch.PublicKey.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	finish := func(c ceremonyAnswer, assertion []byte) resp {
		return e.do("POST", "/v1/sessions/passkey/second-factor", map[string]any{
			"account_id": c.AccountID, "ceremony_id": c.CeremonyID, "response": json.RawMessage(assertion), "session_in_body": true,
		})
	}
	want(t, "another account's passkey", finish(c, forged), 401, "invalid_credentials")

	r = begin(pw)
	r.into(t, &c)
	assertion, err := a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	other := c
	other.AccountID = bob.accountID
	want(t, "the step of another account", finish(other, assertion), 409, "ceremony_expired")
	r = begin(pw)
	r.into(t, &c)
	assertion, _ = a.Get(c.Options)
	r = finish(c, assertion)
	want(t, "finish", r, 201, "")
	ses := user{session: r.obj(t)["session"].(string)}
	if m := currentSession(t, e, ses); m != "password+second_factor" {
		t.Errorf("the session's method = %q, want a second factor", m)
	}
	r = e.do("POST", "/v1/sessions/passkey/second-factor/begin", map[string]any{"email": "bob@example.com", "password": pw})
	want(t, "a browser's begin", r, 200, "")
	setCookie(t, r, handler.PasskeyCookieName)
	setCookie(t, r, handler.DeviceCookieName)

	carol := e.signUp("carol@example.com")
	_ = carol
	want(t, "an account without passkeys",
		e.do("POST", "/v1/sessions/passkey/second-factor/begin", map[string]any{"email": "carol@example.com", "password": pw}), 409, "no_passkey")
}

// TestPasskeysUnavailable checks that a server without a relying party
// answers every passkey ceremony 503 passkeys_unavailable.
func TestPasskeysUnavailable(t *testing.T) {
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract(t, handler.New(s)))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv}
	want(t, "begin a sign-in", e.do("POST", "/v1/sessions/passkey/begin", nil), 503, "passkeys_unavailable")
	want(t, "finish a sign-in", e.do("POST", "/v1/sessions/passkey", map[string]any{"response": map[string]any{}}), 503, "passkeys_unavailable")
}
