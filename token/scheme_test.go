package token_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/token"
)

// acme is a custom scheme with every field set, prefixes of two lengths.
var acme = token.Scheme{
	Authorization:  "Bearer",
	TokenPrefix:    "acme_pat_",
	APIKeyPrefix:   "ak-",
	UsernameHeader: "x-acme-user",
	APIKeyHeader:   "X-Acme-Key",
}

func TestSchemeCheck(t *testing.T) {
	tests := []struct {
		name string
		s    token.Scheme
		ok   bool
	}{
		{"zero means defaults", token.Scheme{}, true},
		{"defaults", token.DefaultScheme(), true},
		{"custom", acme, true},
		{"only the prefix", token.Scheme{TokenPrefix: "ghp_"}, true},
		{"longest prefix", token.Scheme{TokenPrefix: strings.Repeat("p", token.MaxPrefixLen)}, true},
		{"prefix too long", token.Scheme{TokenPrefix: strings.Repeat("p", token.MaxPrefixLen+1)}, false},
		{"prefix with a dot", token.Scheme{TokenPrefix: "mx.p"}, false},
		{"prefix with a space", token.Scheme{APIKeyPrefix: "k "}, false},
		{"same prefixes", token.Scheme{TokenPrefix: "mxk_"}, false},
		{"auth scheme with a space", token.Scheme{Authorization: "my token"}, false},
		{"auth scheme too long", token.Scheme{Authorization: strings.Repeat("a", 33)}, false},
		{"header with a colon", token.Scheme{UsernameHeader: "X-User:"}, false},
		{"headers equal but for case", token.Scheme{UsernameHeader: "x-key", APIKeyHeader: "X-KEY"}, false},
		{"key in Authorization", token.Scheme{APIKeyHeader: "authorization"}, false},
	}
	for _, tt := range tests {
		err := tt.s.Check()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Check() = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && (!errors.Is(err, token.ErrInvalidScheme) || errs.KindOf(err) != errs.Invalid) {
			t.Errorf("%s: Check() = %v, want ErrInvalidScheme of kind Invalid", tt.name, err)
		}
	}
}

func TestSchemeParse(t *testing.T) {
	r := rand.NewChaCha8([32]byte{7})
	def := token.DefaultScheme()
	for _, k := range []token.Kind{token.KindToken, token.KindAPIKey} {
		custom, err := acme.Generate(r, k)
		if err != nil {
			t.Fatal(err)
		}
		std, err := def.Generate(r, k)
		if err != nil {
			t.Fatal(err)
		}
		c, s := custom.Reveal(), std.Reveal()
		if !strings.HasPrefix(c, acme.Prefix(k)) || len(c) != len(acme.Prefix(k))+token.BodyLen {
			t.Errorf("%v: Generate = %q, want prefix %q and %d characters after it", k, c, acme.Prefix(k), token.BodyLen)
		}
		// Each scheme takes its own secrets only; the checksum covers the
		// random part, so the prefix alone decides.
		if got, ok := acme.Parse(c); !ok || got != k {
			t.Errorf("acme.Parse(%q) = %v %v, want %v", c, got, ok, k)
		}
		if got, ok := token.Parse(s); !ok || got != k {
			t.Errorf("Parse(%q) = %v %v, want %v", s, got, ok, k)
		}
		if _, ok := token.Parse(c); ok {
			t.Errorf("Parse accepted the custom secret %q", c)
		}
		if _, ok := acme.Parse(s); ok {
			t.Errorf("acme.Parse accepted the default secret %q", s)
		}
		swapped := acme.Prefix(k) + s[len(k.Prefix()):]
		if got, ok := acme.Parse(swapped); !ok || got != k {
			t.Errorf("acme.Parse(%q) = %v %v: the checksum must not depend on the prefix", swapped, got, ok)
		}
		bad := c[:len(c)-1] + map[bool]string{true: "1", false: "0"}[c[len(c)-1] == '0']
		if _, ok := acme.Parse(bad); ok {
			t.Errorf("acme.Parse accepted a bad checksum %q", bad)
		}
	}
	s := "acme_pat_" + strings.Repeat("A", token.BodyLen)
	if n := testing.AllocsPerRun(100, func() { acme.Parse(s) }); n != 0 {
		t.Errorf("Scheme.Parse allocates %v times", n)
	}
}

