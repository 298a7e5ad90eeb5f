package handler_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

const (
	ssoClient   = "settingsd"
	ssoSecret   = "client secret of settingsd"
	annIdPPassw = "ann's password at the identity provider"
)

// ssoEnv is the server over SQLite with a connection of Acme to a real
// OpenID Provider on loopback, and a browser with a cookie jar that does
// not follow redirects.
type ssoEnv struct {
	*env
	idp     *ssotest.Provider
	browser *http.Client
}

func newSSOEnv(t *testing.T, link sso.LinkPolicy) *ssoEnv {
	t.Helper()
	ctx := context.Background()
	idp, err := ssotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	idp.AddClient(ssoClient, ssoSecret, base+"/v1/sso/callback")
	idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: annIdPPassw, EmailVerified: true, Name: "Ann Smith"})

	st, db, err := sqlite.OpenStore(ctx, filepath.Join(t.TempDir(), "settingsd.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	outbox := &notify.Outbox{Now: c.Now}
	s, err := usersettings.New(st, usersettings.Options{
		Mailer: outbox, Now: c.Now, Dev: true, Scopes: handler.SampleScopes, Issuer: "settingsd-test",
		Hasher:         password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}}),
		SSORedirectURL: base + "/v1/sso/callback",
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = contract(t, handler.New(s, handler.WithDevOutbox(outbox)))
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		_ = st.Close()
		_ = db.Close()
	})
	jar, _ := cookiejar.New(nil)
	e := &ssoEnv{
		env: &env{t: t, srv: srv, clock: c, settings: s}, idp: idp,
		browser: &http.Client{Jar: jar, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
	if _, err := s.SSO.CreateConnection(ctx, sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: idp.Issuer,
		ClientID: ssoClient, ClientSecret: sso.NewSecret(ssoSecret), Link: link,
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// get sends a GET as the browser, without following redirects.
func (e *ssoEnv) get(path string) *http.Response {
	e.t.Helper()
	res, err := e.browser.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// ssoSignIn runs the browser through a whole sign-in and returns the
// session of the cookie set by the callback.
func (e *ssoEnv) ssoSignIn(email, idpPassword, returnTo string) user {
	e.t.Helper()
	res := e.get("/v1/sso/start?" + url.Values{"email": {email}, "return_to": {returnTo}}.Encode())
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), e.idp.Issuer) {
		e.t.Fatalf("start: %s to %q, want 302 to the provider", res.Status, res.Header.Get("Location"))
	}
	back, err := e.idp.Login(e.browser, res.Header.Get("Location"), email, idpPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(back.String(), e.srv.URL+"/v1/sso/callback?") {
		e.t.Fatalf("the provider sent the browser to %s", back)
	}
	res = e.get(strings.TrimPrefix(back.String(), e.srv.URL))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != returnTo {
		e.t.Fatalf("callback: %s to %q, want 303 to %q", res.Status, res.Header.Get("Location"), returnTo)
	}
	var secret string
	for _, c := range res.Cookies() {
		if c.Name == handler.CookieName && c.HttpOnly {
			secret = c.Value
		}
	}
	if secret == "" {
		e.t.Fatal("callback set no HttpOnly session cookie")
	}
	u := user{email: email, session: secret}
	r := e.do("GET", "/v1/me/profile", nil, u.auth()...)
	want(e.t, "profile after single sign-on", r, 200, "")
	u.profileID = r.obj(e.t)["id"].(string)
	return u
}

type ssoAccountBody struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Company  string `json:"company"`
	SSO      bool   `json:"sso"`
	SignedIn bool   `json:"signed_in"`
}

func TestSSOSignIn(t *testing.T) {
	e := newSSOEnv(t, "")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/settings?tab=accounts")
	var list []ssoAccountBody
	r := e.do("GET", "/v1/me/accounts", nil, ann.auth()...)
	want(t, "accounts", r, 200, "")
	r.items(t, &list)
	if len(list) != 1 || !list[0].SSO || list[0].Company != "Acme" || list[0].Email != "ann@acme.example" || !list[0].SignedIn {
		t.Fatalf("accounts = %+v, want one SSO account of Acme", list)
	}
	// The browser's cookie works too.
	res := e.get("/v1/me/accounts")
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/me/accounts with the cookie: %s", res.Status)
	}
	again := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	var list2 []ssoAccountBody
	e.do("GET", "/v1/me/accounts", nil, again.auth()...).items(t, &list2)
	if len(list2) != 1 || list2[0].ID != list[0].ID {
		t.Errorf("second sign-in: accounts %+v, want the same account", list2)
	}

	// A password for an SSO address answers exactly like a wrong password.
	e.signUp("bob@example.com")
	wrong := e.do("POST", "/v1/sessions", map[string]string{"email": "bob@example.com", "password": "Wrong-Password-1"})
	sso := e.do("POST", "/v1/sessions", map[string]string{"email": "ann@acme.example", "password": "Wrong-Password-1"})
	if sso.status != wrong.status || withoutRequestID(sso.body) != withoutRequestID(wrong.body) || sso.status != 401 {
		t.Errorf("password sign-in of an SSO address = %d %s, want exactly %d %s", sso.status, sso.body, wrong.status, wrong.body)
	}
	want(t, "change password", e.do("PUT", "/v1/me/password", map[string]string{"current": "x", "new": pw}, ann.auth()...), 422, "sso_managed")
	want(t, "password reset", e.do("POST", "/v1/password-resets", map[string]string{"email": "ann@acme.example"}), 422, "sso_managed")
	want(t, "reset verify", e.do("POST", "/v1/password-resets/verify", map[string]string{"email": "ann@acme.example", "code": "123456", "new": pw}), 422, "sso_managed")
	want(t, "sign-up", e.do("POST", "/v1/signup", map[string]any{"email": "carl@acme.example", "password": pw}), 422, "sso_required")
	want(t, "create account", e.do("POST", "/v1/me/accounts", map[string]any{"email": "ann@other.example", "password": pw}, ann.auth()...), 422, "sso_required")
	want(t, "2fa enrolment", e.do("POST", "/v1/me/2fa/authenticator", nil, ann.auth()...), 422, "sso_managed")
}

func TestSSOStartRefusals(t *testing.T) {
	e := newSSOEnv(t, "")
	for _, c := range []struct {
		query  url.Values
		status int
		code   string
	}{
		{url.Values{"email": {"ann@acme.example"}, "return_to": {"https://evil.example/"}}, 422, "invalid_return_to"},
		{url.Values{"email": {"ann@acme.example"}, "return_to": {"//evil.example/"}}, 422, "invalid_return_to"},
		{url.Values{"email": {"ann@acme.example"}, "return_to": {"/\\evil.example"}}, 422, "invalid_return_to"},
		{url.Values{"email": {"ann@other.example"}}, 404, "sso_unknown_connection"},
		{url.Values{"email": {"ann@"}}, 422, "invalid_email"},
	} {
		want(t, "start "+c.query.Encode(), e.do("GET", "/v1/sso/start?"+c.query.Encode(), nil), c.status, c.code)
	}
	want(t, "callback without state", e.do("GET", "/v1/sso/callback?code=x", nil), 400, "sso_invalid_state")
	want(t, "callback with a made-up state", e.do("GET", "/v1/sso/callback?code=x&state=abc", nil), 400, "sso_not_bound")
	want(t, "callback with a made-up state and binding", e.do("GET", "/v1/sso/callback?code=x&state=abc", nil,
		"Cookie", sso.BindingCookieName+"=made-up"), 400, "sso_invalid_state")

	// A replayed callback, even with the binding of its start, is refused
	// and starts no session.
	res := e.get("/v1/sso/start?email=ann%40acme.example")
	binding := bindingOf(t, res)
	back, err := e.idp.Login(e.browser, res.Header.Get("Location"), "ann@acme.example", annIdPPassw)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(back.String(), e.srv.URL)
	if res := e.get(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("callback: %s to %s", res.Status, res.Header.Get("Location"))
	}
	r := e.do("GET", path, nil, "Cookie", sso.BindingCookieName+"="+binding)
	want(t, "replayed callback", r, 400, "sso_invalid_state")
	noSession(t, "a replayed callback", r.header)
}

// bindingOf returns the browser binding that a start's answer sets.
func bindingOf(t *testing.T, res *http.Response) string {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == sso.BindingCookieName && c.HttpOnly && c.SameSite == http.SameSiteLaxMode && c.Path == "/v1/sso/callback" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("the start set no binding cookie: %v", res.Header["Set-Cookie"])
	return ""
}

// noSession fails when the answer's header sets a session cookie.
func noSession(t *testing.T, what string, h http.Header) {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == handler.CookieName {
			t.Errorf("%s set the session cookie", what)
		}
	}
}

