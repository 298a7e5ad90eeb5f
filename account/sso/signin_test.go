package sso_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// wantErr is the one error check of the tests (usersettingstest.WantErr).
var wantErr = usersettingstest.WantErr

// The first sign-in of an address creates its account and an empty
// profile; the second signs in to the same account.
func TestFirstSignInCreatesAccount(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	first, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	a := first.Account
	if !first.Created || first.Linked || first.Method != sso.MethodSSO || first.ConnectionID != "acme" ||
		first.Subject != "u-ann" || first.ReturnTo != "/settings" || first.Name != "Ann Smith" {
		t.Errorf("first sign-in = %+v, want a created account through acme", first)
	}
	if a.Email != "ann@acme.example" || a.SSOConnection != "acme" || a.SSOSubject != "u-ann" || a.PasswordHash != "" || a.Status != account.StatusActive {
		t.Errorf("account = %v (%s/%s), want an active SSO account without password", a, a.SSOConnection, a.SSOSubject)
	}
	p, err := e.st.Profile(e.ctx, a.ProfileID)
	if err != nil || p.Name != "" || p.Public {
		t.Errorf("profile = %+v, %v; want a new empty private profile", p, err)
	}
	second, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.Linked || second.Account.ID != a.ID {
		t.Errorf("second sign-in = %+v, want the same account, neither created nor linked", second)
	}
	views, err := e.accounts.Accounts(e.ctx, auth.New(a.ID, auth.MethodSSO, time.Now(), ""))
	if err != nil || len(views) != 1 || !views[0].SSO || views[0].Company != "Acme" {
		t.Errorf("accounts overview = %+v, %v; want one SSO account of Acme", views, err)
	}
	// The session the host starts is an ordinary one.
	ses, secret, err := e.sessions.Start(e.ctx, session.Begin{AccountID: a.ID, Method: auth.MethodSSO})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.sessions.Validate(e.ctx, secret.Reveal()); err != nil || got.ID != ses.ID {
		t.Errorf("Validate = %v, %v", got, err)
	}
}

// A password account on a domain that turned single sign-on on is linked
// by its next single sign-on only as the connection's policy allows.
func TestLinkPolicies(t *testing.T) {
	tests := []struct {
		policy   sso.LinkPolicy
		verified bool
		want     error
	}{
		{sso.LinkVerifiedEmail, true, nil},
		{sso.LinkVerifiedEmail, false, sso.ErrEmailNotVerified},
		{sso.LinkDomain, false, nil},
		{sso.LinkDomain, true, nil},
		{sso.LinkNever, true, sso.ErrLinkRefused},
	}
	for _, tc := range tests {
		name := string(tc.policy)
		if !tc.verified {
			name += "/unverified"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			old := e.passwordAccount("ann@acme.example")
			stored, _ := e.st.Account(e.ctx, old.ID)
			e.connect(tc.policy)
			e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: annPassword, EmailVerified: tc.verified})
			mails := len(e.out.Messages())
			res, err := e.signIn("ann@acme.example", annPassword)
			after, _ := e.st.Account(e.ctx, old.ID)
			if tc.want != nil {
				wantErr(t, "sign-in", err, tc.want)
				if after.PasswordHash != stored.PasswordHash || after.SSO() {
					t.Errorf("a refused link changed the account: %v", after)
				}
				if n := len(e.out.Messages()); n != mails {
					t.Errorf("%d mails after a refused link, want none", n-mails)
				}
				if all, _ := e.st.AccountsOfProfile(e.ctx, old.ProfileID); len(all) != 1 {
					t.Errorf("accounts of the profile = %d, want 1", len(all))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !res.Linked || res.Created || res.Account.ID != old.ID {
				t.Errorf("sign-in = %+v, want the old account linked", res)
			}
			if after.PasswordHash != "" || after.SSOConnection != "acme" || after.SSOSubject != "u-ann" {
				t.Errorf("linked account = %v, want its password retired and the identity bound", after)
			}
			m, ok := e.out.Last("ann@acme.example")
			if !ok || !strings.Contains(m.Subject, "single sign-on") || !strings.Contains(m.Body, "Acme") {
				t.Errorf("last mail = %q, want the single-sign-on notice naming Acme", m.Subject)
			}
			h, _ := e.st.History(e.ctx, old.ProfileID, 0, 1)
			if len(h) != 1 || h[0].Item != "account_sso" || h[0].Detail != "acme" {
				t.Errorf("newest history entry = %+v, want the link", h)
			}
			_, err = e.accounts.Authenticate(e.ctx, account.Login{Email: "ann@acme.example", Password: goodPW})
			if !errors.Is(err, account.ErrInvalidCredentials) || !errors.Is(err, account.ErrSSOManaged) {
				t.Errorf("password sign-in after the link = %v, want ErrInvalidCredentials and ErrSSOManaged", err)
			}
		})
	}
}