func TestSchemeParseAuthorization(t *testing.T) {
	for _, tt := range []struct {
		v, want string
		ok      bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"mxtoken abc", "", false},
		{"Bearer  abc", "", false},
	} {
		got, ok := acme.ParseAuthorization(tt.v)
		if got != tt.want || ok != tt.ok {
			t.Errorf("acme.ParseAuthorization(%q) = %q %v, want %q %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
	if got, ok := (token.Scheme{}).ParseAuthorization("MXTOKEN abc"); !ok || got != "abc" {
		t.Errorf("zero scheme: ParseAuthorization = %q %v, want the default mxtoken", got, ok)
	}
}

// TestCustomScheme checks a service with a custom scheme end to end: it
// issues secrets with its prefixes, and its middleware, without options,
// reads its Authorization scheme and headers and refuses the defaults
// with the one 403 answer.
func TestCustomScheme(t *testing.T) {
	f := newFixture(t, func(c *token.Config) { c.Scheme = acme })
	_, pat := f.create(t, "t")
	_, key := f.createKey(t, "k")
	if !strings.HasPrefix(pat, "acme_pat_") || !strings.HasPrefix(key, "ak-") {
		t.Fatalf("secrets %q and %q lack the scheme's prefixes", pat, key)
	}
	if got := f.svc.Scheme(); got.UsernameHeader != "X-Acme-User" || got.TokenPrefix != acme.TokenPrefix {
		t.Errorf("Scheme() = %+v, want acme with canonical header names", got)
	}
	if _, err := f.svc.Validate(f.ctx, pat); err != nil {
		t.Errorf("Validate(custom token) = %v", err)
	}
	foreign := mustForeignToken(t) // a well-formed default token
	if _, err := f.svc.Validate(f.ctx, foreign); !errors.Is(err, token.ErrInvalidToken) {
		t.Errorf("Validate(default-prefixed token) = %v, want ErrInvalidToken", err)
	}

	tok := token.Middleware(f.svc, whoami)
	apiKey := token.APIKeyMiddleware(f.svc, whoami)
	anyCred := token.AnyMiddleware(f.svc, whoami)
	for name, tt := range map[string]struct {
		srv  func() response
		want string
	}{
		"token":      {func() response { return serve(t, tok, request("/", "Authorization", "bearer "+pat)) }, " token"},
		"api key":    {func() response { return serve(t, apiKey, request("/", "X-Acme-User", f.acct.Email, "X-Acme-Key", key)) }, " api_key"},
		"any, token": {func() response { return serve(t, anyCred, request("/", "Authorization", "Bearer "+pat)) }, " token"},
		"any, api key": {func() response {
			return serve(t, anyCred, request("/", "X-Acme-User", f.acct.Email, "X-Acme-Key", key))
		}, " api_key"},
		"other param ok": {func() response { return serve(t, tok, request("/?q=mxp_x", "Authorization", "Bearer "+pat)) }, " token"},
	} {
		if got := tt.srv(); got.status != 200 || string(got.body) != f.acct.ID+tt.want {
			t.Errorf("%s: got %d %q, want 200 %q", name, got.status, got.body, f.acct.ID+tt.want)
		}
	}
	refused := map[string]response{
		"default scheme":             serve(t, tok, request("/", "Authorization", "mxtoken "+pat)),
		"default token":              serve(t, tok, request("/", "Authorization", "Bearer "+foreign)),
		"default headers":            serve(t, apiKey, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)),
		"any, default headers":       serve(t, anyCred, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)),
		"any, both":                  serve(t, anyCred, request("/", "Authorization", "Bearer "+pat, "X-Acme-Key", key)),
		"token value in query":       serve(t, tok, request("/?q="+pat, "Authorization", "Bearer "+pat)),
		"key value in query":         serve(t, apiKey, request("/?q=AK-x", "X-Acme-User", f.acct.Email, "X-Acme-Key", key)),
		"scheme-named param":         serve(t, tok, request("/?bearer=1", "Authorization", "Bearer "+pat)),
		"header-named param":         serve(t, apiKey, request("/?x-acme-key=1", "X-Acme-User", f.acct.Email, "X-Acme-Key", key)),
		"generic param":              serve(t, tok, request("/?access_token=1", "Authorization", "Bearer "+pat)),
		"key under the token scheme": serve(t, tok, request("/", "Authorization", "Bearer "+key)),
	}
	for name, got := range refused {
		checkForbidden(t, name, got)
	}
}

// TestMiddlewareSchemeOptions checks the options replace the service's
// scheme, later options winning, and that a bad one panics at once.
func TestMiddlewareSchemeOptions(t *testing.T) {
	f := newFixture(t)
	_, pat := f.create(t, "t")
	_, key := f.createKey(t, "k")
	bearer := token.Middleware(f.svc, whoami, token.WithAuthScheme("Bearer"))
	if got := serve(t, bearer, request("/", "Authorization", "Bearer "+pat)); got.status != 200 {
		t.Errorf("WithAuthScheme: %d, want 200", got.status)
	}
	checkForbidden(t, "WithAuthScheme, mxtoken", serve(t, bearer, request("/", "Authorization", "mxtoken "+pat)))

	// WithScheme's prefixes only spot credentials in the query: the
	// service still decides which tokens are valid.
	headers := token.AnyMiddleware(f.svc, whoami, token.WithScheme(token.Scheme{UsernameHeader: "X-U", APIKeyHeader: "X-K"}),
		token.WithAuthScheme("Token"))
	if got := serve(t, headers, request("/", "X-U", f.acct.Email, "X-K", key)); got.status != 200 {
		t.Errorf("WithScheme headers: %d, want 200", got.status)
	}
	if got := serve(t, headers, request("/", "Authorization", "token "+pat)); got.status != 200 {
		t.Errorf("WithScheme then WithAuthScheme: %d, want 200", got.status)
	}
	checkForbidden(t, "WithScheme, default headers", serve(t, headers, request("/", "Mendix-Username", f.acct.Email, "Mendix-Apikey", key)))

	for name, build := range map[string]func(){
		"middleware": func() { token.Middleware(f.svc, whoami, token.WithAuthScheme("two words")) },
		"api key":    func() { token.APIKeyMiddleware(f.svc, whoami, token.WithAPIKeyHeaders("X-K", "x-k")) },
		"any":        func() { token.AnyMiddleware(f.svc, whoami, token.WithScheme(token.Scheme{TokenPrefix: "mxk_"})) },
		"service":    func() { newFixture(t, func(c *token.Config) { c.Scheme.APIKeyPrefix = "bad prefix" }) },
	} {
		if !panics(build) {
			t.Errorf("%s: an invalid scheme did not panic", name)
		}
	}
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}
