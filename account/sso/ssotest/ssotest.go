// Package ssotest runs a real OpenID Provider in-process, on loopback,
// for tests and examples of single sign-on: discovery, JWKS, the
// authorization and token endpoints, userinfo and a login page that a
// test drives over HTTP. It is built on github.com/zitadel/oidc/v3 (its
// op package and example storage) and is not meant for production.
//
//	idp, err := ssotest.Start()
//	defer idp.Close()
//	idp.AddUser(ssotest.User{ID: "u1", Email: "ann@acme.example", Password: "pw", EmailVerified: true})
//	idp.AddClient("settings", "client secret", "http://127.0.0.1:8080/v1/sso/callback")
//	// … start a sign-in at the relying party, then:
//	back, err := idp.Login(client, authURL, "ann@acme.example", "pw")
//	// back is the relying party's callback URL with code and state.
package ssotest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a person the provider knows. The login page takes Email as
// the user name.
type User struct {
	// ID is the subject ("sub") the provider asserts.
	ID       string
	Email    string
	Password string
	// EmailVerified is the email_verified claim.
	EmailVerified bool
	// Name is given as "First Last"; the name claim is the whole.
	Name string
}

// Provider is a running OpenID Provider. It is safe for concurrent use.
type Provider struct {
	// Issuer is the provider's issuer URL (http://127.0.0.1:port).
	Issuer string

	srv   *httptest.Server
	op    *op.Provider
	st    *opStorage
	users *users
}

// Start runs a provider on a free loopback port. Close stops it.
func Start() (*Provider, error) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	p := &Provider{Issuer: srv.URL, srv: srv, users: &users{m: map[string]User{}}}
	p.st = &opStorage{Storage: storage.NewStorageWithClients(p.users, map[string]*storage.Client{}), clients: map[string]client{},
		sids: map[string]string{}, lastSid: map[string]string{}}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		srv.Close()
		return nil, err
	}
	prov, err := op.NewProvider(&op.Config{
		CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true,
		SupportedUILocales: []language.Tag{language.English},
	}, p.st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("ssotest: %w", err)
	}
	p.op = prov
	intercept := op.NewIssuerInterceptor(prov.IssuerFromRequest)
	mux.HandleFunc("POST /login/username", intercept.HandlerFunc(p.login))
	mux.Handle("/", prov)
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// AddUser adds or replaces a user.
func (p *Provider) AddUser(u User) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.m[u.ID] = u
}

// AddClient registers a confidential web client (client_secret_basic or
// client_secret_post, PKCE allowed) with its redirect URIs.
func (p *Provider) AddClient(id, secret string, redirectURIs ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.clients[id] = client{c: storage.WebClient(id, secret, redirectURIs...), secret: secret}
}

// Login plays the browser from the authorization URL a relying party
// redirected to: it follows the provider's redirect to its login page,
// posts the email and password, follows the provider's redirects and
// returns the URL the provider sends the browser back to (the relying
// party's redirect URI with code and state, or with an error). hc must
// not be nil; its redirect policy is not used.
func (p *Provider) Login(hc *http.Client, authURL, email, password string) (*url.URL, error) {
	nc := *hc
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	loc, err := redirect(&nc, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("ssotest: authorization request: %w", err)
	}
	id := loc.Query().Get("authRequestID")
	if id == "" {
		return loc, nil // an error answered to the relying party at once
	}
	form := url.Values{"username": {email}, "password": {password}, "id": {id}}
	loc, err = redirect(&nc, http.MethodPost, p.Issuer+"/login/username", form)
	if err != nil {
		return nil, fmt.Errorf("ssotest: login: %w", err)
	}
	loc, err = redirect(&nc, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("ssotest: authorization callback: %w", err)
	}
	return loc, nil
}

// redirect sends one request and returns the absolute URL of the
// redirect it is answered with.
func redirect(hc *http.Client, method, target string, form url.Values) (*url.URL, error) {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode < 300 || res.StatusCode > 399 {
		return nil, fmt.Errorf("%s %s answered %s, want a redirect", method, req.URL.Path, res.Status)
	}
	loc, err := res.Location()
	if err != nil {
		return nil, err
	}
	return loc, nil
}

