package token_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/token"
)

// whoami answers 200 with the principal's account id.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := token.PrincipalFrom(r.Context())
	if !ok {
		http.Error(w, "no principal", 500)
		return
	}
	_, _ = io.WriteString(w, p.AccountID+" "+p.Kind.String())
})

type response struct {
	status int
	ctype  string
	body   []byte
}

func serve(t *testing.T, h http.Handler, r *http.Request) response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return response{w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()}
}

func request(target string, headers ...string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header[headers[i]] = append(r.Header[headers[i]], headers[i+1])
	}
	return r
}

// forbidden is the one answer every failure must get, byte for byte.
var forbidden = response{403, "application/json", []byte(`{"error":""}`)}

func checkForbidden(t *testing.T, name string, got response) {
	t.Helper()
	if got.status != forbidden.status || got.ctype != forbidden.ctype || !bytes.Equal(got.body, forbidden.body) {
		t.Errorf("%s: got %d %q %q, want %d %q %q", name, got.status, got.ctype, got.body,
			forbidden.status, forbidden.ctype, forbidden.body)
	}
}

func TestMiddleware(t *testing.T) {
	f := newFixture(t)
	_, pat := f.create(t, "t")
	delTok, deleted := f.create(t, "deleted")
	_, key := f.createKey(t, "k")
	if err := f.svc.Delete(f.ctx, f.as(f.acct.ID), delTok.ID); err != nil {
		t.Fatal(err)
	}
	h := token.Middleware(f.svc, whoami)
	for _, scheme := range []string{"mxtoken", "MXTOKEN", "MxToken"} {
		got := serve(t, h, request("/", "Authorization", scheme+" "+pat))
		if got.status != 200 || string(got.body) != f.acct.ID+" token" {
			t.Errorf("%s: got %d %q, want 200", scheme, got.status, got.body)
		}
	}
	bad := []struct {
		name   string
		target string
		hdr    []string
	}{
		{"no header", "/", nil},
		{"empty header", "/", []string{"Authorization", ""}},
		{"bearer", "/", []string{"Authorization", "Bearer " + pat}},
		{"no scheme", "/", []string{"Authorization", pat}},
		{"tab", "/", []string{"Authorization", "mxtoken\t" + pat}},
		{"two spaces", "/", []string{"Authorization", "mxtoken  " + pat}},
		{"trailing space", "/", []string{"Authorization", "mxtoken " + pat + " "}},
		{"two credentials", "/", []string{"Authorization", "mxtoken " + pat + " " + pat}},
		{"two headers", "/", []string{"Authorization", "mxtoken " + pat, "Authorization", "mxtoken " + pat}},
		{"8 KB header", "/", []string{"Authorization", "mxtoken " + pat + strings.Repeat("a", 8<<10)}},
		{"token in query", "/?access_token=" + pat, []string{"Authorization", "mxtoken " + pat}},
		{"token value in query", "/?q=" + pat, []string{"Authorization", "mxtoken " + pat}},
		{"only query", "/?access_token=" + pat, nil},
		{"malformed", "/", []string{"Authorization", "mxtoken " + pat[:len(pat)-1] + "x"}},
		{"deleted", "/", []string{"Authorization", "mxtoken " + deleted}},
		{"api key", "/", []string{"Authorization", "mxtoken " + key}},
		{"api key headers", "/", []string{"Mendix-Username", f.acct.Email, "Mendix-Apikey", key}},
	}
	for _, tt := range bad {
		checkForbidden(t, tt.name, serve(t, h, request(tt.target, tt.hdr...)))
	}
	f.setStatus(t, account.StatusDeactivated)
	checkForbidden(t, "deactivated", serve(t, h, request("/", "Authorization", "mxtoken "+pat)))
}

func TestRequireScopes(t *testing.T) {
	f := newFixture(t)
	_, pat := f.create(t, "read only")
	_, key := f.createKey(t, "k")
	read := token.AnyMiddleware(f.svc, token.RequireScopes("Projects:Read")(whoami))
	write := token.AnyMiddleware(f.svc, token.RequireScopes("projects:read", "projects:write")(whoami))
	if got := serve(t, read, request("/", "Authorization", "mxtoken "+pat)); got.status != 200 {
		t.Errorf("read with read scope: %d, want 200", got.status)
	}
	checkForbidden(t, "scope denied", serve(t, write, request("/", "Authorization", "mxtoken "+pat)))
	if got := serve(t, write, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)); got.status != 200 {
		t.Errorf("api key on a scoped handler: %d, want 200", got.status)
	}
	checkForbidden(t, "no principal", serve(t, token.RequireScopes("catalog")(whoami), request("/")))
}

