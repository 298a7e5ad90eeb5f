package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// wantCodeHelp checks the "Didn't get a code?" help of a code page: the
// address, the spam folder, the support link and the resend button.
func (b *tab) wantCodeHelp(sentTo string) {
	b.t.Helper()
	b.wantText("#code-sent", sentTo)
	b.wantText("#code-help", "Didn't get a code?", sentTo, "spam", "Contact support")
	if href := eval[string](b, `document.getElementById("support-link").getAttribute("href")`); href != supportURL {
		b.t.Errorf("the support link goes to %q, want %q", href, supportURL)
	}
	if !b.has("#code-help button#f-resend") {
		b.t.Error("the code page has no Send a new code button")
	}
}

// TestBrowserCodeResend (issue 22, finding 12): the code pages of
// sign-up, of an added account and of a login-email change say where the
// code went and send a new one, which replaces the old; the throttle of
// the first code holds for the new ones.
func TestBrowserCodeResend(t *testing.T) {
	e := newEnv(t)
	b := newTab(t, e, false)
	b.visit("/signup")
	res := b.submit("form[action='/signup'] button[type=submit]", "#f-email", ada, "#f-password", pw)
	b.wantPage(res, 200, "Check your email")
	b.wantCodeHelp(ada)
	b.page("signup-verify-help")
	old := e.code(ada)
	e.clock.Advance(time.Second)
	e.clock.Advance(time.Second) // the newest mail is the new code's
	res = b.load("send a new code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 200, "Check your email")
	b.wantText(".notice", "We sent a new code")
	b.wantCodeHelp(ada)
	code := e.code(ada)
	if code != old {
		res = b.submit("form[action='/signup/verify'] button[type=submit]", "#f-code", old)
		b.wantPage(res, 422, "Check your email")
		b.wantFieldError("f-code", "not right")
	}
	// The burst of the first code is spent by the third send.
	e.clock.Advance(time.Second)
	b.load("third code", chromedp.Click(chromedp.CSS("#f-resend")))
	res = b.load("fourth code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 429, "Check your email")
	b.wantText("#f-resend-error", "Wait")
	b.wantText(".error-summary", "Wait")
	b.page("signup-verify-throttled")
	res = b.submit("form[action='/signup/verify'] button[type=submit]", "#f-code", e.code(ada))
	b.wantPage(res, 200, "Profile")

	// An added account's code page.
	const work = "ada.work@example.com"
	e.clock.Advance(10 * time.Minute)
	b.visit("/accounts/new")
	res = b.submit("form[action='/accounts/new'] button[type=submit]", "#f-email", work, "#f-password", pw)
	b.wantPage(res, 200, "Check your email")
	b.wantCodeHelp(work)
	b.page("account-verify-help")
	e.clock.Advance(time.Second) // the newest mail is the new code's
	res = b.load("send a new code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 200, "Check your email")
	b.wantText(".notice", "We sent a new code")
	if n := mailsTo(e, work); n != 2 {
		t.Fatalf("%d mails to %s, want 2", n, work)
	}
	res = b.submit("form[action='/accounts/new/verify'] button[type=submit]", "#f-code", e.code(work))
	b.wantPage(res, 200, "Accounts")

	// A login-email change's code page.
	const home = "ada.home@example.com"
	b.load("change email", chromedp.Click(chromedp.CSS("a[href$='/email']")))
	res = b.submit("form[action$='/email'] button[type=submit]", "#f-email", home)
	b.wantPage(res, 200, "Check your email")
	b.wantCodeHelp(home)
	b.page("account-email-verify-help")
	e.clock.Advance(time.Second) // the newest mail is the new code's
	res = b.load("send a new code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 200, "Check your email")
	if n := mailsTo(e, home); n != 2 {
		t.Fatalf("%d mails to %s, want 2", n, home)
	}
	res = b.submit("form[action$='/verify'] button[type=submit]", "#f-code", e.code(home))
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "login email")

	// An unknown request goes back to its start.
	b.visit("/signup/verify?id=pnd_nothing")
	b.wantText(".notice", "That request has expired")
}

// mailsTo counts the mail to the address.
func mailsTo(e *env, to string) int {
	n := 0
	for _, m := range e.outbox.Messages() {
		if m.To == to {
			n++
		}
	}
	return n
}

// TestBrowserMergeDeadEnd (issue 22, finding 3): a merge towards an
// address that belongs to nobody answers as for a registered one, but is
// no dead end: step 3 offers "Create Support Request", and the code page
// says where the code went (masked, "if" it belongs to the other
// profile), how to check, and sends a new code; the mail of a real merge
// names the account that asks.
func TestBrowserMergeDeadEnd(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	e.clock.Advance(5 * time.Minute)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.visit("/profile/merge")
	res := b.submit("form[action='/profile/merge'] button[type=submit]", "#f-email", "bobb@example.com")
	b.wantPage(res, 200, "Merge profiles")
	b.wantText("#merge-support", "Create Support Request")
	if href := eval[string](b, `document.querySelector("#merge-support a").getAttribute("href")`); href != supportURL {
		t.Errorf("Create Support Request goes to %q, want %q", href, supportURL)
	}
	b.page("merge-send-support")
	res = b.load("send code", chromedp.Click(chromedp.CSS("form[action$='/send'] button[type=submit]")))
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 4 of 6")
	b.wantText("#code-sent", "If b***@example.com belongs to the other profile")
	b.wantCodeHelp("b***@example.com")
	b.wantText("#code-help", "start again with another address")
	if strings.Contains(b.text("main"), "bobb@example.com") {
		t.Fatal("the code page shows the typed address unmasked")
	}
	b.page("merge-code-help")
	e.clock.Advance(time.Second) // the newest mail is the new code's
	res = b.load("send a new code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".notice", "We sent a new code")
	b.wantText(".step-of", "Step 4 of 6")
	e.clock.Advance(time.Second)
	b.load("third code", chromedp.Click(chromedp.CSS("#f-resend")))
	res = b.load("fourth code", chromedp.Click(chromedp.CSS("#f-resend")))
	b.wantPage(res, 429, "Merge profiles")
	b.wantText("#f-resend-error", "Wait")
	if n := len(e.outbox.Messages()); n != 2 { // the two sign-up codes
		t.Errorf("%d mails, want none beyond the sign-ups: an address of nobody gets nothing", n)
	}

	// A real merge: the mail says which account asks, and the new code
	// replaces the first.
	b.load("cancel", chromedp.Click(chromedp.CSS("form[action$='/cancel'] button")))
	b.visit("/profile/merge")
	b.submit("form[action='/profile/merge'] button[type=submit]", "#f-email", bob)
	b.load("send code", chromedp.Click(chromedp.CSS("form[action$='/send'] button[type=submit]")))
	m, _ := e.outbox.Last(bob)
	if !strings.Contains(m.Body, "The account "+ada+" asks for this merge") {
		t.Errorf("the merge mail does not name the asking account:\n%s", m.Body)
	}
	first := e.code(bob)
	e.clock.Advance(time.Second)
	b.load("send a new code", chromedp.Click(chromedp.CSS("#f-resend")))
	if second := e.code(bob); second != first {
		res = b.submit("form[action$='/verify'] button[type=submit]", "#f-code", first)
		b.wantPage(res, 422, "Merge profiles")
	}
	res = b.submit("form[action$='/verify'] button[type=submit]", "#f-code", e.code(bob))
	b.wantPage(res, 200, "Merge profiles")
	b.wantText(".step-of", "Step 5 of 6")
}

// TestBrowserResetCodeHelp: the password reset's "Didn't get a code?"
// points to the spam folder and links support too.
func TestBrowserResetCodeHelp(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.visit("/forgot")
	res := b.submit("form[action='/forgot'] button[type=submit]", "#f-email", ada)
	b.wantPage(res, 200, "Choose a new password")
	b.wantText("form.resend", "Didn't get a code?", "spam", "Contact support")
	if href := eval[string](b, `document.querySelector("form.resend .support-link").getAttribute("href")`); href != supportURL {
		t.Errorf("the support link goes to %q, want %q", href, supportURL)
	}
	b.page("reset-code-help")
}
