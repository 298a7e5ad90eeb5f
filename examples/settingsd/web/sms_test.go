package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSMSTwoFactor turns SMS codes on in Developer Settings, then
// signs in with a texted code, with JavaScript off: the number, the code
// texted (a second one asked too soon says when it may be sent, from the
// SDK's wait), a wrong code, the right one; then "Text me a code" at the
// code step of the sign-in.
func TestBrowserSMSTwoFactor(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	const phone = "+31612345678"
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/developer"), 200, "Developer Settings")
	b.wantText("#two-factor", "Not enabled", "Text message (SMS)")

	send := "form[action='/developer/2fa/sms'] button[type=submit]"
	res := b.submit(send, "#f-phone", "0612345678")
	b.wantPage(res, 422, "Developer Settings")
	b.wantFieldError("f-phone", "international form")
	res = b.submit(send, "#f-phone", "+31 6 1234 5678")
	b.wantPage(res, 200, "Developer Settings")
	b.wantText("#two-factor", "We texted a code to +31*******78")
	first := e.textedCode(phone)
	b.page("developer-sms-enrol")
	// Asked again at once: the SDK's throttle says how long to wait,
	// and the number stays in the form.
	res = b.load("text again", chromedp.Click(chromedp.CSS(send)))
	b.wantPage(res, 429, "Developer Settings")
	b.wantFieldError("f-phone", "You can ask for a new one in 30 seconds")
	if got := eval[string](b, `document.getElementById("f-phone").value`); got != phone {
		t.Fatalf("phone field after the throttle: %q, want %q", got, phone)
	}
	confirm := "form[action='/developer/2fa/sms/confirm'] button[type=submit]"
	res = b.submit(confirm, "#f-sms-code", wrongCode(first))
	b.wantPage(res, 422, "Developer Settings")
	b.wantFieldError("f-sms-code", "not right")
	res = b.submit(confirm, "#f-sms-code", first)
	b.wantPage(res, 200, "Developer Settings")
	if n := len(strings.Fields(b.text("#recovery-codes"))); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	b.wantText("#two-factor", "Enabled", "SMS to +31*******78")

	b.wantPage(b.load("sign out", chromedp.Click(chromedp.CSS("form[action='/signout'] button"))), 200, "Sign in")
	res = b.signIn(ada, pw)
	b.wantPage(res, 200, "Enter your code")
	b.wantText("main", "+31*******78")
	b.page("signin-code-sms")
	e.clock.Advance(31 * time.Second) // past the SDK's interval since the enrolment's code
	text := "form[action='/signin/code/sms'] button[type=submit]"
	res = b.load("text me a code", chromedp.Click(chromedp.CSS(text)))
	b.wantPage(res, 200, "Enter your code")
	b.wantText(".notice", "We texted you a code")
	b.wantText(text, "Text me a new code")
	code := e.textedCode(phone)
	res = b.load("text me another at once", chromedp.Click(chromedp.CSS(text)))
	b.wantPage(res, 429, "Enter your code")
	b.wantText(".error-summary", "You can ask for a new one in 30 seconds")
	b.wantText("#f-resend-error", "You can ask for a new one in 30 seconds")
	b.page("signin-code-sms-throttled")
	if res := b.submit("form[action='/signin/code'] button[type=submit]", "#f-code", wrongCode(code)); res.Status != 401 {
		t.Fatalf("a wrong texted code: %d, want 401", res.Status)
	}
	b.wantFieldError("f-code", "not right")
	b.wantPage(b.submit("form[action='/signin/code'] button[type=submit]", "#f-code", code), 200, "Profile")

	b.wantPage(b.visit("/dev/outbox"), 200, "Dev outbox")
	b.wantText("main", "Text messages", phone, code)

	// The password prompt of a stale sign-in texts a code too.
	e.clock.Advance(61 * time.Minute)
	b.visit("/developer")
	res = b.submit("form[action='/developer/api-keys'] button[type=submit]", "#f-description", "deploy")
	b.wantPage(res, 200, "Confirm it is you")
	b.wantText("main", "+31*******78")
	b.page("reauth-sms")
	res = b.load("text me a code", chromedp.Click(chromedp.CSS("form[action='/reauth/sms'] button[type=submit]")))
	b.wantPage(res, 200, "Confirm it is you")
	b.wantText(".notice", "We texted you a code")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw, "#f-code", e.textedCode(phone))
	b.wantPage(res, 200, "Your new API key")
}
