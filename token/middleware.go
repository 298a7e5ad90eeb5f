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
func Middleware(v Validator, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := validateToken(v, r)
		if !ok {
			WriteForbidden(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func validateToken(v Validator, r *http.Request) (Principal, bool) {
	h, ok := singleHeader(r.Header, "Authorization")
	if !ok || credentialInQuery(r) {
		return Principal{}, false
	}
	cred, ok := ParseAuthorization(h)
	if !ok {
		return Principal{}, false
	}
	p, err := v.Validate(r.Context(), cred)
	return p, err == nil && p.Kind == KindToken
}

// MiddlewareOption configures APIKeyMiddleware and AnyMiddleware.
type MiddlewareOption func(*headerNames)

type headerNames struct{ username, key string }

// WithAPIKeyHeaders replaces the header names "Mendix-Username" and
// "Mendix-ApiKey".
func WithAPIKeyHeaders(username, key string) MiddlewareOption {
	return func(h *headerNames) {
		h.username = http.CanonicalHeaderKey(username)
		h.key = http.CanonicalHeaderKey(key)
	}
}

func newHeaderNames(opts []MiddlewareOption) headerNames {
	h := headerNames{
		username: http.CanonicalHeaderKey(DefaultUsernameHeader),
		key:      http.CanonicalHeaderKey(DefaultAPIKeyHeader),
	}
	for _, o := range opts {
		o(&h)
	}
	return h
}

// APIKeyMiddleware authenticates requests with an API key: the login
// email of its account in the Mendix-Username header and the key in the
// Mendix-ApiKey header (names configurable with WithAPIKeyHeaders). Each
// header must appear exactly once. Failures get the same 403 answer as
// Middleware.
func APIKeyMiddleware(v APIKeyValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	names := newHeaderNames(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := validateAPIKey(v, names, r)
		if !ok {
			WriteForbidden(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func validateAPIKey(v APIKeyValidator, names headerNames, r *http.Request) (Principal, bool) {
	user, ok1 := singleHeader(r.Header, names.username)
	key, ok2 := singleHeader(r.Header, names.key)
	if !ok1 || !ok2 || !visibleASCII(key) || credentialInQuery(r) {
		return Principal{}, false
	}
	p, err := v.ValidateAPIKey(r.Context(), user, key)
	return p, err == nil && p.Kind == KindAPIKey
}

// AnyMiddleware accepts either credential: a request with an
// Authorization header is checked as a personal access token, otherwise
// the API key headers are checked. A request carrying both kinds is
// refused, as is one carrying neither. Failures get the same 403 answer
// as Middleware.
func AnyMiddleware(v CredentialValidator, next http.Handler, opts ...MiddlewareOption) http.Handler {
	names := newHeaderNames(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p Principal
		ok := false
		_, hasAuth := r.Header["Authorization"]
		_, hasKey := r.Header[names.key]
		_, hasUser := r.Header[names.username]
		switch {
		case hasAuth && !hasKey && !hasUser:
			p, ok = validateToken(v, r)
		case !hasAuth && (hasKey || hasUser):
			p, ok = validateAPIKey(v, names, r)
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
