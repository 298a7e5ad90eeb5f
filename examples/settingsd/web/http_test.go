package web_test

// Tests over plain HTTP, without a browser: headers, CSRF, cookies,
// redirects and the second-factor ticket.

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/web"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// client is a cookie-keeping HTTP client that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request; form values are sent urlencoded; headers are name,
// value pairs.
func (c *client) do(method, path string, form url.Values, headers ...string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns the anti-CSRF token of the page's forms.
func (c *client) token(path string) string {
	c.t.Helper()
	_, body := c.do(http.MethodGet, path, nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// signIn signs in through the form and returns the answer.
func (c *client) signIn(email, password, next string) *http.Response {
	c.t.Helper()
	res, _ := c.do(http.MethodPost, "/signin", url.Values{
		"csrf": {c.token("/signin")}, "email": {email}, "password": {password}, "next": {next},
	})
	return res
}

func TestHeaders(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.srv.URL)
	res, body := c.do(http.MethodGet, "/signin", nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET /signin: %d", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	for name, want := range map[string]string{
		"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Content-Type": "text/html; charset=utf-8",
	} {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, " style=") || regexp.MustCompile(`<script(?: [^>]*)?>[^<]`).MatchString(body) {
		t.Error("the page has inline style or script")
	}
	res, _ = c.do(http.MethodGet, "/static/style.css", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = c.do(http.MethodGet, "/no/such/page", nil)
	if res.StatusCode != 404 {
		t.Errorf("unknown page: %d, want 404", res.StatusCode)
	}
}

func TestSessionCookieSharedWithAPI(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	c := newClient(t, e.srv.URL)
	res := c.signIn(ada, pw, "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var ses *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == handler.CookieName {
			ses = ck
		}
	}
	if ses == nil || !ses.HttpOnly || ses.SameSite != http.SameSiteStrictMode || ses.Path != "/" {
		t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Strict, Path=/", ses)
	}
	if strings.Contains(res.Header.Get("Location"), ses.Value) {
		t.Fatal("the session secret is in a URL")
	}
	// The JSON API accepts the same cookie: one sign-in scheme.
	if res, body := c.do(http.MethodGet, "/v1/me/profile", nil); res.StatusCode != 200 {
		t.Fatalf("GET /v1/me/profile with the page's cookie: %d %s", res.StatusCode, body)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	c := newClient(t, e.srv.URL)
	// Before sign-in: the double-submit token is needed.
	if res, _ := c.do(http.MethodPost, "/signin", url.Values{"email": {ada}, "password": {pw}}); res.StatusCode != 403 {
		t.Fatalf("sign-in without a token: %d, want 403", res.StatusCode)
	}
	c.signIn(ada, pw, "")
	tok := c.token("/profile")
	for name, form := range map[string]url.Values{
		"no token": {}, "wrong token": {"csrf": {tok + "x"}}, "form token": {"csrf": {c.token("/signin")}},
	} {
		if res, _ := c.do(http.MethodPost, "/profile/private", form); res.StatusCode != 403 {
			t.Errorf("%s: %d, want 403", name, res.StatusCode)
		}
	}
	if res, _ := c.do(http.MethodPost, "/profile/private", url.Values{"csrf": {tok}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
		t.Errorf("cross-site post with the token: %d, want 403", res.StatusCode)
	}
	if res, _ := c.do(http.MethodPost, "/profile/private", url.Values{"csrf": {tok}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("post with the token: %d, want 303", res.StatusCode)
	}
}

func TestRedirectsStayOnSite(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		c := newClient(t, e.srv.URL)
		res := c.signIn(ada, pw, next)
		if loc := res.Header.Get("Location"); loc != "/profile" {
			t.Errorf("next=%q: redirected to %q, want /profile", next, loc)
		}
	}
	c := newClient(t, e.srv.URL)
	res := c.signIn(ada, pw, "/developer#tokens")
	if loc := res.Header.Get("Location"); loc != "/developer#tokens" {
		t.Errorf("next=/developer#tokens: redirected to %q", loc)
	}
	// Signed out, a page sends to sign-in and back.
	res, _ = newClient(t, e.srv.URL).do(http.MethodGet, "/developer", nil)
	if loc := res.Header.Get("Location"); loc != "/signin?next=%2Fdeveloper" {
		t.Errorf("signed-out /developer: redirected to %q", loc)
	}
}

func TestSecondFactorTicketCannotBeForged(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.srv.URL)
	u, _ := url.Parse(e.srv.URL + "/signin")
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "settingsd_2fa", Value: "YWNj.9999999999.false.forged", Path: "/signin"}})
	if res, _ := c.do(http.MethodGet, "/signin/code", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("code step with a forged ticket: %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestCSPConstant(t *testing.T) {
	if !strings.Contains(web.CSP, "frame-ancestors 'none'") || strings.Contains(web.CSP, "unsafe") {
		t.Fatalf("CSP %q", web.CSP)
	}
}

// ssoResolver says corp.example uses single sign-on once sso is set.
type ssoResolver struct{ sso atomic.Bool }

func (r *ssoResolver) Company(_ context.Context, email string) (account.Company, bool, error) {
	if !strings.HasSuffix(email, "@corp.example") {
		return account.Company{}, false, nil
	}
	return account.Company{Name: "Corp", SSO: r.sso.Load()}, true, nil
}

// pagesOver serves the pages alone over a memory store with opts.
func pagesOver(t *testing.T, opts usersettings.Options, wopts ...web.Option) (*usersettings.Settings, string) {
	t.Helper()
	s := testSettings(t, memory.New(), opts)
	srv := httptest.NewServer(web.New(s, wopts...))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func TestAccountsUnderSSO(t *testing.T) {
	companies := &ssoResolver{}
	s, base := pagesOver(t, usersettings.Options{Companies: companies})
	ctx := context.Background()
	id, err := s.Accounts.SignUp(ctx, "ada@corp.example", pw, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last("ada@corp.example")
	if _, err := s.Accounts.ConfirmSignUp(ctx, id, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body)); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	c.signIn("ada@corp.example", pw, "")
	_, body := c.do(http.MethodGet, "/accounts", nil)
	if !strings.Contains(body, `href="/accounts/new"`) || !strings.Contains(body, "Corp") {
		t.Fatal("Create Account or the company missing without single sign-on")
	}
	companies.sso.Store(true)
	_, body = c.do(http.MethodGet, "/accounts", nil)
	if strings.Contains(body, `href="/accounts/new"`) || strings.Contains(body, `action="/accounts/password"`) {
		t.Error("Create Account or the password form shown under single sign-on")
	}
	if !strings.Contains(body, "manages the password of this account through single sign-on") {
		t.Error("no single sign-on notice on the Accounts page")
	}
}

// Failed sign-ins are slowed by the SDK, for registered and unknown
// addresses alike, and never the browser that signed in before.
func TestSignInThrottled(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, "ada@example.com")
	owner := newClient(t, base)
	if res := owner.signIn("ada@example.com", pw, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner's sign-in: %d", res.StatusCode)
	}
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		attacker := newClient(t, base)
		var codes []int
		var last *http.Response
		for range account.DefaultAddressBackoff.Free + 1 {
			last = attacker.signIn(email, "Wrong-Horse-9-Battery", "")
			codes = append(codes, last.StatusCode)
		}
		want := slices.Repeat([]int{401}, account.DefaultAddressBackoff.Free)
		if want = append(want, 429); !slices.Equal(codes, want) {
			t.Fatalf("%s: sign-in statuses %v, want %v", email, codes, want)
		}
		if last.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", email)
		}
		if res := attacker.signIn(email, pw, ""); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: right password from the attacker's browser: %d, want 429", email, res.StatusCode)
		}
	}
	c := newClient(t, base)
	res, body := c.do(http.MethodPost, "/signin", url.Values{
		"csrf": {c.token("/signin")}, "email": {"nobody@example.com"}, "password": {pw},
	})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many wrong passwords") {
		t.Errorf("throttled sign-in page: %d, want 429 saying to wait", res.StatusCode)
	}
	if res := owner.signIn("ada@example.com", pw, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("owner's browser after failures elsewhere: %d, want 303", res.StatusCode)
	}
	// Wrong current passwords are counted too: the password form says to
	// wait.
	change := func(current string) string {
		_, body := owner.do(http.MethodPost, "/accounts/password", url.Values{
			"csrf": {owner.token("/accounts")}, "current": {current}, "password": {"Brand-New-Horse-7"}, "confirm": {"Brand-New-Horse-7"},
		})
		return body
	}
	for range account.DefaultPasswordBackoff.Free {
		if body := change("Wrong-Horse-9-Battery"); !strings.Contains(body, "The current password is not right.") {
			t.Fatal("a wrong current password was not refused as such")
		}
	}
	if body := change(pw); !strings.Contains(body, "Too many wrong passwords") {
		t.Error("the right current password after five wrong ones was not slowed")
	}
}