// Login CSRF: the attacker signs in at the provider as himself, stops
// before the callback and sends its URL to a victim. In the victim's
// browser the callback signs no one in, leaves the victim's own session
// cookie alone and says why; the attacker's flow is not even used up.
func TestSSOLoginCSRF(t *testing.T) {
	e := newSSOEnv(t, "")
	e.idp.AddUser(ssotest.User{ID: "u-mallory", Email: "mallory@acme.example", Password: "mallory-pw", EmailVerified: true})
	victim := e.signUp("victim@example.com")
	res := e.get("/v1/sso/start?email=mallory%40acme.example")
	back, err := e.idp.Login(e.browser, res.Header.Get("Location"), "mallory@acme.example", "mallory-pw")
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(back.String(), e.srv.URL)
	r := e.do("GET", path, nil, victim.auth()...)
	want(t, "the attacker's callback in the victim's browser", r, 400, "sso_not_bound")
	noSession(t, "the attacker's callback in the victim's browser", r.header)
	r = e.do("GET", "/v1/me/profile", nil, victim.auth()...)
	want(t, "the victim's own session afterwards", r, 200, "")
	if res := e.get(path); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the attacker's own browser: %s, want 303 (the flow is still there)", res.Status)
	}
}

// Linking under the verified_email policy, with the notice mailed.
func TestSSOLinksPasswordAccount(t *testing.T) {
	e := newSSOEnv(t, sso.LinkVerifiedEmail)
	ctx := context.Background()
	if err := e.settings.SSO.DeleteConnection(ctx, "acme"); err != nil { // sign up before Acme turns SSO on
		t.Fatal(err)
	}
	old := e.signUp("ann@acme.example")
	if _, err := e.settings.SSO.CreateConnection(ctx, sso.Connection{ID: "acme", Name: "Acme", Domains: []string{"acme.example"},
		Issuer: e.idp.Issuer, ClientID: ssoClient, ClientSecret: sso.NewSecret(ssoSecret)}); err != nil {
		t.Fatal(err)
	}
	want(t, "password sign-in after SSO is on", e.do("POST", "/v1/sessions", map[string]string{"email": old.email, "password": pw}), 401, "invalid_credentials")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	if ann.profileID != old.profileID {
		t.Errorf("single sign-on reached profile %s, want the old %s", ann.profileID, old.profileID)
	}
	var mails []struct{ To, Subject string }
	e.do("GET", "/v1/dev/outbox", nil).items(t, &mails)
	if n := len(mails); n == 0 || mails[n-1].To != "ann@acme.example" || !strings.Contains(mails[n-1].Subject, "single sign-on") {
		t.Errorf("last mail = %+v, want the link notice to ann", mails)
	}
}

