package sso_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/auth"
)

// fakeOP is a hand-written provider that signs whatever a test wants. It
// exists only for the negative cases a real provider will not produce:
// a wrong issuer or audience, an expired token, a bad signature,
// alg=none, a replayed nonce, a missing or false email_verified.
type fakeOP struct {
	t      *testing.T
	srv    *httptest.Server
	key    *rsa.PrivateKey // published in the JWKS
	rogue  *rsa.PrivateKey // not published
	mu     sync.Mutex
	nonces map[string]string // code → nonce
	// edit changes the claims of the next ID tokens; sign signs them.
	edit func(claims map[string]any)
	sign func(f *fakeOP, claims map[string]any) string
}

func newFakeOP(t *testing.T) *fakeOP {
	f := &fakeOP{t: t, nonces: map[string]string{}, edit: func(map[string]any) {}, sign: signWith(false)}
	var err error
	if f.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if f.rogue, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "jwks_uri": f.srv.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", f.token)
	return f
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// authorize plays the provider's authorization step for the URL Start
// returned: it remembers the nonce for a new code and returns the query
// the browser comes back with.
func (f *fakeOP) authorize(authURL string) url.Values {
	u, err := url.Parse(authURL)
	if err != nil {
		f.t.Fatal(err)
	}
	q := u.Query()
	code := "code-" + q.Get("state")[:8]
	f.mu.Lock()
	f.nonces[code] = q.Get("nonce")
	f.mu.Unlock()
	return url.Values{"state": {q.Get("state")}, "code": {code}}
}

func (f *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	nonce, ok := f.nonces[r.FormValue("code")]
	delete(f.nonces, r.FormValue("code"))
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": f.srv.URL, "aud": clientID, "sub": "fake-ann", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": nonce, "email": "ann@acme.example", "email_verified": true,
	}
	f.edit(claims)
	writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": f.sign(f, claims)})
}

// signWith signs with the published key, or with a key the JWKS does
// not hold but under the published key's id.
func signWith(rogue bool) func(f *fakeOP, claims map[string]any) string {
	return func(f *fakeOP, claims map[string]any) string {
		key := f.key
		if rogue {
			key = f.rogue
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
		if err != nil {
			f.t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		obj, err := s.Sign(payload)
		if err != nil {
			f.t.Fatal(err)
		}
		out, err := obj.CompactSerialize()
		if err != nil {
			f.t.Fatal(err)
		}
		return out
	}
}

// unsigned is an alg=none token.
func unsigned(_ *fakeOP, claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(claims)
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// TestIDTokenRefusals feeds the callback ID tokens a real provider would
// never sign; each is refused with its error and leaves nothing behind.
func TestIDTokenRefusals(t *testing.T) {
	tests := []struct {
		name string
		edit func(map[string]any)
		sign func(*fakeOP, map[string]any) string
		want error
	}{
		{"wrong issuer", func(c map[string]any) { c["iss"] = "https://evil.example" }, nil, sso.ErrInvalidIDToken},
		{"wrong audience", func(c map[string]any) { c["aud"] = "another-client" }, nil, sso.ErrInvalidIDToken},
		{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }, nil, sso.ErrInvalidIDToken},
		{"bad signature", nil, signWith(true), sso.ErrInvalidIDToken},
		{"alg none", nil, unsigned, sso.ErrInvalidIDToken},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, nil, sso.ErrNonce},
		{"no email", func(c map[string]any) { delete(c, "email") }, nil, sso.ErrClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, f := newFakeEnv(t, sso.LinkVerifiedEmail)
			if tc.edit != nil {
				f.edit = tc.edit
			}
			if tc.sign != nil {
				f.sign = tc.sign
			}
			_, err := e.callback(f.authorize(e.start()), auth.Client{})
			wantErr(t, "Callback", err, tc.want)
			if n := len(e.accountsOf(t)); n != 0 {
				t.Errorf("%d accounts after a refused sign-in", n)
			}
		})
	}
}

// A valid ID token of another sign-in carries that sign-in's nonce: it is
// refused.
func TestReplayedNonce(t *testing.T) {
	e, f := newFakeEnv(t, sso.LinkVerifiedEmail)
	first := f.authorize(e.start())
	f.mu.Lock()
	oldNonce := f.nonces[first.Get("code")]
	f.mu.Unlock()
	second := f.authorize(e.start())
	f.mu.Lock()
	f.nonces[second.Get("code")] = oldNonce
	f.mu.Unlock()
	_, err := e.callback(second, auth.Client{})
	wantErr(t, "Callback(replayed nonce)", err, sso.ErrNonce)
	if _, err := e.callback(first, auth.Client{}); err != nil {
		t.Errorf("the first sign-in with its own nonce: %v", err)
	}
}

// Without email_verified=true the verified_email policy links nothing; a
// new address still gets its account.
func TestEmailVerifiedMissingOrFalse(t *testing.T) {
	for name, edit := range map[string]func(map[string]any){
		"missing": func(c map[string]any) { delete(c, "email_verified") },
		"false":   func(c map[string]any) { c["email_verified"] = false },
		"string":  func(c map[string]any) { c["email_verified"] = "false" },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			old := e.passwordAccount("ann@acme.example")
			f := e.fake(sso.LinkVerifiedEmail)
			f.edit = edit
			_, err := e.callback(f.authorize(e.start()), auth.Client{})
			wantErr(t, "Callback", err, sso.ErrEmailNotVerified)
			if a, _ := e.st.Account(e.ctx, old.ID); a.SSO() || a.PasswordHash == "" {
				t.Errorf("the password account changed: %v", a)
			}
			f.edit = func(c map[string]any) { edit(c); c["email"] = "bob@acme.example"; c["sub"] = "fake-bob" }
			res, err := e.callback(f.authorize(e.start()), auth.Client{})
			if err != nil || !res.Created {
				t.Errorf("a new address without email_verified = %+v, %v; want its account created", res, err)
			}
		})
	}
	// The string "true", as some providers send it, counts.
	e := newEnv(t)
	e.passwordAccount("ann@acme.example")
	f := e.fake(sso.LinkVerifiedEmail)
	f.edit = func(c map[string]any) { c["email_verified"] = "true" }
	if res, err := e.callback(f.authorize(e.start()), auth.Client{}); err != nil || !res.Linked {
		t.Errorf("email_verified \"true\" = %+v, %v; want the account linked", res, err)
	}
}

func newFakeEnv(t *testing.T, link sso.LinkPolicy) (*env, *fakeOP) {
	e := newEnv(t)
	return e, e.fake(link)
}

// fake connects acme to a new fake provider.
func (e *env) fake(link sso.LinkPolicy) *fakeOP {
	f := newFakeOP(e.t)
	_, err := e.svc.CreateConnection(e.ctx, sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: f.srv.URL,
		ClientID: clientID, ClientSecret: sso.NewSecret(clientSecret), Link: link,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// start starts a sign-in of ann and returns the authorization URL.
func (e *env) start() string {
	e.t.Helper()
	u, err := e.begin(sso.StartRequest{Email: "ann@acme.example"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}
