package sso

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// MethodSSO is the Method of every SignIn: the person authenticated
// through their company's identity provider. The caller value of the
// SDK (who acts, and how they authenticated) takes it from here.
const MethodSSO = "sso"

// MaxReturnTo bounds the length of a return path.
const MaxReturnTo = 2048

// StartRequest starts a sign-in, from the person's address or from a
// connection the host picked.
type StartRequest struct {
	// Email is the address the person typed; its domain picks the
	// connection, and the provider gets it as login_hint. Ignored when
	// ConnectionID is set, except as the hint.
	Email string
	// ConnectionID picks the connection directly.
	ConnectionID string
	// ReturnTo is the relative path to send the person to afterwards;
	// empty means "/". See CheckReturnTo.
	ReturnTo string
}

// SignIn is a person signed in through single sign-on. The host starts a
// session for Account (session.Service.Start), as after a password
// sign-in.
type SignIn struct {
	// Account is the signed-in account, without a password hash.
	Account account.Account
	// Method is MethodSSO, and ConnectionID the connection the person
	// signed in through: the seam for the SDK's caller value.
	Method       string
	ConnectionID string
	// Subject is the provider's identifier of the person; SessionID the
	// provider's session ("sid" claim), empty when it sends none.
	Subject   string
	SessionID string
	// Name is the person's name as the provider asserts it; empty when
	// it does not.
	Name string
	// ReturnTo is the relative path given to Start.
	ReturnTo string
	// Created means this sign-in created the account (just in time, with
	// a new empty profile); Linked that it took over an existing password
	// account and retired its password.
	Created bool
	Linked  bool
}

// ProviderSession returns the key of the provider's session of the
// sign-in ("sid"), for session.Begin.ProviderSession, so that a
// back-channel logout that names it ends the session the host starts;
// empty when the provider sent none.
func (in SignIn) ProviderSession() string { return providerSessionKey(in.ConnectionID, in.SessionID) }

// providerSessionKey is the key of a provider session: the connection
// and the provider's sid, since sids are unique per provider only.
func providerSessionKey(connectionID, sid string) string {
	if sid == "" {
		return ""
	}
	return connectionID + "|" + sid
}

// CheckReturnTo returns nil when p is a relative path of this site: it
// starts with exactly one "/", is at most MaxReturnTo bytes, and every
// byte is printable ASCII other than space and backslash, so it holds no
// scheme, host, user or C0 control. A browser removes tabs and newlines
// from a URL and reads a backslash as a slash, so "/\t/evil.example"
// would become "//evil.example", another site; anything of that kind is
// ErrInvalidReturnTo. It is pure, and it is the one check for every place
// that sends a browser to a path it was given (a redirect's Location, a
// meta refresh, a stored return_to).
func CheckReturnTo(p string) error {
	if p == "" || len(p) > MaxReturnTo || p[0] != '/' || len(p) > 1 && p[1] == '/' {
		return ErrInvalidReturnTo
	}
	for i := range len(p) {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return ErrInvalidReturnTo
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return ErrInvalidReturnTo
	}
	return nil
}

// Started is a sign-in begun by Start. The host redirects the browser to
// URL and gives it Binding in a cookie (Service.BindingCookie) that only
// the callback reads: Callback requires it, so a callback URL that an
// attacker obtained for his own sign-in and sends to a victim signs no
// one in (login CSRF).
type Started struct {
	// URL is the provider's authorization URL.
	URL string
	// Binding ties the flow to the browser that started it. It is a
	// random secret: the store keeps only a digest of it with the state.
	Binding string
}

// String returns the URL alone, so that printing a Started never shows
// the binding.
func (s Started) String() string { return s.URL }

// flowKey is the digest a flow is stored under: of its state and of the
// browser binding together, so a flow is found only with both.
func flowKey(state, binding string) Digest { return DigestOf(state + "." + binding) }

// flowAD binds a sealed verifier to its flow.
func flowAD(state Digest) string { return fmt.Sprintf("sso flow %x", state[:]) }

