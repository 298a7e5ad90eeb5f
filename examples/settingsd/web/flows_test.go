package web_test

import (
	"archive/zip"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
)

const (
	ada = "ada@example.com"
	bob = "bob@example.com"
)

// wrongCode returns a code that is not the one mailed.
func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}

func TestBrowserSignUp(t *testing.T) {
	e := newEnv(t)
	b := newTab(t, e, false)
	b.wantPage(b.visit("/"), 200, "Sign in")
	b.page("signin")
	b.visit("/signup")
	b.page("signup")

	// Weak password: every broken rule at once, next to the field.
	res := b.submit("form[action='/signup'] button[type=submit]", "#f-email", ada, "#f-password", "short")
	b.wantPage(res, 422, "Sign up")
	for _, want := range []string{"at least 12 characters", "uppercase letter", "digit", "special character"} {
		b.wantFieldError("f-password", want)
	}
	b.wantText(".error-summary", "Password: Use at least 12 characters.")
	if got := eval[string](b, `document.getElementById("f-email").value`); got != ada {
		t.Fatalf("email after the error: %q, want %q", got, ada)
	}
	b.page("signup-errors")

	b.run("marketing", chromedp.Click(chromedp.CSS("#f-marketing")))
	res = b.submit("form[action='/signup'] button[type=submit]", "#f-password", pw)
	b.wantPage(res, 200, "Check your email")
	b.page("signup-verify")
	code := e.code(ada)
	res = b.submit("form[action='/signup/verify'] button[type=submit]", "#f-code", wrongCode(code))
	b.wantPage(res, 422, "Check your email")
	b.wantFieldError("f-code", "not right")
	res = b.submit("form[action='/signup/verify'] button[type=submit]", "#f-code", code)
	b.wantPage(res, 200, "Profile")
	b.wantText(".notice", "Welcome")
	b.wantText(".who", ada)
	v := personalDataOf(t, e, ada)
	if len(v) != 1 || !v[0] {
		t.Fatalf("marketing choices %v, want [true]", v)
	}
}

// personalDataOf returns the marketing choice of each account of the
// address's profile.
func personalDataOf(t *testing.T, e *env, email string) []bool {
	t.Helper()
	v, err := e.settings.PersonalData.Collect(context.Background(), signedIn(e.settings, e.account(email).ID))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var out []bool
	for _, a := range v.Accounts {
		out = append(out, a.Marketing)
	}
	return out
}

// writeAvatar writes a small PNG and returns its path.
func writeAvatar(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := range 64 {
		for y := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), 80, uint8(y * 4), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "avatar.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBrowserProfile(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.wantPage(b.signIn(ada, pw), 200, "Profile")
	b.wantText("#completeness", "0 of 7", "an avatar", "a Job Title", "a Department", "a Country of Residence",
		"some details About You", "at least one Skill", "at least one Industry Experience item")
	b.page("profile-empty")

	// Make Profile Public on an incomplete profile: everything missing,
	// each next to its field.
	res := b.load("make public", chromedp.Click(chromedp.CSS("form[action='/profile/public'] button")))
	b.wantPage(res, 422, "Profile")
	b.wantText(".error-summary", "A public profile needs an avatar.", "A public profile needs a Job Title.")
	b.wantFieldError("f-job-title", "A public profile needs a Job Title.")
	b.wantFieldError("f-avatar", "A public profile needs an avatar.")
	b.page("profile-incomplete")

	fields := []string{
		"#f-name", "Ada Lovelace", "#f-job-title", "Analyst", "#f-department", "Engines", "#f-country", "GB",
		"#f-about-you", "I write programs.", "#f-skills", "Go\nSQL", "#f-industry-experience", "Computing",
		"#f-twitter-url", "http://twitter.com/ada", "#f-linkedin-url", "", "#f-recovery-email", "ada@home.example",
	}
	res = b.submit("form[action='/profile'] button[type=submit]", fields...)
	b.wantPage(res, 422, "Profile")
	b.wantFieldError("f-twitter-url", "https://")
	res = b.submit("form[action='/profile'] button[type=submit]", "#f-twitter-url", "https://twitter.com/ada")
	b.wantPage(res, 200, "Profile")
	b.wantText(".notice", "Your profile is saved.")
	b.wantText("#completeness", "6 of 7", "an avatar")

	b.run("choose avatar", chromedp.SetUploadFiles(chromedp.CSS("#f-avatar"), []string{writeAvatar(t)}))
	res = b.load("upload avatar", chromedp.Click(chromedp.CSS("form[action='/profile/avatar'] button[type=submit]")))
	b.wantPage(res, 200, "Profile")
	b.wantText(".notice", "Your avatar is saved.")
	if w := eval[int](b, `new Promise(r => { const i = document.querySelector("img.avatar"); i.complete ? r(i.naturalWidth) : i.onload = () => r(i.naturalWidth); })`); w != 64 {
		t.Fatalf("avatar image is %d pixels wide, want 64", w)
	}
	b.wantText("#completeness", "7 of 7")

	res = b.load("make public", chromedp.Click(chromedp.CSS("form[action='/profile/public'] button")))
	b.wantPage(res, 200, "Profile")
	b.wantText(".notice", "Your profile is public.")
	b.page("profile")
	res = b.load("public view", chromedp.Click(chromedp.CSS("a[href^='/people/']")))
	b.wantPage(res, 200, "Ada Lovelace")
	b.wantText("main", "Analyst", "Engines", "United Kingdom", "Go, SQL", "Computing")
	if strings.Contains(b.text("main"), "ada@home.example") {
		t.Fatal("the public view shows the recovery email")
	}
	b.page("public-profile")
	publicURL := res.URL

	// A public profile keeps its avatar: removing it is refused until the
	// profile is private.
	b.visit("/profile")
	removeAvatar := chromedp.Click(chromedp.CSS("form[action='/profile/avatar/delete'] button"))
	b.wantPage(b.load("remove avatar while public", removeAvatar), 422, "Profile")
	b.wantFieldError("f-avatar", "A public profile needs an avatar.")
	b.wantPage(b.load("make private", chromedp.Click(chromedp.CSS("form[action='/profile/private'] button"))), 200, "Profile")
	b.wantText(".notice", "Your profile is private.")
	b.wantPage(b.load("remove avatar", removeAvatar), 200, "Profile")
	b.wantText(".notice", "Your avatar is removed.")
	if b.has("img.avatar") {
		t.Fatal("the avatar is still shown after its removal")
	}
	res = b.load("public view of a private profile", chromedp.Navigate(publicURL))
	b.wantPage(res, 404, "Page not found")
}

