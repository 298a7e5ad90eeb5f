package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// addAuthenticator gives the tab a virtual platform authenticator through
// the DevTools WebAuthn domain, as a laptop's fingerprint reader: CTAP2,
// internal transport, discoverable credentials, user verification that
// succeeds, presence confirmed at once.
func (b *tab) addAuthenticator() webauthn.AuthenticatorID {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.t.Fatalf("WebAuthn.enable: %v", err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		b.t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// presence turns the virtual authenticator's automatic presence on or
// off. Off, it leaves the sign-in page's autofill request (conditional
// mediation, which Chromium answers at once when the authenticator holds
// one passkey of the site) waiting, so that the page's buttons can be
// tested; a request begun after it is turned back on is answered.
func (b *tab) presence(id webauthn.AuthenticatorID, on bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, webauthn.SetAutomaticPresenceSimulation,
		webauthn.SetAutomaticPresenceSimulationParams{AuthenticatorID: id, Enabled: on}); err != nil {
		b.t.Fatalf("WebAuthn.setAutomaticPresenceSimulation: %v", err)
	}
}

// signOut signs out with the button of the page's header.
func (b *tab) signOut() *network.Response {
	b.t.Helper()
	return b.load("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")))
}

// credentials returns how many credentials the virtual authenticator
// holds.
func (b *tab) credentials(id webauthn.AuthenticatorID) int {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		b.t.Fatalf("WebAuthn.getCredentials: %v", err)
	}
	return len(res.Credentials)
}

// acceptDialogs accepts every confirmation dialog of the tab (the page
// script's data-confirm) and returns how many there were so far.
func (b *tab) acceptDialogs() func() int {
	b.t.Helper()
	var n int
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			n++
			go func() {
				_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	return func() int { return n }
}

// addPasskey registers a passkey of the tab's authenticator on the
// Accounts page.
func (b *tab) addPasskey(name string) {
	b.t.Helper()
	b.visit("/accounts")
	res := b.submit("form[action='/accounts/passkeys'] button[type=submit]", "#f-passkey-name", name)
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "The passkey is added.")
	b.wantText("#passkeys", name, "never used")
}

// passkeySignIn signs out and signs in with the button of the sign-in
// page, the autofill held back until the click.
func (b *tab) passkeySignIn(id webauthn.AuthenticatorID) *network.Response {
	b.t.Helper()
	b.presence(id, false)
	b.wantPage(b.signOut(), 200, "Sign in")
	// The click first, with the authenticator waiting for a touch, then
	// the touch: so the autofill request, which the click aborts, cannot
	// sign in before the button does.
	touch := chromedp.Action[chromedp.Void](func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, webauthn.SetAutomaticPresenceSimulation,
			webauthn.SetAutomaticPresenceSimulationParams{AuthenticatorID: id, Enabled: true})
		return chromedp.Void{}, err
	})
	return b.load("sign in with a passkey", chromedp.Click(chromedp.CSS("#f-passkey")), touch)
}

