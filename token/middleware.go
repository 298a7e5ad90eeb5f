package token

import (
	"net/http"
)

// Middleware authenticates requests with a personal access token in the
// header "Authorization: mxtoken <PAT>" (see ParseAuthorization) and
// calls next with the Principal in the request context (PrincipalFrom).
// A missing, repeated, oversized or malformed header, a credential in the
// URL query, or a token Validate refuses all get the same answer from
// WriteForbidden: 403 with the body {"error":""}.
//
// The scheme is that of v when v has one (a *Service: Config.Scheme),
// else DefaultScheme; WithScheme and WithAuthScheme replace it. It panics
// when the options make an invalid Scheme (Scheme.Check).
func Middleware(v Validator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareScheme(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := validateToken(v, s, r)
		if !ok {
			WriteForbidden(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func validateToken(v Validator, s Scheme, r *http.Request) (Principal, bool) {
	h, ok := singleHeader(r.Header, "Authorization")
	if !ok || credentialInQuery(r, s) {
		return Principal{}, false
	}
	cred, ok := parseAuthorization(s.Authorization, h)
	if !ok {
		return Principal{}, false
	}
	p, err := v.Validate(r.Context(), cred)
	return p, err == nil && p.Kind == KindToken
}

// MiddlewareOption configures Middleware, APIKeyMiddleware and
// AnyMiddleware.
type MiddlewareOption func(*Scheme)

// WithScheme makes the middleware use the scheme (empty fields take
// DefaultScheme's values) instead of its validator's. Only the
// Authorization scheme, the header names and the prefixes (to spot
// credentials in URL queries) matter to it: the prefixes a token must
// have are those of the Service that validates it.
func WithScheme(s Scheme) MiddlewareOption {
	return func(m *Scheme) { *m = s }
}

// WithAuthScheme replaces the Authorization scheme "mxtoken".
func WithAuthScheme(scheme string) MiddlewareOption {
	return func(m *Scheme) { m.Authorization = scheme }
}

// WithAPIKeyHeaders replaces the header names "Mendix-Username" and
// "Mendix-ApiKey".
func WithAPIKeyHeaders(username, key string) MiddlewareOption {
	return func(m *Scheme) { m.UsernameHeader, m.APIKeyHeader = username, key }
}

// schemer is a validator that knows its scheme; *Service is one.
type schemer interface{ Scheme() Scheme }

// newMiddlewareScheme returns the scheme of v (or the default), changed
// by the options, with its defaults filled in. It panics for an invalid
// scheme.
func newMiddlewareScheme(v any, opts []MiddlewareOption) Scheme {
	s := DefaultScheme()
	if sv, ok := v.(schemer); ok {
		s = sv.Scheme()
	}
	for _, o := range opts {
		o(&s)
	}
	return s.normalized()
}

// APIKeyMiddleware authenticates requests with an API key: the login
// email of its account in the Mendix-Username header and the key in the
// Mendix-ApiKey header (names from the scheme, as for Middleware, or
// WithAPIKeyHeaders). Each header must appear exactly once. Failures get
// the same 403 answer as Middleware.
func APIKeyMiddleware(v APIKeyValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareScheme(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := validateAPIKey(v, s, r)
		if !ok {
			WriteForbidden(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func validateAPIKey(v APIKeyValidator, s Scheme, r *http.Request) (Principal, bool) {
	user, ok1 := singleHeader(r.Header, s.UsernameHeader)
	key, ok2 := singleHeader(r.Header, s.APIKeyHeader)
	if !ok1 || !ok2 || !visibleASCII(key) || credentialInQuery(r, s) {
		return Principal{}, false
	}
	p, err := v.ValidateAPIKey(r.Context(), user, key)
	return p, err == nil && p.Kind == KindAPIKey
}

// AnyMiddleware accepts either credential: a request with an
// Authorization header is checked as a personal access token, otherwise
// the API key headers are checked. A request carrying both kinds is
// refused, as is one carrying neither. Failures get the same 403 answer
// as Middleware. The scheme is chosen as for Middleware.
func AnyMiddleware(v CredentialValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	s := newMiddlewareScheme(v, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p Principal
		ok := false
		_, hasAuth := r.Header["Authorization"]
		_, hasKey := r.Header[s.APIKeyHeader]
		_, hasUser := r.Header[s.UsernameHeader]
		switch {
		case hasAuth && !hasKey && !hasUser:
			p, ok = validateToken(v, s, r)
		case !hasAuth && (hasKey || hasUser):
			p, ok = validateAPIKey(v, s, r)
		}
		if !ok {
			WriteForbidden(w)
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