func TestBrowserMerge(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	e.clock.Advance(5 * time.Minute) // past the code throttle of the addresses
	ctx := context.Background()
	for email, job := range map[string]string{ada: "Architect", bob: "Engineer"} {
		a := e.account(email)
		skills := []string{"Skill of " + email}
		if _, err := e.settings.Profiles.Update(ctx, auth.New(a.ID, auth.MethodPassword, e.settings.Now(), ""),
			profile.Update{JobTitle: &job, Skills: &skills}); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	res := b.load("merge profile", chromedp.Click(chromedp.CSS("a[href='/profile/merge']")))
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 2 of 6")
	b.page("merge-email")

	res = b.submit("form[action='/profile/merge'] button[type=submit]", "#f-email", ada)
	b.wantPage(res, 422, "Merge profiles")
	b.wantFieldError("f-email", "your own profile")
	res = b.submit("form[action='/profile/merge'] button[type=submit]", "#f-email", bob)
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 3 of 6")
	b.wantText("fieldset", "b***@example.com")
	if strings.Contains(b.text("main"), bob) {
		t.Fatal("step 3 shows the other address unmasked")
	}
	b.page("merge-send")

	res = b.load("send code", chromedp.Click(chromedp.CSS("form[action$='/send'] button[type=submit]")))
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 4 of 6")
	b.page("merge-code")
	code := e.code(bob)
	res = b.submit("form[action$='/verify'] button[type=submit]", "#f-code", wrongCode(code))
	b.wantPage(res, 422, "Merge profiles")
	b.wantFieldError("f-code", "not right")
	res = b.submit("form[action$='/verify'] button[type=submit]", "#f-code", code)
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 5 of 6")
	b.wantText("main", "Architect", "Engineer", "Credits: they stay on the accounts where they were earned.", "cannot be undone")
	b.page("merge-preview")
	// On a phone the table keeps its words whole and scrolls instead.
	b.run("viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	if split := b.splitWords(); split != "" {
		t.Errorf("the merge preview breaks words at 360 px: %s", split)
	}
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the merge preview is %d px wide at a 360 px viewport", w)
	}
	b.run("viewport", chromedp.EmulateReset())

	res = b.load("merge", chromedp.Click(chromedp.CSS("form[action$='/commit'] button[type=submit]")))
	b.wantPage(res, 200, "Profile")
	b.wantText(".notice", "The profiles are merged.")
	if got := eval[string](b, `document.getElementById("f-skills").value`); !strings.Contains(got, "Skill of "+bob) {
		t.Fatalf("merged skills %q lack the other profile's", got)
	}
	b.visit("/accounts")
	b.wantText(".accounts", ada, bob, "Signed in")
}