// Start begins a sign-in with the authorization code flow: it stores the
// flow (state, nonce, PKCE verifier, return path) for FlowTTL, bound to
// the browser, and returns the provider's authorization URL to redirect
// the browser to, with PKCE (S256), state and nonce, and the binding the
// browser must bring back to Callback. It returns ErrNotConfigured, ErrInvalidReturnTo,
// ErrInvalidEmail, ErrUnknownConnection (no connection has the ID or owns
// the domain; this depends on the domain only, never on accounts) or
// ErrProviderUnavailable.
func (s *Service) Start(ctx context.Context, req StartRequest) (Started, error) {
	if s.redirectURL == "" {
		return Started{}, ErrNotConfigured
	}
	if req.ReturnTo == "" {
		req.ReturnTo = "/"
	}
	if err := CheckReturnTo(req.ReturnTo); err != nil {
		return Started{}, err
	}
	var (
		r   Record
		err error
	)
	if req.ConnectionID != "" {
		r, err = s.load(ctx, req.ConnectionID)
	} else {
		r, err = s.byEmail(ctx, req.Email)
	}
	if err != nil {
		return Started{}, err
	}
	cfg, _, err := s.oauth2Config(ctx, r)
	if err != nil {
		return Started{}, err
	}
	rnd, err := s.random(4)
	if err != nil {
		return Started{}, err
	}
	state, nonce, verifier, binding := rnd[0], rnd[1], rnd[2], rnd[3]
	f := Flow{State: flowKey(state, binding), ConnectionID: r.ID, Nonce: DigestOf(nonce), ReturnTo: req.ReturnTo}
	if f.Verifier, err = s.keys.Seal(s.rand, flowAD(f.State), []byte(verifier)); err != nil {
		return Started{}, fmt.Errorf("sso: sealing verifier: %w", err)
	}
	f.CreatedAt = s.now()
	f.ExpiresAt = f.CreatedAt.Add(s.flowTTL)
	if err := s.st.CreateFlow(ctx, f); err != nil {
		return Started{}, fmt.Errorf("sso: storing flow: %w", err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if hint, err := account.NormalizeEmail(req.Email); err == nil {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	return Started{URL: cfg.AuthCodeURL(state, opts...), Binding: binding}, nil
}

// random returns n random values of 32 bytes each, base64url (43
// characters, as RFC 7636 asks of a verifier): a state, a nonce, a PKCE
// verifier and a browser binding.
func (s *Service) random(n int) ([]string, error) {
	b := make([]byte, 32*n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, fmt.Errorf("sso: reading randomness: %w", err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = base64.RawURLEncoding.EncodeToString(b[32*i : 32*(i+1)])
	}
	return out, nil
}

// oauth2Config returns the OAuth 2.0 client of the connection, with the
// provider's endpoints from discovery.
func (s *Service) oauth2Config(ctx context.Context, r Record) (*oauth2.Config, *oidc.Provider, error) {
	p, err := s.providers.get(ctx, r.Issuer)
	if err != nil {
		return nil, nil, err
	}
	secret, err := s.clientSecret(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	return &oauth2.Config{
		ClientID: r.ClientID, ClientSecret: secret, RedirectURL: s.redirectURL,
		Endpoint: p.Endpoint(), Scopes: r.Scopes,
	}, p, nil
}

// Callback completes a sign-in with the query the provider sent the
// browser back with (state and code, or error) and the binding that
// Start gave the browser that started it (BindingOf reads it from the
// request's cookie). Without a binding it returns ErrNotBound and
// touches nothing; with another browser's binding the flow is not found
// (ErrInvalidState). The flow is used up first, whatever happens next. It exchanges the code with the PKCE
// verifier, verifies the ID token (signature through the provider's
// JWKS with the algorithms of its discovery document, issuer, audience,
// expiry; alg=none is never accepted) and its nonce, reads the claims
// (from the userinfo endpoint when the ID token lacks the address), and
// signs the person in:
//
//   - an account bound to the identity signs in;
//   - else an address without an account gets one, with a new empty
//     profile (Created);
//   - else the address's password account is linked and its password
//     retired (Linked), when the connection's LinkPolicy allows it.
//
// Every failure is one of the errors of this package (ErrInvalidState,
// ErrProviderError, ErrExchange, ErrInvalidIDToken, ErrNonce, ErrClaims,
// ErrEmailDomain, ErrEmailNotVerified, ErrLinkRefused,
// ErrIdentityMismatch, ErrAccountInactive, ErrUnknownConnection,
// ErrProviderUnavailable, ErrNotBound) and changes no account.
func (s *Service) Callback(ctx context.Context, query url.Values, binding string, client auth.Client) (SignIn, error) {
	state := query.Get("state")
	if state == "" || len(state) > 256 {
		return SignIn{}, ErrInvalidState
	}
	if binding == "" || len(binding) > 256 {
		return SignIn{}, ErrNotBound
	}
	f, err := s.st.TakeFlow(ctx, flowKey(state, binding))
	if errors.Is(err, storage.ErrNotFound) {
		return SignIn{}, ErrInvalidState
	}
	if err != nil {
		return SignIn{}, fmt.Errorf("sso: taking flow: %w", err)
	}
	if !s.now().Before(f.ExpiresAt) {
		return SignIn{}, ErrInvalidState
	}
	if e := query.Get("error"); e != "" {
		return SignIn{}, fmt.Errorf("sso: %s: %w", errorCode(e), ErrProviderError)
	}
	r, err := s.load(ctx, f.ConnectionID)
	if err != nil {
		return SignIn{}, err
	}
	id, err := s.exchange(ctx, r, f, query.Get("code"))
	if err != nil {
		return SignIn{}, err
	}
	return s.signIn(ctx, r, id, f.ReturnTo, client)
}

// errorCode keeps the OAuth error code of a provider's answer printable
// and short: it is text from the browser.
func errorCode(e string) string {
	if len(e) > 64 {
		e = e[:64]
	}
	return strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '?'
	}, e)
}

// identity is what the provider asserted about the person.
type identity struct {
	subject, email, name, sid string
	emailVerified             bool
}

// exchange trades the code for tokens and returns the verified identity.
func (s *Service) exchange(ctx context.Context, r Record, f Flow, code string) (identity, error) {
	if code == "" {
		return identity{}, fmt.Errorf("sso: no code: %w", ErrExchange)
	}
	verifier, _, err := s.keys.Open(flowAD(f.State), f.Verifier)
	if err != nil {
		return identity{}, fmt.Errorf("sso: opening verifier: %w", err)
	}
	cfg, p, err := s.oauth2Config(ctx, r)
	if err != nil {
		return identity{}, err
	}
	hctx := s.providers.httpContext(ctx)
	tok, err := cfg.Exchange(hctx, code, oauth2.VerifierOption(string(verifier)))
	if err != nil {
		return identity{}, fmt.Errorf("sso: %v: %w", exchangeReason(err), ErrExchange)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return identity{}, fmt.Errorf("sso: the token response has no id_token: %w", ErrInvalidIDToken)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: r.ClientID, Now: s.now}).Verify(hctx, raw)
	if err != nil {
		return identity{}, fmt.Errorf("sso: %v: %w", err, ErrInvalidIDToken)
	}
	got := DigestOf(idt.Nonce)
	if idt.Nonce == "" || subtle.ConstantTimeCompare(got[:], f.Nonce[:]) != 1 {
		return identity{}, ErrNonce
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return identity{}, fmt.Errorf("sso: %v: %w", err, ErrInvalidIDToken)
	}
	if _, ok := claims[r.Claims.Email]; !ok {
		if err := s.userinfo(hctx, p, tok, idt.Subject, claims); err != nil {
			return identity{}, err
		}
	}
	return mapClaims(r.Claims, idt.Subject, claims)
}

// exchangeReason reports the OAuth error code of a refused exchange, or
// that the request failed; never the response body.
func exchangeReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return errorCode(re.ErrorCode)
		}
		if re.Response != nil {
			return re.Response.Status
		}
	}
	return "the token request failed"
}