// Password flows of an SSO address are refused with typed errors.
func TestPasswordFlowsRefused(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	res, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.accounts.Authenticate(e.ctx, account.Login{Email: "ann@acme.example", Password: goodPW})
	wantErr(t, "Authenticate", err, account.ErrSSOManaged)
	wantErr(t, "Authenticate", err, account.ErrInvalidCredentials)
	wantErr(t, "ChangePassword", e.accounts.ChangePassword(e.ctx, auth.New(res.Account.ID, auth.MethodSSO, e.now(), ""), "", goodPW), account.ErrSSOManaged)
	wantErr(t, "RequestPasswordReset", e.accounts.RequestPasswordReset(e.ctx, "ann@acme.example"), account.ErrSSOManaged)
	_, err = e.accounts.ResetPassword(e.ctx, "ann@acme.example", "123456", goodPW, auth.Client{})
	wantErr(t, "ResetPassword", err, account.ErrSSOManaged)
	_, err = e.accounts.SignUp(e.ctx, "bob@acme.example", goodPW, false)
	wantErr(t, "SignUp", err, account.ErrSSORequired)
	_, err = e.accounts.AddAccount(e.ctx, auth.New(res.Account.ID, auth.MethodSSO, e.now(), ""), "ann@other.example", goodPW, false)
	wantErr(t, "AddAccount", err, account.ErrSSORequired)
}

// A state works once, and only for FlowTTL.
func TestStateSingleUseAndExpiry(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	q := e.login("ann@acme.example", annPassword)
	if _, err := e.callback(q, auth.Client{}); err != nil {
		t.Fatal(err)
	}
	_, err := e.callback(q, auth.Client{})
	wantErr(t, "Callback(replayed state)", err, sso.ErrInvalidState)

	q = e.login("ann@acme.example", annPassword)
	e.skew.Store(int64(sso.DefaultFlowTTL + time.Second))
	_, err = e.callback(q, auth.Client{})
	wantErr(t, "Callback(expired flow)", err, sso.ErrInvalidState)
	e.skew.Store(0)
	_, err = e.callback(q, auth.Client{})
	wantErr(t, "Callback(expired flow, again)", err, sso.ErrInvalidState)
	for name, q := range map[string]url.Values{
		"no state":      {"code": {"x"}},
		"unknown state": {"state": {"made-up"}, "code": {"x"}},
	} {
		_, err := e.svc.Callback(e.ctx, q, "a-binding", auth.Client{})
		wantErr(t, "Callback("+name+")", err, sso.ErrInvalidState)
	}
	if n := len(e.accountsOf(t)); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}