// Back-channel logout ends the subject's sessions; a bad token is 400.
func TestSSOBackChannelLogout(t *testing.T) {
	e := newSSOEnv(t, "")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	endpoint := e.srv.URL + "/v1/sso/backchannel-logout/acme"
	status, err := e.idp.BackChannelLogout(e.srv.Client(), endpoint, "another-client", "u-ann")
	if err != nil || status != 400 {
		t.Errorf("logout token for another client: %d, %v; want 400", status, err)
	}
	want(t, "no token", e.do("POST", "/v1/sso/backchannel-logout/acme", []byte{}, "Content-Type", "application/x-www-form-urlencoded"), 400, "invalid_request")
	want(t, "session still valid", e.do("GET", "/v1/me/accounts", nil, ann.auth()...), 200, "")
	status, err = e.idp.BackChannelLogout(e.srv.Client(), endpoint, ssoClient, "u-ann")
	if err != nil || status != 200 {
		t.Fatalf("back-channel logout: %d, %v; want 200", status, err)
	}
	want(t, "session after logout", e.do("GET", "/v1/me/accounts", nil, ann.auth()...), 401, "unauthenticated")

	// The same token again (a replay, captured on the way) is refused and
	// ends no session started since.
	tok, err := e.idp.LogoutToken(ssoClient, "u-ann")
	if err != nil {
		t.Fatal(err)
	}
	post := func() resp {
		return e.do("POST", "/v1/sso/backchannel-logout/acme", []byte(url.Values{"logout_token": {tok}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	want(t, "a fresh logout token", post(), 200, "")
	again := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	want(t, "the replayed logout token", post(), 400, "invalid_request")
	want(t, "the session started after the first logout", e.do("GET", "/v1/me/accounts", nil, again.auth()...), 200, "")
}

// A logout token that names only the provider's session ("sid", no
// "sub", as OpenID Connect Back-Channel Logout allows) ends the session
// that the ID token with that sid started, and no other.
func TestSSOBackChannelLogoutBySid(t *testing.T) {
	e := newSSOEnv(t, "")
	first := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	sid := e.idp.SessionOf("ann@acme.example")
	second := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	if sid == "" || e.idp.SessionOf("ann@acme.example") == sid {
		t.Fatalf("provider sessions %q then %q, want two different ones", sid, e.idp.SessionOf("ann@acme.example"))
	}
	tok, err := e.idp.LogoutTokenOf(ssoClient, "", sid)
	if err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/v1/sso/backchannel-logout/acme", []byte(url.Values{"logout_token": {tok}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	want(t, "a sid-only logout token", r, 200, "")
	want(t, "the session of that provider session", e.do("GET", "/v1/me/accounts", nil, first.auth()...), 401, "unauthenticated")
	want(t, "the session of the other provider session", e.do("GET", "/v1/me/accounts", nil, second.auth()...), 200, "")
}

// A deactivated SSO account's PAT gets the token API's 403 {"error":""}
// at once, and its sessions end.
func TestSSODeactivatedPAT(t *testing.T) {
	e := newSSOEnv(t, "")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	r := e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, ann.auth()...)
	want(t, "create PAT", r, 201, "")
	pat, _ := r.obj(t)["token"].(string)
	if pat == "" {
		t.Fatalf("no token in %s", r.body)
	}
	want(t, "PAT before deactivation", e.do("GET", "/v1/api/apps", nil, "Authorization", "mxtoken "+pat), 200, "")
	var list []ssoAccountBody
	e.do("GET", "/v1/me/accounts", nil, ann.auth()...).items(t, &list)
	if err := e.settings.Accounts.AdminDeactivate(context.Background(), auth.Admin{ID: "support", Reason: "test"}, list[0].ID); err != nil {
		t.Fatal(err)
	}
	r = e.do("GET", "/v1/api/apps", nil, "Authorization", "mxtoken "+pat)
	if r.status != 403 || string(r.body) != `{"error":""}` {
		t.Errorf("PAT after deactivation: %d %s, want 403 {\"error\":\"\"}", r.status, r.body)
	}
	want(t, "session after deactivation", e.do("GET", "/v1/me/accounts", nil, ann.auth()...), 401, "unauthenticated")
	res := e.get("/v1/sso/start?email=ann%40acme.example")
	back, err := e.idp.Login(e.browser, res.Header.Get("Location"), "ann@acme.example", annIdPPassw)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "single sign-on of the deactivated account", e.do("GET", strings.TrimPrefix(back.String(), e.srv.URL), nil,
		"Cookie", sso.BindingCookieName+"="+bindingOf(t, res)), 403, "sso_account_inactive")
}

// The documented path for SSO people: sign in through the provider (a new
// account and profile), then merge that profile into the old one with the
// normal merge flow; the code goes to the SSO address.
func TestSSOMergeIntoOldProfile(t *testing.T) {
	e := newSSOEnv(t, "")
	old := e.signUp("ann@home.example")
	ann := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	if ann.profileID == old.profileID {
		t.Fatal("the SSO account joined the old profile at once")
	}
	r := e.do("POST", "/v1/me/merges", map[string]string{"email": "ann@acme.example"}, old.auth()...)
	want(t, "start merge", r, 201, "")
	id := r.obj(t)["id"].(string)
	e.clock.Advance(2 * time.Minute)
	want(t, "send code", e.do("POST", "/v1/me/merges/"+id+"/code", map[string]int{"address": 0}, old.auth()...), 202, "")
	code := e.code("ann@acme.example") // mailed to the SSO address
	want(t, "verify", e.do("POST", "/v1/me/merges/"+id+"/verify", map[string]string{"code": code}, old.auth()...), 200, "")
	want(t, "commit", e.do("POST", "/v1/me/merges/"+id+"/commit", nil, old.auth()...), 200, "")
	var list []ssoAccountBody
	e.do("GET", "/v1/me/accounts", nil, old.auth()...).items(t, &list)
	if len(list) != 2 {
		t.Fatalf("accounts after the merge = %+v, want both", list)
	}
	for _, a := range list {
		if a.SSO != (a.Email == "ann@acme.example") {
			t.Errorf("account %s: sso %v", a.Email, a.SSO)
		}
	}
	// Single sign-on now reaches the merged profile.
	again := e.ssoSignIn("ann@acme.example", annIdPPassw, "/")
	if again.profileID != old.profileID {
		t.Errorf("single sign-on after the merge reached %s, want %s", again.profileID, old.profileID)
	}
}

// withoutRequestID returns an error body with its request ID blanked, the
// one part that differs between two answers that must be alike.
func withoutRequestID(body []byte) string {
	return requestIDRE.ReplaceAllString(string(body), `"request_id":""`)
}

var requestIDRE = regexp.MustCompile(`"request_id":"[^"]*"`)