func TestBrowserTokensAndKeys(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/developer"), 200, "Developer Settings")
	b.page("developer")

	res := b.submit("form[action='/developer/tokens'] button[type=submit]", "#f-token-name", "ci")
	b.wantPage(res, 422, "Developer Settings")
	b.wantText("#f-scope-error", "Choose at least one scope.")
	b.run("scope", chromedp.Click(chromedp.CSS("#scope-0")))
	res = b.load("create token", chromedp.Click(chromedp.CSS("form[action='/developer/tokens'] button[type=submit]")))
	b.wantPage(res, 200, "Your new personal access token")
	if cc := res.Headers["Cache-Control"]; cc != "no-store" {
		t.Fatalf("Cache-Control of the page showing the token: %v, want no-store", cc)
	}
	secret := b.text("#new-token")
	if !strings.HasPrefix(secret, "mxp_") {
		t.Fatalf("token %q", secret)
	}
	if strings.Contains(res.URL, secret) {
		t.Fatal("the token is in the URL")
	}
	b.wantText("#new-secret", "will not be displayed again")
	b.page("developer-new-token")

	if st := apiStatus(t, e, "/v1/api/apps", "Authorization", "mxtoken "+secret); st != 200 {
		t.Fatalf("GET /v1/api/apps with the new token: %d, want 200", st)
	}
	b.visit("/developer")
	if b.has("#new-token") {
		t.Fatal("the token is shown again")
	}
	b.wantText("#tokens .rows", "ci", "mx:app:read", "last used")
	b.wantPage(b.load("delete token", chromedp.Click(chromedp.CSS("form[action$='/delete'] button"))), 200, "Developer Settings")
	b.wantText(".notice", "The token is deleted.")
	if st := apiStatus(t, e, "/v1/api/apps", "Authorization", "mxtoken "+secret); st != 403 {
		t.Fatalf("GET /v1/api/apps with a deleted token: %d, want 403", st)
	}

	res = b.submit("form[action='/developer/api-keys'] button[type=submit]", "#f-description", "deploy script")
	b.wantPage(res, 200, "Your new API key")
	key := b.text("#new-key")
	if st := apiStatus(t, e, "/v1/api/whoami", "Mendix-Username", ada, "Mendix-ApiKey", key); st != 200 {
		t.Fatalf("whoami with the new API key: %d, want 200", st)
	}
	b.page("developer-new-key")
	b.visit("/developer")
	b.load("revoke key", chromedp.Click(chromedp.CSS("form[action$='/revoke'] button")))
	b.wantText(".notice", "The API key is revoked.")
	if st := apiStatus(t, e, "/v1/api/whoami", "Mendix-Username", ada, "Mendix-ApiKey", key); st != 403 {
		t.Fatalf("whoami with a revoked API key: %d, want 403", st)
	}
}

// apiStatus calls the JSON API with the headers and returns the status.
func apiStatus(t *testing.T, e *env, path string, headers ...string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}