// smsSender keeps the last text it was asked to send.
type smsSender struct {
	mu   sync.Mutex
	last string
}

func (s *smsSender) SendSMS(_ context.Context, _, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = text
	return nil
}

var smsCodeRE = regexp.MustCompile(`\d{6}`)

// confirmedAccount signs an address up through the SDK.
func confirmedAccount(t *testing.T, s *usersettings.Settings, email string) account.Account {
	t.Helper()
	ctx := context.Background()
	id, err := s.Accounts.SignUp(ctx, email, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.Outbox.Last(email)
	a, err := s.Accounts.ConfirmSignUp(ctx, id, usersettingstest.MailCode(t, "the mail to "+m.To, m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDeveloperShowsSMS(t *testing.T) {
	sms := &smsSender{}
	s, base := pagesOver(t, usersettings.Options{SMS: sms})
	a := confirmedAccount(t, s, ada)
	ctx := context.Background()
	if err := s.TwoFactor.BeginSMS(ctx, signedIn(s, a.ID), "+31612345678"); err != nil {
		t.Fatal(err)
	}
	sms.mu.Lock()
	code := smsCodeRE.FindString(sms.last)
	sms.mu.Unlock()
	if _, err := s.TwoFactor.ConfirmSMS(ctx, signedIn(s, a.ID), code); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	c.do(http.MethodGet, "/signin/code", nil) // the sign-in waits for the code
	res, _ := c.do(http.MethodGet, "/developer", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("/developer before the second factor: %d, want a redirect to sign-in", res.StatusCode)
	}
	// Sign in through the SDK's session, as the code step would.
	_, secret, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: handler.CookieName, Value: secret.Reveal(), Path: "/"}})
	_, body := c.do(http.MethodGet, "/developer", nil)
	body = html.UnescapeString(body)
	if !strings.Contains(body, "SMS to +31*******78") || strings.Contains(body, "+31612345678") {
		t.Errorf("the Developer Settings page does not show the masked SMS number")
	}
}

func TestSecondFactorStepExpires(t *testing.T) {
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, base := pagesOver(t, usersettings.Options{Now: clock.Now})
	a := confirmedAccount(t, s, ada)
	enrolAuthenticator(t, s, a.ID, clock.Now())
	c := newClient(t, base)
	if loc := c.signIn(ada, pw, "").Header.Get("Location"); !strings.HasPrefix(loc, "/signin/code") {
		t.Fatalf("sign-in with a second factor goes to %q", loc)
	}
	if res, _ := c.do(http.MethodGet, "/signin/code", nil); res.StatusCode != 200 {
		t.Fatalf("code step: %d", res.StatusCode)
	}
	clock.Advance(6 * time.Minute)
	if res, _ := c.do(http.MethodGet, "/signin/code", nil); res.Header.Get("Location") != "/signin" {
		t.Fatalf("code step after 6 minutes: %d to %q, want /signin", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestMergeCancel(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	a := confirmedAccount(t, s, ada)
	confirmedAccount(t, s, bob)
	fl, err := s.Merges.Start(context.Background(), auth.New(a.ID, auth.MethodPassword, s.Now(), ""), bob)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	res, _ := c.do(http.MethodPost, "/profile/merge/"+fl.ID+"/cancel", url.Values{"csrf": {c.token("/profile")}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile" {
		t.Fatalf("cancel: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body := c.do(http.MethodGet, "/profile", nil)
	if !strings.Contains(body, "The merge is cancelled.") {
		t.Error("no notice after cancelling")
	}
	res, body = c.do(http.MethodGet, "/profile/merge/"+fl.ID+"/preview", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Start a new merge") {
		t.Errorf("preview of a cancelled merge: %d", res.StatusCode)
	}
}

// TestStalePagesReauthenticate repeats the stale-session attacks through
// the pages: adding an account and enrolling an authenticator from a
// sign-in older than the freshness limit lead to the password prompt,
// coming back to the page of the form, and change nothing.
func TestStalePagesReauthenticate(t *testing.T) {
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, base := pagesOver(t, usersettings.Options{Now: clock.Now})
	a := confirmedAccount(t, s, ada)
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	csrf := c.token("/accounts/new")
	clock.Advance(time.Hour + time.Second)
	for _, tc := range []struct{ path, back string }{
		{"/accounts/new", "/accounts"},
		{"/developer/2fa/authenticator", "/developer"},
	} {
		form := url.Values{"csrf": {csrf}, "email": {"attacker@example.net"}, "password": {pw}}
		res, _ := c.do(http.MethodPost, tc.path, form)
		if want := "/reauth?next=" + url.QueryEscape(tc.back); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("POST %s on a stale session: %d to %q, want 303 to %q", tc.path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	list, err := s.Accounts.Accounts(context.Background(), signedIn(s, a.ID))
	if err != nil || len(list) != 1 {
		t.Errorf("accounts after the refused add = %v, %v; want one", list, err)
	}
	st, err := s.TwoFactor.Status(context.Background(), signedIn(s, a.ID))
	if err != nil || st.Pending != "none" {
		t.Errorf("two-factor after the refused enrolment = %+v, %v; want nothing pending", st, err)
	}
}

// The static files are served, their directory is not listed.
func TestStaticNoListing(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.srv.URL)
	for path, want := range map[string]int{"/static/": 404, "/static/app.js": 200, "/static/style.css": 200} {
		res, body := c.do(http.MethodGet, path, nil)
		if res.StatusCode != want || strings.Contains(body, `href="app.js"`) {
			t.Errorf("GET %s: %d (lists the directory: %v), want %d", path, res.StatusCode, strings.Contains(body, `href="app.js"`), want)
		}
	}
}

// The Accounts page warns when an account of the profile signs in with a
// password alone while another has a second factor.
func TestAccountsWarnsOfAnAccountWithoutTwoFactor(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	ctx := context.Background()
	first := e.account("ada@example.com")
	me := signedIn(e.settings, first.ID)
	pending, err := e.settings.Accounts.AddAccount(ctx, me, "ada@work.example", pw, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.settings.Accounts.ConfirmAddAccount(ctx, me, pending, e.code("ada@work.example")); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e.srv.URL)
	c.signIn("ada@work.example", pw, "/accounts")
	_, page := c.do(http.MethodGet, "/accounts", nil)
	if strings.Contains(page, "Not every account has two-factor authentication") {
		t.Fatal("a warning while no account has a second factor")
	}
	enrolAuthenticator(t, e.settings, first.ID, e.clock.Now())
	c = newClient(t, e.srv.URL)
	c.signIn("ada@work.example", pw, "/accounts")
	_, page = c.do(http.MethodGet, "/accounts", nil)
	if !strings.Contains(page, "Not every account has two-factor authentication") || !strings.Contains(page, "ada@work.example signs in with a password alone") {
		t.Errorf("no warning for the account without a second factor:\n%s", page)
	}
}

// enrolAuthenticator turns an authenticator app on for the account
// through the SDK, as its person signed in at now, and returns the app's
// secret and the recovery codes.
func enrolAuthenticator(t testing.TB, s *usersettings.Settings, accountID string, now time.Time) (secret string, codes []string) {
	t.Helper()
	ctx := context.Background()
	enr, err := s.TwoFactor.BeginAuthenticator(ctx, signedIn(s, accountID), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(enr.Secret.Reveal(), now)
	codes, err = s.TwoFactor.ConfirmAuthenticator(ctx, signedIn(s, accountID), code)
	if err != nil {
		t.Fatal(err)
	}
	return enr.Secret.Reveal(), codes
}

// A stranger who knows the address asks for a reset and kills the code
// with five wrong guesses; the owner opens the link of the mail, whose
// key fills the code field, and sets the password.
func TestResetLinkOutlivesAKilledCode(t *testing.T) {
	var base string
	s, base := pagesOver(t, usersettings.Options{CodeLink: func(p verification.Purpose, key string) string {
		return web.CodeLink(base)(p, key)
	}})
	confirmedAccount(t, s, "ada@example.com")
	stranger := newClient(t, base)
	stranger.do(http.MethodPost, "/forgot", url.Values{"csrf": {stranger.token("/forgot")}, "email": {"ada@example.com"}})
	m, _ := s.Outbox.Last("ada@example.com")
	code := usersettingstest.MailCode(t, "the reset mail", m.Body)
	wrong := string('0'+(code[0]-'0'+1)%10) + code[1:]
	for range 5 {
		stranger.do(http.MethodPost, "/forgot/reset", url.Values{"csrf": {stranger.token("/forgot/reset")},
			"email": {"ada@example.com"}, "code": {wrong}, "password": {"Stranger-Pass-42!"}})
	}
	owner := newClient(t, base)
	res, _ := owner.do(http.MethodPost, "/forgot/reset", url.Values{"csrf": {owner.token("/forgot/reset")},
		"email": {"ada@example.com"}, "code": {code}, "password": {"Owner-New-Pass-42!"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the killed code: %d, want 422", res.StatusCode)
	}
	link := regexp.MustCompile(`(?m)^\s+(http\S+/forgot/reset\?key=\S+)$`).FindStringSubmatch(m.Body)
	if link == nil {
		t.Fatalf("no reset link in the mail:\n%s", m.Body)
	}
	path := strings.TrimPrefix(link[1], base)
	key := usersettingstest.MailKey(t, "the reset mail", m.Body)
	_, page := owner.do(http.MethodGet, path, nil)
	if !strings.Contains(page, `value="`+key+`"`) || !strings.Contains(page, `name="keyed" value="yes"`) {
		t.Fatalf("the page of the link does not hold its key")
	}
	form := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "keyed": {"yes"},
		"email": {"ada@example.com"}, "code": {key}, "password": {"short"}}
	if res, body := owner.do(http.MethodPost, "/forgot/reset", form); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `value="`+key+`"`) {
		t.Fatalf("a weak password with the key: %d, want 422 keeping the key", res.StatusCode)
	}
	form.Set("password", "Owner-New-Pass-42!")
	if res, _ = owner.do(http.MethodPost, "/forgot/reset", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the reset with the link's key: %d, want 303", res.StatusCode)
	}
	if res := newClient(t, base).signIn("ada@example.com", "Owner-New-Pass-42!", ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the new password: %d, want 303", res.StatusCode)
	}
}

// The owner of an address that strangers keep throttled gets in from a
// new browser: the throttled sign-in page offers the emailed unlock, the
// code (or the key of its link, after the stranger killed the code)
// makes the browser a known device, and the right password gets through.
func TestUnlockFromANewBrowser(t *testing.T) {
	var base string
	s, base := pagesOver(t, usersettings.Options{CodeLink: func(p verification.Purpose, key string) string {
		return web.CodeLink(base)(p, key)
	}})
	confirmedAccount(t, s, "ada@example.com")
	for range account.DefaultAddressBackoff.Free + 1 {
		newClient(t, base).signIn("ada@example.com", "Wrong-Horse-9-Battery", "")
	}
	owner := newClient(t, base)
	res, body := owner.do(http.MethodPost, "/signin", url.Values{
		"csrf": {owner.token("/signin")}, "email": {"ada@example.com"}, "password": {pw},
	})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `action="/signin/unlock"`) {
		t.Fatalf("the owner's throttled sign-in: %d, want 429 offering the unlock", res.StatusCode)
	}
	res, _ = owner.do(http.MethodPost, "/signin/unlock", url.Values{"csrf": {csrfRE.FindStringSubmatch(body)[1]}, "email": {"ada@example.com"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin/unlock/code" {
		t.Fatalf("unlock request: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page := owner.do(http.MethodGet, "/signin/unlock/code", nil)
	if !strings.Contains(page, `value="ada@example.com"`) {
		t.Fatal("the code page does not carry the address")
	}
	m, _ := s.Outbox.Last("ada@example.com")
	code := usersettingstest.MailCode(t, "the unlock mail", m.Body)
	wrong := string('0'+(code[0]-'0'+1)%10) + code[1:]
	for range 5 { // a stranger kills the code
		c := newClient(t, base)
		c.do(http.MethodPost, "/signin/unlock/code", url.Values{"csrf": {c.token("/signin/unlock/code")}, "email": {"ada@example.com"}, "code": {wrong}})
	}
	form := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "email": {"ada@example.com"}, "code": {code}}
	if res, _ = owner.do(http.MethodPost, "/signin/unlock/code", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the killed code: %d, want 422", res.StatusCode)
	}
	link := regexp.MustCompile(`(?m)^\s+http\S+(/signin/unlock/code\?key=\S+)$`).FindStringSubmatch(m.Body)
	if link == nil {
		t.Fatalf("no unlock link in the mail:\n%s", m.Body)
	}
	_, page = owner.do(http.MethodGet, link[1], nil)
	key := usersettingstest.MailKey(t, "the unlock mail", m.Body)
	if !strings.Contains(page, `value="`+key+`"`) {
		t.Fatal("the page of the link does not hold its key")
	}
	form.Set("code", key)
	form.Set("keyed", "yes")
	if res, _ = owner.do(http.MethodPost, "/signin/unlock/code", form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("the unlock with the link's key: %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
	}
	if res := owner.signIn("ada@example.com", pw, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the owner's sign-in after the unlock: %d, want 303", res.StatusCode)
	}
}

// The pages speak the language chosen on the Profile page, over the
// browser's Accept-Language: at once after saving it, and again at the
// next sign-in from a browser that never saw it; clearing the choice
// gives the browser's language back.
func TestPagesFollowTheProfileLanguage(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, "ada@example.com")
	c := newClient(t, base)
	c.signIn("ada@example.com", pw, "")
	en := "Accept-Language"
	if _, body := c.do(http.MethodGet, "/profile", nil, en, "en"); !strings.Contains(body, `<html lang="en"`) ||
		!strings.Contains(body, `<option value="nl">Nederlands</option>`) {
		t.Fatal("the Profile page is not in English or offers no Dutch")
	}
	save := func(c *client, lang string) {
		t.Helper()
		_, page := c.do(http.MethodGet, "/profile", nil, en, "en")
		res, _ := c.do(http.MethodPost, "/profile", url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "language": {lang}}, en, "en")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the language %q: %d", lang, res.StatusCode)
		}
	}
	save(c, "nl")
	if _, body := c.do(http.MethodGet, "/profile", nil, en, "en"); !strings.Contains(body, `<html lang="nl"`) {
		t.Error("the page after choosing Dutch is not in Dutch")
	}
	other := newClient(t, base)
	other.do(http.MethodGet, "/signin", nil, en, "en")
	res, _ := other.do(http.MethodPost, "/signin", url.Values{"csrf": {other.token("/signin")}, "email": {"ada@example.com"}, "password": {pw}}, en, "en")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in from another browser: %d", res.StatusCode)
	}
	if _, body := other.do(http.MethodGet, "/accounts", nil, en, "en"); !strings.Contains(body, `<html lang="nl"`) {
		t.Error("another browser after sign-in does not follow the profile's Dutch")
	}
	save(other, "")
	if _, body := other.do(http.MethodGet, "/accounts", nil, en, "en"); !strings.Contains(body, `<html lang="en"`) {
		t.Error("clearing the choice does not give the browser's language back")
	}
}
