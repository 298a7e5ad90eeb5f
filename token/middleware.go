package token

import (
	"context"
	"net"
	"net/http"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
)

// Middleware authenticates requests with a personal access token in the
// header "Authorization: mxtoken <PAT>" (see ParseAuthorization) and
// calls next with the Principal in the request context (PrincipalFrom).
// A missing, repeated, oversized or malformed header, a credential in the
// URL query, or a token Validate refuses all get the same answer from
// WriteForbidden: 403 with the body {"error":""}. When the store cannot
// answer (the database is down: errs.Unavailable), no credential was
// judged and the answer is 503 {"error":"unavailable"}, which a client
// retries.
//
// The scheme is that of v when v has one (a *Service: Config.Scheme),
// else DefaultScheme; WithScheme and WithAuthScheme replace it. It panics
// when the options make an invalid Scheme (Scheme.Check).
//
// When v is a ClientValidator (a *Service), the token is validated with
// the request's client (RequestClient, or WithClient's function), which
// the security event of a token's first use records.
func Middleware(v Validator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareConfig(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := validateToken(v, s, r)
		if err != nil {
			refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// errRefused is what the middlewares' checks return for a request they
// refuse: every refusal gets the one 403 answer.
var errRefused = errs.New(errs.Forbidden, "forbidden", "token: credential refused")

// refuse answers a request the middleware does not let through: 503
// {"error":"unavailable"} when the store could not answer (no credential
// was judged, and a client should retry), else 403 {"error":""}
// (WriteForbidden), the same for every refusal.
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	if errs.KindOf(err) == errs.Unavailable {
		errhttp.Write(w, r, err)
		return
	}
	WriteForbidden(w)
}

// verdict turns a validation's result into the middlewares' check: nil
// for a principal of the kind, the store's error when it could not
// answer, errRefused for everything else.
func verdict(p Principal, err error, kind Kind) error {
	switch {
	case err == nil && p.Kind == kind:
		return nil
	case errs.KindOf(err) == errs.Unavailable:
		return err
	}
	return errRefused
}

func validateToken(v Validator, c *middlewareConfig, r *http.Request) (Principal, error) {
	s := c.scheme
	h, ok := singleHeader(r.Header, "Authorization")
	if !ok || credentialInQuery(r, s) {
		return Principal{}, errRefused
	}
	cred, ok := parseAuthorization(s.Authorization, h)
	if !ok {
		return Principal{}, errRefused
	}
	var (
		p   Principal
		err error
	)
	if c.from != nil {
		p, err = c.from.ValidateFrom(r.Context(), cred, c.client(r))
	} else {
		p, err = v.Validate(r.Context(), cred)
	}
	return p, verdict(p, err, KindToken)
}

// ClientValidator is a Validator that records the client of a token's
// first use; *Service implements it.
type ClientValidator interface {
	Validator
	ValidateFrom(ctx context.Context, secret string, client auth.Client) (Principal, error)
}

// RequestClient returns the client of a request as the middleware sees
// it by default: the IP address of r.RemoteAddr (the peer, which is a
// proxy when one stands in front) and the User-Agent header. A host
// behind proxies passes its own function to WithClient.
func RequestClient(r *http.Request) auth.Client {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return auth.Client{IP: ip, UserAgent: r.UserAgent()}
}

// middlewareConfig is what the options set: the scheme and how to tell
// a request's client.
type middlewareConfig struct {
	scheme Scheme
	client func(*http.Request) auth.Client
	from   ClientValidator // the validator, when it is one
}

// MiddlewareOption configures Middleware, APIKeyMiddleware and
// AnyMiddleware.
type MiddlewareOption func(*middlewareConfig)

// WithClient makes the middleware tell a request's client with f
// instead of RequestClient: a host behind proxies that it trusts reads
// the client's address from their header.
func WithClient(f func(*http.Request) auth.Client) MiddlewareOption {
	return func(m *middlewareConfig) { m.client = f }
}

// WithScheme makes the middleware use the scheme (empty fields take
// DefaultScheme's values) instead of its validator's. Only the
// Authorization scheme, the header names and the prefixes (to spot
// credentials in URL queries) matter to it: the prefixes a token must
// have are those of the Service that validates it.
func WithScheme(s Scheme) MiddlewareOption {
	return func(m *middlewareConfig) { m.scheme = s }
}

// WithAuthScheme replaces the Authorization scheme "mxtoken".
func WithAuthScheme(scheme string) MiddlewareOption {
	return func(m *middlewareConfig) { m.scheme.Authorization = scheme }
}

// WithAPIKeyHeaders replaces the header names "Mendix-Username" and
// "Mendix-ApiKey".
func WithAPIKeyHeaders(username, key string) MiddlewareOption {
	return func(m *middlewareConfig) { m.scheme.UsernameHeader, m.scheme.APIKeyHeader = username, key }
}

// schemer is a validator that knows its scheme; *Service is one.
type schemer interface{ Scheme() Scheme }

// newMiddlewareConfig returns the scheme of v (or the default), changed
// by the options, with its defaults filled in, and the client function
// (RequestClient by default). It panics for an invalid scheme.
func newMiddlewareConfig(v any, opts []MiddlewareOption) *middlewareConfig {
	c := &middlewareConfig{scheme: DefaultScheme(), client: RequestClient}
	if sv, ok := v.(schemer); ok {
		c.scheme = sv.Scheme()
	}
	c.from, _ = v.(ClientValidator)
	for _, o := range opts {
		o(c)
	}
	c.scheme = c.scheme.normalized()
	if c.client == nil {
		c.client = RequestClient
	}
	return c
}

// APIKeyMiddleware authenticates requests with an API key: the login
// email of its account in the Mendix-Username header and the key in the
// Mendix-ApiKey header (names from the scheme, as for Middleware, or
// WithAPIKeyHeaders). Each header must appear exactly once. Failures get
// the same 403 answer as Middleware.
func APIKeyMiddleware(v APIKeyValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareConfig(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := validateAPIKey(v, s, r)
		if err != nil {
			refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func validateAPIKey(v APIKeyValidator, c *middlewareConfig, r *http.Request) (Principal, error) {
	s := c.scheme
	user, ok1 := singleHeader(r.Header, s.UsernameHeader)
	key, ok2 := singleHeader(r.Header, s.APIKeyHeader)
	if !ok1 || !ok2 || !visibleASCII(key) || credentialInQuery(r, s) {
		return Principal{}, errRefused
	}
	p, err := v.ValidateAPIKey(r.Context(), user, key)
	return p, verdict(p, err, KindAPIKey)
}

// AnyMiddleware accepts either credential: a request with an
// Authorization header is checked as a personal access token, otherwise
// the API key headers are checked. A request carrying both kinds is
// refused, as is one carrying neither. Failures get the same 403 answer
// as Middleware. The scheme is chosen as for Middleware.
func AnyMiddleware(v CredentialValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareConfig(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p Principal
		err := error(errRefused)
		_, hasAuth := r.Header["Authorization"]
		_, hasKey := r.Header[s.scheme.APIKeyHeader]
		_, hasUser := r.Header[s.scheme.UsernameHeader]
		switch {
		case hasAuth && !hasKey && !hasUser:
			p, err = validateToken(v, s, r)
		case !hasAuth && (hasKey || hasUser):
			p, err = validateAPIKey(v, s, r)
		}
		if err != nil {
			refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// RequireScopes returns middleware that lets a request through only when
// the principal in its context (set by Middleware or AnyMiddleware) has
// every one of the scopes; API key principals have every scope. Anything
// else gets the same 403 answer as Middleware.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	want := NormalizeScopes(scopes)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			if !ok || !p.HasScopes(want...) {
				WriteForbidden(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