func TestAPIKeyMiddleware(t *testing.T) {
	f := newFixture(t)
	_, key := f.createKey(t, "k")
	_, pat := f.create(t, "t")
	h := token.APIKeyMiddleware(f.svc, whoami)
	got := serve(t, h, request("/", "Mendix-Username", "Ann@example.com", "Mendix-Apikey", key))
	if got.status != 200 || string(got.body) != f.acct.ID+" api_key" {
		t.Errorf("good key: %d %q, want 200", got.status, got.body)
	}
	bad := []struct {
		name string
		hdr  []string
	}{
		{"none", nil},
		{"no username", []string{"Mendix-Apikey", key}},
		{"no key", []string{"Mendix-Username", f.acct.Email}},
		{"wrong username", []string{"Mendix-Username", "bob@example.com", "Mendix-Apikey", key}},
		{"token as key", []string{"Mendix-Username", f.acct.Email, "Mendix-Apikey", pat}},
		{"two keys", []string{"Mendix-Username", f.acct.Email, "Mendix-Apikey", key, "Mendix-Apikey", key}},
		{"key with space", []string{"Mendix-Username", f.acct.Email, "Mendix-Apikey", key + " x"}},
		{"key in authorization", []string{"Authorization", "mxtoken " + key}},
	}
	for _, tt := range bad {
		checkForbidden(t, tt.name, serve(t, h, request("/", tt.hdr...)))
	}
	custom := token.APIKeyMiddleware(f.svc, whoami, token.WithAPIKeyHeaders("x-user", "x-key"))
	if got := serve(t, custom, request("/", "X-User", f.acct.Email, "X-Key", key)); got.status != 200 {
		t.Errorf("custom headers: %d, want 200", got.status)
	}
	checkForbidden(t, "default names with custom config",
		serve(t, custom, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)))
}

func TestAnyMiddleware(t *testing.T) {
	f := newFixture(t)
	_, key := f.createKey(t, "k")
	_, pat := f.create(t, "t")
	h := token.AnyMiddleware(f.svc, whoami)
	if got := serve(t, h, request("/", "Authorization", "mxtoken "+pat)); got.status != 200 {
		t.Errorf("token: %d, want 200", got.status)
	}
	if got := serve(t, h, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)); got.status != 200 {
		t.Errorf("api key: %d, want 200", got.status)
	}
	checkForbidden(t, "both", serve(t, h, request("/", "Authorization", "mxtoken "+pat,
		"Mendix-Username", f.acct.Email, "Mendix-Apikey", key)))
	checkForbidden(t, "neither", serve(t, h, request("/")))
	checkForbidden(t, "key as token", serve(t, h, request("/", "Authorization", "mxtoken "+key)))
}

// TestFailuresAreIdentical checks revoked, deactivated and malformed
// credentials get byte-identical answers, headers included.
func TestFailuresAreIdentical(t *testing.T) {
	f := newFixture(t)
	tok, revoked := f.create(t, "revoked")
	_, live := f.create(t, "live")
	if err := f.svc.Delete(f.ctx, f.as(f.acct.ID), tok.ID); err != nil {
		t.Fatal(err)
	}
	bob := f.addAccount(t, "acc_bob", "bob@example.com")
	_, bobs, err := f.svc.Create(f.ctx, f.as(bob.ID), "b", []string{"catalog"})
	if err != nil {
		t.Fatal(err)
	}
	bob.Status = account.StatusDeactivated
	if err := f.st.UpdateAccount(f.ctx, bob); err != nil {
		t.Fatal(err)
	}
	h := token.Middleware(f.svc, token.RequireScopes("catalog")(whoami))
	var first *httptest.ResponseRecorder
	for _, cred := range []string{revoked, bobs.Reveal(), live[:20], live} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, request("/", "Authorization", "mxtoken "+cred))
		if first == nil {
			first = w
			continue
		}
		if w.Code != first.Code || !bytes.Equal(w.Body.Bytes(), first.Body.Bytes()) ||
			len(w.Header()) != len(first.Header()) {
			t.Errorf("answers differ: %d %q %v vs %d %q %v", w.Code, w.Body, w.Header(), first.Code, first.Body, first.Header())
		}
		for k := range first.Header() {
			if w.Header().Get(k) != first.Header().Get(k) {
				t.Errorf("header %s differs", k)
			}
		}
	}
}