// login is the provider's login page: it checks the user name and
// password of the authorization request, starts a provider session for
// it (the "sid" of the ID token) and sends the browser on to the
// provider's callback. A wrong password answers 401.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	if err := p.st.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err != nil {
		http.Error(w, "wrong user name or password", http.StatusUnauthorized)
		return
	}
	if err := p.st.startSession(id, r.FormValue("username")); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// SessionOf returns the provider session ("sid") of the user's newest
// sign-in at the login page, or "" when the user has not signed in.
func (p *Provider) SessionOf(email string) string {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return p.st.lastSid[email]
}

// LogoutToken returns an OpenID Connect Back-Channel Logout token for
// the subject, addressed to the client and signed with the provider's
// key (the one its JWKS publishes), valid for two minutes.
func (p *Provider) LogoutToken(clientID, subject string) (string, error) {
	return p.LogoutTokenOf(clientID, subject, "")
}

// LogoutTokenOf is LogoutToken naming the subject, the provider's
// session sid, or both (an empty one is left out).
func (p *Provider) LogoutTokenOf(clientID, subject, sid string) (string, error) {
	key, err := p.st.SigningKey(context.Background())
	if err != nil {
		return "", err
	}
	signer, err := op.SignerFromKey(key)
	if err != nil {
		return "", err
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.Issuer, "aud": []string{clientID},
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": fmt.Sprintf("%x", jti),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if subject != "" {
		claims["sub"] = subject
	}
	if sid != "" {
		claims["sid"] = sid
	}
	return crypto.Sign(claims, signer)
}

// BackChannelLogout posts a logout token for the subject to the relying
// party's back-channel logout endpoint, as the provider does when the
// person signs out there, and returns the answer's status code.
func (p *Provider) BackChannelLogout(hc *http.Client, endpoint, clientID, subject string) (int, error) {
	tok, err := p.LogoutToken(clientID, subject)
	if err != nil {
		return 0, err
	}
	res, err := hc.PostForm(endpoint, url.Values{"logout_token": {tok}})
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// users is the provider's user store.
type users struct {
	mu sync.Mutex
	m  map[string]User
}

func (u *users) toStorage(x User) *storage.User {
	first, last, _ := strings.Cut(x.Name, " ")
	return &storage.User{
		ID: x.ID, Username: x.Email, Password: x.Password, FirstName: first, LastName: last,
		Email: x.Email, EmailVerified: x.EmailVerified, PreferredLanguage: language.English,
	}
}

// GetUserByID implements storage.UserStore.
func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	x, ok := u.m[id]
	if !ok {
		return nil
	}
	return u.toStorage(x)
}

// GetUserByUsername implements storage.UserStore.
func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.m {
		if strings.EqualFold(x.Email, name) {
			return u.toStorage(x)
		}
	}
	return nil
}

// ExampleClientID implements storage.UserStore.
func (u *users) ExampleClientID() string { return "service" }

// opStorage is the example storage with clients that can be added while
// the provider runs.
type opStorage struct {
	*storage.Storage
	mu      sync.Mutex
	clients map[string]client
	// sids is the provider session of each authorization request, by
	// request id; lastSid the newest session of each user name.
	sids, lastSid map[string]string
}

// startSession starts a provider session for the authorization request
// of the user name.
func (s *opStorage) startSession(requestID, username string) error {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	sid := fmt.Sprintf("op-%x", b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sids[requestID] = sid
	s.lastSid[username] = sid
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the ID
// token of an authorization request carries its provider session as
// the "sid" claim, as OpenID Connect Back-Channel Logout 1.0 describes.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	ar, ok := req.(interface{ GetID() string })
	if !ok {
		return nil
	}
	s.mu.Lock()
	sid := s.sids[ar.GetID()]
	s.mu.Unlock()
	if sid != "" {
		info.AppendClaims("sid", sid)
	}
	return nil
}

type client struct {
	c      *storage.Client
	secret string
}

var errUnknownClient = errors.New("ssotest: unknown client")

// GetClientByClientID implements op.Storage.
func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, errUnknownClient
	}
	return c.c, nil
}

// AuthorizeClientIDSecret implements op.Storage.
func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.secret != secret {
		return errUnknownClient
	}
	return nil
}

var _ op.Storage = (*opStorage)(nil)

// SignatureAlgorithms of the provider, for tests that check discovery.
func (p *Provider) SignatureAlgorithms() []string {
	algs, _ := p.st.SignatureAlgorithms(context.Background())
	out := make([]string, len(algs))
	for i, a := range algs {
		out[i] = string(a)
	}
	return out
}