// accountsOf lists every account of the acme domain.
func (e *env) accountsOf(t *testing.T) []account.Account {
	var out []account.Account
	for _, addr := range []string{"ann@acme.example", "bob@acme.example"} {
		if a, err := e.st.AccountByEmail(e.ctx, addr); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// Refusals the real provider produces: an address off the connection's
// domains, a cancelled sign-in, a wrong client secret, an address bound
// to another identity, a deactivated account.
func TestSignInRefusals(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	e.idp.AddUser(ssotest.User{ID: "u-eve", Email: "eve@elsewhere.example", Password: "pw", EmailVerified: true})

	authURL, err := e.begin(sso.StartRequest{ConnectionID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := e.idp.Login(httpClient(), authURL, "eve@elsewhere.example", "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.callback(back.Query(), auth.Client{})
	wantErr(t, "address of another domain", err, sso.ErrEmailDomain)

	q := e.login("ann@acme.example", annPassword)
	q.Del("code")
	q.Set("error", "access_denied")
	_, err = e.callback(q, auth.Client{})
	wantErr(t, "provider error", err, sso.ErrProviderError)

	c, _ := e.svc.Connection(e.ctx, "acme")
	c.ClientSecret = sso.NewSecret("wrong secret")
	if _, err := e.svc.UpdateConnection(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn("ann@acme.example", annPassword)
	wantErr(t, "wrong client secret", err, sso.ErrExchange)
	c.ClientSecret = sso.NewSecret(clientSecret)
	if _, err := e.svc.UpdateConnection(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	if n := len(e.accountsOf(t)); n != 0 {
		t.Fatalf("%d accounts after refusals, want none", n)
	}

	// An account bound to another subject is not handed over.
	bound, err := e.accounts.CreateFederated(e.ctx, account.SSOIdentity{Connection: "acme", Subject: "u-old-ann", Email: "ann@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn("ann@acme.example", annPassword)
	wantErr(t, "address bound to another identity", err, sso.ErrIdentityMismatch)

	e.idp.AddUser(ssotest.User{ID: "u-old-ann", Email: "ann@acme.example", Password: annPassword, EmailVerified: true})
	e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann.smith@acme.example", Password: annPassword, EmailVerified: true})
	if _, err := e.signIn("ann@acme.example", annPassword); err != nil {
		t.Fatalf("the bound identity signs in: %v", err)
	}
	if err := e.accounts.AdminDeactivate(e.ctx, auth.Admin{ID: "support", Reason: "test"}, bound.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn("ann@acme.example", annPassword)
	wantErr(t, "deactivated account", err, sso.ErrAccountInactive)
}

// Back-channel logout ends the sessions of the subject, and a
// deactivated account's sessions stop at once.
func TestBackChannelLogout(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	res, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := e.sessions.Start(e.ctx, session.Begin{AccountID: res.Account.ID, Method: auth.MethodSSO}); err != nil {
			t.Fatal(err)
		}
	}
	wrongAud, err := e.idp.LogoutToken("another-client", "u-ann")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.BackChannelLogout(e.ctx, "acme", wrongAud)
	wantErr(t, "logout token for another client", err, sso.ErrInvalidLogoutToken)
	_, err = e.svc.BackChannelLogout(e.ctx, "acme", "not.a.token")
	wantErr(t, "garbage logout token", err, sso.ErrInvalidLogoutToken)
	_, err = e.svc.BackChannelLogout(e.ctx, "nope", wrongAud)
	wantErr(t, "unknown connection", err, sso.ErrUnknownConnection)
	if list, _ := e.sessions.OfAccount(e.ctx, res.Account.ID); len(list) != 2 {
		t.Fatalf("sessions after refused logouts = %d, want 2", len(list))
	}

	tok, err := e.idp.LogoutToken(clientID, "u-ann")
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.BackChannelLogout(e.ctx, "acme", tok)
	if err != nil || n != 2 {
		t.Errorf("BackChannelLogout = %d, %v; want 2 sessions ended", n, err)
	}
	// A replayed token ends nothing, not even a session started since.
	if _, _, err := e.sessions.Start(e.ctx, session.Begin{AccountID: res.Account.ID, Method: auth.MethodSSO}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.BackChannelLogout(e.ctx, "acme", tok)
	wantErr(t, "replayed logout token", err, sso.ErrInvalidLogoutToken)
	if list, _ := e.sessions.OfAccount(e.ctx, res.Account.ID); len(list) != 1 {
		t.Fatalf("sessions after a replayed logout = %d, want the 1 started since", len(list))
	}
	if _, err := e.sessions.EndAccount(e.ctx, res.Account.ID, ""); err != nil {
		t.Fatal(err)
	}
	other, _ := e.idp.LogoutToken(clientID, "u-nobody")
	if n, err := e.svc.BackChannelLogout(e.ctx, "acme", other); err != nil || n != 0 {
		t.Errorf("BackChannelLogout(unknown subject) = %d, %v; want 0, nil", n, err)
	}

	_, secret, err := e.sessions.Start(e.ctx, session.Begin{AccountID: res.Account.ID, Method: auth.MethodSSO})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.AdminDeactivate(e.ctx, auth.Admin{ID: "support", Reason: "test"}, res.Account.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sessions.Validate(e.ctx, secret.Reveal()); err == nil {
		t.Error("a session of the deactivated account is valid")
	}
}

// Start refuses what it cannot serve, before anything is stored.
func TestStartRefusals(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	for name, c := range map[string]struct {
		req  sso.StartRequest
		want error
	}{
		"unknown domain":     {sso.StartRequest{Email: "ann@other.example"}, sso.ErrUnknownConnection},
		"malformed email":    {sso.StartRequest{Email: "ann@"}, sso.ErrInvalidEmail},
		"unknown connection": {sso.StartRequest{ConnectionID: "nope"}, sso.ErrUnknownConnection},
		"absolute return_to": {sso.StartRequest{Email: "ann@acme.example", ReturnTo: "https://evil.example/"}, sso.ErrInvalidReturnTo},
		"scheme-relative":    {sso.StartRequest{Email: "ann@acme.example", ReturnTo: "//evil.example/"}, sso.ErrInvalidReturnTo},
	} {
		_, err := e.begin(c.req)
		wantErr(t, name, err, c.want)
	}
	if n, _ := e.st.DeleteFlowsBefore(e.ctx, time.Now().Add(time.Hour)); n != 0 {
		t.Errorf("refused starts stored %d flows", n)
	}
	if !errors.Is(sso.ErrUnknownConnection, storage.ErrNotFound) {
		t.Error("ErrUnknownConnection does not match storage.ErrNotFound")
	}
	authURL, err := e.begin(sso.StartRequest{Email: "Ann@Acme.Example"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("authorization URL has no %s: %s", k, authURL)
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" || q.Get("client_id") != clientID ||
		q.Get("redirect_uri") != redirectURL || q.Get("login_hint") != "ann@acme.example" || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("authorization URL = %s", authURL)
	}
}

// returnPaths are the return paths of the open-redirect table: true for
// the paths of this site, false for every form a browser could follow
// elsewhere.
var returnPaths = []struct {
	p  string
	ok bool
}{
	{"/", true},
	{"/settings", true},
	{"/a/b?c=d#e", true},
	{"/%2F%2Fx", true},
	{"/signin/sso/done?next=%2Fprofile", true},
	{"/%09/evil.example", true}, // an escaped tab stays in the path
	{"/a//b", true},
	{"", false},
	{"settings", false},
	{".", false},
	{"//evil.example", false},
	{"///evil.example", false},
	{"/\\evil.example", false},
	{"\\\\evil.example", false},
	{"/\t/evil.example", false},
	{"\t//evil.example", false},
	{"/\n/evil.example", false},
	{"/\r/evil.example", false},
	{"/\r\n/evil.example", false},
	{"/\x00/evil.example", false},
	{"/\x0b/evil.example", false},
	{"/\x0c/evil.example", false},
	{"/\x1f/evil.example", false},
	{"/\x7f/evil.example", false},
	{" //evil.example", false},
	{"/ /evil.example", false},
	{"/a b", false},
	{"https://evil.example", false},
	{"http:/evil.example", false},
	{"HTTPS://evil.example/", false},
	{"https:evil.example", false},
	{"javascript:alert(1)", false},
	{"data:text/html,x", false},
	{"evil.example", false},
	{"@evil.example", false},
	{"/\u00a0/evil.example", false},
	{"/\u3002evil.example", false},
	{"/\ufeff/evil.example", false},
	{"/" + strings.Repeat("a", sso.MaxReturnTo), false},
}

func TestCheckReturnTo(t *testing.T) {
	for _, c := range returnPaths {
		err := sso.CheckReturnTo(c.p)
		if c.ok && err != nil {
			t.Errorf("CheckReturnTo(%q) = %v, want nil", c.p, err)
		}
		if !c.ok && !errors.Is(err, sso.ErrInvalidReturnTo) {
			t.Errorf("CheckReturnTo(%q) = %v, want ErrInvalidReturnTo", c.p, err)
		}
	}
}

// FuzzCheckReturnTo: an accepted path, resolved against this site as a
// browser resolves it (after removing tabs and newlines), stays on this
// site.
func FuzzCheckReturnTo(f *testing.F) {
	for _, c := range returnPaths {
		f.Add(c.p)
	}
	base, _ := url.Parse("https://settings.example/here")
	f.Fuzz(func(t *testing.T, p string) {
		if sso.CheckReturnTo(p) != nil {
			return
		}
		stripped := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(p)
		u, err := base.Parse(stripped)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", p, err)
		}
		if u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("accepted %q, which leads to %s", p, u)
		}
	})
}

func TestLinkAllowed(t *testing.T) {
	for _, c := range []struct {
		p        sso.LinkPolicy
		verified bool
		want     error
	}{
		{sso.LinkVerifiedEmail, true, nil},
		{sso.LinkVerifiedEmail, false, sso.ErrEmailNotVerified},
		{"", false, sso.ErrEmailNotVerified},
		{sso.LinkDomain, false, nil},
		{sso.LinkNever, true, sso.ErrLinkRefused},
	} {
		if got := sso.LinkAllowed(c.p, c.verified); !errors.Is(got, c.want) || (c.want == nil && got != nil) {
			t.Errorf("LinkAllowed(%q, %v) = %v, want %v", c.p, c.verified, got, c.want)
		}
	}
}

// Login CSRF: a callback URL of someone else's sign-in, opened in a
// browser that did not start it, signs no one in and uses nothing up.
func TestCallbackBoundToTheBrowser(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	q := e.login("ann@acme.example", annPassword) // the attacker's own sign-in, stopped before the callback
	_, err := e.svc.Callback(e.ctx, q, "", auth.Client{})
	wantErr(t, "Callback(no binding)", err, sso.ErrNotBound)
	other, err := e.svc.Start(e.ctx, sso.StartRequest{Email: "ann@acme.example"}) // the victim's browser has a binding of its own
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Callback(e.ctx, q, other.Binding, auth.Client{})
	wantErr(t, "Callback(another browser's binding)", err, sso.ErrInvalidState)
	if n := len(e.accountsOf(t)); n != 0 {
		t.Fatalf("%d accounts after refused callbacks, want 0", n)
	}
	if fmt.Sprint(other) != other.URL || strings.Contains(fmt.Sprintf("%v", other), other.Binding) {
		t.Errorf("printing a Started shows more than its URL: %v", other)
	}
	if res, err := e.callback(q, auth.Client{}); err != nil || !res.Created {
		t.Errorf("Callback(the starting browser) = %+v, %v; want the account created", res, err)
	}
}

// The binding cookie is HttpOnly, Lax (the provider's redirect is a
// cross-site navigation), scoped to the callback's path and as long-lived
// as the flow; BindingOf reads it back.
func TestBindingCookie(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	st, err := e.svc.Start(e.ctx, sso.StartRequest{Email: "ann@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.svc.BindingCookie(st)
	cb, _ := url.Parse(redirectURL)
	if c.Value != st.Binding || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != cb.Path ||
		c.MaxAge != int(sso.DefaultFlowTTL.Seconds()) || c.Secure != (cb.Scheme == "https") {
		t.Errorf("BindingCookie = %+v", c)
	}
	r, _ := http.NewRequest(http.MethodGet, redirectURL, nil)
	if got := sso.BindingOf(r); got != "" {
		t.Errorf("BindingOf(no cookie) = %q", got)
	}
	r.AddCookie(c)
	if got := sso.BindingOf(r); got != st.Binding {
		t.Errorf("BindingOf = %q, want the binding", got)
	}
	if d := e.svc.ClearBindingCookie(); d.MaxAge >= 0 || d.Name != c.Name || d.Path != c.Path {
		t.Errorf("ClearBindingCookie = %+v", d)
	}
}

// The company's directory owns its people's addresses: a bound identity
// that signs in with a new verified address gets it (history, security
// log, a notice to the old address), one the provider did not verify or
// that another account holds leaves the account's own.
func TestSignInFollowsTheAssertedEmail(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	first, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann.smith@acme.example", Password: annPassword, EmailVerified: true, Name: "Ann Smith"})
	res, err := e.signIn("ann.smith@acme.example", annPassword)
	if err != nil || res.Account.ID != first.Account.ID || res.Account.Email != "ann.smith@acme.example" || res.Created {
		t.Fatalf("sign-in with the new address = %+v, %v; want ann's account with it", res, err)
	}
	if _, ok := e.out.Last("ann@acme.example"); !ok {
		t.Error("no notice to the old address")
	}
	evs, _ := e.st.SecurityEvents(e.ctx, first.Account.ProfileID, securitylog.Position{}, 50)
	if !slices.ContainsFunc(evs, func(ev securitylog.Event) bool { return ev.Kind == securitylog.EmailChanged }) {
		t.Errorf("no email_changed event: %+v", evs)
	}
	// Not verified: kept.
	e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "a.smith@acme.example", Password: annPassword, Name: "Ann Smith"})
	if res, err := e.signIn("a.smith@acme.example", annPassword); err != nil || res.Account.Email != "ann.smith@acme.example" {
		t.Errorf("an unverified new address = %+v, %v; want the account's own kept", res, err)
	}
	// Another account's: kept.
	e.idp.AddUser(ssotest.User{ID: "u-bob", Email: "bob@acme.example", Password: annPassword, EmailVerified: true})
	if _, err := e.signIn("bob@acme.example", annPassword); err != nil {
		t.Fatal(err)
	}
	e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "bob@acme.example", Password: annPassword, EmailVerified: true})
	e.idp.AddUser(ssotest.User{ID: "u-bob", Email: "bob.other@acme.example", Password: "x", EmailVerified: true})
	if res, err := e.signIn("bob@acme.example", annPassword); err != nil || res.Account.ID != first.Account.ID || res.Account.Email != "ann.smith@acme.example" {
		t.Errorf("another account's address = %+v, %v; want ann's account with her own", res, err)
	}
}

// A logout token that names the provider's session (alone, or with the
// subject) ends only the sessions that sign-in started.
func TestBackChannelLogoutBySession(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	res, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	// The provider's "sid" claim of the ID token (SignIn.SessionID).
	sid := e.idp.SessionOf("ann@acme.example")
	if sid == "" || res.SessionID != sid {
		t.Fatalf("SignIn.SessionID = %q, want the provider's session %q from the ID token", res.SessionID, sid)
	}
	if res.ProviderSession() != "acme|"+sid || (sso.SignIn{ConnectionID: "acme"}).ProviderSession() != "" {
		t.Fatalf("ProviderSession = %q; want the connection and the sid, and none without a sid", res.ProviderSession())
	}
	start := func(provider string) string {
		ses, _, err := e.sessions.Start(e.ctx, session.Begin{AccountID: res.Account.ID, Method: auth.MethodSSO, ProviderSession: provider})
		if err != nil {
			t.Fatal(err)
		}
		return ses.ID
	}
	inOP, elsewhere := start(res.ProviderSession()), start("")
	tok, err := e.idp.LogoutTokenOf(clientID, "", sid)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.BackChannelLogout(e.ctx, "acme", tok); err != nil || n != 1 {
		t.Fatalf("sid-only logout = %d, %v; want 1 session ended", n, err)
	}
	list, _ := e.sessions.OfAccount(e.ctx, res.Account.ID)
	if len(list) != 1 || list[0].ID != elsewhere || list[0].ID == inOP {
		t.Errorf("sessions after the sid-only logout = %+v, want only %s", list, elsewhere)
	}
	// With the subject too: only that provider session of that account.
	again := start(res.ProviderSession())
	tok, _ = e.idp.LogoutTokenOf(clientID, "u-ann", sid)
	if n, err := e.svc.BackChannelLogout(e.ctx, "acme", tok); err != nil || n != 1 {
		t.Fatalf("sub+sid logout = %d, %v; want 1", n, err)
	}
	if list, _ := e.sessions.OfAccount(e.ctx, res.Account.ID); len(list) != 1 || list[0].ID == again {
		t.Errorf("sessions after the sub+sid logout = %+v", list)
	}
	// Neither: refused.
	tok, _ = e.idp.LogoutTokenOf(clientID, "", "")
	_, err = e.svc.BackChannelLogout(e.ctx, "acme", tok)
	wantErr(t, "a logout token without sub or sid", err, sso.ErrInvalidLogoutToken)
}
