package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
)

// A page follows Accept-Language: Dutch text and lang="nl" for a Dutch
// browser, English (the default) otherwise; the language never shows in
// the URL.
func TestPagesFollowAcceptLanguage(t *testing.T) {
	s, base := pagesOver(t, usersettings.Options{})
	confirmedAccount(t, s, ada)
	cases := []struct {
		accept, lang  string
		want, notWant []string
	}{
		{"nl-NL,nl;q=0.9,en;q=0.5", "nl", []string{"Inloggen", "Wachtwoord vergeten?", "Nog geen account?"}, []string{"Forgot password?"}},
		{"nl-BE", "nl", []string{"Inloggen"}, nil},
		{"en-GB,en;q=0.9", "en", []string{"Sign in", "Forgot password?"}, []string{"Inloggen"}},
		{"fr-FR", "en", []string{"Sign in"}, []string{"Inloggen"}},
		{"", "en", []string{"Sign in"}, []string{"Inloggen"}},
	}
	for _, tc := range cases {
		c := newClient(t, base)
		res, body := c.do(http.MethodGet, "/signin", nil, "Accept-Language", tc.accept)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%q: status %d", tc.accept, res.StatusCode)
		}
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) {
			t.Errorf("%q: want lang %q in %.200s", tc.accept, tc.lang, body)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%q: page lacks %q", tc.accept, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%q: page has %q", tc.accept, w)
			}
		}
	}

	// Signed in, a form error, a formatted message and the navigation are
	// Dutch too.
	c := newClient(t, base)
	c.signIn(ada, pw, "")
	_, body := c.do(http.MethodGet, "/accounts", nil, "Accept-Language", "nl")
	for _, w := range []string{`<html lang="nl">`, "Meldingsinstellingen", "Wachtwoord wijzigen", "Ingelogd als <strong>"} {
		if !strings.Contains(body, w) {
			t.Errorf("accounts in Dutch lacks %q", w)
		}
	}
	res, body := c.do(http.MethodPost, "/accounts/password", map[string][]string{"csrf": {c.token("/accounts")}, "current": {pw}, "password": {"a"}, "confirm": {"a"}}, "Accept-Language", "nl")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Gebruik minstens") || !strings.Contains(body, "Er is een probleem") {
		t.Errorf("a Dutch form error: status %d, body lacks the Dutch messages", res.StatusCode)
	}
}
