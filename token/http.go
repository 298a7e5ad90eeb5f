package token

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// AuthScheme is the Authorization scheme of personal access tokens under
// the default Scheme: "Authorization: mxtoken <PAT>". It is matched
// without case.
const AuthScheme = "mxtoken"

// MaxHeaderLen is the longest credential header value the middleware
// reads; longer values are rejected before parsing.
const MaxHeaderLen = 1024

// Default API key header names (Scheme.UsernameHeader and
// Scheme.APIKeyHeader).
const (
	DefaultUsernameHeader = "Mendix-Username"
	DefaultAPIKeyHeader   = "Mendix-ApiKey"
)

// Validator validates personal access tokens; *Service implements it.
type Validator interface {
	Validate(ctx context.Context, secret string) (Principal, error)
}

// APIKeyValidator validates API keys; *Service implements it.
type APIKeyValidator interface {
	ValidateAPIKey(ctx context.Context, username, key string) (Principal, error)
}

// CredentialValidator validates both kinds of credential.
type CredentialValidator interface {
	Validator
	APIKeyValidator
}

var forbiddenBody = []byte(`{"error":""}`)

// WriteForbidden writes the one answer every authentication or scope
// failure gets: status 403, Content-Type application/json and the body
// {"error":""}, byte-identical whatever went wrong.
func WriteForbidden(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", "12")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(forbiddenBody)
}

type principalKey struct{}

// WithPrincipal returns a context carrying the principal, as the
// middleware passes it to the next handler.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal the middleware stored in the
// request context.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ParseAuthorization returns the credential of an Authorization header
// value of the form "mxtoken <credential>": the scheme in any case, then
// exactly one space, then one credential of visible ASCII characters. Tabs,
// doubled or trailing spaces, a second credential, an empty credential and
// values longer than MaxHeaderLen are refused. It is pure and does not
// allocate; it does not check the credential's format (see Parse).
// Scheme.ParseAuthorization does the same for another scheme.
func ParseAuthorization(v string) (string, bool) { return parseAuthorization(AuthScheme, v) }

// parseAuthorization is ParseAuthorization for the scheme.
func parseAuthorization(scheme, v string) (string, bool) {
	if len(v) > MaxHeaderLen || len(v) < len(scheme)+2 {
		return "", false
	}
	if !strings.EqualFold(v[:len(scheme)], scheme) || v[len(scheme)] != ' ' {
		return "", false
	}
	cred := v[len(scheme)+1:]
	if !visibleASCII(cred) {
		return "", false
	}
	return cred, true
}

// visibleASCII reports whether s is non-empty and holds only characters
// from '!' to '~' (no space, tab or control character).
func visibleASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// singleHeader returns the only value of the header, refusing a missing,
// repeated or oversized one.
func singleHeader(h http.Header, name string) (string, bool) {
	vs := h[name]
	if len(vs) != 1 || len(vs[0]) > MaxHeaderLen {
		return "", false
	}
	return vs[0], true
}

// credentialInQuery reports whether the URL query looks like it carries a
// credential: a value starting with a token or key prefix of the scheme,
// or a parameter named like one (access_token, token, api_key, apikey, the
// Authorization scheme, the API-key header). Such requests are refused
// even when the headers are good, so credentials leaked into URLs stop
// working for that caller.
func credentialInQuery(r *http.Request, s Scheme) bool {
	q := r.URL.RawQuery
	if q == "" {
		return false
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return true
	}
	for k, vs := range vals {
		switch {
		case credentialParam(k),
			strings.EqualFold(k, s.Authorization),
			strings.EqualFold(k, s.APIKeyHeader):
			return true
		}
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if hasPrefixFold(v, s.TokenPrefix) || hasPrefixFold(v, s.APIKeyPrefix) {
				return true
			}
		}
	}
	return false
}

// credentialParam reports whether a query parameter is named like a
// credential whatever the scheme.
func credentialParam(name string) bool {
	switch strings.ToLower(name) {
	case "access_token", "token", "api_key", "apikey":
		return true
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix, ASCII case aside.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
