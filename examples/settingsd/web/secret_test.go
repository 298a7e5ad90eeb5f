package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNewSecretOnAPhone makes a token and an API key on a 360 px
// wide screen: each is shown at the top of the first screen of a page of
// its own, reached by a redirect (so the URL is not the form's and a
// reload posts nothing), and a reload shows it no more.
func TestBrowserNewSecretOnAPhone(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.run("viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	for _, tc := range []struct{ name, form, id, title string }{
		{"token", "form[action='/developer/tokens']", "new-token", "Your new personal access token"},
		{"key", "form[action='/developer/api-keys']", "new-key", "Your new API key"},
	} {
		b.visit("/developer")
		if tc.name == "token" {
			b.run("scope", chromedp.Click(chromedp.CSS("#scope-0")))
		}
		res := b.submit(tc.form+" button[type=submit]", "#f-token-name", "ci", "#f-description", "deploy")
		b.wantPage(res, 200, tc.title)
		if path := eval[string](b, "location.pathname"); path != "/developer/new" {
			t.Errorf("%s: the page of the new secret is at %s, want /developer/new (not the form's address)", tc.name, path)
		}
		secret := b.text("#" + tc.id)
		if secret == "" || strings.Contains(eval[string](b, "location.href"), secret) {
			t.Fatalf("%s: secret %q, or in the URL", tc.name, secret)
		}
		// The whole secret is on the first screen, without scrolling.
		js := `(() => { const r = document.getElementById("` + tc.id + `").getBoundingClientRect();
			return window.scrollY === 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; })()`
		if !eval[bool](b, js) {
			top := eval[float64](b, `document.getElementById("`+tc.id+`").getBoundingClientRect().top`)
			t.Errorf("%s: the secret is not in the first screen of 360×740 (its top at %.0f px)", tc.name, top)
		}
		b.page("narrow-developer-new-" + tc.name)
		res = b.load("reload", chromedp.Reload())
		b.wantPage(res, 200, "Developer Settings")
		if b.has("#"+tc.id) || strings.Contains(b.text("main"), secret) {
			t.Fatalf("%s: a reload shows the secret again", tc.name)
		}
	}
}