// passkeysOf returns the passkeys of the address's account.
func passkeysOf(t *testing.T, e *env, email string) []passkey.Passkey {
	t.Helper()
	list, err := e.settings.Passkeys.Metadata(context.Background(), e.account(email).ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestBrowserPasskeySignIn registers a passkey on the Accounts page,
// renames it, signs out and signs in with it without a password (flows
// 1 to 3), in Chromium with a virtual authenticator.
func TestBrowserPasskeySignIn(t *testing.T) {
	e := newPasskeyEnv(t)
	e.signUp(ada)
	b := newTab(t, e, true)
	auth := b.addAuthenticator()
	b.wantPage(b.signIn(ada, pw), 200, "Profile")
	b.visit("/accounts")
	if eval[bool](b, `document.querySelector("form[action='/accounts/passkeys']").hidden`) || b.has("#passkeys .passkey-off:not([hidden])") {
		t.Fatal("with WebAuthn and the script, the Add a passkey form stays hidden or the sentence stays shown")
	}
	b.wantText("#passkeys", "You have no passkeys yet.")

	// 1. Register.
	b.addPasskey("Laptop")
	if n := b.credentials(auth); n != 1 {
		t.Fatalf("the authenticator holds %d credentials, want 1", n)
	}
	if got := passkeysOf(t, e, ada); len(got) != 1 || got[0].Name != "Laptop" || !slices.Contains(got[0].Transports, "internal") {
		t.Fatalf("stored passkeys = %+v, want Laptop over the internal transport", got)
	}
	id := passkeysOf(t, e, ada)[0].ID
	res := b.submit("form[action='/accounts/passkeys/"+id+"/rename'] button[type=submit]", "#f-name-"+strings.ReplaceAll(id, "_", "-"), "Work laptop")
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "The passkey is renamed.")
	b.wantText("#passkeys", "Work laptop", "added", "never used")
	b.page("passkeys")

	// 2. Sign out; 3. sign in without a password: the sign-in page's
	// autofill offers the passkey, which Chromium's virtual authenticator
	// takes at once, as a person picking it from the list would.
	b.presence(auth, false)
	res = b.signOut()
	b.wantPage(res, 200, "Sign in")
	if got := eval[string](b, `document.getElementById("f-email").getAttribute("autocomplete")`); got != "username webauthn" {
		t.Fatalf("the sign-in email's autocomplete is %q, want username webauthn (conditional UI)", got)
	}
	b.page("signin-passkey")
	b.presence(auth, true)
	b.visit("/signin")
	b.run("autofill sign-in", chromedp.WaitVisible(chromedp.CSS("#completeness")))
	b.wantText("h1", "Profile")
	b.wantText(".who", ada)
	// The button signs in too.
	res = b.passkeySignIn(auth)
	b.wantPage(res, 200, "Profile")
	b.wantText(".who", ada)
	b.visit("/sessions")
	b.wantText("#sessions", "with a passkey")
	b.visit("/accounts")
	b.wantText("#passkeys", "Work laptop", "last used")
	b.screenshotOf("passkeys-section", "#passkeys")
	if got := passkeysOf(t, e, ada); got[0].LastUsedAt.IsZero() {
		t.Fatal("the passkey's last use is not recorded")
	}
}

// TestBrowserPasskeyReauthAndRemove re-authenticates with a passkey
// to remove it, which the re-authentication then finishes, and finds a
// sign-in with it refused (flows 4, 6 and 7).
func TestBrowserPasskeyReauthAndRemove(t *testing.T) {
	e := newPasskeyEnv(t)
	e.signUp(ada)
	b := newTab(t, e, true)
	auth := b.addAuthenticator()
	dialogs := b.acceptDialogs()
	b.signIn(ada, pw)
	b.addPasskey("Phone")

	// 4. Re-authenticate: two hours on, removing the passkey asks who it
	// is first, and the passkey answers.
	e.clock.Advance(2 * time.Hour)
	b.visit("/accounts")
	res := b.load("remove, stale", chromedp.Click(chromedp.CSS("form[action$='/remove'] button")))
	b.wantPage(res, 200, "Confirm it is you")
	b.page("reauth-passkey")
	// 6. The re-authentication finishes the removal it was asked for.
	res = b.load("confirm with a passkey", chromedp.Click(chromedp.CSS("#f-passkey")))
	b.wantPage(res, 200, "Accounts")
	if !hasEvent(t, e, ada, securitylog.Reauthenticated, "passkey") {
		t.Fatal("no re-authentication with a passkey in the security log")
	}
	b.wantText(".notice", "The passkey is removed.")
	b.wantText("#passkeys", "You have no passkeys yet.")
	if n := dialogs(); n != 1 {
		t.Fatalf("%d confirmation dialogs, want one for the removal click", n)
	}

	// 7. The authenticator still offers it: the sign-in is refused.
	res = b.passkeySignIn(auth)
	b.wantPage(res, 401, "Sign in")
	b.wantFieldErrorText("f-passkey", "not accepted")
	b.wantText(".error-summary", "Passkey: That passkey was not accepted.")
	if b.has("form[data-conditional]") {
		t.Fatal("the page of a refused passkey offers it again in the autofill")
	}
	b.page("signin-passkey-refused")
}

// TestBrowserPasskeySecondFactor uses a passkey instead of the
// authenticator app's code at the second step of a password sign-in
// (flow 5).
func TestBrowserPasskeySecondFactor(t *testing.T) {
	e := newPasskeyEnv(t)
	e.signUp(ada)
	key, _ := enrolAuthenticator(t, e.settings, e.account(ada).ID, e.clock.Now())
	b := newTab(t, e, true)
	auth := b.addAuthenticator()
	b.signIn(ada, pw)
	e.clock.Advance(30 * time.Second)
	res := b.submit("form[action='/signin/code'] button[type=submit]", "#f-code", totpCode(t, e, key))
	b.wantPage(res, 200, "Profile")
	b.addPasskey("Laptop")
	// The password this time, the sign-in page's autofill held back.
	b.presence(auth, false)
	b.signOut()
	res = b.signIn(ada, pw)
	b.presence(auth, true)
	b.wantPage(res, 200, "Enter your code")
	b.wantText("#passkey", "Use a passkey")
	b.page("signin-code-passkey")
	res = b.load("use a passkey", chromedp.Click(chromedp.CSS("#f-passkey")))
	b.wantPage(res, 200, "Profile")
	b.visit("/sessions")
	b.wantText("#sessions", "with two-factor authentication")
	if !hasEvent(t, e, ada, securitylog.SignedIn, "second factor (passkey)") {
		t.Fatal("no sign-in with a passkey as the second factor in the security log")
	}
}

// TestBrowserPasskeyWithoutScript checks the pages with the scripts off:
// a sentence says why passkeys cannot be used, no dead button shows, and
// the password still signs in.
func TestBrowserPasskeyWithoutScript(t *testing.T) {
	e := newPasskeyEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.visit("/signin")
	if b.has("form[action='/signin/passkey']:not([hidden])") {
		t.Fatal("the passkey form shows with JavaScript off")
	}
	b.wantText("#passkey .passkey-off", "needs a browser that supports passkeys, with JavaScript on")
	b.wantPage(b.signIn(ada, pw), 200, "Profile")
	b.visit("/accounts")
	if b.has("form[action='/accounts/passkeys']:not([hidden])") {
		t.Fatal("the Add a passkey form shows with JavaScript off")
	}
	b.wantText("#passkeys .passkey-off", "Adding a passkey needs a browser that supports passkeys")
	b.page("passkeys-no-script")
}

// wantFieldErrorText checks that the element is described by its error,
// which contains want (a button, which has no aria-invalid).
func (b *tab) wantFieldErrorText(id, want string) {
	b.t.Helper()
	got := eval[string](b, `(() => { const el = document.getElementById("`+id+`"); const err = document.getElementById("`+id+`-error");
		if (!el || !err) return "missing"; if (el.getAttribute("aria-describedby") !== err.id) return "not described by its error";
		return err.textContent.trim(); })()`)
	if !strings.Contains(got, want) {
		b.t.Fatalf("%s: %q, want an error containing %q", id, got, want)
	}
}

// hasEvent reports whether the address's security log has an event of
// the kind whose detail contains detail.
func hasEvent(t *testing.T, e *env, email string, kind securitylog.Kind, detail string) bool {
	t.Helper()
	pg, err := e.settings.SecurityEvents.Page(context.Background(), signedIn(e.settings, e.account(email).ID), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range pg.Events {
		if ev.Kind == kind && strings.Contains(ev.Detail, detail) {
			return true
		}
	}
	return false
}

// TestPasskeyBeginRoutes checks the begin routes of the pages over plain
// HTTP: a sign-in ceremony's ID goes only into a short HttpOnly,
// SameSite=Strict cookie of the sign-in pages, a stale session is sent
// to confirm who it is, the code step needs its ticket, the CSRF token
// is checked, and a server without passkeys shows none.
func TestPasskeyBeginRoutes(t *testing.T) {
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, base := pagesOver(t, usersettings.Options{Now: clock.Now, PasskeyRPID: "localhost", PasskeyOrigins: []string{"http://localhost"}})
	confirmedAccount(t, s, ada)
	c := newClient(t, base)
	csrf := c.token("/signin")
	res, _ := c.do(http.MethodPost, "/signin/passkey/begin", url.Values{"csrf": {"wrong"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("begin with a wrong CSRF token: %d, want 403", res.StatusCode)
	}
	res, body := c.do(http.MethodPost, "/signin/passkey/begin", url.Values{"csrf": {csrf}})
	var answer struct {
		Options    json.RawMessage `json:"options"`
		CeremonyID string          `json:"ceremony_id"`
		Message    string          `json:"message"`
		Redirect   string          `json:"redirect"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || res.StatusCode != http.StatusOK || len(answer.Options) == 0 || answer.CeremonyID != "" {
		t.Fatalf("sign-in begin = %d %s (%v); want the options without the ceremony's ID", res.StatusCode, body, err)
	}
	var ck *http.Cookie
	for _, k := range res.Cookies() {
		if k.Name == handler.PasskeyCookieName {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/signin" || ck.MaxAge <= 0 || ck.MaxAge > 300 ||
		strings.Contains(body, ck.Value) || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("sign-in begin cookie = %+v; want the ID in a 5-minute HttpOnly, SameSite=Strict cookie of /signin only", ck)
	}
	res, body = c.do(http.MethodPost, "/signin/code/passkey/begin", url.Values{"csrf": {csrf}})
	if json.Unmarshal([]byte(body), &answer); res.StatusCode != http.StatusConflict || answer.Message == "" {
		t.Fatalf("second-factor begin without a ticket = %d %s; want 409 with a message", res.StatusCode, body)
	}
	res, _ = c.do(http.MethodPost, "/signin/passkey", url.Values{"csrf": {csrf}, "response": {"{}"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a sign-in with no ceremony: %d, want 401 with the sign-in page", res.StatusCode)
	}

	c.signIn(ada, pw, "")
	csrf = c.token("/accounts")
	clock.Advance(2 * time.Hour)
	res, body = c.do(http.MethodPost, "/accounts/passkeys/begin", url.Values{"csrf": {csrf}})
	answer.Redirect = ""
	if json.Unmarshal([]byte(body), &answer); res.StatusCode != http.StatusForbidden || answer.Redirect != "/reauth?next=%2Faccounts" {
		t.Fatalf("registration begin on a stale session = %d %s; want 403 sending to /reauth", res.StatusCode, body)
	}

	off, offBase := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, off, ada)
	o := newClient(t, offBase)
	if _, page := o.do(http.MethodGet, "/signin", nil); strings.Contains(page, "passkey") {
		t.Fatal("the sign-in page of a server without passkeys mentions them")
	}
	o.signIn(ada, pw, "")
	if _, page := o.do(http.MethodGet, "/accounts", nil); strings.Contains(page, "Passkeys") {
		t.Fatal("the Accounts page of a server without passkeys has their section")
	}
}