// totpCode computes the current code of the key at the env's clock.
func totpCode(t *testing.T, e *env, key string) string {
	t.Helper()
	c, err := totp.GenerateCode(key, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBrowserTwoFactor(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.visit("/developer")
	res := b.load("set up", chromedp.Click(chromedp.CSS("form[action='/developer/2fa/authenticator'] button")))
	b.wantPage(res, 200, "Developer Settings")
	if src := eval[string](b, `document.querySelector("img.qr").src`); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR code src %.40q, want a data: PNG", src)
	}
	if w := eval[int](b, `document.querySelector("img.qr").naturalWidth`); w == 0 {
		t.Fatal("the QR code does not decode")
	}
	key := strings.ReplaceAll(b.text("#totp-key"), " ", "")
	b.page("developer-2fa-enrol")

	res = b.submit("form[action='/developer/2fa/authenticator/confirm'] button[type=submit]", "#f-code", wrongCode(totpCode(t, e, key)))
	b.wantPage(res, 422, "Developer Settings")
	b.wantFieldError("f-code", "not right")
	// The wrong code keeps the QR code and the key of the set-up.
	if again := strings.ReplaceAll(b.text("#totp-key"), " ", ""); again != key {
		t.Fatalf("key after a wrong code %q, want %q", again, key)
	}
	if w := eval[int](b, `document.querySelector("img.qr").naturalWidth`); w == 0 {
		t.Fatal("the QR code is gone after a wrong code")
	}
	res = b.submit("form[action='/developer/2fa/authenticator/confirm'] button[type=submit]", "#f-code", totpCode(t, e, key))
	b.wantPage(res, 200, "Developer Settings")
	if n := len(strings.Fields(b.text("#recovery-codes"))); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	b.wantText("#two-factor", "Enabled", "authenticator app")
	b.page("developer-recovery-codes")

	res = b.load("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")))
	b.wantPage(res, 200, "Sign in")
	b.wantText(".notice", "You are signed out.")
	res = b.signIn(ada, pw)
	b.wantPage(res, 200, "Enter your code")
	b.page("signin-code")
	e.clock.Advance(30 * time.Second)
	res = b.submit("form[action='/signin/code'] button[type=submit]", "#f-code", wrongCode(totpCode(t, e, key)))
	b.wantPage(res, 401, "Enter your code")
	b.wantFieldError("f-code", "not right")
	res = b.submit("form[action='/signin/code'] button[type=submit]", "#f-code", totpCode(t, e, key))
	b.wantPage(res, 200, "Profile")

	// New recovery codes, with the password, shown once with a download.
	b.visit("/developer")
	res = b.submit("form[action='/developer/2fa/recovery-codes'] button[type=submit]", "#f-regen-password", pw)
	b.wantPage(res, 200, "Developer Settings")
	if n := len(strings.Fields(b.text("#recovery-codes"))); n != 10 {
		t.Fatalf("%d new recovery codes shown, want 10", n)
	}
	b.wantText("#two-factor", "You have new recovery codes")
	b.page("developer-recovery-codes-new")

	// An hour later the session is stale: deactivating asks to sign in
	// again (password and code), then deactivates, the password of the
	// prompt serving as the form's.
	e.clock.Advance(61 * time.Minute)
	b.visit("/developer")
	res = b.submit("form[action='/developer/2fa/deactivate'] button[type=submit]", "#f-password", pw)
	b.wantPage(res, 200, "Confirm it is you")
	b.wantText("#reauth-action", "deactivate two-factor authentication")
	b.page("reauth")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw, "#f-code", "000000")
	b.wantPage(res, 401, "Confirm it is you")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw, "#f-code", totpCode(t, e, key))
	b.wantPage(res, 200, "Developer Settings")
	b.wantText(".notice", "Two-factor authentication is off.")
	b.wantText("#two-factor", "Not enabled")
}

func TestBrowserAccounts(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/accounts"), 200, "Accounts")
	b.wantText(".accounts", ada, "Signed in", "Active", "Not enabled")
	b.wantText("#policy", "between 12 and 200 characters long")
	b.page("accounts")

	form := "form[action='/accounts/password'] button[type=submit]"
	res := b.submit(form, "#f-current", pw, "#f-password", "weak", "#f-confirm", "weak")
	b.wantPage(res, 422, "Accounts")
	b.wantFieldError("f-password", "at least 12 characters")
	res = b.submit(form, "#f-current", "Wrong-Horse-9-Battery", "#f-password", "New-Horse-9-Battery", "#f-confirm", "New-Horse-9-Battery")
	b.wantPage(res, 422, "Accounts")
	b.wantFieldError("f-current", "not right")
	res = b.submit(form, "#f-current", pw, "#f-password", "New-Horse-9-Battery", "#f-confirm", "New-Horse-9-Battery")
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "Your password is changed.")
	b.wantText(".notice", "review them in Developer Settings")

	const work = "ada.work@example.com"
	res = b.load("create account", chromedp.Click(chromedp.CSS("a[href='/accounts/new']")))
	b.wantPage(res, 200, "Create Account")
	b.page("account-new")
	res = b.submit("form[action='/accounts/new'] button[type=submit]", "#f-email", work, "#f-password", pw)
	b.wantPage(res, 200, "Check your email")
	res = b.submit("form[action='/accounts/new/verify'] button[type=submit]", "#f-code", e.code(work))
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "The new account is added")
	b.wantText(".accounts", ada, work)

	res = b.load("delete", chromedp.Click(chromedp.CSS("a[href='/accounts/delete']")))
	b.wantPage(res, 200, "Delete this account")
	b.wantText("main", "You are about to delete the account "+ada)
	b.page("account-delete")
	res = b.submit("form[action='/accounts/delete'] button[type=submit]", "#f-confirm", work)
	b.wantPage(res, 422, "Delete this account")
	b.wantFieldError("f-confirm", "Type "+ada)
	res = b.submit("form[action='/accounts/delete'] button[type=submit]", "#f-confirm", ada)
	b.wantPage(res, 200, "Sign in")
	b.wantText(".notice", "The account is deleted.")
	res = b.signIn(ada, "New-Horse-9-Battery")
	b.wantPage(res, 401, "Sign in")
	b.wantFieldError("f-password", "not right")
	b.wantPage(b.signIn(work, pw), 200, "Profile")
}

