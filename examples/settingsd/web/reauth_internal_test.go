package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every password field of every form is a secret that re-authentication
// never carries (secretFields, routeSecrets).
func TestPasswordFieldsAreSecret(t *testing.T) {
	actionRE := regexp.MustCompile(`<form[^>]*action="([^"{]+)"`)
	passwordRE := regexp.MustCompile(`\(field [.$]\w*(?:\.Form)? "(\w+)"[^)]*"type=password"`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range strings.Split(string(b), "<form")[1:] {
			m := actionRE.FindStringSubmatch("<form" + form)
			if m == nil {
				continue
			}
			for _, f := range passwordRE.FindAllStringSubmatch(form, -1) {
				seen++
				if !isSecret("POST "+m[1], f[1]) {
					t.Errorf("%s: the password field %q of the form to %s is not a secret field", n, f[1], m[1])
				}
			}
		}
	}
	if seen < 8 {
		t.Fatalf("found %d password fields, want every form's", seen)
	}
}

// The tables of re-authentication name routes that exist.
func TestReplayTablesNameRoutes(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for p := range replayActions {
		patterns = append(patterns, p)
	}
	for p := range proofFields {
		patterns = append(patterns, p)
	}
	for p := range routeSecrets {
		patterns = append(patterns, p)
	}
	for _, p := range patterns {
		if !strings.Contains(string(src), strconv.Quote(p)) {
			t.Errorf("%q is not a route of the pages", p)
		}
	}
}

// replayOf keeps a form's plain values, never a secret; a form with a
// secret other than its proof is to be typed again, and keeps nothing.
func TestReplayOf(t *testing.T) {
	post := func(pattern, path string, form url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		r.Pattern = pattern
		return r
	}
	for _, tc := range []struct {
		name       string
		r          *http.Request
		wantValues url.Values
		wantRetype bool
	}{
		{"token", post("POST /developer/tokens", "/developer/tokens", url.Values{"csrf": {"x"}, "token_name": {"ci"}, "scope": {"a", "b"}}),
			url.Values{"token_name": {"ci"}, "scope": {"a", "b"}}, false},
		{"delete: confirm is the address", post("POST /accounts/delete", "/accounts/delete", url.Values{"csrf": {"x"}, "confirm": {"ada@example.com"}}),
			url.Values{"confirm": {"ada@example.com"}}, false},
		{"deactivate: the password is the proof", post("POST /developer/2fa/deactivate", "/developer/2fa/deactivate", url.Values{"csrf": {"x"}, "password": {"s3cret"}}),
			url.Values{}, false},
		{"change password", post("POST /accounts/password", "/accounts/password", url.Values{"csrf": {"x"}, "current": {"a"}, "password": {"b"}, "confirm": {"b"}}),
			nil, true},
		{"add account", post("POST /accounts/new", "/accounts/new", url.Values{"csrf": {"x"}, "email": {"ada@work.example"}, "password": {"b"}}),
			nil, true},
	} {
		rp, ok := replayOf(tc.r)
		if !ok || rp.Retype != tc.wantRetype || rp.Values.Encode() != tc.wantValues.Encode() || rp.Path != tc.r.URL.Path {
			t.Errorf("%s: replayOf = %+v, %t; want values %v, retype %t", tc.name, rp, ok, tc.wantValues, tc.wantRetype)
		}
	}
	if _, ok := replayOf(httptest.NewRequest(http.MethodGet, "/developer", nil)); ok {
		t.Error("replayOf(GET) = true, want nothing to replay")
	}
}
