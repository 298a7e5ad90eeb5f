package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserReauthKeepsTheAction starts actions from a stale sign-in,
// with JavaScript off: the password prompt says what it will finish, and
// once the password is right the action is done without typing the form
// again. A form holding a password of its own opens again instead, with
// a word on why.
func TestBrowserReauthKeepsTheAction(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	a := e.account(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	e.clock.Advance(61 * time.Minute) // the sign-in is stale now

	b.visit("/developer")
	b.run("scope", chromedp.Click(chromedp.CSS("#scope-1")))
	res := b.submit("form[action='/developer/tokens'] button[type=submit]", "#f-token-name", "deploy bot")
	b.wantPage(res, 200, "Confirm it is you")
	b.wantText("#reauth-action", "create the personal access token")
	b.page("reauth-action")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", "Wrong-Horse-9-Battery")
	b.wantPage(res, 401, "Confirm it is you")
	b.wantText("#reauth-action", "create the personal access token")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw)
	b.wantPage(res, 200, "Your new personal access token")
	b.wantText("#new-secret", "deploy bot")
	tokens, err := e.settings.Tokens.List(context.Background(), inBrowser(t, e.settings, a.ID))
	if err != nil || len(tokens) != 1 || tokens[0].Name != "deploy bot" || len(tokens[0].Scopes) != 1 || tokens[0].Scopes[0] != "mx:app:write" {
		t.Fatalf("tokens after re-authentication = %+v, %v; want the one asked for, deploy bot with mx:app:write", tokens, err)
	}

	// A form with a password of its own: never kept, so it opens again.
	e.clock.Advance(61 * time.Minute)
	b.visit("/accounts")
	res = b.submit("form[action='/accounts/password'] button[type=submit]",
		"#f-current", pw, "#f-password", "New-Horse-9-Battery", "#f-confirm", "New-Horse-9-Battery")
	b.wantPage(res, 200, "Confirm it is you")
	b.wantText("main", "Then the form opens again")
	res = b.submit("form[action='/reauth'] button[type=submit]", "#f-password", pw)
	b.wantPage(res, 200, "Accounts")
	b.wantText(".notice", "enter it again to finish")
	if got := eval[string](b, `document.getElementById("f-current").value`); got != "" {
		t.Fatal("a password was kept through re-authentication")
	}
}