// userinfo adds the claims of the userinfo endpoint that the ID token
// lacks; the answer must be of the ID token's subject.
func (s *Service) userinfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, subject string, claims map[string]any) error {
	if p.UserInfoEndpoint() == "" {
		return fmt.Errorf("sso: no email claim and no userinfo endpoint: %w", ErrClaims)
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("sso: userinfo: %v: %w", err, ErrProviderUnavailable)
	}
	if ui.Subject != subject {
		return fmt.Errorf("sso: userinfo is of another subject: %w", ErrClaims)
	}
	more := map[string]any{}
	if err := ui.Claims(&more); err != nil {
		return fmt.Errorf("sso: userinfo: %v: %w", err, ErrClaims)
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// mapClaims reads the identity from the claims with the connection's
// names. email_verified may be a boolean or the string "true", as some
// providers send it.
func mapClaims(names Claims, subject string, claims map[string]any) (identity, error) {
	id := identity{subject: subject}
	id.email, _ = claims[names.Email].(string)
	id.name, _ = claims[names.Name].(string)
	id.sid, _ = claims["sid"].(string)
	switch v := claims[names.EmailVerified].(type) {
	case bool:
		id.emailVerified = v
	case string:
		id.emailVerified = strings.EqualFold(v, "true")
	}
	if subject == "" || id.email == "" {
		return identity{}, fmt.Errorf("sso: the provider asserted no subject or no %s: %w", names.Email, ErrClaims)
	}
	return id, nil
}

// LinkAllowed decides whether the first single sign-on of an address may
// take over its existing password account: nil, ErrLinkRefused (policy
// never) or ErrEmailNotVerified (policy verified_email without a
// verified address). It is pure.
func LinkAllowed(p LinkPolicy, emailVerified bool) error {
	switch p {
	case LinkDomain:
		return nil
	case LinkNever:
		return ErrLinkRefused
	default:
		if !emailVerified {
			return ErrEmailNotVerified
		}
		return nil
	}
}

// signIn finds, creates or links the account of the identity.
func (s *Service) signIn(ctx context.Context, r Record, id identity, returnTo string, client auth.Client) (SignIn, error) {
	email, err := account.NormalizeEmail(id.email)
	if err != nil {
		return SignIn{}, fmt.Errorf("sso: the asserted address is malformed: %w", ErrClaims)
	}
	if !slices.Contains(r.Domains, domainOf(email)) {
		return SignIn{}, ErrEmailDomain
	}
	ident := account.SSOIdentity{Connection: r.ID, Subject: id.subject, Email: email, Company: r.Name, Client: client}
	// Two first sign-ins of one person may race; the loser looks again,
	// in a new transaction.
	for attempt := 0; ; attempt++ {
		out := SignIn{Method: MethodSSO, ConnectionID: r.ID, Subject: id.subject, SessionID: id.sid, Name: id.name, ReturnTo: returnTo}
		err := s.inTx(ctx, func(ctx context.Context) error {
			a, err := s.resolve(ctx, r, id, ident, &out)
			if err != nil {
				return err
			}
			a.PasswordHash = ""
			out.Account = a
			return s.seclog.Record(ctx, securitylog.Event{
				Kind: securitylog.SignedIn, ProfileID: a.ProfileID, AccountID: a.ID,
				IP: client.IP, Device: client.Device(), Detail: "sso",
			})
		})
		if errors.Is(err, account.ErrEmailTaken) && attempt == 0 {
			continue
		}
		if err != nil {
			return SignIn{}, err
		}
		return out, nil
	}
}

// inTx runs fn in a transaction of Config.Tx, or as it is without one.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.tx == nil {
		return fn(ctx)
	}
	return s.tx.InTx(ctx, fn)
}