func TestBrowserPasswordExpired(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.clock.Advance(91 * 24 * time.Hour)
	b := newTab(t, e, false)
	res := b.signIn(ada, pw)
	b.wantPage(res, 200, "Accounts")
	b.wantText(".warning-box", "Your password has expired")
	if b.has(".accounts") {
		t.Fatal("the accounts list is shown to a session whose password expired")
	}
	b.page("accounts-password-expired")
	b.wantPage(b.visit("/developer"), 200, "Accounts")
	res = b.submit("form[action='/accounts/password'] button[type=submit]",
		"#f-current", pw, "#f-password", "New-Horse-9-Battery", "#f-confirm", "New-Horse-9-Battery")
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "Your password is changed.")
	b.wantPage(b.visit("/developer"), 200, "Developer Settings")
}

// TestBrowserPasswordExpiryWarning checks the banner of the last 14 days
// before the password expires: on every page, with a link to the
// password form, and without an accessibility violation.
func TestBrowserPasswordExpiryWarning(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.clock.Advance(85 * 24 * time.Hour)
	b := newTab(t, e, false)
	b.wantPage(b.signIn(ada, pw), 200, "Profile")
	b.wantText("#password-expiry", "Your password expires in 5 days")
	b.wantPage(b.visit("/accounts"), 200, "Accounts")
	b.wantText("#password-expiry", "Your password expires in 5 days", "change it")
	b.page("accounts-password-expiry")
	if href := eval[string](b, `document.querySelector("#password-expiry a").getAttribute("href")`); href != "/accounts#password" {
		t.Errorf("the banner links to %q, want the password form", href)
	}
	if !b.has("form[action='/accounts/password']") {
		t.Error("the Accounts page has no password form for the banner's link")
	}
}

