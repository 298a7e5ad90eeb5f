package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// foreignNext are values of next that a browser could follow to another
// site: the pages must send it to "/" instead, at every sink. The full
// table of the one check is TestCheckReturnTo in package account/sso.
var foreignNext = []string{
	"https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
	"/\t/evil.example", "\t//evil.example", "/\n/evil.example", "/\r\n/evil.example",
	"/\x00/evil.example", "/\x0b/evil.example", " //evil.example", "/ /evil.example",
	"javascript:alert('evil.example')", "http:/evil.example", "/\u3002evil.example",
}

// Open redirect: no page sends the browser off the site, whatever next
// says: not the meta refresh after single sign-on, nor the Location of
// the sign-in or of re-authentication.
func TestNoOpenRedirect(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	c := newClient(t, e.srv.URL)
	for _, next := range foreignNext {
		res, page := c.do(http.MethodGet, "/signin/sso/done?next="+url.QueryEscape(next), nil)
		if res.StatusCode != http.StatusOK || strings.Contains(page, "evil.example") || !strings.Contains(page, `content="0; url=/"`) {
			t.Errorf("/signin/sso/done with next=%q: %s, refreshes elsewhere than /: %v", next, res.Status, strings.Contains(page, "evil.example"))
		}
	}
	for _, next := range foreignNext[:6] {
		res := c.signIn(ada, pw, next)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/profile" {
			t.Errorf("POST /signin with next=%q: %s to %q, want 303 to /profile, the page of /", next, res.Status, loc)
		}
		res, _ = c.do(http.MethodPost, "/reauth", url.Values{"csrf": {c.token("/reauth")}, "password": {pw}, "next": {next}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("POST /reauth with next=%q: %s to %q, want 303 to /", next, res.Status, loc)
		}
		e.clock.Advance(time.Minute) // the sign-in limit is not what this test is about
	}
}

// In Chromium, which removes tabs from a URL: the landing page of single
// sign-on with next=/<TAB>/evil.example stays on the site (the tab fails
// the test if it requests another origin).
func TestBrowserNoOpenRedirect(t *testing.T) {
	e := newEnv(t)
	b := newTab(t, e, false)
	b.visit("/signin/sso/done?next=" + url.QueryEscape("/\t/evil.example"))
	b.run("wait for the refresh", chromedp.Sleep(1500*time.Millisecond))
	href := eval[string](b, "location.href")
	u, err := url.Parse(href)
	if err != nil || u.Scheme+"://"+u.Host != e.srv.URL {
		t.Errorf("after the landing page the browser is at %s, want a page of %s", href, e.srv.URL)
	}
}