// followEmail gives the bound account a the address the provider now
// asserts for the identity, when it verified it: the company's directory
// owns the address of its people. An address that another account holds,
// or one the provider did not verify, leaves the account's own.
func (s *Service) followEmail(ctx context.Context, a account.Account, id identity, ident account.SSOIdentity) (account.Account, error) {
	if ident.Email == a.Email || !id.emailVerified {
		return a, nil
	}
	b, err := s.accounts.UpdateFederatedEmail(ctx, a.ID, ident)
	if errors.Is(err, account.ErrEmailTaken) {
		return a, nil
	}
	return b, err
}

// resolve returns the account of the identity, creating or linking it.
func (s *Service) resolve(ctx context.Context, r Record, id identity, ident account.SSOIdentity, out *SignIn) (account.Account, error) {
	a, err := s.st.AccountBySubject(ctx, r.ID, id.subject)
	if err == nil {
		if a.Status != account.StatusActive {
			return account.Account{}, ErrAccountInactive
		}
		return s.followEmail(ctx, a, id, ident)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return account.Account{}, fmt.Errorf("sso: looking up identity: %w", err)
	}
	a, err = s.st.AccountByEmail(ctx, ident.Email)
	if errors.Is(err, storage.ErrNotFound) {
		a, err = s.accounts.CreateFederated(ctx, ident)
		out.Created = err == nil
		return a, err
	}
	if err != nil {
		return account.Account{}, fmt.Errorf("sso: looking up address: %w", err)
	}
	switch {
	case a.SSO():
		return account.Account{}, ErrIdentityMismatch
	case a.Status != account.StatusActive:
		return account.Account{}, ErrAccountInactive
	}
	if err := LinkAllowed(r.Link, id.emailVerified); err != nil {
		return account.Account{}, err
	}
	a, err = s.accounts.LinkFederated(ctx, a.ID, ident)
	switch {
	case errors.Is(err, account.ErrSSOLinked):
		return account.Account{}, ErrIdentityMismatch
	case errors.Is(err, auth.ErrForbidden):
		return account.Account{}, ErrAccountInactive
	case err != nil:
		return account.Account{}, err
	}
	out.Linked = true
	return a, nil
}