func TestBrowserNotifications(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	ctx := context.Background()
	for _, app := range []string{"Expenses", "Inventory"} {
		if err := e.settings.Notifications.Watch(ctx, signedIn(e.settings, e.account(ada).ID), strings.ToLower(app), app); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/notifications"), 200, "Notification Settings")
	if eval[bool](b, `document.getElementById("f-daily-digest").checked`) || !eval[bool](b, `document.getElementById("f-thread-updates").checked`) {
		t.Fatal("the Buzz toggles do not show their defaults (digest off, thread updates on)")
	}
	b.wantText("#watched-apps", "Expenses", "Inventory")
	b.page("notifications")
	b.run("toggle", chromedp.Click(chromedp.CSS("#f-daily-digest")), chromedp.Click(chromedp.CSS("#f-thread-updates")))
	res := b.load("save", chromedp.Click(chromedp.CSS("form[action='/notifications'] button[type=submit]")))
	b.wantPage(res, 200, "Notification Settings")
	b.wantText(".notice", "Your notification settings are saved.")
	st, err := e.settings.Notifications.Settings(ctx, signedIn(e.settings, e.account(ada).ID))
	if err != nil || !st.DailyDigest || st.ThreadUpdates {
		t.Fatalf("settings %+v, %v; want digest on, thread updates off", st, err)
	}
	b.load("stop watching", chromedp.Click(chromedp.CSS("form[action='/notifications/apps/expenses/stop'] button")))
	b.wantText(".notice", "You no longer watch that app.")
	if b.has("form[action='/notifications/apps/expenses/stop']") || !b.has("form[action='/notifications/apps/inventory/stop']") {
		t.Fatalf("watched apps after Stop Watching: %q", b.text("#watched-apps"))
	}
}

func TestBrowserPersonalData(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	ctx := context.Background()
	a := e.account(ada)
	for i := range 25 {
		name := fmt.Sprintf("Ada %d", i)
		if _, err := e.settings.Profiles.Update(ctx, auth.New(a.ID, auth.MethodPassword, e.settings.Now(), ""), profile.Update{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/personal-data"), 200, "Personal Data")
	b.wantText("main", "Ada 24", ada, "Changes are tracked since")
	if n := eval[int](b, `document.querySelectorAll("#history tbody tr").length`); n != 20 {
		t.Fatalf("history page 1 has %d rows, want 20", n)
	}
	b.page("personal-data")
	b.load("older", chromedp.Click(chromedp.CSS("a[rel=next]")))
	if n := eval[int](b, `document.querySelectorAll("#history tbody tr").length`); n < 5 {
		t.Fatalf("history page 2 has %d rows, want at least 5", n)
	}
	b.wantText(".pager", "Page 2")

	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptrTo(true),
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
	}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	dctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	events := chromedp.BrowserEvents(dctx, browser.DownloadProgress)
	b.run("download", chromedp.Click(chromedp.CSS("a[href='/personal-data/download']")))
	var file string
	for ev, err := range events {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("the download is not a ZIP: %v", err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if len(names) == 0 || names[0] != "personal-data.json" {
		t.Fatalf("archive holds %v, want personal-data.json first", names)
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestBrowserForgotPassword(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.clock.Advance(5 * time.Minute) // past the code throttle of the address
	b := newTab(t, e, false)
	b.visit("/signin")
	res := b.load("forgot", chromedp.Click(chromedp.CSS("a[href='/forgot']")))
	b.wantPage(res, 200, "Forgot password")
	b.page("forgot")
	res = b.submit("form[action='/forgot'] button[type=submit]", "#f-email", ada)
	b.wantPage(res, 200, "Choose a new password")
	b.wantText(".notice", "If the address has an account")
	b.page("forgot-reset")
	// The address typed on the step before is filled in.
	if v := eval[string](b, `document.querySelector("#f-email").value`); v != ada {
		t.Fatalf("email on the reset page %q, want %q", v, ada)
	}
	code := e.code(ada)
	form := "form[action='/forgot/reset'] button[type=submit]"
	res = b.submit(form, "#f-code", wrongCode(code), "#f-password", "New-Horse-9-Battery")
	b.wantPage(res, 422, "Choose a new password")
	b.wantFieldError("f-code", "not right")
	// A password the policy refuses keeps the code typed.
	res = b.submit(form, "#f-code", code, "#f-password", "short")
	b.wantPage(res, 422, "Choose a new password")
	b.wantFieldError("f-password", "at least")
	if v := eval[string](b, `document.querySelector("#f-code").value`); v != code {
		t.Fatalf("code after a password error %q, want %q", v, code)
	}
	res = b.submit(form, "#f-password", "New-Horse-9-Battery")
	b.wantPage(res, 200, "Sign in")
	b.wantText(".notice", "Sign in with the new one.")
	b.wantText(".notice", "personal access tokens and API keys revoked")
	b.wantPage(b.signIn(ada, "New-Horse-9-Battery"), 200, "Profile")
}

// TestBrowserNarrow checks that every page fits a 360 px wide screen.
func TestBrowserNarrow(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.run("viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	for _, p := range []string{"/profile", "/profile/merge", "/accounts", "/accounts/new", "/accounts/delete",
		"/accounts/" + e.account(ada).ID + "/email", "/accounts/email-changes/pnd_example/verify",
		"/notifications", "/developer", "/personal-data", "/security-log", "/signup", "/signin"} {
		b.visit(p)
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s is %d px wide at a 360 px viewport", p, w)
		}
		if split := b.splitWords(); split != "" {
			t.Errorf("%s breaks words of its tables at 360 px: %s", p, split)
		}
		if p == "/profile" || p == "/developer" {
			b.screenshot("narrow" + strings.ReplaceAll(p, "/", "-"))
		}
	}
	// Below about 640 px a table's rows stack: each cell on a line of its
	// own, named by its column, and the table does not scroll sideways.
	b.visit("/security-log")
	stacked := eval[string](b, `(() => { const td = document.querySelector("table.stack td"); if (!td) return "no table";
		const wrap = td.closest(".table-wrap");
		return getComputedStyle(td).display + "|" + getComputedStyle(td, "::before").content + "|" + (wrap.scrollWidth > wrap.clientWidth); })()`)
	if stacked != `block|"When: "|false` {
		t.Errorf("security log at 360 px: %s, want stacked cells labelled by their column and no sideways scroll", stacked)
	}
	b.screenshot("narrow-security-log")
	b.run("viewport", chromedp.EmulateViewport(1024, 740))
	if d := eval[string](b, `getComputedStyle(document.querySelector("table.stack td")).display`); d != "table-cell" {
		t.Errorf("security log at 1024 px: cells are %s, want a table", d)
	}
}

// TestBrowserScript checks the enhancements of the page script: the copy
// button appears and a confirmation dialog guards deletion.
func TestBrowserScript(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, true)
	b.signIn(ada, pw)
	b.visit("/developer")
	b.run("scope", chromedp.Click(chromedp.CSS("#scope-0")))
	b.submit("form[action='/developer/tokens'] button[type=submit]", "#f-token-name", "ci")
	if eval[bool](b, `document.querySelector("button[data-copy='new-token']").hidden`) {
		t.Fatal("the copy button stays hidden with the script on")
	}
	b.visit("/developer")
	dialogs := b.acceptDialogs()
	res := b.load("delete token", chromedp.Click(chromedp.CSS("form[action$='/delete'] button")))
	b.wantPage(res, 200, "Developer Settings")
	b.wantText(".notice", "The token is deleted.")
	if n := dialogs(); n != 1 {
		t.Fatalf("%d confirmation dialogs, want 1", n)
	}
}

// TestBrowserKeyboard signs in with the keyboard alone: the skip link
// comes first and moves to the content, the fields follow in order, and
// Enter submits.
func TestBrowserKeyboard(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.visit("/signin")
	active := func() string {
		return eval[string](b, `(() => { const a = document.activeElement; return a.id || a.className || a.tagName; })()`)
	}
	b.run("tab", chromedp.KeyEvent(kb.Tab))
	if got := active(); got != "skip" {
		t.Fatalf("first Tab focuses %q, want the skip link", got)
	}
	b.run("enter", chromedp.KeyEvent(kb.Enter))
	if got := active(); got != "main" {
		t.Fatalf("the skip link moves focus to %q, want main", got)
	}
	b.run("tab", chromedp.KeyEvent(kb.Tab))
	if got := active(); got != "f-email" {
		t.Fatalf("Tab after the skip link focuses %q, want the email field", got)
	}
	b.run("type email", chromedp.KeyEvent(ada), chromedp.KeyEvent(kb.Tab))
	if got := active(); got != "f-password" {
		t.Fatalf("Tab after the email focuses %q, want the password field", got)
	}
	res := b.load("type password and Enter", chromedp.KeyEvent(pw+kb.Enter))
	b.wantPage(res, 200, "Profile")
}

// TestBrowserMorePages scans the pages the flows above do not: the
// Create Account code step, the second factor when it is on, the error
// page and the dev outbox.
func TestBrowserMorePages(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.visit("/accounts/new")
	res := b.submit("form[action='/accounts/new'] button[type=submit]", "#f-email", "ada.work@example.com", "#f-password", pw)
	b.wantPage(res, 200, "Check your email")
	b.page("account-verify")

	a := e.account(ada)
	ctx := context.Background()
	enr, err := e.settings.TwoFactor.BeginAuthenticator(ctx, signedIn(e.settings, a.ID), "test", ada)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.settings.TwoFactor.ConfirmAuthenticator(ctx, inBrowser(t, e.settings, a.ID), totpCode(t, e, enr.Secret.Reveal())); err != nil {
		t.Fatal(err)
	}
	b.wantPage(b.visit("/developer"), 200, "Developer Settings")
	b.wantText("#two-factor", "Enabled", "Recovery codes left: 10")
	b.page("developer-2fa-on")

	b.wantPage(b.visit("/people/"+a.ProfileID), 404, "Page not found")
	b.page("not-found")
	b.wantPage(b.visit("/dev/outbox"), 200, "Dev outbox")
	b.wantText("main", "ada.work@example.com")
	b.page("dev-outbox")
}

// TestBrowserChangeEmail changes the login email from the Accounts page,
// with JavaScript off: the Change email page, a field error, the code
// page, a wrong code, then the right one.
func TestBrowserChangeEmail(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	id := e.account(ada).ID
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/accounts"), 200, "Accounts")
	res := b.load("change email", chromedp.Click(chromedp.CSS("a[href='/accounts/"+id+"/email']")))
	b.wantPage(res, 200, "Change login email")
	b.wantText("main", ada)
	b.page("account-email")

	form := "form[action='/accounts/" + id + "/email'] button[type=submit]"
	res = b.submit(form, "#f-email", "ada@")
	b.wantPage(res, 422, "Change login email")
	b.wantFieldError("f-email", "Enter an email address")
	b.wantText(".error-summary", "Enter an email address")
	b.page("account-email-error")

	const next = "ada.lovelace@example.org"
	res = b.submit(form, "#f-email", next)
	b.wantPage(res, 200, "Check your email")
	b.page("account-email-verify")
	verify := "form[action$='/verify'] button[type=submit]"
	res = b.submit(verify, "#f-code", wrongCode(e.code(next)))
	b.wantPage(res, 422, "Check your email")
	b.wantFieldError("f-code", "not right")
	res = b.submit(verify, "#f-code", e.code(next))
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "The login email is changed.")
	b.wantText(".accounts", next)
}

// TestBrowserErasePersonalData erases everything from the Personal Data
// page with JavaScript off: a wrong confirmation is a field error, the
// right one signs out.
func TestBrowserErasePersonalData(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/personal-data"), 200, "Personal Data")
	b.wantText("#erase", "Erase your personal data", "every account", ada, "This cannot be undone.")
	form := "form[action='/personal-data/erase'] button[type=submit]"
	res := b.submit(form, "#f-confirm", "someone@example.com")
	b.wantPage(res, 422, "Personal Data")
	b.wantFieldError("f-confirm", "Type "+ada+" to confirm.")
	b.page("personal-data-erase-error")
	res = b.submit(form, "#f-confirm", ada)
	b.wantPage(res, 200, "Sign in")
	b.wantText(".notice", "all your personal data are erased")
	res = b.signIn(ada, pw)
	b.wantPage(res, 401, "Sign in")
}

// TestBrowserUnlockPages walks the emailed unlock with JavaScript off:
// the request page, then the code page with the address carried over.
func TestBrowserUnlockPages(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.wantPage(b.visit("/signin/unlock"), 200, "Unlock your sign-in")
	b.page("unlock")
	res := b.submit("form[action='/signin/unlock'] button[type=submit]", "#f-email", ada)
	b.wantPage(res, 200, "Enter the unlock code")
	b.wantText("#code-sent-to", ada)
	b.page("unlock-code")
	res = b.submit("form[action='/signin/unlock/code'] button[type=submit]", "#f-code", e.code(ada))
	b.wantPage(res, 200, "Sign in")
	b.wantText("main", "This browser is unlocked")
}

// TestBrowserDutch loads pages with a Dutch browser (Accept-Language:
// nl): lang="nl", Dutch words, and axe-core clean in both colour
// schemes.
func TestBrowserDutch(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "nl-NL,nl;q=0.9"}}); err != nil {
		t.Fatalf("a Dutch browser: %v", err)
	}
	b.wantPage(b.visit("/signin"), 200, "Inloggen")
	if lang := eval[string](b, `document.documentElement.lang`); lang != "nl" {
		t.Fatalf("lang %q, want nl", lang)
	}
	b.page("nl-signin")
	res := b.submit("form[action='/signin'] button[type=submit]", "#f-email", ada, "#f-password", "wrong")
	b.wantPage(res, 401, "Inloggen")
	b.wantText(".error-summary", "Er is een probleem", "klopt niet")
	b.wantPage(b.signIn(ada, pw), 200, "Profiel")
	b.wantText("#completeness", "een avatar", "een functie")
	b.page("nl-profile")
	b.wantPage(b.visit("/accounts"), 200, "Accounts")
	b.wantText("main", "Wachtwoord wijzigen")
	b.page("nl-accounts")
	b.wantPage(b.visit("/developer"), 200, "Ontwikkelaarsinstellingen")
	// The page navigation is styled in every language, not only the
	// language its selector was written in.
	if d := eval[string](b, `getComputedStyle(document.querySelector("nav.pages ul")).display`); d != "flex" {
		t.Errorf("the Dutch page navigation is laid out as %q, want the styled bar (flex)", d)
	}
	b.page("nl-developer")
	b.wantPage(b.visit("/security-log"), 200, "Beveiligingslogboek")
	b.wantText("main", "Ingelogd")
	b.page("nl-security-log")

	// Every other page, signed in and then signed out, in Dutch: axe in
	// both colour schemes (page), lang="nl".
	dutch := func(paths ...string) {
		t.Helper()
		for _, p := range paths {
			res := b.visit(p)
			if res.Status != 200 || eval[string](b, `document.documentElement.lang`) != "nl" {
				t.Fatalf("%s: status %d, lang %q; want a Dutch page", p, res.Status, eval[string](b, `document.documentElement.lang`))
			}
			b.page("nl" + strings.NewReplacer("/", "-", e.account(ada).ID, "id").Replace(p))
		}
	}
	dutch("/profile/merge", "/accounts/new", "/accounts/delete", "/accounts/"+e.account(ada).ID+"/email",
		"/notifications", "/sessions", "/personal-data")
	b.load("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button")))
	dutch("/signup", "/forgot", "/forgot/reset", "/forgot/recovery", "/forgot/recovery/reset", "/signin/unlock", "/signin/unlock/code")
}
