package token_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

func ExampleParse() {
	s, _ := token.Generate(strings.NewReader(strings.Repeat("example randomness ", 8)), token.KindToken)
	good := s.Reveal()
	typo := good[:10] + "x" + good[11:]
	for _, in := range []string{good, typo, "mxp_short", "Bearer abc"} {
		k, ok := token.Parse(in)
		fmt.Println(len(in), k, ok)
	}
	// Output:
	// 42 token true
	// 42 invalid false
	// 9 invalid false
	// 10 invalid false
}

func ExampleParseAuthorization() {
	for _, h := range []string{"mxtoken abc", "MXToken abc", "mxtoken  abc", "Bearer abc"} {
		cred, ok := token.ParseAuthorization(h)
		fmt.Printf("%q %v\n", cred, ok)
	}
	// Output:
	// "abc" true
	// "abc" true
	// "" false
	// "" false
}

func ExampleRegistry_Normalize() {
	reg := token.NewRegistry(
		token.Scope{Name: "projects:read", Description: "Read projects"},
		token.Scope{Name: "catalog", Description: "Use the catalog"},
	)
	fmt.Println(reg.Normalize([]string{" Projects:Read", "catalog", "catalog"}))
	_, err := reg.Normalize([]string{"admin"})
	var u *token.UnknownScopeError
	fmt.Println(errors.As(err, &u), u.Scopes)
	_, err = reg.Normalize(nil)
	fmt.Println(err)
	// Output:
	// [catalog projects:read] <nil>
	// true [admin]
	// token: no scope
}

// signedIn is acc_1's person, who signed in with a password at the
// examples' clock time: fresh enough to create tokens.
var signedIn = auth.New("acc_1", auth.MethodPassword, time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC), "")

// exampleService returns a token service over a memory store holding one
// active account, acc_1.
func exampleService() (*token.Service, *memory.Store) {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ann@example.com", Status: account.StatusActive})
	svc := token.NewService(token.Config{
		Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "projects:read", Description: "Read projects"}),
		Now:    func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
	})
	return svc, st
}

func ExampleService_Create() {
	ctx := context.Background()
	svc, _ := exampleService()
	tok, secret, err := svc.Create(ctx, signedIn, "CI pipeline", []string{"projects:read"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Name, tok.Scopes, secret) // the secret never prints by accident
	p, err := svc.Validate(ctx, secret.Reveal())
	fmt.Println(p.AccountID, p.ProfileID, p.Scopes, err)
	// The token's own caller reaches no settings, whatever its scopes.
	_, err = svc.List(ctx, p.Caller())
	fmt.Println(err)
	_ = svc.Delete(ctx, signedIn, tok.ID)
	_, err = svc.Validate(ctx, secret.Reveal())
	fmt.Println(err)
	// Output:
	// CI pipeline [projects:read] [REDACTED]
	// acc_1 prf_1 [projects:read] <nil>
	// auth: a token does not reach the settings: auth: forbidden
	// token: invalid token
}

func ExampleMiddleware() {
	ctx := context.Background()
	svc, _ := exampleService()
	_, secret, _ := svc.Create(ctx, signedIn, "CLI", []string{"projects:read"})
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := token.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello %s", p.AccountID)
	})
	h := token.Middleware(svc, token.RequireScopes("projects:read")(hello))
	for _, auth := range []string{"mxtoken " + secret.Reveal(), "mxtoken mxp_mangled", ""} {
		r := httptest.NewRequest("GET", "/v1/register", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		body, _ := io.ReadAll(w.Result().Body)
		fmt.Println(w.Code, w.Header().Get("Content-Type"), string(body))
	}
	// Output:
	// 200 text/plain; charset=utf-8 hello acc_1
	// 403 application/json {"error":""}
	// 403 application/json {"error":""}
}

func ExampleAPIKeyMiddleware() {
	ctx := context.Background()
	svc, _ := exampleService()
	_, key, _ := svc.CreateAPIKey(ctx, signedIn, "deploy script")
	h := token.APIKeyMiddleware(svc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := token.PrincipalFrom(r.Context())
		fmt.Fprint(w, p.AccountID, " ", p.Kind)
	}))
	for _, user := range []string{"ann@example.com", "bob@example.com"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Mendix-Username", user)
		r.Header.Set("Mendix-ApiKey", key.Reveal())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 acc_1 api_key
	// 403 {"error":""}
}

// A host with its own credential scheme: the prefixes, the Authorization
// scheme and the API-key headers are options of the Scheme; empty fields
// keep the defaults.
func ExampleScheme() {
	acme := token.Scheme{Authorization: "Bearer", TokenPrefix: "acme_", APIKeyPrefix: "acmk_"}
	fmt.Println(acme.Check(), token.Scheme{TokenPrefix: "mxk_"}.Check())

	s, _ := acme.Generate(strings.NewReader(strings.Repeat("example randomness ", 8)), token.KindToken)
	pat := s.Reveal()
	k, ok := acme.Parse(pat)
	fmt.Println(pat[:5], len(pat), k, ok)
	_, ok = token.Parse(pat) // the default scheme wants mxp_
	fmt.Println(ok)
	cred, ok := acme.ParseAuthorization("bearer " + pat)
	fmt.Println(cred == pat, ok)
	// Output:
	// <nil> token: invalid credential scheme: APIKeyPrefix must differ from TokenPrefix
	// acme_ 43 token true
	// false
	// true true
}

// Config.Scheme sets the service's scheme; its middleware follows it
// without options.
func ExampleMiddleware_scheme() {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ann@example.com", Status: account.StatusActive})
	svc := token.NewService(token.Config{Store: st, Accounts: st, Tx: st, History: st,
		Scopes: token.NewRegistry(token.Scope{Name: "projects:read", Description: "Read projects"}),
		Scheme: token.Scheme{Authorization: "Bearer", TokenPrefix: "acme_"},
		Now:    func() time.Time { return signedIn.AuthenticatedAt },
	})
	_, secret, _ := svc.Create(ctx, signedIn, "CLI", []string{"projects:read"})
	h := token.Middleware(svc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := token.PrincipalFrom(r.Context())
		fmt.Fprint(w, p.AccountID)
	}))
	for _, auth := range []string{"Bearer " + secret.Reveal(), "mxtoken " + secret.Reveal()} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(strings.Fields(auth)[0], w.Code, w.Body.String())
	}
	// Output:
	// Bearer 200 acc_1
	// mxtoken 403 {"error":""}
}
